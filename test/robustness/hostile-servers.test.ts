// Hostile servers on real sockets: each way a server can misbehave gives the probe (and the
// scan above it) a clear outcome within its timeouts, never an exception or a hang. Every
// server here is a scripted one on a loopback port of its own.

import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanOptions } from '../../src/model.js';
import { type HelloProbeResult, probeHello } from '../../src/probe/connection.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { concatBytes } from '../../src/wire/bytes.js';
import type { HelloOptions } from '../../src/wire/hello.js';
import {
  encodeCertificate,
  encodeFlight,
  encodeRecord,
  encodeRecords,
  encodeServerHello,
  encodeServerHelloDone,
} from '../../src/wire/server.js';
import { ContentType } from '../../src/wire/versions.js';
import {
  type ScriptAction,
  type ScriptedServer,
  startScriptedServer,
  tls12Flight,
} from '../support/scripted.js';

const HELLO: HelloOptions = { version: 'TLSv1.2', suites: [0xc02f, 0xc030, 0x002f] };
const TIMEOUTS = { connectMs: 1000, readMs: 400 };
const LEAF = new Uint8Array(600).fill(0x30);

const servers: ScriptedServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

/** A scripted server that answers every hello the same way. */
async function serve(action: ScriptAction, address = '127.0.0.1'): Promise<ScriptedServer> {
  const server = await startScriptedServer(() => action, { address });
  servers.push(server);
  return server;
}

async function probe(
  action: ScriptAction,
  timeouts = TIMEOUTS,
): Promise<{ result: HelloProbeResult; elapsed: number; server: ScriptedServer }> {
  const server = await serve(action);
  const started = Date.now();
  const result = await probeHello({ address: server.address, port: server.port }, HELLO, timeouts);
  return { result, elapsed: Date.now() - started, server };
}

async function closedPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}

const serverHello = () => encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f });
const goodFlight = () => tls12Flight({ suite: 0xc02f, certificates: [LEAF] });

