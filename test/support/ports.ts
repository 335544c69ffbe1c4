// Free TCP ports for servers that cannot pick their own (nginx, gnutls-serv) and for tests that
// need a port nobody listens on. Several test files run at once, so each vitest worker draws
// from its own block of ports, and every block lies below Linux's ephemeral range (32768 and up)
// where the kernel would hand the same numbers to outgoing connections.

import { createServer } from 'node:net';

const RANGE_START = 20_000;
const RANGE_END = 32_000;
const BLOCKS = 8;
const BLOCK_SIZE = Math.floor((RANGE_END - RANGE_START) / BLOCKS);

const handedOut = new Set<number>();

// vitest numbers its workers from 1 in VITEST_POOL_ID; outside vitest the whole range is used.
function portBlock(): { start: number; size: number } {
  const pool = Number.parseInt(process.env.VITEST_POOL_ID ?? '', 10);
  if (!Number.isInteger(pool) || pool < 1) {
    return { start: RANGE_START, size: RANGE_END - RANGE_START };
  }
  return { start: RANGE_START + ((pool - 1) % BLOCKS) * BLOCK_SIZE, size: BLOCK_SIZE };
}

/** True when `port` can be bound on every host in `hosts` right now. */
export async function isPortFree(port: number, hosts: string[]): Promise<boolean> {
  for (const host of hosts) {
    const result = await tryBind(port, host);
    if (result === 'busy') {
      return false;
    }
  }
  return true;
}

// A host the machine lacks (::1 with IPv6 off) cannot collide with anything, so it counts as free.
function tryBind(port: number, host: string): Promise<'free' | 'busy' | 'no-such-host'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const unusable = error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT';
      resolve(unusable ? 'no-such-host' : 'busy');
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve('free'));
    });
  });
}

/**
 * A port free on all of `hosts` (127.0.0.1 and ::1 by default), never handed out before in this
 * process. Another process may still take it before the caller binds it, so servers started on
 * it retry with a new port when the bind fails.
 */
export async function freePort(hosts: string[] = ['127.0.0.1', '::1']): Promise<number> {
  const { start, size } = portBlock();

  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = start + Math.floor(Math.random() * size);
    if (handedOut.has(port)) {
      continue;
    }
    if (await isPortFree(port, hosts)) {
      handedOut.add(port);
      return port;
    }
  }

  throw new Error(`no free port found in ${start}..${start + size - 1} after 200 attempts`);
}
