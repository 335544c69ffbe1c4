// The engine against scripted TLS servers, for what no real server does on demand: a suite
// that was never offered (case 6), a middlebox that hangs on some hello lengths (case 9),
// refusals by reset or close_notify (case 10), version intolerance, a version above the one
// offered, malformed replies and silence.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointScan, ScanOptions } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { suiteByName } from '../../src/wire/suites.js';
import { makeSelfSigned } from '../support/pki.js';
import {
  type ScriptAction,
  type ScriptedHello,
  type ScriptedServer,
  startScriptedServer,
  startTcpProxy,
  tls12Flight,
} from '../support/scripted.js';
import { type RunningServer, startOpenssl } from '../support/servers.js';

const code = (name: string) => suiteByName(name)!.code;
const FAST: ScanOptions = {
  ...DEFAULT_SCAN_OPTIONS,
  connectTimeoutMs: 2_000,
  readTimeoutMs: 2_000,
};

const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

async function scan(endpoint: string, options: ScanOptions = FAST): Promise<EndpointScan> {
  const [result] = await scanEndpoints([parseEndpoint(endpoint)], options);
  return result;
}

let certificate: Uint8Array;
beforeAll(async () => {
  certificate = (await makeSelfSigned({ keyType: 'rsa2048' })).certDer;
});

// A TLS 1.2 server with three suites that it picks in the client's order; `refuse` says what
// it does with a hello it cannot serve (no TLS 1.2, or none of its suites).
const LIKED = ['ECDHE-RSA-AES128-GCM-SHA256', 'AES128-GCM-SHA256', 'AES128-SHA'].map(code);

function tls12Server(refuse: ScriptAction, liked = LIKED) {
  return (hello: ScriptedHello): ScriptAction => {
    const client = hello.clientHello;
    if (!client) return { kind: 'reset' };

    const canTls12 = client.legacyVersion >= 0x0303 || client.supportedVersions.includes(0x0303);
    const suite = client.suites.find((offered) => liked.includes(offered));
    if (!canTls12 || suite === undefined) return refuse;

    const ecdhe = suiteByName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')!.code === suite;
    return {
      kind: 'reply',
      bytes: tls12Flight({
        suite,
        certificates: [certificate],
        ...(ecdhe
          ? {
              keyExchange: { kind: 'ecdhe', group: 29, publicKey: new Uint8Array(randomBytes(32)) },
            }
          : {}),
      }),
    };
  };
}

async function scripted(script: (hello: ScriptedHello) => ScriptAction): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  running.push(server);
  return server;
}

describe('refusals without an alert (case 10)', () => {
  it.each([
    ['reset', { kind: 'reset' } as ScriptAction, 'reset'],
    ['close_notify', { kind: 'close_notify' } as ScriptAction, 'closed'],
  ] as const)(
    'a server that refuses by %s: suites refused, a finding, never a failed scan',
    async (_label, refuse, kind) => {
      const server = await scripted(tls12Server(refuse));
      const result = await scan(server.endpoint);
      const address = result.addresses[0];

      expect(result.status).toBe('scanned');
      expect(address.versions.filter((v) => v.accepted).map((v) => v.version)).toEqual(['TLSv1.2']);
      const tls12 = address.suites[0];
      expect(tls12.accepted.map((s) => s.code).sort()).toEqual([...LIKED].sort());
      expect(tls12.refusals).toEqual([kind]);
      expect(tls12.complete).toBe(true);
      expect(address.observations.map((o) => o.id)).toContain('refusal-without-alert');
      expect(server.errors).toEqual([]);
    },
  );
});

