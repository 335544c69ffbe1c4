// probeHello against scripted servers: every way a flight can end, classified as the model's
// ProbeOutcome, and the connection counter.

import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionCount,
  type HelloProbeResult,
  onConnection,
  probeHello,
} from '../../src/probe/connection.js';
import { concatBytes } from '../../src/wire/bytes.js';
import type { HelloOptions } from '../../src/wire/hello.js';
import {
  encodeAlert,
  encodeCertificate,
  encodeCertificateStatus,
  encodeFlight,
  encodeRecord,
  encodeServerHello,
  encodeServerHelloDone,
  encodeTls13ServerFlight,
} from '../../src/wire/server.js';
import { ContentType } from '../../src/wire/versions.js';
import {
  type ScriptAction,
  type ScriptedServer,
  startScriptedServer,
} from '../support/scripted.js';

const HELLO: HelloOptions = {
  version: 'TLSv1.2',
  suites: [0xc02f, 0xc030, 0x002f],
  serverName: 'probe.test',
};
const TIMEOUTS = { connectMs: 2000, readMs: 400 };
const LEAF = new Uint8Array(300).fill(0x30);
const ISSUER = new Uint8Array(200).fill(0x31);
const OCSP = Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00);

function goodFlight(suite = 0xc02f): Uint8Array {
  return encodeFlight(0x0303, [
    encodeServerHello({ version: 'TLSv1.2', suite }),
    encodeCertificate([LEAF]),
    encodeServerHelloDone(),
  ]);
}

// One server whose behaviour is chosen by the SNI name of each hello.
const behaviours = new Map<string, ScriptAction>([
  ['accept.test', { kind: 'reply', bytes: goodFlight() }],
  ['reset.test', { kind: 'reset' }],
  ['close.test', { kind: 'close' }],
  ['close-notify.test', { kind: 'close_notify' }],
  ['silence.test', { kind: 'silence' }],
  ['http.test', { kind: 'plaintext_http', status: 400 }],
  ['alert.test', { kind: 'alert', description: 40 }],
  ['unoffered.test', { kind: 'reply', bytes: goodFlight(0x009c), after: 'close' }],
  ['trickle.test', { kind: 'trickle', bytes: goodFlight(), intervalMs: 1 }],
  [
    'ocsp12.test',
    {
      kind: 'reply',
      bytes: encodeFlight(0x0303, [
        encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f, statusRequest: true }),
        encodeCertificate([LEAF]),
        encodeCertificateStatus(OCSP),
        encodeServerHelloDone(),
      ]),
    },
  ],
  [
    'warning.test',
    {
      kind: 'reply',
      bytes: concatBytes([
        encodeRecord(ContentType.alert, 0x0303, encodeAlert(1, 112)),
        goodFlight(),
      ]),
    },
  ],
  [
    'warning-close.test',
    {
      kind: 'reply',
      bytes: encodeRecord(ContentType.alert, 0x0303, encodeAlert(1, 112)),
      after: 'close',
    },
  ],
  ['partial.test', { kind: 'reply', bytes: goodFlight().subarray(0, 30), after: 'close' }],
  [
    'hello-then-reset.test',
    {
      kind: 'reply',
      bytes: encodeFlight(0x0303, [encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f })]),
      after: 'reset',
    },
  ],
]);

let server: ScriptedServer;

beforeAll(async () => {
  server = await startScriptedServer((hello) => {
    const name = hello.clientHello?.serverName ?? '';
    if (name === 'tls13-ocsp.test' && hello.clientHello !== null) {
      const flight = encodeTls13ServerFlight(hello.clientHello, {
        suite: 0x1302,
        certificates: [LEAF, ISSUER],
        ocspResponse: OCSP,
      });
      return { kind: 'reply', bytes: flight };
    }
    return behaviours.get(name) ?? { kind: 'close' };
  });
});

afterAll(async () => {
  await server?.stop();
});

function probe(name: string, options: Partial<HelloOptions> = {}): Promise<HelloProbeResult> {
  return probeHello(
    { address: server.address, port: server.port },
    { ...HELLO, serverName: name, ...options },
    TIMEOUTS,
  );
}

