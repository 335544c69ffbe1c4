// The registries: every suite the requirements list is in the table under its exact IANA name,
// the table is complete and consistent, and lookups by code and name agree.

import { describe, expect, it } from 'vitest';
import { ALERTS, alertName } from '../../src/wire/alerts.js';
import { GROUPS, groupByCode, groupName } from '../../src/wire/groups.js';
import { SIGNATURE_SCHEMES, signatureSchemeName } from '../../src/wire/sigschemes.js';
import {
  isGrease,
  isSignallingValue,
  SIGNALLING_VALUES,
  SUITE_NAME_ALIASES,
  SUITES,
  suiteByCode,
  suiteByName,
  suiteName,
  suitesForVersion,
} from '../../src/wire/suites.js';
import { versionCode, versionFromCode } from '../../src/wire/versions.js';
import { requiredSuiteNames } from '../support/requirements.js';

describe('cipher suite table', () => {
  it('holds every suite of the requirements under its IANA name', () => {
    const names = requiredSuiteNames();
    expect(names).toHaveLength(16);

    for (const listed of names) {
      const suite = suiteByName(listed);
      expect(suite, listed).toBeDefined();
      expect(suite?.minVersion).not.toBe('TLSv1.3');

      // The requirements write the two ChaCha20 suites without the _SHA256 that IANA's names
      // carry (RFC 7905); those resolve through the alias table, every other name is IANA's.
      if (suite?.name !== listed) {
        expect(SUITE_NAME_ALIASES[listed]).toBe(suite?.code);
        expect(suite?.name).toBe(`${listed}_SHA256`);
      }
    }
    const aliased = names.filter((name) => suiteByName(name)?.name !== name);
    expect(aliased).toEqual([
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
    ]);
  });

  it('holds every IANA assignment once, in code order, without signalling values', () => {
    expect(SUITES.length).toBe(350);
    const codes = SUITES.map((suite) => suite.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(codes);
    expect(new Set(SUITES.map((suite) => suite.name)).size).toBe(SUITES.length);
    for (const suite of SUITES) expect(suite.name).toMatch(/^TLS_[A-Za-z0-9_]+$/);

    expect(suiteByCode(0x00ff)).toBeUndefined();
    expect(suiteByCode(0x5600)).toBeUndefined();
    expect(SIGNALLING_VALUES.map((value) => value.code)).toEqual([0x00ff, 0x5600]);
    expect(isSignallingValue(0x00ff)).toBe(true);
    expect(suiteName(0x5600)).toBe('TLS_FALLBACK_SCSV');
    expect(suiteName(0x0a0a)).toBe('0x0A0A');
    expect(isGrease(0x0a0a)).toBe(true);
    expect(isGrease(0xfafa)).toBe(true);
    expect(isGrease(0x0a1a)).toBe(false);
  });

  it('describes well-known suites correctly', () => {
    const gcm = suiteByCode(0xc02f);
    expect(gcm).toMatchObject({
      name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      openssl: 'ECDHE-RSA-AES128-GCM-SHA256',
      kex: 'ECDHE',
      auth: 'RSA',
      cipher: 'AES',
      mode: 'GCM',
      bits: 128,
      aead: true,
      forwardSecret: true,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });

    const tripleDes = suiteByCode(0x000a);
    expect(tripleDes).toMatchObject({ block64: true, forwardSecret: false, aead: false });
    expect(tripleDes?.minVersion).toBe('SSLv3');

    expect(suiteByCode(0x0003)).toMatchObject({ export: true, rc4: true, maxVersion: 'TLSv1.0' });
    expect(suiteByCode(0x0018)).toMatchObject({ anonymous: true, forwardSecret: false });
    expect(suiteByCode(0x0002)).toMatchObject({ nullCipher: true });
    expect(suiteByCode(0x1301)).toMatchObject({ kex: 'TLS13', forwardSecret: true, aead: true });
    expect(suiteByCode(0x1302)?.prfHash).toBe('SHA384');
    expect(suiteByCode(0xc0b4)).toMatchObject({ nullCipher: true, minVersion: 'TLSv1.3' });
    expect(suiteByCode(0x00af)?.minVersion).toBe('TLSv1.0');
  });

  it('finds suites by OpenSSL name and by IANA name', () => {
    expect(suiteByName('DES-CBC3-SHA')?.code).toBe(0x000a);
    expect(suiteByName('ECDHE-ECDSA-AES256-GCM-SHA384')?.code).toBe(0xc02c);
    expect(suiteByName('TLS_AES_128_GCM_SHA256')?.code).toBe(0x1301);
    expect(suiteByName('tls_aes_128_gcm_sha256')).toBeUndefined();
  });

  it('keeps flags consistent with the fields', () => {
    for (const suite of SUITES) {
      if (suite.aead) expect(suite.mac).toBe('AEAD');
      if (suite.anonymous) expect(suite.forwardSecret).toBe(false);
      if (suite.rc4) expect(suite.mode).toBe('stream');
      if (suite.export) expect(suite.maxVersion).toBe('TLSv1.0');
      if (suite.kex === 'TLS13') expect(suite.minVersion).toBe('TLSv1.3');
      if (suite.aead && suite.kex !== 'TLS13') expect(suite.minVersion).toBe('TLSv1.2');
    }
  });

  it('selects the suites a version can negotiate', () => {
    const tls13 = suitesForVersion('TLSv1.3').map((suite) => suite.code);
    expect(tls13).toContain(0x1301);
    expect(tls13).not.toContain(0xc02f);
    const tls10 = suitesForVersion('TLSv1.0').map((suite) => suite.code);
    expect(tls10).toContain(0xc013);
    expect(tls10).toContain(0x0003);
    expect(tls10).not.toContain(0xc02f);
    expect(suitesForVersion('TLSv1.1').map((suite) => suite.code)).not.toContain(0x0003);
  });
});

describe('other registries', () => {
  it('names groups, schemes, alerts and versions', () => {
    expect(groupName(29)).toBe('x25519');
    expect(groupName(4588)).toBe('X25519MLKEM768');
    expect(groupByCode(256)).toMatchObject({ name: 'ffdhe2048', kind: 'ffdhe', bits: 2048 });
    expect(groupName(0x1234)).toBe('0x1234');
    expect(new Set(GROUPS.map((group) => group.code)).size).toBe(GROUPS.length);

    expect(signatureSchemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(new Set(SIGNATURE_SCHEMES.map((scheme) => scheme.code)).size).toBe(
      SIGNATURE_SCHEMES.length,
    );

    expect(alertName(112)).toBe('unrecognized_name');
    expect(alertName(70)).toBe('protocol_version');
    expect(alertName(200)).toBe('alert_200');
    expect(new Set(ALERTS.map((alert) => alert.code)).size).toBe(ALERTS.length);

    expect(versionCode('TLSv1.2')).toBe(0x0303);
    expect(versionFromCode(0x0300)).toBe('SSLv3');
    expect(versionFromCode(0x0305)).toBeUndefined();
  });
});
