// Readers of single handshake messages: ServerHello and HelloRetryRequest, Certificate (both
// forms), ServerKeyExchange, CertificateRequest, CertificateStatus, EncryptedExtensions and the
// ClientHello. Each takes the message body and returns a value or the reason it was refused.

import { equalBytes, fromHex, type Parsed, Reader, refused } from './bytes.js';
import type { CipherSuite } from './suites.js';
import { ExtensionType } from './versions.js';

export interface Extension {
  type: number;
  data: Uint8Array;
}

/** RFC 8446 Section 4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = fromHex(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c',
);

/** RFC 8446 Section 4.1.3: the end of a TLS 1.3 server's random when it negotiates below 1.3. */
export const DOWNGRADE_TLS12 = fromHex('444f574e47524401');
export const DOWNGRADE_TLS11 = fromHex('444f574e47524400');

export interface ServerHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suite: number;
  compression: number;
  extensions: Extension[];
  /** A HelloRetryRequest: a ServerHello with the special random (RFC 8446 Section 4.1.3). */
  helloRetryRequest: boolean;
  /** supported_versions' selected_version, null when absent. */
  selectedVersion: number | null;
  /** The negotiated version: selected_version when present, otherwise legacy_version. */
  version: number;
  /** The server's key share (ServerHello only). */
  keyShare: { group: number; keyExchange: Uint8Array } | null;
  /** The group a HelloRetryRequest asks for. */
  requestedGroup: number | null;
  cookie: Uint8Array | null;
  /** The server will staple an OCSP response (status_request answered, TLS 1.2 and below). */
  statusRequest: boolean;
  alpn: string | null;
  extendedMasterSecret: boolean;
  renegotiationInfo: boolean;
}

