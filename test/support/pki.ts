// A private PKI made at test time: roots, intermediates and leaves with the names, key types,
// dates, signature hashes and extensions a test asks for, handed out as PEM for real servers and
// as DER for our own certificate checks. Nothing is read from disk, so no certificate expires in
// the repository.

import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;

export type KeyType = 'rsa2048' | 'rsa1024' | 'p256' | 'p384' | 'ed25519';
export type SignatureHash = 'SHA-256' | 'SHA-1' | 'SHA-384';

export interface CertificateOptions {
  /** A common name (`example.test`) or a whole DN (`CN=example.test, O=Test`). */
  subject?: string;
  /** DNS names for the subjectAltName; leaves default to `localhost`. */
  dnsNames?: string[];
  /** IP addresses for the subjectAltName; leaves default to 127.0.0.1 and ::1. */
  ipAddresses?: string[];
  /** The key of the new certificate; CAs default to p256 (quick), leaves to rsa2048. */
  keyType?: KeyType;
  /** Leaves share one key per type within a process; set this for a key of their own. */
  freshKey?: boolean;
  /** The key pair of an earlier certificate, kept as a CA keeps its key when it renews. */
  keys?: CryptoKeyPair;
  notBefore?: Date;
  notAfter?: Date;
  /** The hash the issuer signs with; Ed25519 issuers ignore it (RFC 8410, Section 6). */
  signatureHash?: SignatureHash;
  /** Adds the serverAuth extended key usage; leaves default to true, CAs to false. */
  serverAuth?: boolean;
  /** basicConstraints cA; defaults to true for roots and intermediates, false for leaves. */
  ca?: boolean;
  /** basicConstraints pathLenConstraint, for CAs. */
  pathLength?: number;
  /** Set to false to leave out the keyUsage extension. */
  keyUsage?: boolean;
}

/** One certificate with its key, and the certificates above it up to (not counting) the root. */
export interface IssuedCertificate {
  subject: string;
  keyType: KeyType;
  certificate: x509.X509Certificate;
  certPem: string;
  certDer: Uint8Array;
  /** The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  keyPem: string;
  keys: CryptoKeyPair;
  /** Issuers from the direct one upwards, the root last; empty for a self-signed certificate. */
  issuers: IssuedCertificate[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

// Back-dating by a day keeps fresh certificates valid across small clock differences between the
// test process and the server processes it starts.
function defaultNotBefore(): Date {
  return new Date(Date.now() - DAY_MS);
}

function defaultNotAfter(): Date {
  return new Date(Date.now() + 365 * DAY_MS);
}

// --- Keys -----------------------------------------------------------------------------------

function keyAlgorithm(
  keyType: KeyType,
): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | Algorithm {
  const publicExponent = new Uint8Array([1, 0, 1]);
  switch (keyType) {
    case 'rsa2048':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent, hash: 'SHA-256' };
    case 'rsa1024':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent, hash: 'SHA-256' };
    case 'p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

async function generateKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  const keys = await webcrypto.subtle.generateKey(keyAlgorithm(keyType), true, ['sign', 'verify']);
  return keys as CryptoKeyPair;
}

// RSA keys take a noticeable fraction of a second each on a busy two-core machine; leaves never
// sign anything, so sharing their key per type costs no test any meaning.
const sharedLeafKeys = new Map<KeyType, Promise<CryptoKeyPair>>();

function sharedKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  let keys = sharedLeafKeys.get(keyType);
  if (!keys) {
    keys = generateKeys(keyType);
    sharedLeafKeys.set(keyType, keys);
  }
  return keys;
}

// WebCrypto binds an RSA key to one hash, and @peculiar/x509 signs with the key's own algorithm,
// so signing with another hash needs the same private key imported again under that hash.
async function signingKey(
  privateKey: CryptoKey,
  hash: SignatureHash,
): Promise<{ key: CryptoKey; algorithm: Algorithm & { hash?: string } }> {
  const name = privateKey.algorithm.name;

  if (name === 'Ed25519') {
    return { key: privateKey, algorithm: { name } };
  }

  if (name === 'ECDSA') {
    return { key: privateKey, algorithm: { name, hash } };
  }

  const current = (privateKey.algorithm as webcrypto.RsaHashedKeyAlgorithm).hash.name;
  if (current === hash) {
    return { key: privateKey, algorithm: { name, hash } };
  }
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name, hash }, false, ['sign']);
  return { key, algorithm: { name, hash } };
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

// --- Certificates ---------------------------------------------------------------------------

function distinguishedName(subject: string): string {
  return subject.includes('=') ? subject : `CN=${subject}`;
}

// A positive 16-byte serial (RFC 5280, Section 4.1.2.2: at most 20 octets, non-negative).
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function keyUsageFlags(keyType: KeyType, ca: boolean): number {
  if (ca) {
    return x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  }
  // RSA key exchange encrypts the premaster secret to the leaf key (RFC 5246, Section 7.4.7.1).
  const rsa = keyType === 'rsa2048' || keyType === 'rsa1024';
  return rsa
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
}

interface Role {
  isCa: boolean;
  defaultKeyType: KeyType;
  defaultSubject: string;
}

