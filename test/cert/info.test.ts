// certificateInfo on the test PKI's certificates, and name matching, checked against Node's own
// X509Certificate.checkHost (RFC 6125 rules, common name never used) on generated names.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateInfo, nameMatches } from '../../src/cert/index.js';
import { binaryPath } from '../support/binaries.js';
import { type IssuedCertificate, issueIntermediate, issueLeaf, makeRoot } from '../support/pki.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let root: IssuedCertificate;
let intermediate: IssuedCertificate;

beforeAll(async () => {
  root = await makeRoot({ subject: 'CN=Info Test Root, O=Webhook Probe Tests' });
  intermediate = await issueIntermediate(root, { subject: 'Info Test CA', keyType: 'p384' });
});

describe('certificateInfo', () => {
  it('names an RSA-PSS key as such, not as RSA', () => {
    // A tester found an rsassaPss key reported as RSA. OpenSSL makes one; the library has none.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wtp-pss-'));
    try {
      const cert = path.join(dir, 'pss.pem');
      execFileSync(
        binaryPath('openssl')!,
        [
          'req',
          '-x509',
          '-newkey',
          'rsa-pss',
          '-pkeyopt',
          'rsa_keygen_bits:2048',
          '-nodes',
          '-keyout',
          path.join(dir, 'pss.key'),
          '-out',
          cert,
          '-days',
          '5',
          '-subj',
          '/CN=pss.test',
        ],
        { stdio: 'ignore' },
      );
      const der = new X509Certificate(readFileSync(cert)).raw;
      const info = certificateInfo(der, new Date());

      expect([info.keyType, info.keyBits]).toEqual(['RSA-PSS', 2048]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports names, issuer, serial, key, signature, dates and fingerprint', async () => {
    const notBefore = new Date(Date.UTC(2030, 0, 1));
    const notAfter = new Date(Date.UTC(2030, 3, 1));
    const leaf = await issueLeaf(intermediate, {
      subject: 'CN=hooks.example.test, O=Hooks',
      dnsNames: ['hooks.example.test', '*.hooks.example.test'],
      ipAddresses: ['192.0.2.1', '2001:db8::5'],
      notBefore,
      notAfter,
    });
    const now = new Date(Date.UTC(2030, 2, 1, 12));
    const info = certificateInfo(leaf.certDer, now);
    const node = new X509Certificate(leaf.certDer);

    expect(info.subject).toBe('CN=hooks.example.test, O=Hooks');
    expect(info.issuer).toBe('CN=Info Test CA');
    expect(info.serial).toBe(leaf.certificate.serialNumber.toUpperCase());
    expect(info.dnsNames).toEqual(['hooks.example.test', '*.hooks.example.test']);
    expect(info.ipAddresses).toEqual(['192.0.2.1', '2001:db8::5']);
    expect(info.keyType).toBe('RSA');
    expect(info.keyBits).toBe(2048);
    expect(info.curve).toBeUndefined();
    expect(info.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(info.notBefore).toBe('2030-01-01T00:00:00.000Z');
    expect(info.notAfter).toBe('2030-04-01T00:00:00.000Z');
    expect(info.daysLeft).toBe(30);
    expect(info.fingerprintSha256).toBe(node.fingerprint256);
    expect(info.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(info.selfSigned).toBe(false);
    expect(info.isCa).toBe(false);
    expect(info.pem).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('counts days left down to negative once expired', async () => {
    const leaf = await issueLeaf(intermediate);
    const notAfter = leaf.certificate.notAfter.getTime();

    expect(certificateInfo(leaf.certDer, new Date(notAfter - 2 * DAY_MS)).daysLeft).toBe(2);
    expect(certificateInfo(leaf.certDer, new Date(notAfter - 1000)).daysLeft).toBe(0);
    expect(certificateInfo(leaf.certDer, new Date(notAfter + 1000)).daysLeft).toBe(-1);
  });

  it('describes EC, Ed25519 and CA certificates', async () => {
    const ec = certificateInfo(intermediate.certDer);
    expect(ec).toMatchObject({ keyType: 'EC', keyBits: 384, curve: 'P-384', isCa: true });
    expect(ec.signatureAlgorithm).toBe('ecdsa-with-SHA256');

    const rootInfo = certificateInfo(root.certDer);
    expect(rootInfo).toMatchObject({ keyType: 'EC', keyBits: 256, curve: 'P-256' });
    expect(rootInfo.selfSigned).toBe(true);
    expect(rootInfo.subject).toBe('CN=Info Test Root, O=Webhook Probe Tests');

    const edRoot = await makeRoot({ subject: 'Info Ed Root', keyType: 'ed25519' });
    const ed = await issueLeaf(edRoot, { keyType: 'ed25519' });
    const edInfo = certificateInfo(ed.certDer);
    expect(edInfo).toMatchObject({ keyType: 'Ed25519', keyBits: 256 });
    expect(edInfo.signatureAlgorithm).toBe('ED25519');
  });
});

describe('nameMatches', () => {
  const names = (dnsNames: string[], ipAddresses: string[] = []) => ({ dnsNames, ipAddresses });
  const host = (name: string) => ({ host: name, hostIsIp: false });

  it('follows RFC 9525 for wildcards', () => {
    expect(nameMatches(names(['*.example.test']), host('a.example.test'))).toBe(true);
    expect(nameMatches(names(['*.example.test']), host('example.test'))).toBe(false);
    expect(nameMatches(names(['*.example.test']), host('a.b.example.test'))).toBe(false);
    expect(nameMatches(names(['a*.example.test']), host('ab.example.test'))).toBe(false);
    expect(nameMatches(names(['*.test']), host('example.test'))).toBe(false);
    expect(nameMatches(names(['a.*.example.test']), host('a.b.example.test'))).toBe(false);
    expect(nameMatches(names(['Example.TEST.']), host('example.test'))).toBe(true);
  });

  it('never matches an IP endpoint against a DNS name, or a name against an IP', () => {
    expect(nameMatches(names(['192.0.2.1']), { host: '192.0.2.1', hostIsIp: true })).toBe(false);
    expect(nameMatches(names([], ['192.0.2.1']), host('192.0.2.1'))).toBe(false);
    expect(nameMatches(names([], ['::1']), { host: '0:0:0:0:0:0:0:1', hostIsIp: true })).toBe(true);
  });

  it("agrees with Node's checkHost on generated names and wildcards", async () => {
    const label = fc.constantFrom('a', 'b', 'www', 'xn--bcher-kva', 'api');
    const dnsName = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => `${l.join('.')}`);
    const pattern = fc.oneof(
      dnsName,
      dnsName.map((name) => `*.${name}`),
      dnsName.map((name) => name.toUpperCase()),
    );

    // One certificate per pattern set; the PKI makes them quickly with a shared leaf key.
    const samples = fc.sample(fc.tuple(fc.array(pattern, { minLength: 1, maxLength: 3 })), 25);
    for (const [patterns] of samples) {
      const leaf = await issueLeaf(intermediate, { dnsNames: patterns, ipAddresses: [] });
      const node = new X509Certificate(leaf.certDer);
      const info = certificateInfo(leaf.certDer);

      fc.assert(
        fc.property(dnsName, (name) => {
          const ours = nameMatches(info, host(name));
          const theirs = node.checkHost(name, { subject: 'never' }) !== undefined;
          return ours === theirs;
        }),
        { numRuns: 60 },
      );
    }
  });
});