describe('the close_notify sent behind each hello', () => {
  // A server that refuses by closing, but whose close becomes a reset when the client's bytes
  // behind the hello were left unread, as the kernel does for a server that reads one record.
  const alertBehind = (hello: ScriptedHello) => hello.received.length > 5 + hello.handshake.length;
  const closesOrResets = (hello: ScriptedHello): ScriptAction =>
    alertBehind(hello) ? { kind: 'reset' } : { kind: 'close' };

  it('is left out once it turns a close into a reset, so refusals keep their kind', async () => {
    const server = await scripted(tls12Server({ kind: 'close' }));
    const changed = await scripted((hello) => {
      const answer = tls12Server({ kind: 'close' })(hello);
      return answer.kind === 'close' ? closesOrResets(hello) : answer;
    });
    const [plain, found] = await Promise.all([scan(server.endpoint), scan(changed.endpoint)]);

    const kinds = (result: EndpointScan) =>
      result.addresses[0].versions.map((v) => `${v.version} ${v.outcome.kind}`);
    expect(kinds(found)).toEqual(kinds(plain));
    expect(found.addresses[0].suites).toEqual(plain.addresses[0].suites);
    expect(found.addresses[0].suites[0].refusals).toEqual(['closed']);

    // The first reset is asked again without the alert, and so are the hellos that were open
    // then or started before that answer came (each at most the per-host concurrency); after
    // that no hello carries it.
    const extra = changed.connections() - server.connections();
    expect(extra).toBeGreaterThanOrEqual(1);
    expect(extra).toBeLessThanOrEqual(2 * FAST.perHostConcurrency + 1);
    const withoutAlert = changed.hellos.filter((hello) => !alertBehind(hello)).length;
    expect(withoutAlert).toBeGreaterThan(extra);
    expect(server.hellos.every(alertBehind)).toBe(true);
  });

  it('stays when the server resets whether or not the alert came', async () => {
    const server = await scripted(tls12Server({ kind: 'reset' }));
    const result = await scan(server.endpoint);

    expect(result.addresses[0].suites[0].refusals).toEqual(['reset']);
    // Only the first reset was asked again without it.
    expect(server.hellos.filter((hello) => !alertBehind(hello)).length).toBe(1);
  });
});

describe('a suite that was never offered (case 6)', () => {
  it('is a protocol violation and never counted as accepted', async () => {
    // 0xFEFF is no suite of the registry, so no hello ever offers it.
    const server = await scripted(() => ({
      kind: 'reply',
      bytes: tls12Flight({ suite: 0xfeff, certificates: [certificate] }),
    }));
    const result = await scan(server.endpoint);

    // Reached, and answered in TLS: scanned, with the violation in every version's outcome.
    expect(result.status).toBe('scanned');
    expect(result.notScanned).toBeUndefined();
    const address = result.addresses[0];
    expect(address.notScanned).toBeUndefined();
    expect(address.versions.every((v) => v.accepted === null)).toBe(true);
    expect(address.versions.every((v) => v.outcome.kind === 'violation')).toBe(true);
    expect(address.suites).toEqual([]);
    expect(address.sender.outcome.kind).toBe('violation');
    const notOffered = address.observations.filter((o) => o.id === 'suite-not-offered');
    expect(notOffered.map((o) => o.detail)).toEqual([expect.stringMatching(/0xfeff, not offered/)]);
  });

  it('names a registered suite that was not offered', async () => {
    // TLS_RSA_WITH_NULL_MD5 (0x0001) is in the registry, but no probe offers a null suite.
    const server = await scripted(() => ({
      kind: 'reply',
      bytes: tls12Flight({ suite: 0x0001, certificates: [certificate] }),
    }));
    const result = await scan(server.endpoint);

    expect(result.status).toBe('scanned');
    const details = result.addresses[0].observations
      .filter((o) => o.id === 'suite-not-offered')
      .map((o) => o.detail);
    expect(details).toEqual([
      expect.stringMatching(/chose suite TLS_RSA_WITH_NULL_MD5 \(0x0001\), not offered/),
    ]);
  });

  it('is a violation also when the server picks an offered suite for another version', async () => {
    // Answers TLS 1.2 whatever versions the hello offered: hellos up to TLS 1.1 get a
    // version above what they offered.
    const inner = tls12Server({ kind: 'alert', description: 40 });
    const server = await scripted((hello) => {
      const client = hello.clientHello!;
      return inner({ ...hello, clientHello: { ...client, legacyVersion: 0x0303 } });
    });
    const address = (await scan(server.endpoint)).addresses[0];

    const tls11 = address.versions.find((v) => v.version === 'TLSv1.1')!;
    expect(tls11.accepted).toBe(null);
    expect(tls11.outcome.kind).toBe('violation');
    expect(address.versions.find((v) => v.version === 'TLSv1.2')!.accepted).toBe(true);
    const details = address.observations
      .filter((o) => o.id === 'version-above-offered')
      .map((o) => o.detail);
    expect(details).toEqual([expect.stringMatching(/TLSv1.2, which was not offered/)]);
  });
});

