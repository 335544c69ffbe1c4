// The demo's private certificate authority, made in memory with @peculiar/x509 on Node's
// WebCrypto: one root, and leaf certificates for 127.0.0.1 that it signs, with the dates the
// demo asks for (an expired one included). Nothing is written but the root, which the scan is
// told to trust through --ca-file, as a user would for endpoints behind a private CA.

import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const DAY_MS = 24 * 60 * 60 * 1000;

const ROOT_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const LEAF_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

export interface DemoLeaf {
  certPem: string;
  keyPem: string;
}

export interface DemoCa {
  rootPem: string;
  /** A leaf for an IP address, valid between the two dates. */
  issue(ipAddress: string, validity: { notBefore: Date; notAfter: Date }): Promise<DemoLeaf>;
}

/** Makes the root; leaves share one RSA key, since the demo needs distinct dates, not keys. */
export async function createDemoCa(): Promise<DemoCa> {
  const rootKeys = (await webcrypto.subtle.generateKey(ROOT_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=webhook-tls-probe demo root, O=webhook-tls-probe demo',
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 400 * DAY_MS),
    signingAlgorithm: ROOT_ALGORITHM,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const leafKeys = (await webcrypto.subtle.generateKey(LEAF_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const keyPem = x509.PemConverter.encode(
    await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey),
    'PRIVATE KEY',
  );

  return {
    rootPem: root.toString('pem'),

    async issue(ipAddress, validity) {
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${ipAddress}`,
        issuer: root.subject,
        notBefore: validity.notBefore,
        notAfter: validity.notAfter,
        signingAlgorithm: ROOT_ALGORITHM,
        publicKey: leafKeys.publicKey,
        signingKey: rootKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          // RSA key exchange suites encrypt to the leaf key (RFC 5246, Section 7.4.7.1).
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: ipAddress }]),
          await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
        ],
      });

      return { certPem: leaf.toString('pem'), keyPem };
    },
  };
}

/** A positive serial number of 16 random bytes (RFC 5280, Section 4.1.2.2). */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
