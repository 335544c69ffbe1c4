// Reading one X.509 certificate into the facts a report shows and the chain checks use: names,
// key, signature, dates and the extensions that decide whether it may serve TLS or issue others.
// Parsing goes through @peculiar/x509; node:crypto's X509Certificate does what it does natively
// (fingerprints, public keys, signature verification, IP matching).

import { type KeyObject, X509Certificate as NodeCertificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import type { CertificateInfo, KeyTypeProbe } from '../model.js';

type X509Library = typeof X509;
type KeyType = KeyTypeProbe['keyType'];
let library: X509Library | null = null;
let loading: Promise<X509Library> | null = null;

/**
 * Loads @peculiar/x509, with the reflect-metadata polyfill it needs first. Setting up its
 * ASN.1 schemas takes about 45 ms, most of this tool's start-up, so a scan starts loading it
 * once its first hellos are out and reads certificates after awaiting this.
 */
export async function loadCertificateParser(): Promise<void> {
  loading ??= import('reflect-metadata').then(async () => {
    library = await import('@peculiar/x509');
    return library;
  });
  await loading;
}

function x509(): X509Library {
  if (library === null) {
    throw new Error('internal error: certificates read before loadCertificateParser() finished');
  }
  return library;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** One certificate parsed both ways, with the facts the chain checks need. */
export interface ParsedCertificate {
  der: Uint8Array;
  node: NodeCertificate;
  info: CertificateInfo;
  /** basicConstraints: absent (null), or cA and the path length limit. */
  basicConstraints: { ca: boolean; pathLength?: number } | null;
  /** keyUsage flags (x509.KeyUsageFlags), or null when the extension is absent. */
  keyUsage: number | null;
  /** extendedKeyUsage OIDs, or null when the extension is absent (any purpose). */
  extendedKeyUsage: string[] | null;
  /** caIssuers URLs of the Authority Information Access extension (RFC 5280, 4.2.2.1). */
  caIssuers: string[];
  /** DER of the SubjectPublicKeyInfo, to tell whether two certificates carry one key. */
  spki: Buffer;
  /** The signature algorithm's hash, lower case (`sha1`, `md5`, `sha256`), if it has one. */
  signatureHash: string | null;
}

/** Raised for bytes that are not a DER X.509 certificate. */
export class CertificateParseError extends Error {
  override name = 'CertificateParseError';
}

/** Fills the report's CertificateInfo for one DER certificate; days left count from `now`. */
export function certificateInfo(der: Uint8Array, now: Date = new Date()): CertificateInfo {
  return parseCertificate(der, now).info;
}

// A scan sees one certificate many times (every chain a server sends repeats its leaf, and a
// fleet shares certificates): each is parsed once per clock value and kept a while. Callers get
// their own copy of the info, so that no report shares an object with another.
const PARSED_KEPT = 64;
const parsed = new Map<string, ParsedCertificate>();

/** Parses one DER certificate; throws CertificateParseError when it is not one. */
export function parseCertificate(der: Uint8Array, now: Date): ParsedCertificate {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const key = `${now.getTime()}:${bytes.toString('base64')}`;
  let found = parsed.get(key);
  if (!found) {
    found = readSafely(der, now);
    if (parsed.size >= PARSED_KEPT) {
      parsed.delete(parsed.keys().next().value!);
    }
    parsed.set(key, found);
  }
  return { ...found, der, info: copyInfo(found.info) };
}

function copyInfo(info: CertificateInfo): CertificateInfo {
  return { ...info, dnsNames: [...info.dnsNames], ipAddresses: [...info.ipAddresses] };
}

function readSafely(der: Uint8Array, now: Date): ParsedCertificate {
  try {
    return readCertificate(der, now);
  } catch (error) {
    if (error instanceof CertificateParseError) throw error;
    // DER can be sound enough to construct and still fail when a field is read (a public key
    // OpenSSL cannot decode, a malformed extension): as unreadable as no certificate at all.
    throw new CertificateParseError(`unreadable X.509 certificate: ${(error as Error).message}`);
  }
}

function readCertificate(der: Uint8Array, now: Date): ParsedCertificate {
  let node: NodeCertificate;
  let cert: X509.X509Certificate;
  try {
    node = new NodeCertificate(der);
    cert = new (x509().X509Certificate)(der);
  } catch (error) {
    throw new CertificateParseError(`not a DER X.509 certificate: ${(error as Error).message}`);
  }

  const names = subjectAltNames(cert);
  const key = describeKey(cert, node);
  const signature = signatureAlgorithm(cert);
  const basic = cert.getExtension(x509().BasicConstraintsExtension);
  const usage = cert.getExtension(x509().KeyUsagesExtension);
  const extended = cert.getExtension(x509().ExtendedKeyUsageExtension);
  const basicConstraints = basic ? { ca: basic.ca, pathLength: basic.pathLength } : null;

  const info: CertificateInfo = {
    subject: cert.subject,
    issuer: cert.issuer,
    serial: node.serialNumber.toUpperCase(),
    dnsNames: names.dns,
    ipAddresses: names.ip,
    keyType: key.type,
    keyBits: key.bits,
    ...(key.curve ? { curve: key.curve } : {}),
    signatureAlgorithm: signature.name,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysLeft: daysLeft(cert.notAfter, now),
    fingerprintSha256: node.fingerprint256,
    selfSigned: isSelfSigned(node),
    isCa: basicConstraints?.ca ?? false,
    pem: node.toString(),
  };

  return {
    der,
    node,
    info,
    basicConstraints,
    keyUsage: usage ? usage.usages : null,
    extendedKeyUsage: extended ? extended.usages.map((oid) => String(oid)) : null,
    caIssuers: authorityIssuers(cert),
    spki: node.publicKey.export({ type: 'spki', format: 'der' }),
    signatureHash: signature.hash,
  };
}

/**
 * Whole days from `now` until `notAfter`, rounded down; once expired, minus the whole days
 * since (at least one), so that "expired 10 days ago" means what a reader takes it to mean
 * and every report counts alike.
 */
export function daysLeft(notAfter: Date, now: Date): number {
  const left = notAfter.getTime() - now.getTime();
  return left >= 0 ? Math.floor(left / DAY_MS) : -Math.max(1, Math.floor(-left / DAY_MS));
}

// A certificate is self-signed when it names itself as issuer and its own key verifies it
// (RFC 5280, Section 3.2); a name match alone is only "self-issued".
function isSelfSigned(node: NodeCertificate): boolean {
  return node.issuer === node.subject && node.verify(node.publicKey);
}

function subjectAltNames(cert: X509.X509Certificate): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const extension of cert.getExtensions(x509().SubjectAlternativeNameExtension)) {
    for (const name of extension.names.items) {
      if (name.type === 'dns') {
        dns.push(name.value);
      } else if (name.type === 'ip') {
        ip.push(name.value);
      }
    }
  }
  return { dns, ip };
}

