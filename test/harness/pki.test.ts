// The test PKI: certificates carry the names, keys, dates, hashes and extensions asked for, as
// read back by Node's own X.509 parser (and OpenSSL for the signature algorithm).

import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { hasBinary } from '../support/binaries.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  type KeyType,
  makeChain,
  makeRoot,
  makeSelfSigned,
  makeTempDir,
  pemBundle,
  servedChainPem,
  writeCertificateFiles,
} from '../support/pki.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function read(issued: IssuedCertificate): X509Certificate {
  return new X509Certificate(issued.certPem);
}

function opensslText(issued: IssuedCertificate): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: issued.certPem }).toString();
}

describe('makeRoot, issueIntermediate, issueLeaf', () => {
  it('builds a root, an intermediate and a leaf that chain by signature', async () => {
    const { root, intermediate, leaf } = await makeChain();

    const rootCert = read(root);
    const intermediateCert = read(intermediate);
    const leafCert = read(leaf);

    expect(rootCert.ca).toBe(true);
    expect(intermediateCert.ca).toBe(true);
    expect(leafCert.ca).toBe(false);
    expect(rootCert.verify(rootCert.publicKey)).toBe(true);
    expect(intermediateCert.verify(rootCert.publicKey)).toBe(true);
    expect(leafCert.verify(intermediateCert.publicKey)).toBe(true);
    expect(leafCert.verify(rootCert.publicKey)).toBe(false);
    expect(intermediateCert.checkIssued(rootCert)).toBe(true);
    expect(leafCert.checkIssued(intermediateCert)).toBe(true);
    expect(leaf.issuers).toEqual([intermediate, root]);
  });

  it('gives two intermediates of one root different keys', async () => {
    const root = await makeRoot();
    const first = await issueIntermediate(root, { subject: 'Issuing CA A' });
    const second = await issueIntermediate(root, { subject: 'Issuing CA B' });
    const leaf = await issueLeaf(first);

    expect(first.keyPem).not.toBe(second.keyPem);
    expect(read(leaf).verify(read(first).publicKey)).toBe(true);
    expect(read(leaf).verify(read(second).publicKey)).toBe(false);
  });

  it('writes subject, DNS and IP names as asked', async () => {
    const root = await makeRoot({ subject: 'CN=Names Root, O=Webhook Test' });
    const leaf = await issueLeaf(root, {
      subject: 'hooks.example.test',
      dnsNames: ['hooks.example.test', '*.example.test'],
      ipAddresses: ['192.0.2.10', '2001:db8::1'],
    });

    const cert = read(leaf);
    expect(cert.subject).toBe('CN=hooks.example.test');
    expect(cert.issuer).toContain('CN=Names Root');
    expect(cert.issuer).toContain('O=Webhook Test');
    expect(cert.subjectAltName).toContain('DNS:hooks.example.test');
    expect(cert.subjectAltName).toContain('DNS:*.example.test');
    expect(cert.subjectAltName).toContain('IP Address:192.0.2.10');
    expect(cert.subjectAltName).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
    expect(cert.checkHost('hooks.example.test')).toBe('hooks.example.test');
    expect(cert.checkIP('192.0.2.10')).toBe('192.0.2.10');
    expect(cert.checkHost('localhost')).toBeUndefined();
  });

  it('gives leaves localhost, 127.0.0.1 and ::1 by default, and no names when told', async () => {
    const root = await makeRoot();
    const usual = read(await issueLeaf(root));
    const bare = read(await issueLeaf(root, { subject: 'cn-only.test', dnsNames: [] }));

    expect(usual.checkHost('localhost')).toBe('localhost');
    expect(usual.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(usual.checkIP('::1')).toBeDefined();
    expect(bare.subjectAltName).toBeUndefined();
    expect(bare.subject).toBe('CN=cn-only.test');
  });

  const keyTypes: [KeyType, string, Record<string, unknown>][] = [
    ['rsa2048', 'rsa', { modulusLength: 2048 }],
    ['rsa1024', 'rsa', { modulusLength: 1024 }],
    ['p256', 'ec', { namedCurve: 'prime256v1' }],
    ['p384', 'ec', { namedCurve: 'secp384r1' }],
    ['ed25519', 'ed25519', {}],
  ];

  it.each(keyTypes)(
    'issues a %s leaf whose key matches the certificate',
    async (keyType, kind, details) => {
      const root = await makeRoot();
      const leaf = await issueLeaf(root, { keyType });
      const cert = read(leaf);

      expect(leaf.keyType).toBe(keyType);
      expect(cert.publicKey.asymmetricKeyType).toBe(kind);
      expect(cert.publicKey.asymmetricKeyDetails).toMatchObject(details);
      expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
      expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    },
  );

  it('signs with an Ed25519 or P-384 issuer too', async () => {
    for (const keyType of ['ed25519', 'p384', 'rsa2048'] as const) {
      const root = await makeRoot({ keyType });
      const leaf = await issueLeaf(root, { keyType: 'p256' });
      expect(read(leaf).verify(read(root).publicKey)).toBe(true);
    }
  });

  it('keeps the dates asked for, expired ones included', async () => {
    const root = await makeRoot();
    const notBefore = new Date(Date.now() - 400 * DAY_MS);
    const notAfter = new Date(Date.now() - 35 * DAY_MS);
    const expired = read(await issueLeaf(root, { notBefore, notAfter }));
    const current = read(await issueLeaf(root));

    // X.509 keeps whole seconds (RFC 5280, Section 4.1.2.5).
    expect(Math.abs(Date.parse(expired.validTo) - notAfter.getTime())).toBeLessThan(1000);
    expect(Math.abs(Date.parse(expired.validFrom) - notBefore.getTime())).toBeLessThan(1000);
    expect(Date.parse(expired.validTo)).toBeLessThan(Date.now());
    expect(Date.parse(current.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(current.validTo)).toBeGreaterThan(Date.now() + 300 * DAY_MS);
  });

  it('adds serverAuth to leaves unless told not to, and none to CAs', async () => {
    const root = await makeRoot();
    expect(read(await issueLeaf(root)).keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(read(await issueLeaf(root, { serverAuth: false })).keyUsage).toBeUndefined();
    expect(read(root).keyUsage).toBeUndefined();
  });

  it('marks a leaf as a CA, or a CA as none, when told', async () => {
    const root = await makeRoot();
    expect(read(await issueLeaf(root, { ca: true })).ca).toBe(true);
    expect(read(await issueIntermediate(root, { ca: false })).ca).toBe(false);
    expect(read(await makeSelfSigned()).ca).toBe(false);
  });

  it.runIf(hasBinary('openssl'))('signs with SHA-1 or SHA-256 as asked', async () => {
    const rsaRoot = await makeRoot({ keyType: 'rsa2048' });
    const ecRoot = await makeRoot({ keyType: 'p256' });

    const rsaSha1 = opensslText(await issueLeaf(rsaRoot, { signatureHash: 'SHA-1' }));
    const rsaSha256 = opensslText(await issueLeaf(rsaRoot));
    const ecSha1 = opensslText(await issueLeaf(ecRoot, { signatureHash: 'SHA-1' }));
    const ecSha256 = opensslText(await issueLeaf(ecRoot));

    expect(rsaSha1).toContain('Signature Algorithm: sha1WithRSAEncryption');
    expect(rsaSha256).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(ecSha1).toContain('Signature Algorithm: ecdsa-with-SHA1');
    expect(ecSha256).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(rsaSha256).toContain('X509v3 Subject Key Identifier');
    expect(rsaSha256).toContain('X509v3 Authority Key Identifier');
  });

  it.runIf(hasBinary('openssl'))('makes chains OpenSSL verifies', async () => {
    const dir = makeTempDir();
    try {
      const { root, intermediate, leaf } = await makeChain();
      const rootFile = dir.write('root.pem', root.certPem);
      const intermediateFile = dir.write('intermediate.pem', intermediate.certPem);
      const leafFile = dir.write('leaf.pem', leaf.certPem);
      const output = execFileSync('openssl', [
        'verify',
        '-purpose',
        'sslserver',
        '-CAfile',
        rootFile,
        '-untrusted',
        intermediateFile,
        leafFile,
      ]).toString();
      expect(output.trim()).toBe(`${leafFile}: OK`);
    } finally {
      dir.remove();
    }
  });
});

describe('PEM bundles and files', () => {
  const dir = makeTempDir();
  afterAll(() => dir.remove());

  it('serves the leaf and its intermediates, never the root', async () => {
    const { root, intermediate, leaf } = await makeChain();
    const served = servedChainPem(leaf);

    expect(served).toBe(pemBundle(leaf, intermediate));
    expect(served).not.toContain(root.certPem.trim());
    expect(served.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(servedChainPem(await makeSelfSigned()).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it('writes certificate and key files and removes the directory', async () => {
    const { leaf } = await makeChain();
    const scratch = makeTempDir();
    const both = writeCertificateFiles(scratch, 'site', leaf);
    const alone = writeCertificateFiles(scratch, 'alone', leaf, { leafOnly: true });

    expect(readFileSync(both.certFile, 'utf8')).toBe(servedChainPem(leaf));
    expect(readFileSync(alone.certFile, 'utf8')).toBe(leaf.certPem);
    expect(readFileSync(both.keyFile, 'utf8')).toBe(leaf.keyPem);

    scratch.remove();
    expect(() => readFileSync(both.certFile)).toThrow();
    scratch.remove();
  });

  it('makes a fresh directory each time', () => {
    const other = makeTempDir();
    expect(other.path).not.toBe(dir.path);
    other.remove();
  });
});