export function parseServerHello(body: Uint8Array): Parsed<ServerHello> {
  const r = new Reader(body, 'ServerHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.opaque8('legacy_session_id');
  const suite = r.u16('cipher_suite');
  const compression = r.u8('compression_method');
  // Servers of SSL 3.0 and early TLS end the message here when they have no extensions.
  const extensions = r.remaining > 0 ? readExtensions(r) : [];
  if (sessionId.length > 32) r.fail('legacy_session_id longer than 32 bytes');
  if (r.failed) return r.refusal();

  const helloRetryRequest = equalBytes(random, HELLO_RETRY_REQUEST_RANDOM);
  const hello: ServerHello = {
    legacyVersion,
    random,
    sessionId,
    suite,
    compression,
    extensions,
    helloRetryRequest,
    selectedVersion: null,
    version: legacyVersion,
    keyShare: null,
    requestedGroup: null,
    cookie: null,
    statusRequest: false,
    alpn: null,
    extendedMasterSecret: false,
    renegotiationInfo: false,
  };

  for (const extension of extensions) {
    const e = new Reader(extension.data, `ServerHello extension ${extension.type}`);
    switch (extension.type) {
      case ExtensionType.supportedVersions:
        hello.selectedVersion = e.u16('selected_version');
        hello.version = hello.selectedVersion;
        break;
      case ExtensionType.keyShare:
        if (helloRetryRequest) {
          hello.requestedGroup = e.u16('selected_group');
        } else {
          const group = e.u16('group');
          hello.keyShare = { group, keyExchange: e.opaque16('key_exchange', 1) };
        }
        break;
      case ExtensionType.cookie:
        hello.cookie = e.opaque16('cookie', 1);
        break;
      case ExtensionType.statusRequest:
        hello.statusRequest = true;
        e.rest(); // empty in a ServerHello (RFC 6066 Section 8)
        break;
      case ExtensionType.alpn: {
        const list = e.vector16('protocol_name_list', 1);
        hello.alpn = Buffer.from(list.opaque8('protocol_name', 1)).toString('latin1');
        list.end();
        break;
      }
      case ExtensionType.extendedMasterSecret:
        hello.extendedMasterSecret = true;
        break;
      case ExtensionType.renegotiationInfo:
        hello.renegotiationInfo = true;
        e.opaque8('renegotiated_connection');
        break;
      default:
        e.rest();
    }
    e.end();
    if (e.failed) return refused(e.error ?? 'bad extension');
  }

  return { ok: true, value: hello };
}

/** Reads `Extension extensions<0..2^16-1>`, refusing duplicates (RFC 8446 Section 4.2). */
export function readExtensions(r: Reader): Extension[] {
  const list = r.vector16('extensions');
  const extensions: Extension[] = [];
  const seen = new Set<number>();
  while (list.remaining > 0 && !list.failed) {
    const type = list.u16('extension_type');
    const data = list.opaque16('extension_data');
    if (seen.has(type)) list.fail(`extension ${type} appears twice`);
    seen.add(type);
    extensions.push({ type, data });
  }
  list.end();
  return extensions;
}

export interface CertificateLimits {
  maxCertificates: number;
  maxChainBytes: number;
}

/** Certificate of TLS 1.2 and below: `ASN.1Cert certificate_list<0..2^24-1>` (RFC 5246 7.4.2). */
export function parseCertificate(
  body: Uint8Array,
  limits: CertificateLimits,
): Parsed<Uint8Array[]> {
  const r = new Reader(body, 'Certificate');
  const list = r.vector24('certificate_list');
  const certificates: Uint8Array[] = [];
  while (list.remaining > 0 && !list.failed) {
    certificates.push(list.opaque24('ASN.1Cert', 1).slice());
  }
  list.end();

  const framed = r.result(certificates);
  return framed.ok ? checkChain(certificates, limits) : framed;
}

export interface CertificateEntry {
  certificate: Uint8Array;
  extensions: Extension[];
  /** The OCSP response stapled to this entry (status_request extension, RFC 8446 4.4.2.1). */
  ocspResponse: Uint8Array | null;
}

/** Certificate of TLS 1.3, RFC 8446 Section 4.4.2. */
export function parseCertificate13(
  body: Uint8Array,
  limits: CertificateLimits,
): Parsed<{ context: Uint8Array; entries: CertificateEntry[] }> {
  const r = new Reader(body, 'Certificate');
  const context = r.opaque8('certificate_request_context');
  const list = r.vector24('certificate_list');
  const entries: CertificateEntry[] = [];
  while (list.remaining > 0 && !list.failed) {
    const certificate = list.opaque24('cert_data', 1).slice();
    const extensions = readExtensions(list);
    let ocspResponse: Uint8Array | null = null;
    for (const extension of extensions) {
      if (extension.type !== ExtensionType.statusRequest) continue;
      const status = parseCertificateStatus(extension.data);
      if (!status.ok) return refused(status.error);
      ocspResponse = status.value;
    }
    entries.push({ certificate, extensions, ocspResponse });
  }
  list.end();

  const framed = r.result({ context, entries });
  if (!framed.ok) return framed;
  const chain = checkChain(
    entries.map((entry) => entry.certificate),
    limits,
  );
  return chain.ok ? framed : refused(chain.error);
}

function checkChain(certificates: Uint8Array[], limits: CertificateLimits): Parsed<Uint8Array[]> {
  if (certificates.length > limits.maxCertificates) {
    return refused(`Certificate: ${certificates.length} certificates, more than the cap`);
  }
  const total = certificates.reduce((sum, certificate) => sum + certificate.length, 0);
  if (total > limits.maxChainBytes) {
    return refused(`Certificate: chain of ${total} bytes, more than the cap`);
  }
  return { ok: true, value: certificates };
}

/** CertificateStatus: status_type ocsp(1) and `opaque OCSPResponse<1..2^24-1>` (RFC 6066 8). */
export function parseCertificateStatus(body: Uint8Array): Parsed<Uint8Array> {
  const r = new Reader(body, 'CertificateStatus');
  const type = r.u8('status_type');
  const response = r.opaque24('OCSPResponse', 1).slice();
  if (!r.failed && type !== 1) r.fail(`status_type ${type} is not ocsp`);
  return r.result(response);
}

export type ServerKeyExchange =
  | { kind: 'ecdhe'; group: number; publicKey: Uint8Array }
  | {
      kind: 'dhe';
      primeBits: number;
      prime: Uint8Array;
      generator: Uint8Array;
      publicKey: Uint8Array;
    }
  | { kind: 'rsa-export'; modulusBits: number }
  | { kind: 'other' };

// ECCurveType, RFC 8422 Section 5.4; explicit curves map to the registry's explicit codes.
const CURVE_TYPE_EXPLICIT_PRIME = 1;
const CURVE_TYPE_EXPLICIT_CHAR2 = 2;
const CURVE_TYPE_NAMED = 3;

/**
 * The key exchange parameters at the start of a ServerKeyExchange (RFC 5246 7.4.3, RFC 8422
 * 5.4, RFC 4279 Section 3). The signature that follows is not read: the probe only reports
 * which group or prime the server uses.
 */
export function parseServerKeyExchange(
  body: Uint8Array,
  suite: CipherSuite,
): Parsed<ServerKeyExchange> {
  const r = new Reader(body, 'ServerKeyExchange');
  if (suite.kex === 'DHE_PSK' || suite.kex === 'ECDHE_PSK') r.opaque16('psk_identity_hint');

  if (suite.kex === 'ECDHE' || suite.kex === 'ECDHE_PSK') {
    const curveType = r.u8('curve_type');
    let group = 0;
    if (curveType === CURVE_TYPE_NAMED) group = r.u16('namedcurve');
    else if (curveType === CURVE_TYPE_EXPLICIT_PRIME) group = 0xff01;
    else if (curveType === CURVE_TYPE_EXPLICIT_CHAR2) group = 0xff02;
    else r.fail(`unknown curve_type ${curveType}`);
    const publicKey =
      group === 0xff01 || group === 0xff02 ? new Uint8Array() : r.opaque8('point', 1);
    return prefixResult(r, { kind: 'ecdhe', group, publicKey });
  }

  if (suite.kex === 'DHE' || suite.kex === 'DHE_PSK') {
    const prime = r.opaque16('dh_p', 1);
    const generator = r.opaque16('dh_g', 1);
    const publicKey = r.opaque16('dh_Ys', 1);
    const primeBits = bitLength(prime);
    return prefixResult(r, { kind: 'dhe', primeBits, prime, generator, publicKey });
  }

  if (suite.kex === 'RSA' && suite.export) {
    const modulus = r.opaque16('rsa_modulus', 1);
    r.opaque16('rsa_exponent', 1);
    return prefixResult(r, { kind: 'rsa-export', modulusBits: bitLength(modulus) });
  }

  return { ok: true, value: { kind: 'other' } };
}

function prefixResult<T>(r: Reader, value: T): Parsed<T> {
  return r.failed ? refused(r.error ?? 'bad ServerKeyExchange') : { ok: true, value };
}

/** Significant bits of a big-endian unsigned number. */
export function bitLength(value: Uint8Array): number {
  let index = 0;
  while (index < value.length && value[index] === 0) index++;
  if (index === value.length) return 0;
  return (value.length - index - 1) * 8 + (32 - Math.clz32(value[index]));
}

export interface CertificateRequest {
  /** TLS 1.2 and below: ClientCertificateType list; TLS 1.3: the request context. */
  certificateTypes: number[];
  signatureSchemes: number[];
}

/** CertificateRequest of TLS 1.2 and below (RFC 5246 Section 7.4.4); the CA list is skipped. */
export function parseCertificateRequest(
  body: Uint8Array,
  tls12: boolean,
): Parsed<CertificateRequest> {
  const r = new Reader(body, 'CertificateRequest');
  const certificateTypes = [...r.opaque8('certificate_types', 1)];
  const signatureSchemes: number[] = [];
  if (tls12) {
    const schemes = r.vector16('supported_signature_algorithms', 2);
    while (schemes.remaining > 0 && !schemes.failed) signatureSchemes.push(schemes.u16());
  }
  r.opaque16('certificate_authorities');
  return r.result({ certificateTypes, signatureSchemes });
}

/** EncryptedExtensions, RFC 8446 Section 4.3.1. */
export function parseEncryptedExtensions(body: Uint8Array): Parsed<Extension[]> {
  const r = new Reader(body, 'EncryptedExtensions');
  const extensions = readExtensions(r);
  return r.result(extensions);
}

/**
 * The supported_groups a TLS 1.3 server lists in its EncryptedExtensions, in its order of
 * preference (RFC 8446 Section 4.2.7 lets a server send it; OpenSSL does when the client's key
 * share is not its first choice). Null when the extension is absent.
 */
export function serverGroupList(extensions: Extension[]): Parsed<number[] | null> {
  const extension = extensions.find((e) => e.type === ExtensionType.supportedGroups);
  if (!extension) {
    return { ok: true, value: null };
  }
  const r = new Reader(extension.data, 'supported_groups');
  const groups = readU16List(r, 'named_group_list');
  return r.result(groups);
}

export interface ClientHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: number[];
  compressionMethods: number[];
  extensions: Extension[];
  serverName: string | null;
  /** supported_versions, empty when absent. */
  supportedVersions: number[];
  groups: number[];
  keyShares: { group: number; keyExchange: Uint8Array }[];
  signatureSchemes: number[];
  alpn: string[];
  statusRequest: boolean;
  /** Data length of the padding extension, null when absent. */
  padding: number | null;
  /** The handshake message as received (header and body). */
  message: Uint8Array;
}

