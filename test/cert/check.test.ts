// checkCertificates' hellos and its reading of the answers, with a recording stand-in for
// probeHello that answers like a server with one certificate per key type and SNI vhosts.
// The same logic against real nginx, openssl and gnutls servers is in servers.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { checkCertificates, type HelloProbe } from '../../src/cert/index.js';
import type { Endpoint, ProbeOutcome, ScanOptions, TlsVersion } from '../../src/model.js';
import type { HelloProbeResult } from '../../src/probe/connection.js';
import type { HelloOptions } from '../../src/wire/hello.js';
import { suiteByCode } from '../../src/wire/suites.js';
import { type IssuedCertificate, issueIntermediate, issueLeaf, makeRoot } from '../support/pki.js';

const OPTIONS: ScanOptions = {
  connectTimeoutMs: 2000,
  readTimeoutMs: 2000,
  endpointDeadlineMs: 20_000,
  perHostConcurrency: 2,
  concurrency: 1,
  maxAddresses: 1,
  listedSuites: [],
  extraCaPem: [],
  now: new Date(),
};

const TARGET = { address: '127.0.0.1', port: 443 };

function endpoint(host: string): Endpoint {
  const hostIsIp = /^[\d.]+$/.test(host);
  return { input: host, host, port: 443, hostIsIp };
}

function versions(accepted: TlsVersion[]) {
  return {
    versions: accepted.map((version) => ({
      version,
      accepted: true,
      outcome: { kind: 'accepted', version, suite: 0xc02f } as ProbeOutcome,
    })),
  };
}

const HANDSHAKE_FAILURE: ProbeOutcome = {
  kind: 'alert',
  alert: 40,
  alertName: 'handshake_failure',
};

let root: IssuedCertificate;
let intermediate: IssuedCertificate;
let rsaLeaf: IssuedCertificate;
let ecLeaf: IssuedCertificate;
let defaultLeaf: IssuedCertificate;

beforeAll(async () => {
  root = await makeRoot({ subject: 'Check Test Root' });
  intermediate = await issueIntermediate(root, { subject: 'Check Test CA' });
  rsaLeaf = await issueLeaf(intermediate, { dnsNames: ['hooks.example.test'] });
  ecLeaf = await issueLeaf(intermediate, { dnsNames: ['hooks.example.test'], keyType: 'p256' });
  defaultLeaf = await issueLeaf(intermediate, { dnsNames: ['default.example.test'] });
});

interface FakeServer {
  /** Certificates per key type for the endpoint's name. */
  byKeyType: Partial<Record<'RSA' | 'EC', IssuedCertificate>>;
  /** What a hello without SNI or with another name gets. */
  otherNames: 'default-cert' | 'fatal-alert' | 'warning' | 'same';
  knownName: string;
}

// Picks the certificate as OpenSSL does: the suites' authentication in TLS 1.2, otherwise the
// signature schemes; answers other names as configured.
function fakeServer(server: FakeServer, hellos: HelloOptions[]): HelloProbe {
  return async (_target, hello) => {
    hellos.push(hello);
    const accepted = (leaf: IssuedCertificate, warnings: number[] = []): HelloProbeResult => ({
      outcome: { kind: 'accepted', version: 'TLSv1.2', suite: 0xc02f },
      certificates: [leaf.certDer, intermediate.certDer],
      ocspStapled: false,
      warnings,
    });
    const refused = (outcome: ProbeOutcome): HelloProbeResult => ({
      outcome,
      certificates: [],
      ocspStapled: false,
      warnings: [],
    });

    const auths = new Set(hello.suites.map((code) => suiteByCode(code)?.auth));
    const schemes = hello.signatureSchemes ?? [0x0403, 0x0804];
    const rsaOk = auths.has('RSA') && schemes.some((s) => s >= 0x0804 && s <= 0x0806);
    const ecOk = auths.has('ECDSA') && schemes.includes(0x0403);
    const leaf =
      (ecOk ? server.byKeyType.EC : undefined) ?? (rsaOk ? server.byKeyType.RSA : undefined);

    if (hello.serverName === server.knownName) {
      return leaf ? accepted(leaf) : refused(HANDSHAKE_FAILURE);
    }
    switch (server.otherNames) {
      case 'default-cert':
        return accepted(defaultLeaf);
      case 'fatal-alert':
        return refused({ kind: 'alert', alert: 112, alertName: 'unrecognized_name' });
      case 'warning':
        return leaf ? accepted(leaf, hello.serverName ? [112] : []) : refused(HANDSHAKE_FAILURE);
      case 'same':
        return leaf ? accepted(leaf) : refused(HANDSHAKE_FAILURE);
    }
  };
}

