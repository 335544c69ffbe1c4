// A cheap look at the issuer and subject names of a DER certificate, without parsing the rest:
// enough to index the trust anchors by name so that only the few a path may reach are parsed.
//
// The key of a name is its attribute types and decoded values in order. Two names that node's
// X509Certificate prints alike have the same key: printing decodes each value as below
// (RFC 5280, Section 4.1.2.4: PrintableString, UTF8String, BMPString, UniversalString,
// TeletexString), so a value encoded as PrintableString in one certificate and as UTF8String in
// another still matches. The exact comparison stays with the callers; the key only narrows.

interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the content. */
  end: number;
}

function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) {
    return null;
  }
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) {
      return null;
    }
    length = 0;
    for (let index = 0; index < count; index += 1) {
      length = length * 256 + bytes[start + index];
    }
    start += count;
  }
  const end = start + length;
  return end > limit ? null : { tag, start, end };
}

/** Every TLV directly inside [start, end), or null when the bytes are not DER. */
function children(bytes: Uint8Array, start: number, end: number): Tlv[] | null {
  const found: Tlv[] = [];
  let offset = start;
  while (offset < end) {
    const tlv = readTlv(bytes, offset, end);
    if (!tlv) {
      return null;
    }
    found.push(tlv);
    offset = tlv.end;
  }
  return found;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;

function decodeValue(bytes: Uint8Array, tlv: Tlv): string {
  const content = Buffer.from(bytes.buffer, bytes.byteOffset + tlv.start, tlv.end - tlv.start);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return content.toString('utf8');
    case 0x1e: // BMPString, UTF-16 big-endian
      return Buffer.from(content).swap16().toString('utf16le');
    case 0x1c: {
      // UniversalString, UTF-32 big-endian
      let text = '';
      for (let index = 0; index + 4 <= content.length; index += 4) {
        text += String.fromCodePoint(content.readUInt32BE(index));
      }
      return text;
    }
    default:
      return content.toString('latin1');
  }
}

/** The key of a Name (RFC 5280, Section 4.1.2.4), or null when it is not DER. */
function nameKey(bytes: Uint8Array, name: Tlv): string | null {
  if (name.tag !== SEQUENCE) {
    return null;
  }
  const parts: string[] = [];
  for (const rdn of children(bytes, name.start, name.end) ?? [null]) {
    if (rdn?.tag !== SET) {
      return null;
    }
    for (const attribute of children(bytes, rdn.start, rdn.end) ?? [null]) {
      const fields = attribute ? children(bytes, attribute.start, attribute.end) : null;
      if (fields?.length !== 2 || fields[0].tag !== OID) {
        return null;
      }
      const type = Buffer.from(bytes.subarray(fields[0].start, fields[0].end)).toString('hex');
      parts.push(`${type}=${decodeValue(bytes, fields[1])}`);
    }
  }
  return parts.join('\u0000');
}

/**
 * The keys of a certificate's issuer and subject names, or null when the certificate is not
 * DER as far as the subject (RFC 5280, Section 4.1: version, serial, signature, issuer,
 * validity, subject).
 */
export function certificateNames(der: Uint8Array): { issuer: string; subject: string } | null {
  try {
    const certificate = readTlv(der, 0, der.length);
    const tbs = certificate && readTlv(der, certificate.start, certificate.end);
    const fields = tbs && tbs.tag === SEQUENCE ? children(der, tbs.start, tbs.end) : null;
    if (!fields) {
      return null;
    }
    const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
    const [, , issuer, , subject] = rest;
    if (!issuer || !subject) {
      return null;
    }
    const issuerKey = nameKey(der, issuer);
    const subjectKey = nameKey(der, subject);
    return issuerKey === null || subjectKey === null
      ? null
      : { issuer: issuerKey, subject: subjectKey };
  } catch {
    return null;
  }
}
