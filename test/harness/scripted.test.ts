// The scripted server: it reads whole ClientHellos (also split across records and TCP segments),
// records them, and carries out every action a script can answer with; the proxy forwards to a
// real server or misbehaves by rule.

import { connect as connectTcp, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFlight } from '../../src/wire/parse.js';
import { makeChain, servedChainPem } from '../support/pki.js';
import {
  alertBytes,
  offered,
  type Script,
  type ScriptedServer,
  startScriptedServer,
  startTcpProxy,
  tls12Flight,
} from '../support/scripted.js';
import { type RunningNodeServer, startNodeTls } from '../support/servers.js';

interface Exchange {
  received: Buffer;
  chunks: number;
  ended: 'end' | 'reset' | 'timeout' | 'error';
  elapsedMs: number;
}

/** Writes `bytes` on a raw TCP connection and collects the answer until the end or a timeout. */
function exchange(
  server: { address: string; port: number },
  bytes: Uint8Array | Uint8Array[],
  options: { timeoutMs?: number; maxBytes?: number; pauseMs?: number } = {},
): Promise<Exchange> {
  const parts = Array.isArray(bytes) ? bytes : [bytes];
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket: Socket = connectTcp({ host: server.address, port: server.port });
    socket.setNoDelay(true);

    let settled = false;
    const finish = (ended: Exchange['ended']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        received: Buffer.concat(chunks),
        chunks: chunks.length,
        ended,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 5_000);

    socket.once('connect', async () => {
      for (const part of parts) {
        socket.write(part);
        if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
      }
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (options.maxBytes && Buffer.concat(chunks).length >= options.maxBytes) finish('end');
    });
    socket.once('end', () => finish('end'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNRESET' ? 'reset' : 'error'),
    );
  });
}

/** Connects with node:tls so the server sees a real client's ClientHello; resolves on any end. */
function nodeClientHello(
  server: { address: string; port: number },
  servername = 'hooks.example.test',
): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: server.address,
      port: server.port,
      servername,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 3_000);
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

/** Re-frames a handshake message into records of at most `fragment` bytes each. */
function inRecords(handshake: Uint8Array, fragment: number): Buffer {
  const records: Buffer[] = [];
  for (let offset = 0; offset < handshake.length; offset += fragment) {
    const piece = handshake.subarray(offset, offset + fragment);
    const header = Buffer.from([0x16, 0x03, 0x01, piece.length >> 8, piece.length & 0xff]);
    records.push(header, Buffer.from(piece));
  }
  return Buffer.concat(records);
}

const servers: { stop(): Promise<void> }[] = [];
afterAll(() => Promise.all(servers.map((server) => server.stop())));

async function scripted(script: Script): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  servers.push(server);
  return server;
}

// A real client's ClientHello, captured once and replayed by the raw tests below.
let capturedHello: Uint8Array;

beforeAll(async () => {
  const recorder = await scripted(() => ({ kind: 'close' }));
  await nodeClientHello(recorder);
  capturedHello = recorder.hellos[0].handshake;
});