function authorityIssuers(cert: X509.X509Certificate): string[] {
  const access = cert.getExtension(x509().AuthorityInfoAccessExtension);
  if (!access) {
    return [];
  }
  return access.caIssuers.map((name) => name.value);
}

// --- Keys -----------------------------------------------------------------------------------

const CURVE_NAMES: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
  secp256k1: { name: 'secp256k1', bits: 256 },
  secp224r1: { name: 'P-224', bits: 224 },
  prime192v1: { name: 'P-192', bits: 192 },
  brainpoolP256r1: { name: 'brainpoolP256r1', bits: 256 },
  brainpoolP384r1: { name: 'brainpoolP384r1', bits: 384 },
  brainpoolP512r1: { name: 'brainpoolP512r1', bits: 512 },
};

interface KeyDescription {
  type: CertificateInfo['keyType'];
  bits: number;
  curve?: string;
}

function describeKey(cert: X509.X509Certificate, node: NodeCertificate): KeyDescription {
  return (
    nodeKeyDescription(node.publicKey) ?? {
      type: 'other',
      bits: 0,
      curve: cert.publicKey.algorithm.name,
    }
  );
}

/** A public key as node:crypto reads it; null for a type it does not name. */
function nodeKeyDescription(publicKey: KeyObject): KeyDescription | null {
  const details = publicKey.asymmetricKeyDetails ?? {};

  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
      return { type: 'RSA', bits: details.modulusLength ?? 0 };
    case 'rsa-pss':
      return { type: 'RSA-PSS', bits: details.modulusLength ?? 0 };
    case 'dsa':
      return { type: 'DSA', bits: details.modulusLength ?? 0 };
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      const known = CURVE_NAMES[curve];
      return { type: 'EC', bits: known?.bits ?? 0, curve: known?.name ?? curve };
    }
    case 'ed25519':
      return { type: 'Ed25519', bits: 256 };
    case 'ed448':
      return { type: 'Ed448', bits: 456 };
    default:
      return null;
  }
}

const SIGNATURE_KEY_TYPES: Partial<Record<CertificateInfo['keyType'], KeyType>> = {
  RSA: 'RSA',
  'RSA-PSS': 'RSA',
  EC: 'ECDSA',
  Ed25519: 'EdDSA',
  Ed448: 'EdDSA',
};

/**
 * The signature key type of a certificate (the one a hello's signature_algorithms asks for),
 * read with node:crypto alone: the hellos that wait for it need not wait for the X.509 library
 * to load. Null for an unreadable certificate or a key no TLS 1.2 or 1.3 signature uses.
 */
export function signatureKeyType(der: Uint8Array): KeyType | null {
  let description: KeyDescription | null;
  try {
    description = nodeKeyDescription(new NodeCertificate(der).publicKey);
  } catch {
    return null;
  }
  return (description && SIGNATURE_KEY_TYPES[description.type]) ?? null;
}

// --- Signature algorithms -------------------------------------------------------------------

// Names as `openssl x509 -text` prints them, which is what users search for. Algorithms that
// WebCrypto does not know come back from @peculiar/x509 as bare OIDs (RFC 8017, Appendix C;
// RFC 5758; RFC 3279).
const SIGNATURE_OIDS: Record<string, { name: string; hash: string | null }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.10040.4.3': { name: 'dsaWithSHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', hash: 'sha256' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.3.101.112': { name: 'ED25519', hash: null },
  '1.3.101.113': { name: 'ED448', hash: null },
};

function signatureAlgorithm(cert: X509.X509Certificate): { name: string; hash: string | null } {
  let algorithm: { name: string; hash?: { name: string } };
  try {
    algorithm = cert.signatureAlgorithm as { name: string; hash?: { name: string } };
  } catch {
    return { name: 'unknown', hash: null };
  }

  const known = SIGNATURE_OIDS[algorithm.name];
  if (known) {
    return known;
  }

  const hash = algorithm.hash?.name ?? null;
  const short = hash ? hash.replace('-', '').toLowerCase() : null;
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
      return { name: `${short}WithRSAEncryption`, hash: short };
    case 'ECDSA':
      return { name: `ecdsa-with-${hash?.replace('-', '')}`, hash: short };
    case 'RSA-PSS':
      return { name: `rsassaPss (${short})`, hash: short };
    case 'Ed25519':
      return { name: 'ED25519', hash: null };
    case 'Ed448':
      return { name: 'ED448', hash: null };
    default:
      return { name: algorithm.name, hash: short };
  }
}
