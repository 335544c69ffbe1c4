// The engine against simulated servers: exact enumeration of versions, suites, preference and
// groups, with the connection count, and each kind of odd server behaviour.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CertificateCheck, ScanOptions, TlsVersion } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { legacyCurves, suitePlan, tls13Groups } from '../../src/probe/offers.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { suiteByCode, suiteByName } from '../../src/wire/suites.js';
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