describe('reading the ClientHello', () => {
  it('parses a real client hello and records it with the connection count', async () => {
    const server = await scripted(() => ({ kind: 'reset' }));
    await nodeClientHello(server, 'first.example.test');
    await nodeClientHello(server, 'second.example.test');

    expect(server.connections()).toBe(2);
    expect(server.hellos.map((hello) => hello.connection)).toEqual([1, 2]);
    const [first, second] = server.hellos;
    expect(first.isTls).toBe(true);
    expect(first.parseError).toBeNull();
    expect(first.clientHello?.serverName).toBe('first.example.test');
    expect(second.clientHello?.serverName).toBe('second.example.test');
    expect(first.clientHello?.suites.length).toBeGreaterThan(5);
    expect(first.recordType).toBe(22);
    expect(first.handshake[0]).toBe(1);
    expect(first.handshakeLength).toBe(first.handshake.length - 4);
    expect(first.recordLength).toBe(first.handshake.length);
  });

  it('gathers a hello split across records and sent a few bytes at a time', async () => {
    const server = await scripted(() => ({ kind: 'close' }));
    const records = inRecords(capturedHello, 100);
    const segments: Buffer[] = [];
    for (let offset = 0; offset < records.length; offset += 37) {
      segments.push(records.subarray(offset, offset + 37));
    }

    const result = await exchange(server, segments, { pauseMs: 2 });
    expect(result.ended).toBe('end');
    expect(server.hellos).toHaveLength(1);
    expect(Buffer.from(server.hellos[0].handshake)).toEqual(Buffer.from(capturedHello));
    expect(server.hellos[0].recordLength).toBe(100);
    expect(server.hellos[0].clientHello?.serverName).toBe('hooks.example.test');
  });

  it('hands bytes that are not TLS to the script as such', async () => {
    const server = await scripted((hello) =>
      hello.isTls ? { kind: 'reset' } : { kind: 'plaintext_http' },
    );
    const result = await exchange(server, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));

    expect(server.hellos[0].isTls).toBe(false);
    expect(server.hellos[0].clientHello).toBeNull();
    expect(result.received.toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('reports a malformed ClientHello through parseError', async () => {
    const server = await scripted(() => ({ kind: 'close' }));
    const body = Buffer.alloc(40, 0xff);
    const message = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
    await exchange(server, inRecords(message, 1000));

    expect(server.hellos[0].isTls).toBe(true);
    expect(server.hellos[0].clientHello).toBeNull();
    expect(server.hellos[0].parseError).toBeTruthy();
  });

  it('drops a connection that never completes its hello', async () => {
    const server = await startScriptedServer(() => ({ kind: 'close' }), { helloTimeoutMs: 200 });
    servers.push(server);
    const result = await exchange(server, capturedHello.subarray(0, 3), { timeoutMs: 3_000 });

    expect(result.ended).not.toBe('timeout');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(150);
    expect(server.hellos).toHaveLength(0);
    expect(server.connections()).toBe(1);
  });
});

describe('actions', () => {
  const hello = () => inRecords(capturedHello, 1 << 14);

  it('replies with the given bytes, then closes', async () => {
    const bytes = Uint8Array.from([0x16, 0x03, 0x03, 0x00, 0x01, 0x0e]);
    const server = await scripted(() => ({ kind: 'reply', bytes, after: 'close' }));
    const result = await exchange(server, hello());
    expect(result.received).toEqual(Buffer.from(bytes));
    expect(result.ended).toBe('end');
  });

  it('sends a fatal alert record', async () => {
    const server = await scripted(() => ({ kind: 'alert', description: 40 }));
    const result = await exchange(server, hello());
    expect([...result.received]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40]);
    expect(result.ended).toBe('end');
  });

  it('sends close_notify and closes', async () => {
    const server = await scripted(() => ({ kind: 'close_notify' }));
    const result = await exchange(server, hello());
    expect([...result.received]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00]);
    expect(result.ended).toBe('end');
  });

  it('resets the connection', async () => {
    const server = await scripted(() => ({ kind: 'reset' }));
    const result = await exchange(server, hello());
    expect(result.ended).toBe('reset');
    expect(result.received.length).toBe(0);
  });

  it('closes without a word', async () => {
    const server = await scripted(() => ({ kind: 'close' }));
    const result = await exchange(server, hello());
    expect(result.ended).toBe('end');
    expect(result.received.length).toBe(0);
  });

  it('stays silent until the client gives up', async () => {
    const server = await scripted(() => ({ kind: 'silence' }));
    const result = await exchange(server, hello(), { timeoutMs: 400 });
    expect(result.ended).toBe('timeout');
    expect(result.received.length).toBe(0);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(390);
  });

  it('sends bytes one at a time', async () => {
    const bytes = Uint8Array.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    const server = await scripted(() => ({
      kind: 'trickle',
      bytes,
      intervalMs: 20,
      after: 'close',
    }));
    const result = await exchange(server, hello());
    expect(result.received).toEqual(Buffer.from(bytes));
    expect(result.chunks).toBeGreaterThanOrEqual(4);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(6 * 20 - 10);
  });

  it('answers in plaintext HTTP', async () => {
    const server = await scripted(() => ({ kind: 'plaintext_http' }));
    const result = await exchange(server, hello());
    expect(result.received.toString('latin1')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(result.ended).toBe('end');
  });

  it('sends endless data up to the bound', async () => {
    const server = await scripted(() => ({ kind: 'endless', maxBytes: 256 * 1024 }));
    const result = await exchange(server, hello(), { timeoutMs: 10_000 });
    expect(result.ended).toBe('end');
    expect(result.received.length).toBe(256 * 1024);
  });

  it('ends its side but keeps the connection open for the client', async () => {
    const server = await scripted(() => ({ kind: 'half_close' }));
    const socket = connectTcp({ host: server.address, port: server.port, allowHalfOpen: true });
    socket.write(hello());
    await new Promise((resolve) => socket.once('end', resolve));

    // The client may still write after the server's FIN; the server then closes on our FIN.
    const writable = socket.write(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00]));
    socket.end();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(writable).toBe(true);
  });

  it('keeps the script errors for the test to read', async () => {
    const server = await scripted(() => {
      throw new Error('script broke');
    });
    const result = await exchange(server, hello());
    expect(result.ended).not.toBe('timeout');
    expect(server.errors.map((error) => error.message)).toEqual(['script broke']);
  });

  it('stops with silent connections still open', async () => {
    const server = await startScriptedServer(() => ({ kind: 'silence' }));
    const pending = exchange(server, hello(), { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));

    await server.stop();
    const result = await pending;
    expect(result.ended).not.toBe('timeout');
    expect(result.elapsedMs).toBeLessThan(4_000);
  });
});