describe('version intolerance', () => {
  it('reports a server that resets TLS 1.3 hellos instead of answering TLS 1.2', async () => {
    const inner = tls12Server({ kind: 'alert', description: 40 });
    const server = await scripted((hello) =>
      hello.clientHello?.supportedVersions.includes(0x0304) ? { kind: 'reset' } : inner(hello),
    );
    const address = (await scan(server.endpoint)).addresses[0];

    expect(address.versions.find((v) => v.version === 'TLSv1.2')!.accepted).toBe(true);
    expect(address.versions.find((v) => v.version === 'TLSv1.3')).toMatchObject({
      accepted: false,
      outcome: { kind: 'reset' },
    });
    expect(address.observations.find((o) => o.id === 'version-intolerance')?.detail).toMatch(
      /TLSv1.3 ends with a TCP reset, although TLSv1.2 is accepted/,
    );
  });
});

describe('silence and garbage', () => {
  it('a server that goes silent for some hellos leaves them inconclusive, never refused', async () => {
    // Silent whenever none of its suites is offered: every refusal is a timeout instead.
    const server = await scripted(tls12Server({ kind: 'silence' }));
    const started = Date.now();
    const result = await scan(server.endpoint, {
      ...FAST,
      readTimeoutMs: 400,
      endpointDeadlineMs: 30_000,
    });
    const address = result.addresses[0];

    expect(result.status).toBe('scanned');
    const tls12 = address.suites[0];
    expect(tls12.accepted.map((s) => s.code).sort()).toEqual([...LIKED].sort());
    expect(tls12.complete).toBe(false);
    expect(tls12.refusals).toEqual([]);
    // TLS 1.1 and older timed out: inconclusive, not refused.
    expect(address.versions.find((v) => v.version === 'TLSv1.1')).toMatchObject({
      accepted: null,
      outcome: { kind: 'timeout' },
    });
    expect(address.observations.map((o) => o.id)).toContain('incomplete');
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('a server that accepts TCP and never answers ends after about two read timeouts', async () => {
    const server = await scripted(() => ({ kind: 'silence' }));
    const readMs = 400;
    const started = Date.now();
    const result = await scan(server.endpoint, {
      ...FAST,
      connectTimeoutMs: 400,
      readTimeoutMs: readMs,
    });
    const elapsed = Date.now() - started;

    expect(result.status).toBe('not-scanned');
    expect(result.notScanned?.reason).toBe('timeout');
    const address = result.addresses[0];
    expect(address.versions.every((v) => v.accepted === null)).toBe(true);
    expect(address.versions.every((v) => v.outcome.kind === 'timeout')).toBe(true);
    // The TLS 1.3 hello with the TLS 1.2, 1.1 and 1.0 hellos beside it once it connected,
    // then the TLS 1.3 hello's retry with the small hello beside it: nothing more.
    expect(server.hellos.length).toBe(6);
    expect(result.notScanned?.detail).toMatch(/^the server accepts connections but answered no/);
    expect(elapsed).toBeLessThan(2 * readMs + 600);
  });

  it('a server silent only to old versions costs about two read timeouts more', async () => {
    const key = await makeSelfSigned({ keyType: 'rsa2048' });
    const direct = await startOpenssl({ certPem: key.certPem, keyPem: key.keyPem });
    running.push(direct);
    const proxy = await startTcpProxy(direct, (hello) => {
      const client = hello.clientHello;
      const offers12 =
        client !== null &&
        (client.legacyVersion >= 0x0303 || client.supportedVersions.some((v) => v >= 0x0303));
      return offers12 ? 'forward' : { kind: 'silence' };
    });
    running.push(proxy);
    const readMs = 400;
    const options = { ...FAST, connectTimeoutMs: 400, readTimeoutMs: readMs };

    let started = Date.now();
    await scan(`${direct.address}:${direct.port}`, options);
    const directMs = Date.now() - started;
    started = Date.now();
    const result = await scan(proxy.endpoint, options);
    const extraMs = Date.now() - started - directMs;

    expect(result.status).toBe('scanned');
    const versions = result.addresses[0].versions;
    expect(versions.filter((v) => v.accepted).map((v) => v.version)).toEqual([
      'TLSv1.2',
      'TLSv1.3',
    ]);
    // Silence is no refusal: the old versions stay inconclusive.
    for (const old of versions.filter((v) => v.version !== 'TLSv1.2' && v.version !== 'TLSv1.3')) {
      expect(old).toMatchObject({ accepted: null, outcome: { kind: 'timeout' } });
    }
    expect(extraMs).toBeLessThan(2.5 * readMs + 400);
  });

  it('a malformed ServerHello is a violation, not an acceptance', async () => {
    const server = await scripted(() => ({
      kind: 'reply',
      // A whole ServerHello message of four bytes: far too short to hold its fields.
      bytes: new Uint8Array([22, 3, 3, 0, 8, 2, 0, 0, 4, 3, 3, 0, 0]),
      after: 'close',
    }));
    const result = await scan(server.endpoint);

    expect(result.addresses[0].versions.every((v) => v.accepted !== true)).toBe(true);
    expect(result.addresses[0].versions.some((v) => v.outcome.kind === 'violation')).toBe(true);
  });
});

describe('ClientHello length intolerance (case 9)', () => {
  const intolerable = (length: number) => length >= 256 && length <= 511;
  let direct: RunningServer;
  let proxy: ScriptedServer;

  beforeAll(async () => {
    const key = await makeSelfSigned({ keyType: 'rsa2048' });
    direct = await startOpenssl({ certPem: key.certPem, keyPem: key.keyPem });
    running.push(direct);
    // A middlebox that hangs on ClientHellos of 256 to 511 bytes, as the F5 terminators did
    // (RFC 7685 Section 1), whether it reads the message with its 4-byte header or the body
    // alone (the header's length field, as the case states it).
    proxy = await startTcpProxy(direct, (hello) =>
      intolerable(hello.handshake.length) || intolerable(hello.handshakeLength)
        ? { kind: 'silence' }
        : 'forward',
    );
    running.push(proxy);
  });

  it('gives the same results through the middlebox as directly', async () => {
    const [throughProxy, directly] = await Promise.all([
      scan(proxy.endpoint),
      scan(`${direct.address}:${direct.port}`),
    ]);
    const summary = (result: EndpointScan) => {
      const address = result.addresses[0];
      return {
        versions: address.versions.map((v) => [v.version, v.accepted]),
        suites: address.suites.map((s) => [
          s.version,
          s.preference,
          s.complete,
          s.accepted.map((a) => a.code).sort(),
        ]),
        groups: address.groups.map((g) => [g.version, [...g.groups].sort()]),
      };
    };

    expect(summary(throughProxy)).toEqual(summary(directly));
    const lengths = proxy.hellos.flatMap((hello) => [
      hello.handshake.length,
      hello.handshakeLength,
    ]);
    expect(lengths.filter(intolerable)).toEqual([]);
  });

  it('says so when a middlebox drops every hello of 512 bytes or more', async () => {
    // Hellos are padded out of 256..511 to 512 and more, so such a box drops all of them but
    // the small hello sent to tell this from a silent server.
    const large = await startTcpProxy(direct, (hello) =>
      hello.handshake.length >= 508 ? { kind: 'silence' } : 'forward',
    );
    running.push(large);

    const result = await scan(large.endpoint);
    expect(result.status).toBe('not-scanned');
    expect(result.notScanned?.reason).toBe('timeout');
    const detail = result.notScanned?.detail ?? '';
    expect(detail).toMatch(/^the server answered a hello of \d+ bytes but none of \d+ bytes or/);
    expect(detail).toContain('something on the path drops large ClientHellos');
  });
});