/**
 * Reads a ClientHello from the records that carry it (first byte 22) or from the bare
 * handshake message (first byte 1). Used by scripted test servers and round-trip tests.
 */
export function parseClientHello(bytes: Uint8Array): Parsed<ClientHello> {
  let message: Uint8Array;
  if (bytes[0] === 22) {
    const joined = joinHandshakeRecords(bytes);
    if (!joined.ok) return joined;
    message = joined.value;
  } else {
    message = bytes;
  }

  const framing = new Reader(message, 'ClientHello');
  const type = framing.u8('msg_type');
  const body = framing.opaque24('body');
  if (!framing.failed && type !== 1) framing.fail(`handshake type ${type} is not client_hello`);
  const framed = framing.result(body);
  if (!framed.ok) return framed;

  return parseClientHelloBody(body, message);
}

function joinHandshakeRecords(bytes: Uint8Array): Parsed<Uint8Array> {
  const r = new Reader(bytes, 'ClientHello record');
  const fragments: Uint8Array[] = [];
  let wanted = Number.POSITIVE_INFINITY;
  let have = 0;
  while (r.remaining > 0 && !r.failed && have < wanted) {
    const type = r.u8('content_type');
    r.u16('legacy_record_version');
    const fragment = r.opaque16('fragment', 1);
    if (!r.failed && type !== 22) r.fail(`content type ${type} is not handshake`);
    fragments.push(fragment);
    have += fragment.length;
    if (fragments.length === 1 && fragment.length >= 4) {
      wanted = 4 + ((fragment[1] << 16) | (fragment[2] << 8) | fragment[3]);
    }
  }
  if (!r.failed && have < wanted) r.fail('records end before the ClientHello does');
  if (r.failed) return refused(r.error ?? 'bad records');
  const joined = Buffer.concat(fragments);
  return { ok: true, value: new Uint8Array(joined.subarray(0, Math.min(wanted, joined.length))) };
}