describe('reply helpers', () => {
  it('builds a TLS 1.2 first flight the wire parser reads back', async () => {
    const { leaf, intermediate } = await makeChain();
    // TLS_RSA_WITH_AES_128_GCM_SHA256, which a modern client offers, and one it never does.
    const server = await scripted((hello) =>
      offered(hello, 0x009c)
        ? {
            kind: 'reply',
            bytes: tls12Flight({
              suite: 0x009c,
              certificates: [leaf.certDer, intermediate.certDer],
            }),
          }
        : { kind: 'reply', bytes: alertBytes(40), after: 'close' },
    );
    const result = await exchange(server, inRecords(capturedHello, 1 << 14), { timeoutMs: 500 });

    expect(offered(server.hellos[0], 0x009c)).toBe(true);
    expect(offered(server.hellos[0], 0x000a)).toBe(false);
    const flight = readFlight(new Uint8Array(result.received));
    expect(flight.serverHello?.suite).toBe(0x009c);
    expect(flight.serverHello?.version).toBe(0x0303);
    expect(flight.certificates.map((der) => Buffer.from(der))).toEqual([
      Buffer.from(leaf.certDer),
      Buffer.from(intermediate.certDer),
    ]);
    expect(flight.end).toBe('complete');
  });

  it('writes an alert record of the level and version asked', () => {
    expect([...alertBytes(70)]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70]);
    expect([...alertBytes(112, 1, 0x0301)]).toEqual([0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 112]);
  });
});

describe('startTcpProxy', () => {
  let pki: Awaited<ReturnType<typeof makeChain>>;
  let backend: RunningNodeServer;

  beforeAll(async () => {
    pki = await makeChain();
    backend = await startNodeTls({ cert: servedChainPem(pki.leaf), key: pki.leaf.keyPem });
    servers.push(backend);
  });

  it('forwards whole TLS connections to the server behind it', async () => {
    const proxy = await startTcpProxy(backend);
    servers.push(proxy);

    const protocol = await new Promise<string | null>((resolve, reject) => {
      const socket = tls.connect({
        host: proxy.address,
        port: proxy.port,
        ca: pki.root.certPem,
        servername: 'localhost',
      });
      socket.once('secureConnect', () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.once('error', reject);
    });

    expect(protocol).toMatch(/^TLSv1\.[23]$/);
    expect(proxy.hellos).toHaveLength(1);
    expect(backend.connections()).toBeGreaterThanOrEqual(1);
  });

  it('hangs on ClientHellos whose handshake length is 256 to 511 bytes', async () => {
    const proxy = await startTcpProxy(backend, (hello) =>
      hello.handshakeLength >= 256 && hello.handshakeLength <= 511
        ? { kind: 'silence' }
        : 'forward',
    );
    servers.push(proxy);
    const before = backend.connections();

    // The rule reads only the handshake header, so zero-filled bodies of chosen lengths do.
    const sized = (length: number) => {
      const body = Buffer.alloc(length, 0);
      return inRecords(
        Buffer.concat([Buffer.from([1, 0, length >> 8, length & 0xff]), body]),
        1 << 14,
      );
    };
    const hanging = await exchange(proxy, sized(300), { timeoutMs: 500 });
    const forwarded = await exchange(proxy, sized(600), { timeoutMs: 3_000 });

    expect(hanging.ended).toBe('timeout');
    expect(hanging.received.length).toBe(0);
    expect(forwarded.ended).not.toBe('timeout');
    expect(backend.connections()).toBe(before + 1);
    expect(proxy.hellos.map((hello) => hello.handshakeLength)).toEqual([300, 600]);
  });
});