describe('a probe against a hostile server', () => {
  it('reads a reply sent one byte at a time', async () => {
    const { result } = await probe(
      { kind: 'trickle', bytes: goodFlight(), intervalMs: 0 },
      { connectMs: 1000, readMs: 3000 },
    );
    expect(result.outcome).toMatchObject({ kind: 'accepted', suite: 0xc02f });
    expect(result.certificates).toEqual([LEAF]);
  });

  it('gives up on a trickle that never ends within three read timeouts', async () => {
    // Each byte comes well inside the read timeout, so only the cap on the whole flight ends it.
    const endlessTrickle = new Uint8Array(100_000).fill(0x17);
    const slow = concatBytes([encodeFlight(0x0303, [serverHello()]), endlessTrickle]);
    const { result, elapsed } = await probe({ kind: 'trickle', bytes: slow, intervalMs: 20 });

    expect(result.outcome.kind).not.toBe('error');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUTS.readMs * 3 - 50);
    expect(elapsed).toBeLessThan(TIMEOUTS.readMs * 3 + 1000);
  });

  it('stops reading endless TLS-shaped data at the flight cap', async () => {
    // Heartbeat records are skipped by the reader, so nothing but the byte cap ends this.
    const heartbeat = encodeRecord(ContentType.heartbeat, 0x0303, new Uint8Array(16_000));
    const { result, elapsed } = await probe({
      kind: 'endless',
      chunk: heartbeat,
      maxBytes: 16 * 1024 * 1024,
    });

    expect(result.outcome).toEqual({
      kind: 'violation',
      detail: 'more than 1048576 bytes in one flight',
    });
    expect(elapsed).toBeLessThan(5000);
  });

  it('reads endless plaintext as not TLS at once', async () => {
    const { result, elapsed } = await probe({ kind: 'endless', maxBytes: 16 * 1024 * 1024 });
    expect(result.outcome.kind).toBe('not-tls');
    expect(elapsed).toBeLessThan(2000);
  });

  it('refuses a huge Certificate message by its announced length, before its bytes', async () => {
    // 16 MB announced; only the header is ever sent, so waiting for it would hang.
    const header = Uint8Array.of(11, 0xff, 0xff, 0xff);
    const { result, elapsed } = await probe({
      kind: 'reply',
      bytes: encodeFlight(0x0303, [serverHello(), header]),
    });
    expect(result.outcome).toEqual({
      kind: 'violation',
      detail: 'certificate of 16777215 bytes exceeds the message size limit',
    });
    expect(elapsed).toBeLessThan(TIMEOUTS.readMs);
  });

  it('refuses a chain over the caps, and reads a large one under them', async () => {
    const many = Array.from({ length: 40 }, () => new Uint8Array(100).fill(0x30));
    const tooMany = await probe({
      kind: 'reply',
      bytes: encodeFlight(0x0303, [serverHello(), encodeCertificate(many)]),
    });
    expect(tooMany.result.outcome).toEqual({
      kind: 'violation',
      detail: 'Certificate: 40 certificates, more than the cap',
    });

    const large = Array.from({ length: 10 }, (_, index) => new Uint8Array(20_000).fill(index));
    const { result } = await probe({
      kind: 'reply',
      bytes: tls12Flight({ suite: 0xc02f, certificates: large }),
    });
    expect(result.outcome.kind).toBe('accepted');
    expect(result.certificates).toEqual(large);
  });

  it('calls wrong record types violations', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [encodeRecord(ContentType.applicationData, 0x0303, new Uint8Array(40)), /application data/],
      [
        concatBytes([
          encodeFlight(0x0303, [serverHello()]),
          encodeRecord(99, 0x0303, new Uint8Array(4)),
        ]),
        /unknown record content type 99/,
      ],
      [encodeRecord(ContentType.changeCipherSpec, 0x0303, Uint8Array.of(1)), /ChangeCipherSpec/],
      [encodeRecord(ContentType.alert, 0x0303, Uint8Array.of(2, 40, 1)), /alert record of 3/],
      [encodeFlight(0x0303, [encodeServerHelloDone()]), /before the ServerHello/],
      [
        concatBytes([
          encodeFlight(0x0303, [serverHello()]),
          encodeRecord(ContentType.handshake, 0x0200, encodeServerHelloDone()),
        ]),
        /record version 2\.0 is not TLS/,
      ],
    ];
    for (const [bytes, detail] of cases) {
      const { result } = await probe({ kind: 'reply', bytes, after: 'close' });
      expect(result.outcome.kind, String(detail)).toBe('violation');
      expect(result.outcome.kind === 'violation' && result.outcome.detail).toMatch(detail);
    }
  });

  it('reads an SSL 2.0 reply as not TLS', async () => {
    // SSL 2.0 SERVER-HELLO: 2-byte header with the high bit set, then message type 4.
    const sslv2 = Uint8Array.of(0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x10);
    const { result } = await probe({ kind: 'reply', bytes: sslv2, after: 'close' });
    expect(result.outcome).toEqual({
      kind: 'not-tls',
      detail: 'the server answered with an SSL 2.0 ServerHello, not TLS',
    });
  });

  it('keeps a ServerHello read before a reset in mid-flight', async () => {
    // The ServerHello in a record of its own, then half of the Certificate record.
    const flight = encodeRecords(
      ContentType.handshake,
      0x0303,
      concatBytes([serverHello(), encodeCertificate([LEAF]), encodeServerHelloDone()]),
      100,
    );
    const afterHello = await probe({
      kind: 'reply',
      bytes: flight.subarray(0, 200),
      after: 'reset',
    });
    expect(afterHello.result.outcome).toMatchObject({ kind: 'accepted', suite: 0xc02f });
    expect(afterHello.result.flightComplete).toBe(false);

    // Cut inside the first record header. Linux delivers the bytes, then the RST; some network
    // stacks (gVisor) end such a connection with a FIN instead, which leaves a partial record.
    const inHeader = await probe({ kind: 'reply', bytes: flight.subarray(0, 3), after: 'reset' });
    expect([
      { kind: 'reset' },
      { kind: 'violation', detail: 'the server closed the connection inside a record' },
    ]).toContainEqual(inHeader.result.outcome);

    const before = await probe({ kind: 'reset' });
    expect(before.result.outcome).toEqual({ kind: 'reset' });
  });

  it('times out on accept-then-silence after the read timeout', async () => {
    const { result, elapsed } = await probe({ kind: 'silence' });
    expect(result.outcome).toEqual({ kind: 'timeout', phase: 'read' });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUTS.readMs - 20);
    expect(elapsed).toBeLessThan(TIMEOUTS.readMs + 600);
  });

  it('reads a half-close as closed', async () => {
    const { result, elapsed } = await probe({ kind: 'half_close' });
    expect(result.outcome).toEqual({ kind: 'closed' });
    expect(elapsed).toBeLessThan(TIMEOUTS.readMs);
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const result = await probeHello({ address: '127.0.0.1', port }, HELLO, TIMEOUTS);
    expect(result.outcome).toEqual({ kind: 'error', detail: 'connection refused (ECONNREFUSED)' });
  });

  it('answers over IPv6 loopback as over IPv4', async () => {
    const server = await serve({ kind: 'reply', bytes: goodFlight() }, '::1');
    const result = await probeHello({ address: '::1', port: server.port }, HELLO, TIMEOUTS);
    expect(result.outcome).toMatchObject({ kind: 'accepted', suite: 0xc02f });
  });
});

