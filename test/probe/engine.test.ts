// The engine against simulated servers: exact enumeration of versions, suites, preference and
// groups, with the connection count, and each kind of odd server behaviour.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CertificateCheck, ScanOptions, TlsVersion } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { legacyCurves, suitePlan, tls13Groups } from '../../src/probe/offers.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { suiteByCode, suiteByName } from '../../src/wire/suites.js';
import { makeSelfSigned } from '../support/pki.js';
import { freePort } from '../support/ports.js';
import { type SimulatedServer, simulate } from './simulated.js';

const code = (name: string) => suiteByName(name)!.code;

const noCertificates = async (): Promise<CertificateCheck> => ({
  primary: null,
  others: [],
  sni: { honoured: null, required: null, noSniNameMatches: null, unknownName: null },
});

const OPTIONS: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, connectTimeoutMs: 100, readTimeoutMs: 100 };

async function scanSimulated(server: SimulatedServer, options: Partial<ScanOptions> = {}) {
  const probe = simulate(server);
  const [scan] = await scanEndpoints(
    [parseEndpoint('127.0.0.1:8443')],
    { ...OPTIONS, ...options },
    {},
    { probe, checkCertificates: noCertificates },
  );
  return { scan, address: scan.addresses[0], probe };
}

const OPENSSL_LIKE: SimulatedServer = {
  versions: ['TLSv1.2', 'TLSv1.3'],
  suites: {
    'TLSv1.3': [0x1302, 0x1303, 0x1301],
    'TLSv1.2': [
      'ECDHE-RSA-AES256-GCM-SHA384',
      'DHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-CHACHA20-POLY1305',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'AES128-SHA',
    ].map(code),
  },
  serverOrder: false,
  groups13: [29, 23, 30, 25, 24, 256, 257],
  curves: [29, 23, 30, 25, 24],
};

describe('a server that follows the client', () => {
  it('finds every version, suite and group, and says the server follows the client', async () => {
    const { scan, address, probe } = await scanSimulated(OPENSSL_LIKE);

    expect(scan.status).toBe('scanned');
    const accepted = address.versions.filter((v) => v.accepted).map((v) => v.version);
    expect(accepted).toEqual(['TLSv1.2', 'TLSv1.3']);

    const tls12 = address.suites.find((s) => s.version === 'TLSv1.2')!;
    expect(tls12.accepted.map((s) => s.code).sort()).toEqual(
      [...OPENSSL_LIKE.suites['TLSv1.2']!].sort(),
    );
    expect(tls12.preference).toBe('client');
    expect(tls12.complete).toBe(true);
    expect(tls12.refusals).toEqual(['alert']);

    const tls13 = address.suites.find((s) => s.version === 'TLSv1.3')!;
    expect(tls13.accepted.map((s) => s.code).sort()).toEqual([0x1301, 0x1302, 0x1303]);
    expect(tls13.preference).toBe('client');

    const groups13 = address.groups.find((g) => g.version === 'TLSv1.3')!;
    expect([...groups13.groups].sort()).toEqual([...OPENSSL_LIKE.groups13!].sort());
    const curves = address.groups.find((g) => g.version === 'TLSv1.2')!;
    expect([...curves.groups].sort()).toEqual([...OPENSSL_LIKE.curves!].sort());
    expect(curves.dhBits).toEqual([2048]);

    expect(address.connections).toBe(probe.connections);
    expect(address.observations).toEqual([]);
  });
});

