// What the probes offer: every suite of the registry that a version can negotiate, once, in
// hellos of at most 128 suites, none a version cannot use, ChaCha20 last in every hello, and a
// first chunk that each lower version's first chunk is part of.

import { describe, expect, it } from 'vitest';
import type { TlsVersion } from '../../src/model.js';
import {
  legacyCurves,
  offerOrder,
  suitePlan,
  tls13Groups,
  tls13Suites,
} from '../../src/probe/offers.js';
import { GROUPS } from '../../src/wire/groups.js';
import { MAX_SUITES_PER_HELLO } from '../../src/wire/hello.js';
import { SUITES, suiteByCode, suitesForVersion } from '../../src/wire/suites.js';
import { compareVersions } from '../../src/wire/versions.js';

const VERSIONS: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

describe('suite plans', () => {
  it.each(VERSIONS)('%s: every suite the version can negotiate, once', (version) => {
    const offered = suitePlan(version).chunks.flat();
    const expected = SUITES.filter(
      (suite) =>
        compareVersions(suite.minVersion, version) <= 0 &&
        compareVersions(suite.maxVersion, version) >= 0,
    ).map((suite) => suite.code);

    expect(new Set(offered).size).toBe(offered.length);
    expect([...offered].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
  });

  it.each(VERSIONS)('%s: hellos of at most 128 suites, ChaCha20 last', (version) => {
    for (const chunk of suitePlan(version).chunks) {
      expect(chunk.length).toBeLessThanOrEqual(MAX_SUITES_PER_HELLO);
      const chacha = chunk.map((code) => suiteByCode(code)?.cipher === 'CHACHA20');
      const firstChacha = chacha.indexOf(true);
      if (firstChacha !== -1) {
        expect(chacha.slice(firstChacha).every(Boolean)).toBe(true);
      }
    }
  });

  it('never offers TLS 1.3 suites below TLS 1.3, nor AEAD or SHA-256 suites below TLS 1.2', () => {
    for (const version of ['SSLv3', 'TLSv1.0', 'TLSv1.1'] as const) {
      for (const code of suitePlan(version).chunks.flat()) {
        const suite = suiteByCode(code)!;
        expect([suite.name, suite.aead]).toEqual([suite.name, false]);
        expect(suite.kex).not.toBe('TLS13');
      }
    }
    expect(
      suitePlan('TLSv1.2')
        .chunks.flat()
        .some((c) => suiteByCode(c)!.kex === 'TLS13'),
    ).toBe(false);
    expect(
      suitePlan('TLSv1.3')
        .chunks.flat()
        .every((c) => suiteByCode(c)!.kex === 'TLS13'),
    ).toBe(true);
  });

  it('fits the TLS 1.3 suites and the first TLS 1.2 chunk into one hello', () => {
    expect(tls13Suites().length + suitePlan('TLSv1.2').chunks[0].length).toBeLessThanOrEqual(
      MAX_SUITES_PER_HELLO,
    );
  });

  it('makes each lower first chunk part of the TLS 1.2 one, in the same order', () => {
    const tls12 = suitePlan('TLSv1.2').chunks[0];
    for (const version of ['TLSv1.0', 'TLSv1.1'] as const) {
      const first = suitePlan(version).chunks[0];
      const common = tls12.filter((code) => first.includes(code));
      expect([version, first]).toEqual([version, common]);
    }
  });

  it('offers every SSL 3.0 suite in one hello, those of the TLS 1.2 first chunk first', () => {
    const [only, ...more] = suitePlan('SSLv3').chunks;
    expect(more).toEqual([]);
    expect(only.length).toBe(suitesForVersion('SSLv3').length);
    expect(only.length).toBeLessThanOrEqual(MAX_SUITES_PER_HELLO);

    const tls12 = suitePlan('TLSv1.2').chunks[0];
    const common = tls12.filter((code) => only.includes(code));
    expect(only.slice(0, common.length)).toEqual(common);
  });

  it('puts the suites of mainstream servers into the first TLS 1.2 chunk', () => {
    const first = suitePlan('TLSv1.2').chunks[0];
    for (const name of [
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
      'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA',
      'TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384',
    ]) {
      expect(first.map((code) => suiteByCode(code)!.name)).toContain(name);
    }
  });

  it('orders like a modern client: forward secret AEAD first', () => {
    const ordered = offerOrder([0x002f, 0x009c, 0xc013, 0xc02f, 0xcca8]).map(
      (code) => suiteByCode(code)!.name,
    );
    expect(ordered).toEqual([
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
      'TLS_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_RSA_WITH_AES_128_CBC_SHA',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    ]);
  });
});

describe('groups', () => {
  it('offers TLS 1.3 every group a TLS 1.3 server may choose, x25519 first', () => {
    const groups = tls13Groups();
    expect(groups[0]).toBe(29);
    expect(groups).toEqual(expect.arrayContaining([23, 24, 25, 30, 256, 260, 4588]));
    // RFC 8446 Section 4.2.7 leaves out the binary and small curves of TLS 1.2.
    expect(groups).not.toContain(1);
    expect(groups).not.toContain(22);
  });

  it('offers TLS 1.2 and below every curve and no finite-field group', () => {
    const curves = legacyCurves();
    const allCurves = GROUPS.filter(
      (group) =>
        (group.kind === 'ec' || group.kind === 'ecx') && ![31, 32, 33, 41].includes(group.code),
    );
    expect(curves.length).toBe(allCurves.length);
    expect(curves.some((code) => code >= 256 && code <= 260)).toBe(false);
    expect(curves.slice(0, 2)).toEqual([29, 23]);
  });
});
