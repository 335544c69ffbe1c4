// The ClientHello builder: what each version's hello carries, SNI rules, real key shares,
// the suite limit and the padding rule, checked by reading the bytes back with parseClientHello.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TlsVersion } from '../../src/model.js';
import { fromHex } from '../../src/wire/bytes.js';
import { Group } from '../../src/wire/groups.js';
import {
  buildClientHello,
  buildHello,
  isToleratedHelloLength,
  MAX_SUITES_PER_HELLO,
  paddingLength,
} from '../../src/wire/hello.js';
import { parseClientHello } from '../../src/wire/parse.js';
import { suitesForVersion } from '../../src/wire/suites.js';
import { ExtensionType } from '../../src/wire/versions.js';

function parsedHello(bytes: Uint8Array) {
  const result = parseClientHello(bytes);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function extensionTypes(bytes: Uint8Array): number[] {
  return parsedHello(bytes).extensions.map((extension) => extension.type);
}

const MODERN = [0x1301, 0x1302, 0x1303, 0xc02f, 0xc030];

describe('buildClientHello', () => {
  it('writes TLS 1.3 as legacy_version 1.2, supported_versions and a real key share', () => {
    const built = buildHello({ version: 'TLSv1.3', suites: MODERN, serverName: 'example.test' });
    const hello = parsedHello(built.records);

    expect(built.records[0]).toBe(22);
    expect((built.records[1] << 8) | built.records[2]).toBe(0x0301);
    expect(hello.legacyVersion).toBe(0x0303);
    expect(hello.supportedVersions).toEqual([0x0304, 0x0303]);
    expect(hello.sessionId.length).toBe(32);
    expect(hello.suites).toEqual(MODERN);
    expect(hello.compressionMethods).toEqual([0]);
    expect(hello.serverName).toBe('example.test');
    expect(hello.keyShares).toHaveLength(1);
    expect(hello.keyShares[0].group).toBe(Group.x25519);
    expect(hello.keyShares[0].keyExchange).toEqual(built.keyShares[0].publicKey);
    expect(hello.keyShares[0].keyExchange.length).toBe(32);
    expect(hello.statusRequest).toBe(true);
    expect(hello.signatureSchemes).toContain(0x0804);
    expect(hello.message).toEqual(built.message);
    expect(built.offeredVersions).toEqual(['TLSv1.3', 'TLSv1.2']);

    const types = extensionTypes(built.records);
    for (const type of [
      ExtensionType.renegotiationInfo,
      ExtensionType.extendedMasterSecret,
      ExtensionType.sessionTicket,
      ExtensionType.ecPointFormats,
      ExtensionType.supportedGroups,
    ]) {
      expect(types).toContain(type);
    }
  });

  it('makes P-256 and P-384 key shares as uncompressed points', () => {
    const hello = parsedHello(
      buildClientHello({
        version: 'TLSv1.3',
        suites: MODERN,
        keyShareGroups: [Group.secp256r1, Group.secp384r1, Group.X25519MLKEM768],
        minVersion: 'TLSv1.3',
      }),
    );
    expect(hello.supportedVersions).toEqual([0x0304]);
    // ML-KEM keys cannot be made on this runtime: the group is skipped, not faked.
    expect(hello.keyShares.map((share) => share.group)).toEqual([Group.secp256r1, Group.secp384r1]);
    expect(hello.keyShares[0].keyExchange.length).toBe(65);
    expect(hello.keyShares[0].keyExchange[0]).toBe(4);
    expect(hello.keyShares[1].keyExchange.length).toBe(97);
  });

  it('keeps TLS 1.2-only extensions out of TLS 1.0 and 1.1 hellos', () => {
    for (const version of ['TLSv1.0', 'TLSv1.1'] as TlsVersion[]) {
      const bytes = buildClientHello({ version, suites: [0xc013, 0x002f], serverName: 'a.test' });
      const hello = parsedHello(bytes);
      expect(hello.legacyVersion).toBe(version === 'TLSv1.0' ? 0x0301 : 0x0302);
      const types = extensionTypes(bytes);
      expect(types).not.toContain(ExtensionType.signatureAlgorithms);
      expect(types).not.toContain(ExtensionType.supportedVersions);
      expect(types).not.toContain(ExtensionType.keyShare);
      expect(types).toContain(ExtensionType.renegotiationInfo);
      expect(types).toContain(ExtensionType.serverName);
      expect(hello.sessionId.length).toBe(0);
    }
  });

  it('sends an SSL 3.0 hello without extensions and with the renegotiation SCSV', () => {
    const bytes = buildClientHello({ version: 'SSLv3', suites: [0x000a, 0x0005] });
    const hello = parsedHello(bytes);
    expect((bytes[1] << 8) | bytes[2]).toBe(0x0300);
    expect(hello.legacyVersion).toBe(0x0300);
    expect(hello.suites).toEqual([0x000a, 0x0005, 0x00ff]);
    expect(hello.extensions).toEqual([]);
  });

  it('never sends an IP literal as SNI', () => {
    for (const name of ['127.0.0.1', '::1', '[2001:db8::1]', '']) {
      const hello = parsedHello(
        buildClientHello({ version: 'TLSv1.2', suites: [0xc02f], serverName: name }),
      );
      expect(hello.serverName).toBeNull();
    }
    const hello = parsedHello(
      buildClientHello({ version: 'TLSv1.2', suites: [0xc02f], serverName: 'host.example.' }),
    );
    expect(hello.serverName).toBe('host.example');
  });

  it('writes the requested ALPN, groups, schemes, fallback SCSV and fixed random', () => {
    const random = new Uint8Array(32).fill(7);
    const hello = parsedHello(
      buildClientHello({
        version: 'TLSv1.2',
        suites: [0xc02f],
        alpn: ['h2', 'http/1.1'],
        groups: [Group.secp256r1],
        signatureSchemes: [0x0401],
        statusRequest: false,
        fallbackScsv: true,
        random,
      }),
    );
    expect(hello.alpn).toEqual(['h2', 'http/1.1']);
    expect(hello.groups).toEqual([Group.secp256r1]);
    expect(hello.signatureSchemes).toEqual([0x0401]);
    expect(hello.statusRequest).toBe(false);
    expect(hello.suites).toEqual([0xc02f, 0x5600]);
    expect(hello.random).toEqual(random);
  });

  it('writes the close_notify behind a hello in the version the server will have agreed', () => {
    // RFC 8446 Section 5.1: 0x0301 is allowed only in the first ClientHello's record.
    const cases: [TlsVersion, string][] = [
      ['TLSv1.3', '1503030002'],
      ['TLSv1.2', '1503030002'],
      ['TLSv1.1', '1503020002'],
      ['TLSv1.0', '1503010002'],
      ['SSLv3', '1503000002'],
    ];
    for (const [version, header] of cases) {
      const suites = suitesForVersion(version)
        .map((suite) => suite.code)
        .slice(0, 8);
      const { closeNotify, records } = buildHello({ version, suites });
      expect(Buffer.from(closeNotify).toString('hex'), version).toBe(`${header}0100`);
      expect(records[2], version).toBe(version === 'SSLv3' ? 0x00 : 0x01);
    }
  });

  it('refuses more than 128 suites and an empty list, with a clear message', () => {
    const many = suitesForVersion('TLSv1.2').slice(0, MAX_SUITES_PER_HELLO + 1);
    expect(() => buildClientHello({ version: 'TLSv1.2', suites: many.map((s) => s.code) })).toThrow(
      /129 suites in one ClientHello; at most 128/,
    );
    const exactly = many.slice(0, MAX_SUITES_PER_HELLO).map((suite) => suite.code);
    expect(parsedHello(buildClientHello({ version: 'TLSv1.2', suites: exactly })).suites).toEqual(
      exactly,
    );
    expect(() => buildClientHello({ version: 'TLSv1.2', suites: [] })).toThrow(/at least one/);
  });
});

describe('padding rule', () => {
  it('moves message and body lengths out of 256..511 and away from 10 and 14 modulo 256', () => {
    expect(isToleratedHelloLength(255)).toBe(true);
    expect(isToleratedHelloLength(256)).toBe(false);
    expect(isToleratedHelloLength(511)).toBe(false);
    // A message of 512..515 bytes has a body (the header's length field) of 508..511.
    expect(isToleratedHelloLength(512)).toBe(false);
    expect(isToleratedHelloLength(515)).toBe(false);
    expect(isToleratedHelloLength(516)).toBe(true);
    expect(isToleratedHelloLength(522)).toBe(false);
    expect(isToleratedHelloLength(526)).toBe(false);
    expect(isToleratedHelloLength(778)).toBe(false);
    expect(isToleratedHelloLength(523)).toBe(true);

    expect(paddingLength(200)).toBeNull();
    expect(paddingLength(300)).toBe(516 - 300 - 4);
    expect(paddingLength(511)).toBe(1); // never an empty padding extension
    expect(paddingLength(522)).toBe(1);
  });

  it('keeps every built hello at a tolerated length', () => {
    const tls12 = suitesForVersion('TLSv1.2').map((suite) => suite.code);
    const versions: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.2', 'TLSv1.3'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 128 }),
        fc.constantFrom(...versions),
        fc.string({ minLength: 0, maxLength: 60 }).map((s) => s.replace(/[^a-z]/g, 'a')),
        (count, version, name) => {
          const suites =
            version === 'TLSv1.3' ? [0x1301, ...tls12.slice(0, count - 1)] : tls12.slice(0, count);
          const bytes = buildClientHello({
            version,
            suites,
            serverName: name ? `${name}.test` : null,
          });
          const hello = parsedHello(bytes);
          expect(isToleratedHelloLength(hello.message.length)).toBe(true);
          if (hello.padding !== null) {
            expect(hello.padding).toBeGreaterThan(0);
            expect(hello.extensions.at(-1)?.type).toBe(ExtensionType.padding);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseClientHello', () => {
  it('reads a hello split over several records and refuses broken ones', () => {
    const message = buildHello({ version: 'TLSv1.2', suites: [0xc02f] }).message;
    const half = message.length >> 1;
    const split = Buffer.concat([
      Buffer.from([22, 3, 1, 0, half]),
      message.subarray(0, half),
      Buffer.from([22, 3, 1, (message.length - half) >> 8, (message.length - half) & 0xff]),
      message.subarray(half),
    ]);
    expect(parsedHello(new Uint8Array(split)).suites).toEqual([0xc02f]);

    expect(parseClientHello(message.subarray(0, message.length - 1)).ok).toBe(false);
    expect(parseClientHello(fromHex('0200000400000000')).ok).toBe(false);
  });
});