// ---------------------------------------------------------------------------------------------
// Whole scans

const FAST: ScanOptions = {
  ...DEFAULT_SCAN_OPTIONS,
  connectTimeoutMs: 400,
  readTimeoutMs: 300,
  endpointDeadlineMs: 1500,
  perHostConcurrency: 4,
  concurrency: 8,
};

async function scanOne(endpoint: string, options: Partial<ScanOptions> = {}) {
  const started = Date.now();
  const [scan] = await scanEndpoints([parseEndpoint(endpoint)], { ...FAST, ...options });
  return { scan, elapsed: Date.now() - started };
}

describe('a scan of a hostile server', () => {
  it('ends within its deadline when the server accepts and says nothing', async () => {
    const server = await serve({ kind: 'silence' });
    const { scan, elapsed } = await scanOne(server.endpoint);

    expect(scan.status).toBe('not-scanned');
    expect(scan.notScanned?.reason).toBe('timeout');
    // The deadline stops new probes and shrinks the timeouts of those under way.
    expect(elapsed).toBeLessThan(FAST.endpointDeadlineMs + 500);
    expect(server.connections()).toBeGreaterThan(1);
  });

  it('ends within its deadline when every reply trickles without end', async () => {
    const slow = concatBytes([
      encodeFlight(0x0303, [serverHello()]),
      new Uint8Array(50_000).fill(0x16),
    ]);
    const server = await serve({ kind: 'trickle', bytes: slow, intervalMs: 50 });
    const { scan, elapsed } = await scanOne(server.endpoint, { endpointDeadlineMs: 2000 });

    expect(['scanned', 'not-scanned']).toContain(scan.status);
    expect(elapsed).toBeLessThan(2000 + 1000);
  });

  it('reports a plaintext server, an SSL 2.0 server and a closed port as not scanned', async () => {
    const http = await serve({ kind: 'plaintext_http' });
    const sslv2 = await serve({
      kind: 'reply',
      bytes: Uint8Array.of(0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02),
      after: 'close',
    });
    const port = await closedPort();
    const scans = await scanEndpoints(
      [http.endpoint, sslv2.endpoint, `127.0.0.1:${port}`].map((text) => parseEndpoint(text)),
      FAST,
    );

    expect(scans.map((scan) => scan.notScanned?.reason)).toEqual(['not-tls', 'not-tls', 'refused']);
    expect(scans[0].notScanned?.detail).toMatch(/plaintext HTTP reply: "HTTP\/1\.1 400/);
    expect(scans[1].notScanned?.detail).toMatch(/SSL 2\.0 ServerHello/);
    expect(scans[2].notScanned?.detail).toMatch(/refused/);
  });

  it('reports a server that resets, closes or alerts every hello as scanned and refusing', async () => {
    const actions: ScriptAction[] = [
      { kind: 'reset' },
      { kind: 'close' },
      { kind: 'half_close' },
      { kind: 'alert', description: 40 },
    ];
    const endpoints = await Promise.all(
      actions.map(async (action) => (await serve(action)).endpoint),
    );
    const scans = await scanEndpoints(
      endpoints.map((text) => parseEndpoint(text)),
      FAST,
    );

    for (const scan of scans) {
      expect(scan.status, scan.endpoint.input).toBe('scanned');
      const versions = scan.addresses[0].versions;
      expect(versions.every((support) => support.accepted === false)).toBe(true);
    }
  });

  it('reads a server that breaks the protocol in its answers without crashing', async () => {
    // Every hello gets a TLS 1.2 ServerHello with RC4-SHA: a violation for every hello that
    // did not offer that suite or version, a real answer for the one chunk that did.
    const fixed = await serve({
      kind: 'reply',
      bytes: tls12Flight({ suite: 0x0005, certificates: [LEAF] }),
      after: 'close',
    });
    const appData = await serve({
      kind: 'reply',
      bytes: encodeRecord(ContentType.applicationData, 0x0303, new Uint8Array(32)),
      after: 'close',
    });
    const [fixedScan, appDataScan] = await scanEndpoints(
      [fixed.endpoint, appData.endpoint].map((text) => parseEndpoint(text)),
      FAST,
    );

    expect(fixedScan.status).toBe('scanned');
    const address = fixedScan.addresses[0];
    const byVersion = Object.fromEntries(address.versions.map((v) => [v.version, v.accepted]));
    expect(byVersion).toEqual({
      SSLv3: null,
      'TLSv1.0': null,
      'TLSv1.1': null,
      'TLSv1.2': true,
      'TLSv1.3': false,
    });
    const tls12 = address.suites.find((suites) => suites.version === 'TLSv1.2');
    expect(tls12?.accepted.map((suite) => suite.code)).toEqual([0x0005]);
    const observed = address.observations.map((o) => `${o.id}: ${o.detail}`);
    expect(observed).toEqual(
      expect.arrayContaining([
        'version-above-offered: server chose TLSv1.2, which was not offered',
        'suite-not-offered: server chose suite TLS_RSA_WITH_RC4_128_SHA (0x0005), not offered',
      ]),
    );

    // A server that answers every hello in violation of the protocol was reached and answered:
    // it is scanned, with the violation as the outcome of every version, never as accepted.
    expect(appDataScan.status).toBe('scanned');
    const violated = appDataScan.addresses[0].versions;
    expect(violated.every((support) => support.accepted === null)).toBe(true);
    const details = violated.map((support) =>
      support.outcome.kind === 'violation' ? support.outcome.detail : support.outcome.kind,
    );
    expect(
      details.every((detail) => /application data before the handshake ended/.test(detail)),
    ).toBe(true);
  });

  it('reports a name under .invalid as not resolving, quickly', async () => {
    const { scan, elapsed } = await scanOne('https://webhook.nothing.invalid/in');
    expect(scan.status).toBe('not-scanned');
    expect(scan.notScanned?.reason).toBe('dns');
    expect(scan.notScanned?.detail).toMatch(/webhook\.nothing\.invalid does not resolve/);
    expect(elapsed).toBeLessThan(200);
  });

  it('scans an IPv6-only name at its IPv6 address', async () => {
    const server = await serve({ kind: 'alert', description: 40 }, '::1');
    const resolved: string[] = [];
    const [scan] = await scanEndpoints(
      [parseEndpoint(`v6only.test:${server.port}`)],
      FAST,
      {},
      {
        resolve: async (host) => {
          resolved.push(host);
          return [{ address: '::1', family: 6 }];
        },
      },
    );

    expect(resolved).toEqual(['v6only.test']);
    expect(scan.status).toBe('scanned');
    expect(scan.addresses.map((a) => [a.address, a.family])).toEqual([['::1', 6]]);
    expect(server.connections()).toBe(scan.addresses[0].connections);
    // The endpoint's name, or none and an unknown one for the certificate checks' SNI probes.
    const names = new Set(server.hellos.map((hello) => hello.clientHello?.serverName));
    for (const name of names) {
      expect(String(name)).toMatch(/^(v6only\.test|unknown-[0-9a-f]+\.invalid|null)$/);
    }
    expect(names.has('v6only.test')).toBe(true);
  });

  it('scans the IPv6 address of a name whose IPv4 address refuses', async () => {
    const server = await serve({ kind: 'alert', description: 40 }, '::1');
    const port = server.port;
    // The same port number on 127.0.0.1 is almost surely closed; check instead of assuming.
    const v4Open = await new Promise<boolean>((resolve) => {
      const probeServer = createServer();
      probeServer.once('error', () => resolve(true));
      probeServer.listen(port, '127.0.0.1', () => probeServer.close(() => resolve(false)));
    });
    if (v4Open) return;

    const [scan] = await scanEndpoints(
      [parseEndpoint(`dual.test:${port}`)],
      FAST,
      {},
      {
        resolve: async () => [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ],
      },
    );

    expect(scan.status).toBe('scanned');
    const [v4, v6] = scan.addresses;
    expect(v4.notScanned?.reason).toBe('refused');
    expect(v6.notScanned).toBeUndefined();
    expect(v6.versions.every((support) => support.accepted === false)).toBe(true);
  });
});