describe('probeHello outcomes', () => {
  it('accepts a TLS 1.2 flight and returns the certificates as served', async () => {
    const result = await probe('accept.test');
    expect(result.outcome).toEqual({ kind: 'accepted', version: 'TLSv1.2', suite: 0xc02f });
    expect(result.certificates).toEqual([LEAF]);
    expect(result.flightComplete).toBe(true);
    expect(result.ocspStapled).toBe(false);
  });

  it('reports a stapled OCSP response, in TLS 1.2 and in a decrypted TLS 1.3 flight', async () => {
    const tls12 = await probe('ocsp12.test');
    expect(tls12.outcome.kind).toBe('accepted');
    expect(tls12.ocspStapled).toBe(true);

    const tls13 = await probe('tls13-ocsp.test', {
      version: 'TLSv1.3',
      suites: [0x1301, 0x1302],
      groups: [23],
    });
    expect(tls13.outcome).toEqual({
      kind: 'accepted',
      version: 'TLSv1.3',
      suite: 0x1302,
      group: 23,
    });
    expect(tls13.certificates).toEqual([LEAF, ISSUER]);
    expect(tls13.ocspStapled).toBe(true);
    expect(tls13.flightComplete).toBe(true);
  });

  it('reads a flight sent one byte at a time', async () => {
    // The whole flight may take three read timeouts; a loaded machine needs more than 400 ms.
    const result = await probeHello(
      { address: server.address, port: server.port },
      { ...HELLO, serverName: 'trickle.test' },
      { connectMs: 2000, readMs: 5000 },
    );
    expect(result.outcome.kind).toBe('accepted');
    expect(result.certificates).toEqual([LEAF]);
  });

  it('tells reset, close, close_notify and a fatal alert apart', async () => {
    expect((await probe('reset.test')).outcome).toEqual({ kind: 'reset' });
    expect((await probe('close.test')).outcome).toEqual({ kind: 'closed' });
    expect((await probe('close-notify.test')).outcome).toEqual({ kind: 'closed' });
    expect((await probe('alert.test')).outcome).toEqual({
      kind: 'alert',
      alert: 40,
      alertName: 'handshake_failure',
    });
  });

  it('times out on silence as a read timeout, not a refusal', async () => {
    const started = Date.now();
    const result = await probe('silence.test');
    expect(result.outcome).toEqual({ kind: 'timeout', phase: 'read' });
    expect(Date.now() - started).toBeLessThan(TIMEOUTS.readMs * 3 + 1000);
  });

  it('reports a plaintext HTTP reply as not TLS', async () => {
    const result = await probe('http.test');
    expect(result.outcome.kind).toBe('not-tls');
    if (result.outcome.kind === 'not-tls') {
      expect(result.outcome.detail).toMatch(/^plaintext HTTP reply: "HTTP\/1\.1 400/);
    }
  });

  it('reports a suite that was never offered as a violation', async () => {
    const result = await probe('unoffered.test');
    expect(result.outcome).toEqual({
      kind: 'violation',
      detail: 'server chose suite TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009c), not offered',
    });
  });

  it('records a warning alert and reads on', async () => {
    const result = await probe('warning.test');
    expect(result.warnings).toEqual([112]);
    expect(result.outcome.kind).toBe('accepted');

    const closed = await probe('warning-close.test');
    expect(closed.warnings).toEqual([112]);
    expect(closed.outcome).toEqual({ kind: 'closed' });
  });

  it('counts a ServerHello as accepted even when the rest never comes', async () => {
    const result = await probe('hello-then-reset.test');
    expect(result.outcome).toMatchObject({ kind: 'accepted', suite: 0xc02f });
    expect(result.flightComplete).toBe(false);
  });

  it('calls a connection closed inside a record a violation', async () => {
    const result = await probe('partial.test');
    expect(result.outcome.kind).toBe('violation');
  });

  it('reports a refused connection as an error, before any hello', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const listener = createServer();
      listener.listen(0, '127.0.0.1', () => {
        const address = listener.address();
        listener.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const result = await probeHello({ address: '127.0.0.1', port: closedPort }, HELLO, TIMEOUTS);
    expect(result.outcome).toEqual({ kind: 'error', detail: 'connection refused (ECONNREFUSED)' });
  });

  it('counts every connection it opens', async () => {
    const seen: number[] = [];
    const unsubscribe = onConnection((target) => seen.push(target.port));
    const before = connectionCount();
    await probe('accept.test');
    await probe('close.test');
    unsubscribe();
    await probe('close.test');
    expect(connectionCount() - before).toBe(3);
    expect(seen).toEqual([server.port, server.port]);
  });

  // Not tested here: the connect timeout, which needs an address that drops SYNs; tests may
  // only talk to loopback, where a closed port refuses at once.
});
