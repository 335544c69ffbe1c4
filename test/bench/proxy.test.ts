// The benchmark's latency proxy: it must add the round-trip time it is set to (two round trips
// before the first reply, as over a real path, one for each later exchange), count every
// connection, remember the most open at once, and pass a reset through as a reset.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LatencyProxy, startLatencyProxy } from '../../bench/proxy.js';

const RTT_MS = 200;

let echo: Server;
let echoPort: number;
const proxies: LatencyProxy[] = [];

beforeAll(async () => {
  echo = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      // "reset" asks the server to abort the connection, to see the proxy pass that on.
      if (chunk.toString() === 'reset') {
        socket.resetAndDestroy();
        return;
      }
      socket.write(chunk);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  for (const proxy of proxies) {
    await proxy.close();
  }
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

async function proxyWithRtt(rttMs: number): Promise<LatencyProxy> {
  const proxy = await startLatencyProxy({
    target: { address: '127.0.0.1', port: echoPort },
    rttMs,
  });
  proxies.push(proxy);
  return proxy;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends text and resolves with the milliseconds until the same number of bytes came back. */
function roundTrip(socket: Socket, text: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received >= text.length) {
        socket.off('data', onData);
        resolve(performance.now() - started);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

function closed(socket: Socket): Promise<{ hadError: boolean; code?: string }> {
  return new Promise((resolve) => {
    let code: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      code = error.code;
    });
    socket.once('close', (hadError) => resolve({ hadError, code }));
  });
}

async function settle(proxy: LatencyProxy): Promise<void> {
  for (let i = 0; i < 100 && proxy.stats().open > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('latency proxy', () => {
  it('adds two round trips before the first reply and one to each later exchange', async () => {
    const proxy = await proxyWithRtt(RTT_MS);
    const firsts: number[] = [];
    const laters: number[] = [];

    // Timers on a busy machine fire late: the least of a few tries is the delay the proxy
    // added, and a stall of the machine shows only in the others.
    for (let i = 0; i < 2; i++) {
      const socket = await connect(proxy.port);
      firsts.push(await roundTrip(socket, 'hello'));
      for (let j = 0; j < 2; j++) {
        laters.push(await roundTrip(socket, 'again'));
      }
      socket.end();
    }
    const first = Math.min(...firsts);
    const later = Math.min(...laters);

    // Node's timers may fire a millisecond early against performance.now(), once per delay the
    // proxy adds: 3% of the round trip covers that and still catches a missing half.
    expect(first).toBeGreaterThanOrEqual(2 * RTT_MS * 0.97);
    expect(later).toBeGreaterThanOrEqual(RTT_MS * 0.97);
    // A whole round trip each way instead of half would make these 4 and 2 round trips.
    expect(first).toBeLessThan(3.25 * RTT_MS);
    expect(later).toBeLessThan(1.75 * RTT_MS);
  });

  it('adds nothing worth measuring at a round-trip time of zero', async () => {
    const proxy = await proxyWithRtt(0);
    const socket = await connect(proxy.port);

    const first = await roundTrip(socket, 'hello');
    socket.end();

    expect(first).toBeLessThan(50);
  });

  it('keeps the order of bytes sent in many small writes', async () => {
    const proxy = await proxyWithRtt(20);
    const socket = await connect(proxy.port);
    const expected = Array.from({ length: 200 }, (_, i) => `${i};`).join('');

    let received = '';
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if (received.length >= expected.length) {
          resolve();
        }
      });
    });
    for (let i = 0; i < 200; i++) {
      socket.write(`${i};`);
    }
    await done;
    socket.end();

    expect(received).toBe(expected);
  });

  it('counts connections and the most open at once, and starts again on reset', async () => {
    const proxy = await proxyWithRtt(10);

    const together = await Promise.all([
      connect(proxy.port),
      connect(proxy.port),
      connect(proxy.port),
    ]);
    await Promise.all(together.map((socket) => roundTrip(socket, 'x')));
    expect(proxy.stats().open).toBe(3);
    for (const socket of together) {
      socket.end();
    }
    await settle(proxy);

    for (let i = 0; i < 2; i++) {
      const socket = await connect(proxy.port);
      await roundTrip(socket, 'y');
      const gone = closed(socket);
      socket.end();
      await gone;
      await settle(proxy);
    }

    const counted = proxy.stats();
    expect(counted.connections).toBe(5);
    expect(counted.peakOpen).toBe(3);
    expect(counted.open).toBe(0);
    expect(counted.bytesToServer).toBe(5);
    expect(counted.bytesToClient).toBe(5);

    proxy.reset();
    const socket = await connect(proxy.port);
    await roundTrip(socket, 'z');
    socket.end();
    await settle(proxy);

    expect(proxy.stats().connections).toBe(1);
    expect(proxy.stats().peakOpen).toBe(1);
  });

  it('never counts a connection as open with the one its client closed just before', async () => {
    const proxy = await proxyWithRtt(0);

    for (let i = 0; i < 30; i++) {
      const socket = await connect(proxy.port);
      await roundTrip(socket, 'x');
      socket.destroy();
    }
    await settle(proxy);

    expect(proxy.stats().connections).toBe(30);
    expect(proxy.stats().peakOpen).toBe(1);
  });

  it('stops counting a connection as open once the client has ended it', async () => {
    const proxy = await proxyWithRtt(400);
    const socket = await connect(proxy.port);
    await roundTrip(socket, 'x');
    expect(proxy.stats().open).toBe(1);

    // The server's answering FIN takes half a round trip to come back; the client is done now.
    socket.end();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(proxy.stats().open).toBe(0);
  });

  it('passes a reset from the server on to the client as a reset', async () => {
    const proxy = await proxyWithRtt(10);
    const socket = await connect(proxy.port);

    const ending = closed(socket);
    socket.write('reset');
    const ended = await ending;

    expect(ended.hadError).toBe(true);
    expect(ended.code).toBe('ECONNRESET');
  });

  it('resets the client when the server cannot be reached', async () => {
    const unused = createServer();
    await new Promise<void>((resolve) => unused.listen(0, '127.0.0.1', resolve));
    const deadPort = (unused.address() as { port: number }).port;
    await new Promise<void>((resolve) => unused.close(() => resolve()));

    const proxy = await startLatencyProxy({
      target: { address: '127.0.0.1', port: deadPort },
      rttMs: 0,
    });
    proxies.push(proxy);
    const socket = await connect(proxy.port);
    const ended = await closed(socket);

    expect(ended.code).toBe('ECONNRESET');
    expect(proxy.stats().connections).toBe(1);
  });
});