describe('a TLS 1.3 server that lists its groups (RFC 8446 Section 4.2.7)', () => {
  it('gives its groups in its order from one decrypted hello, with fewer connections', async () => {
    const probed = await scanSimulated(OPENSSL_LIKE);
    const listed = await scanSimulated({ ...OPENSSL_LIKE, listsGroups: true });

    const groups13 = listed.address.groups.find((g) => g.version === 'TLSv1.3')!;
    expect(groups13).toMatchObject({ groups: OPENSSL_LIKE.groups13, fromServerList: true });
    expect(listed.address.suites).toEqual(probed.address.suites);
    expect(listed.probe.connections).toBeLessThan(probed.probe.connections - 4);
  });

  it('is found by offer and remove when its list leaves out a group it took', async () => {
    // The list probe's share is P-256 (23), which this server takes but does not list.
    const { address } = await scanSimulated({ ...OPENSSL_LIKE, listsGroups: [29, 30] });

    const groups13 = address.groups.find((g) => g.version === 'TLSv1.3')!;
    expect(groups13.fromServerList).toBeUndefined();
    expect([...groups13.groups].sort()).toEqual([...OPENSSL_LIKE.groups13!].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Exactness over many server configurations

const VERSIONS: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** What the scan must report for a simulated server: the usable suites of each version. */
function truth(server: SimulatedServer) {
  const curves = server.curves ?? [];
  const usable = (version: TlsVersion, code: number) => {
    const suite = suiteByCode(code)!;
    if (version === 'TLSv1.3') return (server.groups13 ?? []).length > 0;
    if (suite.auth === 'ECDSA' && server.ecdsaCurve === undefined) return false;
    if (suite.kex === 'ECDHE' && curves.length === 0) return false;
    return true;
  };
  const suites = new Map<TlsVersion, number[]>();
  for (const version of VERSIONS) {
    if (!server.versions.includes(version)) continue;
    const list = (server.suites[version] ?? []).filter((code) => usable(version, code));
    if (list.length > 0) suites.set(version, list);
  }
  return suites;
}

// Like OpenSSL and most servers, one list of suites for TLS 1.2 and below, each version using
// those it can negotiate, and a list of its own for TLS 1.3.
const legacyCandidates = [
  ...new Set(
    (['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const).flatMap((v) =>
      suitePlan(v).chunks.flat(),
    ),
  ),
];
const candidatesOf = new Map(VERSIONS.map((v) => [v, new Set(suitePlan(v).chunks.flat())]));
const validIn = (version: TlsVersion, code: number) => candidatesOf.get(version)!.has(code);

const serverArbitrary: fc.Arbitrary<SimulatedServer> = fc
  .record({
    versions: fc.subarray(VERSIONS, { minLength: 1 }),
    tls13: fc.shuffledSubarray(suitePlan('TLSv1.3').chunks.flat(), { maxLength: 6 }),
    legacy: fc.shuffledSubarray(legacyCandidates, { maxLength: 40 }),
    serverOrder: fc.boolean(),
    groups13: fc.shuffledSubarray(tls13Groups(), { minLength: 1, maxLength: 8 }),
    curves: fc.shuffledSubarray(legacyCurves(), { maxLength: 6 }),
    groupServerOrder: fc.boolean(),
    refusal: fc.constantFrom('alert' as const, 'reset' as const, 'closed' as const),
  })
  .map(({ tls13, legacy, ...rest }) => {
    const suites: SimulatedServer['suites'] = { 'TLSv1.3': tls13 };
    for (const version of VERSIONS.slice(0, 4)) {
      suites[version] = legacy.filter((code) => validIn(version, code));
    }
    return { ...rest, suites };
  });

describe('exactness', () => {
  it('reports exactly the configured versions, suites, order, groups and curves', async () => {
    await fc.assert(
      fc.asyncProperty(serverArbitrary, async (server) => {
        const { scan, address, probe } = await scanSimulated(server);
        const expected = truth(server);
        expect(scan.status).toBe('scanned');

        for (const support of address.versions) {
          expect([support.version, support.accepted]).toEqual([
            support.version,
            expected.has(support.version),
          ]);
        }

        for (const [version, list] of expected) {
          const found = address.suites.find((s) => s.version === version)!;
          expect(found.complete).toBe(true);
          const codes = found.accepted.map((s) => s.code);
          if (list.length < 2) {
            expect(codes).toEqual(list);
            expect(found.preference).toBe('unknown');
          } else if (server.serverOrder) {
            expect(found.preference).toBe('server');
            expect(codes).toEqual(list);
          } else {
            expect(found.preference).toBe('client');
            expect(codes).toEqual([...list].sort((a, b) => a - b));
          }

          const groups = address.groups.find((g) => g.version === version);
          if (version === 'TLSv1.3') {
            expect([...groups!.groups].sort()).toEqual([...server.groups13!].sort());
          } else if (list.some((code) => suiteByCode(code)!.kex === 'ECDHE')) {
            expect([...groups!.groups].sort()).toEqual([...server.curves!].sort());
          }
        }

        // Some hello reaches a version the server has, and is refused for its suites.
        const negotiable = server.versions.some(
          (v) => v !== 'TLSv1.3' || (server.suites['TLSv1.3'] ?? []).length > 0,
        );
        const ids = address.observations.map((o) => o.id);
        expect(ids.includes('refusal-without-alert')).toBe(
          server.refusal !== 'alert' && negotiable,
        );
        expect(
          ids.filter((id) => id !== 'refusal-without-alert' && id !== 'no-usable-suite'),
        ).toEqual([]);

        // Connections: the version hellos, the sender's two, and per accepted version one per
        // accepted suite, one refusal per chunk, the preference hellos, plus the groups.
        let bound = 7;
        for (const [version, list] of expected) {
          const chunks = suitePlan(version).chunks.length;
          const merge = server.serverOrder
            ? list.length * Math.ceil(Math.log2(list.length + 1))
            : 0;
          bound += list.length + chunks + 2 + merge;
          bound += version === 'TLSv1.3' ? server.groups13!.length + 2 : server.curves!.length + 1;
        }
        expect(probe.connections).toBeLessThanOrEqual(bound + 3 * 5);
        expect(address.connections).toBe(probe.connections);
      }),
      { numRuns: Number(process.env.RUNS ?? 100) },
    );
  });
});

describe('ECDSA-only servers in TLS 1.2', () => {
  // RFC 8422 Section 5.1.1: the curve of the certificate's key must be offered for an ECDSA
  // suite, so the curve enumeration keeps it in every hello.
  const base = async (groupServerOrder: boolean): Promise<SimulatedServer> => ({
    versions: ['TLSv1.2'],
    suites: { 'TLSv1.2': [code('ECDHE-ECDSA-AES256-GCM-SHA384'), code('ECDHE-ECDSA-AES128-SHA')] },
    serverOrder: true,
    curves: [29, 24, 23, 25],
    groupServerOrder,
    ecdsaCurve: 23,
    certificate: (await makeSelfSigned({ keyType: 'p256' })).certDer,
  });

  it('finds every curve of a server that follows the client order of curves', async () => {
    const { address } = await scanSimulated(await base(false));

    const curves = address.groups.find((g) => g.version === 'TLSv1.2')!;
    expect([...curves.groups].sort()).toEqual([23, 24, 25, 29]);
    expect(address.observations).toEqual([]);
  });

  it('says the curves may be incomplete when the server prefers its certificate curve', async () => {
    const { address } = await scanSimulated(await base(true));

    const curves = address.groups.find((g) => g.version === 'TLSv1.2')!;
    // x25519 and secp384r1 rank above secp256r1 and are found; secp521r1 ranks below it.
    expect([...curves.groups].sort()).toEqual([23, 24, 29]);
    expect(address.observations.map((o) => o.id)).toEqual(['incomplete']);
    expect(address.observations[0].detail).toMatch(/certificate's curve secp256r1/);
  });
});

// ---------------------------------------------------------------------------------------------
// Odd servers

const TLS12_ONLY: SimulatedServer = {
  versions: ['TLSv1.2'],
  suites: {
    'TLSv1.2': ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'AES128-SHA'].map(
      code,
    ),
  },
  serverOrder: true,
  curves: [29, 23],
};

describe('refusals and failures', () => {
  it.each(['reset', 'closed'] as const)(
    'counts suites refused by %s as refused and says the server sends no alert',
    async (refusal) => {
      const { scan, address } = await scanSimulated({ ...TLS12_ONLY, refusal });

      expect(scan.status).toBe('scanned');
      const tls12 = address.suites.find((s) => s.version === 'TLSv1.2')!;
      expect(tls12.accepted.map((s) => s.code)).toEqual(TLS12_ONLY.suites['TLSv1.2']);
      expect(tls12.refusals).toEqual([refusal]);
      expect(tls12.complete).toBe(true);
      expect(address.observations.map((o) => o.id)).toEqual(['refusal-without-alert']);
    },
  );

  it('reports a server that fails on a TLS 1.3 hello instead of answering TLS 1.2', async () => {
    const { address } = await scanSimulated({
      ...TLS12_ONLY,
      intolerantAbove: 'TLSv1.2',
      versionRefusal: 'reset',
    });

    expect(address.versions.find((v) => v.version === 'TLSv1.2')!.accepted).toBe(true);
    expect(address.versions.find((v) => v.version === 'TLSv1.3')).toMatchObject({
      accepted: false,
      outcome: { kind: 'reset' },
    });
    const intolerance = address.observations.find((o) => o.id === 'version-intolerance');
    expect(intolerance?.detail).toMatch(/up to TLSv1.3 ends with a TCP reset.*TLSv1.2 is acc/);
  });

  it('does not call negotiating down intolerance', async () => {
    const { address } = await scanSimulated(TLS12_ONLY);

    expect(address.versions.find((v) => v.version === 'TLSv1.3')).toMatchObject({
      accepted: false,
      outcome: { kind: 'accepted', version: 'TLSv1.2' },
    });
    expect(address.observations).toEqual([]);
  });

  it('never counts a suite the hello did not offer (case 6)', async () => {
    const unoffered = code('ECDHE-RSA-AES128-GCM-SHA256');
    const { scan, address, probe } = await scanSimulated({
      ...TLS12_ONLY,
      versions: ['TLSv1.2', 'TLSv1.3'],
      suites: { ...TLS12_ONLY.suites, 'TLSv1.3': [0x1301] },
      groups13: [29],
      fixedSuite: unoffered,
    });

    // Every hello that did not offer the suite got it anyway; those that offered it (the
    // first TLS 1.2 chunk) are indistinguishable from an honest answer.
    expect(scan.status).toBe('scanned');
    const tls13 = address.versions.find((v) => v.version === 'TLSv1.3')!;
    expect(tls13.accepted).toBe(null);
    expect(tls13.outcome).toMatchObject({
      kind: 'violation',
      detail: expect.stringMatching(/cannot be used with TLSv1.3/),
    });
    expect(address.observations.map((o) => o.id)).toContain('suite-not-offered');
    expect(address.observations.find((o) => o.id === 'suite-not-offered')!.detail).toMatch(
      /chose TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, which the hello did not offer/,
    );
    for (const suites of address.suites) {
      expect(suites.accepted.length).toBeLessThanOrEqual(1);
    }
    expect(probe.connections).toBeLessThan(40);
  });

  it('reports a version higher than offered as a violation', async () => {
    const { address } = await scanSimulated({
      ...TLS12_ONLY,
      versions: ['TLSv1.0', 'TLSv1.2'],
      suites: { ...TLS12_ONLY.suites, 'TLSv1.0': [code('AES128-SHA')] },
      fixedVersion: 'TLSv1.2',
    });

    const tls10 = address.versions.find((v) => v.version === 'TLSv1.0')!;
    expect(tls10.accepted).toBe(null);
    expect(tls10.outcome).toMatchObject({ kind: 'violation' });
    const details = address.observations
      .filter((o) => o.id === 'version-above-offered')
      .map((o) => o.detail);
    expect(details).toContain('the server answered TLSv1.2 to a hello offering at most TLSv1.0');
  });

  it('retries a timeout once and leaves it inconclusive, never refused', async () => {
    // The last accepted hello of the TLS 1.2 run: AES128-SHA without the two ECDHE suites.
    const [ecdhe128, ecdhe256, rsa] = TLS12_ONLY.suites['TLSv1.2']!;
    const hangsOnAes128Sha = (hello: { version: string; suites: number[] }) =>
      hello.version === 'TLSv1.2' &&
      hello.suites.includes(rsa) &&
      !hello.suites.includes(ecdhe128) &&
      !hello.suites.includes(ecdhe256);
    const probe = simulate({ ...TLS12_ONLY, hangsOn: hangsOnAes128Sha });
    const [scan] = await scanEndpoints(
      [parseEndpoint('127.0.0.1:443')],
      OPTIONS,
      {},
      { probe, checkCertificates: noCertificates },
    );
    const address = scan.addresses[0];

    const hung = probe.hellos.filter((hello) => hangsOnAes128Sha(hello));
    expect(hung).toHaveLength(2);
    const tls12 = address.suites.find((s) => s.version === 'TLSv1.2')!;
    expect(tls12.complete).toBe(false);
    expect(tls12.accepted.map((s) => s.code)).toEqual([ecdhe128, ecdhe256]);
    expect(address.observations.map((o) => o.id)).toContain('incomplete');
  });

  it('says a plaintext port does not speak TLS and counts no version (case 3)', async () => {
    const { scan, probe } = await scanSimulated({ ...TLS12_ONLY, plaintext: true });

    expect(scan.status).toBe('not-scanned');
    expect(scan.notScanned?.reason).toBe('not-tls');
    expect(scan.notScanned?.detail).toMatch(/does not speak TLS.*plaintext HTTP/);
    expect(scan.addresses[0].versions.every((v) => v.accepted === null)).toBe(true);
    expect(probe.connections).toBe(1);
  });

  it('says a closed port refused the connection', async () => {
    const { scan, probe } = await scanSimulated({ ...TLS12_ONLY, closedPort: true });

    expect(scan.status).toBe('not-scanned');
    expect(scan.notScanned?.reason).toBe('refused');
    expect(probe.connections).toBe(1);
  });

  it('says a refused connection once, in the words of the socket error', async () => {
    // A free port on the loopback address: nothing listens, so the kernel refuses at once.
    const port = await freePort(['127.0.0.1']);
    const [scan] = await scanEndpoints([parseEndpoint(`127.0.0.1:${port}`)], OPTIONS);

    expect(scan.status).toBe('not-scanned');
    expect(scan.notScanned).toEqual({
      reason: 'refused',
      detail: 'connection refused (ECONNREFUSED)',
    });
  });

  it('turns an exception inside a probe into an inconclusive outcome', async () => {
    let calls = 0;
    const flaky = simulate(TLS12_ONLY);
    const probe = async (...args: Parameters<typeof flaky>) => {
      calls += 1;
      if (calls === 3) throw new Error('boom');
      return flaky(...args);
    };
    const [scan] = await scanEndpoints(
      [parseEndpoint('127.0.0.1:443')],
      OPTIONS,
      {},
      { probe, checkCertificates: noCertificates },
    );

    expect(scan.status).toBe('scanned');
    const errors = scan.addresses[0].observations.filter((o) => o.id === 'probe-error');
    expect(errors).toHaveLength(1);
    expect(errors[0].detail).toMatch(/boom/);
  });

  it('stops starting probes at the endpoint deadline', async () => {
    const probe = simulate({ ...OPENSSL_LIKE, delayMs: 20 });
    const started = Date.now();
    const [scan] = await scanEndpoints(
      [parseEndpoint('127.0.0.1:443')],
      { ...OPTIONS, endpointDeadlineMs: 150, perHostConcurrency: 1 },
      {},
      { probe, checkCertificates: noCertificates },
    );

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(probe.connections).toBeLessThan(12);
    const ids = scan.addresses[0]?.observations.map((o) => o.id) ?? [];
    expect(scan.status === 'not-scanned' || ids.includes('deadline-reached')).toBe(true);
  });

  it('never lets a failing certificate check lose the scan', async () => {
    const [scan] = await scanEndpoints(
      [parseEndpoint('127.0.0.1:443')],
      OPTIONS,
      {},
      {
        probe: simulate(TLS12_ONLY),
        checkCertificates: async () => {
          throw new Error('no chain');
        },
      },
    );

    expect(scan.status).toBe('scanned');
    expect(scan.addresses[0].certificates.error).toMatch(/no chain/);
  });
});

describe('endpoints and addresses', () => {
  it('resolves a hostname, scans each address and reports how they differ', async () => {
    const byAddress: Record<string, SimulatedServer> = {
      '192.0.2.1': TLS12_ONLY,
      '192.0.2.2': {
        ...TLS12_ONLY,
        versions: ['TLSv1.0', 'TLSv1.2'],
        suites: { ...TLS12_ONLY.suites, 'TLSv1.0': [code('AES128-SHA')] },
      },
      '192.0.2.3': TLS12_ONLY,
    };
    const probes = Object.fromEntries(
      Object.entries(byAddress).map(([address, server]) => [address, simulate(server)]),
    );
    const sniSeen = new Set<string | null | undefined>();
    const [scan] = await scanEndpoints(
      [parseEndpoint('https://hooks.example.test/in')],
      { ...OPTIONS, maxAddresses: 2 },
      {},
      {
        probe: (target, hello, ...rest) => {
          sniSeen.add(hello.serverName);
          return probes[target.address](target, hello, ...rest);
        },
        resolve: async () =>
          Object.keys(byAddress).map((address) => ({ address, family: 4 as const })),
        checkCertificates: noCertificates,
      },
    );

    expect(scan.status).toBe('scanned');
    expect(scan.addresses.map((a) => a.address)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(probes['192.0.2.3'].connections).toBe(0);
    expect([...sniSeen]).toEqual(['hooks.example.test']);

    const [first, second] = scan.addresses;
    const difference = first.observations.find(
      (o) => o.id === 'address-difference' && o.detail.includes('answer differently'),
    );
    expect(difference?.detail).toMatch(/TLSv1.0 refused at 192.0.2.1, accepted at 192.0.2.2/);
    // In the same words on both, so that a report shows it once.
    expect(second.observations).toContainEqual(difference);
    expect(first.observations.some((o) => /3 addresses; 1 were not scanned/.test(o.detail))).toBe(
      true,
    );
  });

  it('sends no SNI to an IP endpoint', async () => {
    const probe = simulate(TLS12_ONLY);
    await scanEndpoints(
      [parseEndpoint('[::1]:8443')],
      OPTIONS,
      {},
      { probe, checkCertificates: noCertificates },
    );

    expect(probe.hellos.every((hello) => hello.serverName === null)).toBe(true);
  });

  it('reports a name that does not resolve as not scanned, and scans the others', async () => {
    const done: string[] = [];
    const scans = await scanEndpoints(
      [parseEndpoint('nowhere.invalid'), parseEndpoint('127.0.0.1:443')],
      OPTIONS,
      { onEndpointDone: (scan) => done.push(scan.endpoint.host) },
      {
        probe: simulate(TLS12_ONLY),
        resolve: async () => {
          throw new Error('getaddrinfo ENOTFOUND nowhere.invalid');
        },
        checkCertificates: noCertificates,
      },
    );

    expect(scans.map((s) => s.status)).toEqual(['not-scanned', 'scanned']);
    expect(scans[0].notScanned).toEqual({
      reason: 'dns',
      detail: expect.stringMatching(/nowhere.invalid does not resolve: .*ENOTFOUND/),
    });
    expect(done.sort()).toEqual(['127.0.0.1', 'nowhere.invalid']);
  });

  it('scans an endpoint named twice with different paths once', async () => {
    const probe = simulate(TLS12_ONLY);
    const scans = await scanEndpoints(
      [parseEndpoint('https://127.0.0.1/a'), parseEndpoint('https://127.0.0.1/b')],
      OPTIONS,
      {},
      { probe, checkCertificates: noCertificates },
    );
    const single = simulate(TLS12_ONLY);
    await scanEndpoints(
      [parseEndpoint('127.0.0.1')],
      OPTIONS,
      {},
      {
        probe: single,
        checkCertificates: noCertificates,
      },
    );

    expect(scans.map((s) => s.endpoint.path)).toEqual(['/a', '/b']);
    expect(scans[1].addresses[0].versions).toEqual(scans[0].addresses[0].versions);
    expect(probe.connections).toBe(single.connections);
  });

  it('keeps to the per-host limit across endpoints of one address', async () => {
    const probe = simulate({ ...OPENSSL_LIKE, delayMs: 5 });
    await scanEndpoints(
      [
        parseEndpoint('127.0.0.1:443'),
        parseEndpoint('https://127.0.0.1:443/x'),
        parseEndpoint('127.0.0.1:8443'),
      ],
      { ...OPTIONS, perHostConcurrency: 3, concurrency: 4 },
      {},
      { probe, checkCertificates: noCertificates },
    );

    expect(probe.maxOpen).toBe(3);
  });
});

describe('version intolerance of an old server', () => {
  it('names every hello that fails where TLS 1.0 should have been answered', async () => {
    const { address } = await scanSimulated({
      versions: ['TLSv1.0'],
      suites: { 'TLSv1.0': [code('AES128-SHA')] },
      serverOrder: false,
      intolerantAbove: 'TLSv1.0',
      versionRefusal: 'closed',
    });

    expect(address.versions.filter((v) => v.accepted).map((v) => v.version)).toEqual(['TLSv1.0']);
    const intolerance = address.observations.filter((o) => o.id === 'version-intolerance');
    expect(intolerance.map((o) => o.detail)).toEqual([
      'a hello offering up to TLSv1.3 ends with closing the connection, one offering up to ' +
        'TLSv1.2 ends with closing the connection, one offering up to TLSv1.1 ends with ' +
        'closing the connection, although TLSv1.0 is accepted: the server fails instead of ' +
        'negotiating down',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The TLS 1.2 chunk split into parts once the server shows it follows the client

describe('a server with many TLS 1.2 suites', () => {
  const many = suitePlan('TLSv1.2')
    .chunks[0].filter((suite) => {
      const known = suiteByCode(suite);
      return known?.auth === 'RSA' && ['ECDHE', 'DHE', 'RSA'].includes(known.kex);
    })
    .slice(0, 30);

  for (const serverOrder of [false, true]) {
    it(`finds each suite once and the order (${serverOrder ? 'server' : 'client'})`, async () => {
      const server: SimulatedServer = {
        ...OPENSSL_LIKE,
        suites: { ...OPENSSL_LIKE.suites, 'TLSv1.2': [...many].reverse() },
        serverOrder,
      };
      const { address, probe } = await scanSimulated(server);

      const tls12 = address.suites.find((s) => s.version === 'TLSv1.2')!;
      expect(tls12.complete).toBe(true);
      expect(tls12.preference).toBe(serverOrder ? 'server' : 'client');
      const found = tls12.accepted.map((s) => s.code);
      if (serverOrder) {
        expect(found).toEqual([...many].reverse());
      } else {
        expect([...found].sort()).toEqual([...many].sort());
      }

      // Each suite is picked once: the parts of a split offer disjoint suites.
      const picked = probe.hellos.filter(
        (hello) => hello.version === 'TLSv1.2' && hello.groups?.length === 39,
      );
      expect(picked.length).toBeLessThanOrEqual(many.length + 2 + 3 + 6);
    });
  }
});