async function createCertificate(
  options: CertificateOptions,
  role: Role,
  issuer: IssuedCertificate | null,
): Promise<IssuedCertificate> {
  const keyType = options.keyType ?? role.defaultKeyType;
  const ca = options.ca ?? role.isCa;
  const subject = distinguishedName(options.subject ?? role.defaultSubject);

  const keys =
    options.keys ??
    (role.isCa || options.freshKey ? await generateKeys(keyType) : await sharedKeys(keyType));

  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, ca ? options.pathLength : undefined, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (options.keyUsage !== false) {
    extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(keyType, ca), true));
  }
  if (options.serverAuth ?? !role.isCa) {
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  }
  if (issuer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  }

  const names = subjectAltNames(options, role.isCa);
  if (names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }

  const signerKey = (issuer?.keys ?? keys).privateKey;
  const { key, algorithm } = await signingKey(signerKey, options.signatureHash ?? 'SHA-256');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuer ? issuer.certificate.subject : subject,
    notBefore: options.notBefore ?? defaultNotBefore(),
    notAfter: options.notAfter ?? defaultNotAfter(),
    publicKey: keys.publicKey,
    signingKey: key,
    signingAlgorithm: algorithm,
    extensions,
  });

  return {
    subject,
    keyType,
    certificate,
    certPem: certificate.toString('pem'),
    certDer: new Uint8Array(certificate.rawData),
    keyPem: await privateKeyPem(keys),
    keys,
    issuers: issuer ? [issuer, ...issuer.issuers] : [],
  };
}

function subjectAltNames(options: CertificateOptions, isCa: boolean): x509.JsonGeneralName[] {
  const explicit = options.dnsNames !== undefined || options.ipAddresses !== undefined;
  const dnsNames = options.dnsNames ?? (explicit || isCa ? [] : ['localhost']);
  const ipAddresses = options.ipAddresses ?? (explicit || isCa ? [] : ['127.0.0.1', '::1']);
  return [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
}

/** A self-signed root CA. */
export function makeRoot(options: CertificateOptions = {}): Promise<IssuedCertificate> {
  const role = { isCa: true, defaultKeyType: 'p256' as const, defaultSubject: 'Test Root CA' };
  return createCertificate(options, role, null);
}

/** An intermediate CA signed by `issuer`. */
export function issueIntermediate(
  issuer: IssuedCertificate,
  options: CertificateOptions = {},
): Promise<IssuedCertificate> {
  const role = { isCa: true, defaultKeyType: 'p256' as const, defaultSubject: 'Test Issuing CA' };
  return createCertificate(options, role, issuer);
}

/** A leaf (end-entity) certificate signed by `issuer`; a server certificate by default. */
export function issueLeaf(
  issuer: IssuedCertificate,
  options: CertificateOptions = {},
): Promise<IssuedCertificate> {
  const role = { isCa: false, defaultKeyType: 'rsa2048' as const, defaultSubject: 'localhost' };
  return createCertificate(options, role, issuer);
}

/** A self-signed leaf: what a server shows when nobody issued its certificate. */
export function makeSelfSigned(options: CertificateOptions = {}): Promise<IssuedCertificate> {
  const role = { isCa: false, defaultKeyType: 'rsa2048' as const, defaultSubject: 'localhost' };
  return createCertificate(options, role, null);
}

/** The usual three-level PKI: root, one intermediate, and a leaf issued by the intermediate. */
export async function makeChain(
  leafOptions: CertificateOptions = {},
): Promise<{ root: IssuedCertificate; intermediate: IssuedCertificate; leaf: IssuedCertificate }> {
  const root = await makeRoot();
  const intermediate = await issueIntermediate(root);
  const leaf = await issueLeaf(intermediate, leafOptions);
  return { root, intermediate, leaf };
}

/** PEM of several certificates, one after the other, as servers read a chain file. */
export function pemBundle(...certificates: IssuedCertificate[]): string {
  return certificates.map((issued) => issued.certPem.trim()).join('\n') + '\n';
}

/** The leaf and its intermediates (no root), as a correctly configured server sends them. */
export function servedChainPem(leaf: IssuedCertificate): string {
  return pemBundle(leaf, ...leaf.issuers.slice(0, -1));
}

// --- Files ----------------------------------------------------------------------------------

export interface TempDir {
  path: string;
  /** Writes `content` to `name` inside the directory and returns the absolute path. */
  write(name: string, content: string | Uint8Array): string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

const liveDirectories = new Set<string>();

// A test that crashes before its afterAll still should not leave keys behind in /tmp.
process.once('exit', () => {
  for (const path of liveDirectories) {
    rmSync(path, { recursive: true, force: true });
  }
});

/** A fresh directory under the system temp dir; call remove() in afterAll. */
export function makeTempDir(prefix = 'wtp-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  liveDirectories.add(path);

  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content, { mode: 0o600 });
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
      liveDirectories.delete(path);
    },
  };
}

/** Writes a certificate's PEM (with its intermediates unless `leafOnly`) and key to `dir`. */
export function writeCertificateFiles(
  dir: TempDir,
  name: string,
  issued: IssuedCertificate,
  options: { leafOnly?: boolean } = {},
): { certFile: string; keyFile: string } {
  const pem = options.leafOnly ? issued.certPem : servedChainPem(issued);
  return {
    certFile: dir.write(`${name}.crt`, pem),
    keyFile: dir.write(`${name}.key`, issued.keyPem),
  };
}