function parseClientHelloBody(body: Uint8Array, message: Uint8Array): Parsed<ClientHello> {
  const r = new Reader(body, 'ClientHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.opaque8('legacy_session_id');
  const suiteList = r.vector16('cipher_suites', 2);
  const suites: number[] = [];
  while (suiteList.remaining > 0 && !suiteList.failed) suites.push(suiteList.u16('cipher_suite'));
  const compressionMethods = [...r.opaque8('legacy_compression_methods', 1)];
  const extensions = r.remaining > 0 ? readExtensions(r) : [];
  if (r.failed) return r.refusal();

  const hello: ClientHello = {
    legacyVersion,
    random,
    sessionId,
    suites,
    compressionMethods,
    extensions,
    serverName: null,
    supportedVersions: [],
    groups: [],
    keyShares: [],
    signatureSchemes: [],
    alpn: [],
    statusRequest: false,
    padding: null,
    message,
  };

  for (const extension of extensions) {
    const e = new Reader(extension.data, `ClientHello extension ${extension.type}`);
    switch (extension.type) {
      case ExtensionType.serverName: {
        const names = e.vector16('server_name_list', 1);
        while (names.remaining > 0 && !names.failed) {
          const nameType = names.u8('name_type');
          const name = names.opaque16('HostName', 1);
          if (nameType === 0) hello.serverName = Buffer.from(name).toString('latin1');
        }
        break;
      }
      case ExtensionType.supportedVersions: {
        const versions = e.vector8('versions', 2);
        while (versions.remaining > 0 && !versions.failed) {
          hello.supportedVersions.push(versions.u16());
        }
        break;
      }
      case ExtensionType.supportedGroups:
        hello.groups = readU16List(e, 'named_group_list');
        break;
      case ExtensionType.signatureAlgorithms:
        hello.signatureSchemes = readU16List(e, 'supported_signature_algorithms');
        break;
      case ExtensionType.keyShare: {
        const shares = e.vector16('client_shares');
        while (shares.remaining > 0 && !shares.failed) {
          const group = shares.u16('group');
          hello.keyShares.push({ group, keyExchange: shares.opaque16('key_exchange', 1) });
        }
        break;
      }
      case ExtensionType.alpn: {
        const list = e.vector16('protocol_name_list', 2);
        while (list.remaining > 0 && !list.failed) {
          hello.alpn.push(Buffer.from(list.opaque8('protocol_name', 1)).toString('latin1'));
        }
        break;
      }
      case ExtensionType.statusRequest:
        hello.statusRequest = true;
        e.rest();
        break;
      case ExtensionType.padding:
        hello.padding = extension.data.length;
        e.rest();
        break;
      default:
        e.rest();
    }
    e.end();
    if (e.failed) return refused(e.error ?? 'bad extension');
  }

  return { ok: true, value: hello };
}

function readU16List(r: Reader, what: string): number[] {
  const list = r.vector16(what, 2);
  const values: number[] = [];
  while (list.remaining > 0 && !list.failed) values.push(list.u16());
  if (!list.failed && values.length === 0) list.fail(`${what} is empty`);
  return values;
}
