// analyseChain against chains from the test PKI: each problem a sender trips over, with the
// evidence the report shows, and the clean chains that must pass untouched.

import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseChain, CertificateParseError, pemCertificates } from '../../src/cert/index.js';
import type { ChainProblemCode, ServedChain } from '../../src/model.js';
import { hasBinary } from '../support/binaries.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeSelfSigned,
  makeTempDir,
  type TempDir,
} from '../support/pki.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOST = { host: 'hooks.example.test', hostIsIp: false };

let root: IssuedCertificate;
let intermediateA: IssuedCertificate;
let intermediateB: IssuedCertificate;
let leaf: IssuedCertificate;
let rootPem: string[];
let dir: TempDir;

beforeAll(async () => {
  root = await makeRoot({ subject: 'Chain Test Root' });
  intermediateA = await issueIntermediate(root, { subject: 'Chain Test Intermediate A' });
  intermediateB = await issueIntermediate(root, { subject: 'Chain Test Intermediate B' });
  leaf = await issueLeaf(intermediateA, { dnsNames: [HOST.host], ipAddresses: [] });
  rootPem = [root.certPem];
  dir = makeTempDir('wtp-chain-');
});

afterAll(() => {
  dir?.remove();
});

function der(...certificates: IssuedCertificate[]): Uint8Array[] {
  return certificates.map((certificate) => certificate.certDer);
}

function codes(chain: ServedChain): ChainProblemCode[] {
  return chain.problems.map((problem) => problem.code);
}

function problem(chain: ServedChain, code: ChainProblemCode) {
  const found = chain.problems.find((candidate) => candidate.code === code);
  expect(found, `expected ${code} among ${JSON.stringify(chain.problems)}`).toBeDefined();
  return found!;
}