describe('checkCertificates with a stand-in probe', () => {
  it('asks for each key type through TLS 1.2 suites and signature schemes', async () => {
    const hellos: HelloOptions[] = [];
    const probe = fakeServer(
      {
        byKeyType: { RSA: rsaLeaf, EC: ecLeaf },
        otherNames: 'same',
        knownName: 'hooks.example.test',
      },
      hellos,
    );
    const check = await checkCertificates(
      endpoint('hooks.example.test'),
      TARGET,
      versions(['TLSv1.2', 'TLSv1.3']),
      { ...OPTIONS, extraCaPem: [root.certPem] },
      probe,
    );

    expect(hellos.every((hello) => hello.version === 'TLSv1.2')).toBe(true);
    expect(hellos.every((hello) => hello.statusRequest === true)).toBe(true);
    expect(check.primary?.trusted).toBe(true);
    expect(check.primary?.problems).toEqual([]);
    expect(check.primary?.served[0].keyType).toBe('EC');

    const byType = Object.fromEntries(check.keyTypes!.map((probe) => [probe.keyType, probe]));
    expect(byType.RSA.leafKeyType).toBe('RSA');
    expect(byType.ECDSA.leafKeyType).toBe('EC');
    expect(byType.EdDSA.outcome.kind).toBe('alert');

    // The RSA chain is the one chain besides the primary: no-SNI and unknown-name hellos got
    // the same certificate, so they add nothing.
    expect(check.others.map((chain) => chain.keyType)).toEqual(['RSA']);
    expect(check.sni).toMatchObject({
      honoured: false,
      required: false,
      noSniNameMatches: true,
      unknownName: 'same-certificate',
      nameWarning: false,
    });

    const rsaHello = hellos.find((hello) => hello.signatureSchemes?.includes(0x0804));
    const rsaAuths = new Set(rsaHello!.suites.map((code) => suiteByCode(code)?.auth));
    expect([...rsaAuths]).toEqual(['RSA']);
    expect(rsaHello!.suites.length).toBeLessThanOrEqual(128);
  });

  it('sends no SNI at all for an IP endpoint', async () => {
    const hellos: HelloOptions[] = [];
    const probe = fakeServer(
      { byKeyType: { RSA: rsaLeaf }, otherNames: 'default-cert', knownName: 'none' },
      hellos,
    );
    const check = await checkCertificates(
      endpoint('127.0.0.1'),
      TARGET,
      versions(['TLSv1.2']),
      OPTIONS,
      probe,
    );

    expect(hellos.length).toBeGreaterThan(0);
    expect(hellos.every((hello) => hello.serverName === null)).toBe(true);
    expect(check.primary?.sni).toBeNull();
    expect(check.sni.honoured).toBeNull();
    expect(check.sni.unknownName).toBeNull();
  });

  it('reads SNI required, other certificates and warning alerts', async () => {
    const run = async (otherNames: FakeServer['otherNames']) =>
      checkCertificates(
        endpoint('hooks.example.test'),
        TARGET,
        versions(['TLSv1.2']),
        { ...OPTIONS, extraCaPem: [root.certPem] },
        fakeServer(
          { byKeyType: { RSA: rsaLeaf }, otherNames, knownName: 'hooks.example.test' },
          [],
        ),
      );

    const required = await run('fatal-alert');
    expect(required.sni).toMatchObject({
      honoured: true,
      required: true,
      noSniNameMatches: null,
      unknownName: 'fatal-alert',
    });
    expect(required.sni.noSniOutcome).toMatchObject({ kind: 'alert', alert: 112 });

    const defaultCert = await run('default-cert');
    expect(defaultCert.sni).toMatchObject({
      honoured: true,
      required: false,
      noSniNameMatches: false,
      unknownName: 'other-certificate',
    });
    const noSniChain = defaultCert.others.find((chain) => chain.sni === null);
    expect(noSniChain?.served[0].dnsNames).toEqual(['default.example.test']);
    expect(noSniChain?.problems.map((problem) => problem.code)).toEqual(['name-mismatch']);

    const warning = await run('warning');
    expect(warning.sni.unknownName).toBe('warning-alert');
    expect(warning.sni.honoured).toBe(true);
  });

  it('with every key type refused, says so and keeps the evidence', async () => {
    const hellos: HelloOptions[] = [];
    const probe = fakeServer(
      { byKeyType: {}, otherNames: 'same', knownName: 'hooks.example.test' },
      hellos,
    );
    const check = await checkCertificates(
      endpoint('hooks.example.test'),
      TARGET,
      { versions: [{ version: 'TLSv1.2', accepted: false, outcome: HANDSHAKE_FAILURE }] },
      OPTIONS,
      probe,
    );

    expect(check.primary).toBeNull();
    expect(check.error).toContain('handshake_failure');
    expect(check.keyTypes?.map((probe) => probe.outcome.kind)).toEqual(['alert', 'alert', 'alert']);
  });
});