describe('a correct chain', () => {
  it('is trusted through the extra CA, matches the name and has no problem', () => {
    const chain = analyseChain(der(leaf, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.problems).toEqual([]);
    expect(chain.trusted).toBe(true);
    expect(chain.nameMatches).toBe(true);
    expect(chain.built).toEqual([0, 1, 'anchor']);
    expect(chain.anchor?.subject).toBe('CN=Chain Test Root');
    expect(chain.served.map((info) => info.subject)).toEqual([leaf.subject, intermediateA.subject]);
    expect(chain.served[0].daysLeft).toBeGreaterThan(300);
  });

  it('is untrusted without the private root', () => {
    const chain = analyseChain(der(leaf, intermediateA), HOST, { extraCaPem: [], now: new Date() });

    expect(chain.trusted).toBe(false);
    expect(chain.built).toEqual([0, 1]);
    expect(codes(chain)).toEqual(['untrusted']);
    expect(problem(chain, 'untrusted').detail).toContain('CN=Chain Test Root');
  });

  it('copies the SNI, key type and OCSP staple of the probe', () => {
    const chain = analyseChain(der(leaf, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
      sni: HOST.host,
      keyType: 'RSA',
      ocspStapled: true,
    });

    expect(chain.sni).toBe(HOST.host);
    expect(chain.keyType).toBe('RSA');
    expect(chain.ocspStapled).toBe(true);
  });

  it('trusts a root from NODE_EXTRA_CA_CERTS', () => {
    const previous = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = dir.write('extra.pem', root.certPem);
    try {
      const chain = analyseChain(der(leaf, intermediateA), HOST, {
        extraCaPem: [],
        now: new Date(),
      });
      expect(chain.trusted).toBe(true);
      expect(chain.problems).toEqual([]);
    } finally {
      if (previous === undefined) {
        delete process.env.NODE_EXTRA_CA_CERTS;
      } else {
        process.env.NODE_EXTRA_CA_CERTS = previous;
      }
    }
  });

  it("trusts a certificate of Node's bundled Mozilla roots", () => {
    const bundled = pemCertificates(rootCertificates[0])[0];
    const chain = analyseChain([bundled], HOST, { extraCaPem: [], now: new Date() });

    expect(chain.trusted).toBe(true);
    expect(chain.built).toEqual([0]);
    expect(codes(chain)).not.toContain('untrusted');
    expect(codes(chain)).toContain('name-mismatch');
  });
});

describe('missing and wrong intermediates', () => {
  it('case 15: the leaf alone is "intermediate not sent", nothing fetched', () => {
    const chain = analyseChain(der(leaf), HOST, { extraCaPem: rootPem, now: new Date() });

    expect(chain.trusted).toBe(false);
    expect(chain.built).toEqual([0]);
    expect(codes(chain)).toEqual(['missing-intermediate']);
    const detail = problem(chain, 'missing-intermediate').detail;
    expect(detail).toContain('intermediate not sent');
    expect(detail).toContain('CN=Chain Test Intermediate A');
  });

  it('case 15 with the root sent: a root is no intermediate, so one is still not sent', () => {
    const chain = analyseChain(der(leaf, root), HOST, { extraCaPem: rootPem, now: new Date() });

    expect(chain.trusted).toBe(false);
    expect(codes(chain).sort()).toEqual(['missing-intermediate', 'root-sent']);
    expect(problem(chain, 'missing-intermediate').detail).toContain('intermediate not sent');
  });

  it('case 16: a sent intermediate that does not issue the leaf', () => {
    const chain = analyseChain(der(leaf, intermediateB), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(false);
    expect(codes(chain)).toEqual(['wrong-intermediate']);
    const found = problem(chain, 'wrong-intermediate');
    expect(found.certificate).toBe(1);
    expect(found.detail).toContain('does not issue the leaf');
    expect(found.detail).toContain('CN=Chain Test Intermediate B');
    expect(found.detail).toContain('CN=Chain Test Intermediate A');
  });

  it('an intermediate with the right name but another key does not issue the leaf', async () => {
    const impostor = await issueIntermediate(root, { subject: 'Chain Test Intermediate A' });
    const chain = analyseChain(der(leaf, impostor), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(false);
    expect(codes(chain)).toEqual(['wrong-intermediate']);
  });

  it('an extra certificate next to a complete chain is unused, not wrong', () => {
    const chain = analyseChain(der(leaf, intermediateA, intermediateB), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(true);
    expect(codes(chain)).toEqual(['unused-certificate']);
    expect(problem(chain, 'unused-certificate').certificate).toBe(2);
  });
});

describe('order and roots', () => {
  it('a root sent needlessly is reported and the chain still builds through it', () => {
    const chain = analyseChain(der(leaf, intermediateA, root), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(true);
    expect(chain.built).toEqual([0, 1, 2]);
    expect(codes(chain)).toEqual(['root-sent']);
    expect(problem(chain, 'root-sent').certificate).toBe(2);
  });

  it('certificates out of chain order', () => {
    const chain = analyseChain(der(leaf, root, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(true);
    expect(chain.built).toEqual([0, 2, 1]);
    expect(codes(chain).sort()).toEqual(['bad-order', 'root-sent']);
  });

  it('two intermediates swapped', async () => {
    const lower = await issueIntermediate(intermediateA, { subject: 'Chain Test Lower CA' });
    const deepLeaf = await issueLeaf(lower, { dnsNames: [HOST.host] });
    const chain = analyseChain(der(deepLeaf, intermediateA, lower), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(true);
    expect(chain.built).toEqual([0, 2, 1, 'anchor']);
    expect(codes(chain)).toEqual(['bad-order']);
    expect(problem(chain, 'bad-order').detail).toContain(
      'counted from 1 as sent, the chain runs 1 → 3 → 2',
    );
  });

  it('a cross-signed copy of the anchor sent along gives way to the anchor itself', async () => {
    const otherRoot = await makeRoot({ subject: 'Chain Test Other Root' });
    const crossSigned = await issueIntermediate(otherRoot, {
      subject: root.subject,
      keys: root.keys,
      notAfter: new Date(Date.now() + 3 * DAY_MS),
    });
    const chain = analyseChain(der(leaf, intermediateA, crossSigned), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    // Senders that look in their store first (OpenSSL, Go) end the path at their own root.
    expect(chain.trusted).toBe(true);
    expect(chain.built).toEqual([0, 1, 'anchor']);
    expect(chain.anchor?.notAfter).toBe(root.certificate.notAfter.toISOString());
    expect(codes(chain)).toEqual([]);
  });

  it('a chain ending at an untrusted served root', () => {
    const chain = analyseChain(der(leaf, intermediateA, root), HOST, {
      extraCaPem: [],
      now: new Date(),
    });

    expect(chain.trusted).toBe(false);
    expect(chain.built).toEqual([0, 1, 2]);
    expect(codes(chain).sort()).toEqual(['root-sent', 'untrusted']);
    expect(problem(chain, 'untrusted').detail).toContain('self-signed');
  });
});

describe('dates, on a clock the test sets', () => {
  it('case 17: an expired leaf names its expiry date; valid ones always have days left', () => {
    const notAfter = new Date(leaf.certificate.notAfter);
    const later = new Date(notAfter.getTime() + 10 * DAY_MS + 1000);
    const chain = analyseChain(der(leaf, intermediateA), HOST, { extraCaPem: rootPem, now: later });

    expect(codes(chain)).toContain('expired');
    const found = problem(chain, 'expired');
    expect(found.certificate).toBe(0);
    expect(found.detail).toContain(notAfter.toISOString());
    // The detail and the days left count alike (a tester found 915 in one, 916 in the other).
    expect(found.detail).toContain('10 days ago');
    expect(chain.served[0].daysLeft).toBe(-10);

    const earlier = new Date(notAfter.getTime() - 30 * DAY_MS - 1000);
    const valid = analyseChain(der(leaf, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: earlier,
    });
    expect(codes(valid)).not.toContain('expired');
    expect(valid.served[0].daysLeft).toBe(30);
  });

  it('a leaf that was expired when the server was set up', async () => {
    const expired = await issueLeaf(intermediateA, {
      dnsNames: [HOST.host],
      notBefore: new Date(Date.now() - 400 * DAY_MS),
      notAfter: new Date(Date.now() - 5 * DAY_MS),
    });
    const chain = analyseChain(der(expired, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(true);
    expect(codes(chain)).toEqual(['expired']);
  });

  it('a leaf not valid yet', () => {
    const before = new Date(new Date(leaf.certificate.notBefore).getTime() - DAY_MS);
    const chain = analyseChain(der(leaf, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: before,
    });

    expect(codes(chain)).toContain('not-yet-valid');
  });

  it('an expired intermediate inside the served chain', async () => {
    const old = await issueIntermediate(root, {
      subject: 'Chain Test Old CA',
      notBefore: new Date(Date.now() - 800 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const oldLeaf = await issueLeaf(old, { dnsNames: [HOST.host] });
    const chain = analyseChain(der(oldLeaf, old), HOST, { extraCaPem: rootPem, now: new Date() });

    expect(codes(chain)).toEqual(['expired-in-chain']);
    expect(problem(chain, 'expired-in-chain').certificate).toBe(1);
    expect(problem(chain, 'expired-in-chain').detail).toContain(
      old.certificate.notAfter.toISOString(),
    );
  });

  it('a chain ending at an expired trusted root', async () => {
    const oldRoot = await makeRoot({
      subject: 'Chain Test Expired Root',
      notBefore: new Date(Date.now() - 800 * DAY_MS),
      notAfter: new Date(Date.now() - 2 * DAY_MS),
    });
    const below = await issueLeaf(oldRoot, { dnsNames: [HOST.host] });
    const chain = analyseChain(der(below), HOST, {
      extraCaPem: [oldRoot.certPem],
      now: new Date(),
    });

    expect(chain.built).toEqual([0, 'anchor']);
    expect(codes(chain)).toEqual(['expired-in-chain']);
    expect(problem(chain, 'expired-in-chain').detail).toContain('CN=Chain Test Expired Root');
    expect(chain.anchor?.daysLeft).toBeLessThan(0);
  });

  it('an expired certificate sent but not needed', async () => {
    const old = await issueIntermediate(root, {
      subject: 'Chain Test Stale CA',
      notBefore: new Date(Date.now() - 800 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const chain = analyseChain(der(leaf, intermediateA, old), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.trusted).toBe(true);
    expect(codes(chain).sort()).toEqual(['expired-in-chain', 'unused-certificate']);
    expect(problem(chain, 'expired-in-chain').detail).toContain('not needed');
    // Counted from 1 as sent: a reader takes "certificate 1" for the leaf (tester).
    expect(problem(chain, 'unused-certificate').detail).toContain(
      'the 3rd certificate sent (CN=Chain Test Stale CA)',
    );
  });

  it('an expired copy of the intermediate sent after it is an extra certificate', async () => {
    const oldCopy = await issueIntermediate(root, {
      subject: intermediateA.subject,
      keys: intermediateA.keys,
      notBefore: new Date(Date.now() - 800 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const chain = analyseChain(der(leaf, intermediateA, oldCopy), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    // It has the key that signed the leaf, but path building takes the copy valid now.
    expect(chain.built).toEqual([0, 1, 'anchor']);
    expect(codes(chain)).toEqual(['unused-certificate']);
    const detail = problem(chain, 'unused-certificate').detail;
    expect(detail).toContain('another copy of the 2nd certificate sent');
    expect(detail).toContain(`expired on ${oldCopy.certificate.notAfter.toISOString()}`);
    expect(detail).not.toContain('issues none');
  });
});

describe('names', () => {
  it('case 13: a name without a vhost names the hostname and the names covered', async () => {
    const apex = await issueLeaf(intermediateA, { dnsNames: ['example.test'], ipAddresses: [] });
    const chain = analyseChain(
      der(apex, intermediateA),
      {
        host: 'www.example.test',
        hostIsIp: false,
      },
      { extraCaPem: rootPem, now: new Date() },
    );

    expect(chain.nameMatches).toBe(false);
    expect(chain.trusted).toBe(true);
    expect(codes(chain)).toEqual(['name-mismatch']);
    const detail = problem(chain, 'name-mismatch').detail;
    expect(detail).toContain('www.example.test');
    expect(detail).toContain('example.test (DNS)');
  });

  it('an IP address held only as a DNS name does not cover an IP endpoint, and says why', async () => {
    const asDns = await issueLeaf(intermediateA, { dnsNames: ['127.0.0.1'], ipAddresses: [] });
    const chain = analyseChain(
      der(asDns, intermediateA),
      { host: '127.0.0.1', hostIsIp: true },
      { extraCaPem: rootPem, now: new Date() },
    );

    expect(chain.nameMatches).toBe(false);
    const detail = problem(chain, 'name-mismatch').detail;
    expect(detail).toContain('127.0.0.1 (DNS)');
    expect(detail).toContain('is there as a DNS name');
    expect(detail).toContain('RFC 2818, Section 3.1');
  });

  it('a certificate of hundreds of names shows the first ten and a count', async () => {
    const names = Array.from({ length: 300 }, (_, index) => `site${index}.example.test`);
    const shared = await issueLeaf(intermediateA, { dnsNames: names, ipAddresses: [] });
    const chain = analyseChain(der(shared, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    const detail = problem(chain, 'name-mismatch').detail;
    expect(detail).toContain('site9.example.test and 290 more (DNS)');
    expect(detail).not.toContain('site10.example.test');
    expect(detail.length).toBeLessThan(600);
  });

  it('a wildcard covers one label only', async () => {
    const wildcard = await issueLeaf(intermediateA, { dnsNames: ['*.example.test'] });
    const check = (host: string) =>
      analyseChain(
        der(wildcard, intermediateA),
        { host, hostIsIp: false },
        {
          extraCaPem: rootPem,
          now: new Date(),
        },
      ).nameMatches;

    expect(check('www.example.test')).toBe(true);
    expect(check('WWW.Example.Test')).toBe(true);
    expect(check('a.b.example.test')).toBe(false);
    expect(check('example.test')).toBe(false);
  });

  it('the common name is never used', async () => {
    const cnOnly = await issueLeaf(intermediateA, {
      subject: 'hooks.example.test',
      dnsNames: [],
      ipAddresses: [],
    });
    const chain = analyseChain(der(cnOnly, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.nameMatches).toBe(false);
    expect(problem(chain, 'name-mismatch').detail).toContain('common name');
  });

  it('IP endpoints match IP subject alternative names only', async () => {
    const ipLeaf = await issueLeaf(intermediateA, {
      subject: '192.0.2.7',
      dnsNames: ['192.0.2.8'],
      ipAddresses: ['192.0.2.9', '2001:db8::1'],
    });
    const check = (host: string) =>
      analyseChain(
        der(ipLeaf, intermediateA),
        { host, hostIsIp: true },
        {
          extraCaPem: rootPem,
          now: new Date(),
        },
      );

    expect(check('192.0.2.9').nameMatches).toBe(true);
    expect(check('2001:db8:0:0::1').nameMatches).toBe(true);
    expect(check('192.0.2.8').nameMatches).toBe(false);
    const cn = check('192.0.2.7');
    expect(cn.nameMatches).toBe(false);
    expect(problem(cn, 'name-mismatch').detail).toContain('IP address 192.0.2.7');
  });
});

describe('signatures and keys', () => {
  it('a SHA-1 signature on the leaf is weak; on a root it does not matter', async () => {
    const sha1Root = await makeRoot({
      subject: 'Chain Test SHA-1 Root',
      keyType: 'rsa2048',
      signatureHash: 'SHA-1',
    });
    const sha1Leaf = await issueLeaf(sha1Root, { dnsNames: [HOST.host], signatureHash: 'SHA-1' });
    const chain = analyseChain(der(sha1Leaf, sha1Root), HOST, {
      extraCaPem: [sha1Root.certPem],
      now: new Date(),
    });

    expect(chain.served[0].signatureAlgorithm).toBe('sha1WithRSAEncryption');
    expect(chain.served[1].signatureAlgorithm).toBe('sha1WithRSAEncryption');
    const weak = chain.problems.filter((found) => found.code === 'weak-signature');
    expect(weak).toHaveLength(1);
    expect(weak[0].certificate).toBe(0);
    expect(weak[0].detail).toContain('SHA-256 or stronger');
  });

  it('an RSA key under 2048 bits is weak', async () => {
    const small = await issueLeaf(intermediateA, { dnsNames: [HOST.host], keyType: 'rsa1024' });
    const chain = analyseChain(der(small, intermediateA), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(codes(chain)).toEqual(['weak-key']);
    expect(problem(chain, 'weak-key').detail).toContain('1024-bit RSA');
  });

  it.runIf(hasBinary('openssl'))('an MD5 signature is weak', async () => {
    const rsaCa = await issueIntermediate(root, {
      subject: 'Chain Test RSA CA',
      keyType: 'rsa2048',
    });
    const md5 = opensslIssued(rsaCa, ['-newkey', 'rsa:2048'], ['-md5']);
    const chain = analyseChain([md5, rsaCa.certDer], HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.served[0].signatureAlgorithm).toBe('md5WithRSAEncryption');
    expect(codes(chain)).toEqual(['weak-signature']);
    expect(problem(chain, 'weak-signature').detail).toContain('md5WithRSAEncryption');
  });

  it.runIf(hasBinary('openssl'))('an EC key under 256 bits is weak', () => {
    const p224 = opensslIssued(
      intermediateA,
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-224'],
      ['-sha256'],
    );
    const chain = analyseChain([p224, intermediateA.certDer], HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(chain.served[0].curve).toBe('P-224');
    expect(codes(chain)).toEqual(['weak-key']);
    expect(problem(chain, 'weak-key').detail).toContain('224-bit EC key (P-224)');
  });
});

describe('self-signed leaves', () => {
  it('are untrusted and self-signed', async () => {
    const self = await makeSelfSigned({ dnsNames: [HOST.host] });
    const chain = analyseChain(der(self), HOST, { extraCaPem: [], now: new Date() });

    expect(chain.served[0].selfSigned).toBe(true);
    expect(chain.trusted).toBe(false);
    expect(codes(chain)).toEqual(['self-signed']);
  });

  it('given as a ca-file, are trusted like any anchor the senders have', async () => {
    const self = await makeSelfSigned({ dnsNames: [HOST.host] });
    const chain = analyseChain(der(self), HOST, { extraCaPem: [self.certPem], now: new Date() });

    expect(chain.trusted).toBe(true);
    expect(chain.served[0].selfSigned).toBe(true);
    expect(codes(chain)).toEqual([]);
  });
});

describe('key usage and basic constraints', () => {
  it('an intermediate that is not a CA', async () => {
    const notCa = await issueIntermediate(root, { subject: 'Chain Test Not A CA', ca: false });
    const below = await issueLeaf(notCa, { dnsNames: [HOST.host] });
    const chain = analyseChain(der(below, notCa), HOST, { extraCaPem: rootPem, now: new Date() });

    expect(chain.trusted).toBe(true);
    expect(codes(chain)).toContain('bad-basic-constraints');
    expect(problem(chain, 'bad-basic-constraints').certificate).toBe(1);
  });

  it('a path longer than a pathLenConstraint allows', async () => {
    const limited = await issueIntermediate(root, { subject: 'Chain Test Limited', pathLength: 0 });
    const lower = await issueIntermediate(limited, { subject: 'Chain Test Below Limited' });
    const below = await issueLeaf(lower, { dnsNames: [HOST.host] });
    const chain = analyseChain(der(below, lower, limited), HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });

    expect(codes(chain)).toEqual(['bad-basic-constraints']);
    expect(problem(chain, 'bad-basic-constraints').certificate).toBe(2);
    expect(problem(chain, 'bad-basic-constraints').detail).toContain('pathLenConstraint');
  });

  it('a leaf for client authentication only, and one without digitalSignature', async () => {
    const clientOnly = await customLeaf(intermediateA, [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ]);
    const chain = analyseChain([clientOnly, intermediateA.certDer], HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });
    expect(codes(chain)).toEqual(['not-server-auth']);
    expect(problem(chain, 'not-server-auth').detail).toContain('1.3.6.1.5.5.7.3.2');

    const encipherOnly = await customLeaf(intermediateA, [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment, true),
    ]);
    const second = analyseChain([encipherOnly, intermediateA.certDer], HOST, {
      extraCaPem: rootPem,
      now: new Date(),
    });
    expect(codes(second)).toEqual(['not-server-auth']);
    expect(problem(second, 'not-server-auth').detail).toContain('digitalSignature');
  });
});

describe('what is not a chain', () => {
  it('no certificate at all', () => {
    const chain = analyseChain([], HOST, { extraCaPem: [], now: new Date() });
    expect(chain.trusted).toBe(false);
    expect(codes(chain)).toEqual(['untrusted']);
  });

  it('bytes that are not a certificate', () => {
    expect(() =>
      analyseChain([new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])], HOST, {
        extraCaPem: [],
        now: new Date(),
      }),
    ).toThrow(CertificateParseError);
  });
});

// Certificates WebCrypto cannot make (MD5 signatures, P-224 keys): a key and request from the
// openssl CLI, signed by a CA of the test PKI.
function opensslIssued(issuer: IssuedCertificate, keyArgs: string[], signArgs: string[]) {
  const name = Math.random().toString(36).slice(2);
  const caFile = dir.write(`${name}-ca.pem`, issuer.certPem);
  const caKey = dir.write(`${name}-ca.key`, issuer.keyPem);
  const keyFile = `${dir.path}/${name}.key`;
  const csrFile = `${dir.path}/${name}.csr`;
  const extFile = dir.write(`${name}.ext`, `subjectAltName=DNS:${HOST.host}\n`);

  const request = ['req', '-new', '-nodes', '-keyout', keyFile, '-out', csrFile];
  execFileSync('openssl', [...request, '-subj', `/CN=${HOST.host}`, ...keyArgs], {
    stdio: 'ignore',
  });

  const sign = ['x509', '-req', '-in', csrFile, '-CA', caFile, '-CAkey', caKey, '-days', '2'];
  const pem = execFileSync('openssl', [...sign, '-extfile', extFile, ...signArgs], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return pemCertificates(pem)[0];
}

// The test PKI sets its own key usages; these two leaves need other extensions.
async function customLeaf(issuer: IssuedCertificate, extensions: x509.Extension[]) {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '0a1b2c',
    subject: `CN=${HOST.host}`,
    issuer: issuer.certificate.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: HOST.host }]),
      ...extensions,
    ],
  });
  return new Uint8Array(certificate.rawData);
}
