// A TCP proxy that stands in for the network between a scanner and a local server: it adds a set
// round-trip time to every connection and counts the connections a scanner opens, and how many it
// held open at once. Every scanner in the benchmark, ours and the peers, goes through one, so
// connections and concurrency are counted the same way for all of them.
//
// The delay model: each direction is delayed by half the round-trip time, and bytes the client
// sends cannot reach the server before the TCP handshake would have finished (one round trip after
// the client connected). Over a real network a client waits one round trip for SYN-ACK before its
// first byte leaves; here the kernel completes the handshake on loopback at once, so the first
// bytes are held back instead. A ClientHello thus gets its reply two round trips after connect,
// as it would on a real path.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ProxyTarget {
  address: string;
  port: number;
}

export interface ProxyOptions {
  target: ProxyTarget;
  /** Round-trip time to add, in milliseconds; 0 forwards at once. */
  rttMs: number;
  /** Address to listen on; 127.0.0.1 unless set. */
  listenAddress?: string;
}

/** Counts since the proxy started or since the last reset(). */
export interface ProxyStats {
  /** Connections accepted from the client. */
  connections: number;
  /** Most client connections open at the same moment. */
  peakOpen: number;
  /** Client connections open now: accepted, and not yet ended or reset by the client. */
  open: number;
  bytesToServer: number;
  bytesToClient: number;
}

export interface LatencyProxy {
  address: string;
  port: number;
  rttMs: number;
  stats(): ProxyStats;
  /** Starts a new count; connections still open stay counted as open. */
  reset(): void;
  close(): Promise<void>;
}

type Delivery = { kind: 'data'; chunk: Buffer } | { kind: 'end' } | { kind: 'reset' };

/**
 * Delivers chunks to a socket no earlier than their due times, in the order they were pushed.
 * One timer per direction keeps the order exact even where timers of equal delay might not.
 */
class DelayedDirection {
  private readonly queue: { dueAt: number; delivery: Delivery }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly destination: () => Socket | null,
    private readonly onDeliver: (delivery: Delivery) => void,
  ) {}

  push(dueAt: number, delivery: Delivery): void {
    this.queue.push({ dueAt, delivery });
    this.schedule();
  }

  /** Drops what was not yet delivered, when the other side is gone. */
  clear(): void {
    this.queue.length = 0;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Delivers what is due; called again once the destination socket exists. */
  schedule(): void {
    if (this.timer || this.queue.length === 0 || !this.destination()) {
      return;
    }

    const wait = this.queue[0].dueAt - performance.now();
    if (wait > 0.5) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
      return;
    }
    this.flush();
  }

  private flush(): void {
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].dueAt <= now + 0.5) {
      const { delivery } = this.queue.shift()!;
      this.onDeliver(delivery);
    }
    this.schedule();
  }
}

/** Starts a latency proxy in front of `target`; resolves once it listens. */
export async function startLatencyProxy(options: ProxyOptions): Promise<LatencyProxy> {
  const rttMs = options.rttMs;
  const halfRtt = rttMs / 2;
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  const sockets = new Set<Socket>();

  let open = 0;
  let counts = emptyCounts(0);

  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const acceptedAt = performance.now();
    sockets.add(client);
    counts.connections += 1;

    // A client that closes one connection and opens the next at once leaves both events ready
    // in the same turn of the event loop, in no set order. Counting the new connection as open
    // only after that turn (setImmediate runs once the turn's I/O is handled) lets the closes
    // that came first be counted first, so the peak is not one too high.
    let state: 'pending' | 'open' | 'done' = 'pending';
    setImmediate(() => {
      open += 1;
      counts.peakOpen = Math.max(counts.peakOpen, open);
      if (state === 'done') {
        open -= 1;
      } else {
        state = 'open';
      }
    });

    let upstream: Socket | null = null;
    let upstreamReady = false;

    const toServer = new DelayedDirection(
      () => (upstreamReady ? upstream : null),
      (delivery) => deliver(upstream!, delivery),
    );
    const toClient = new DelayedDirection(
      () => client,
      (delivery) => deliver(client, delivery),
    );

    // The client's bytes leave once the simulated handshake is over (see the module comment).
    const dueAtServer = () => Math.max(performance.now() + halfRtt, acceptedAt + rttMs + halfRtt);
    const dueAtClient = () => performance.now() + halfRtt;

    client.on('data', (chunk: Buffer) => {
      counts.bytesToServer += chunk.length;
      toServer.push(dueAtServer(), { kind: 'data', chunk });
    });
    // The connection stops counting as open once the client is done with it (FIN, reset or
    // close), as the client sees it: the proxy's own socket stays half open a little longer,
    // until the server's close has crossed the simulated path back, which is no client's doing.
    const clientDone = () => {
      if (state === 'open') {
        open -= 1;
      }
      state = 'done';
    };

    client.on('end', () => {
      clientDone();
      toServer.push(dueAtServer(), { kind: 'end' });
    });
    client.on('error', () => {
      clientDone();
      toServer.push(dueAtServer(), { kind: 'reset' });
    });
    client.on('close', (hadError) => {
      sockets.delete(client);
      clientDone();
      if (hadError === false && !client.readableEnded) {
        toServer.push(dueAtServer(), { kind: 'reset' });
      }
    });

    upstream = createConnection({
      host: options.target.address,
      port: options.target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    sockets.add(upstream);
    upstream.on('connect', () => {
      upstreamReady = true;
      toServer.schedule();
    });
    upstream.on('data', (chunk: Buffer) => {
      counts.bytesToClient += chunk.length;
      toClient.push(dueAtClient(), { kind: 'data', chunk });
    });
    upstream.on('end', () => toClient.push(dueAtClient(), { kind: 'end' }));
    upstream.on('error', () => {
      toServer.clear();
      toClient.push(dueAtClient(), { kind: 'reset' });
    });
    upstream.on('close', () => sockets.delete(upstream!));
  });

  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('latency proxy: no TCP address after listen');
  }

  return {
    address: listenAddress,
    port: address.port,
    rttMs,
    stats: () => ({ ...counts, open }),
    reset: () => {
      counts = emptyCounts(open);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

function emptyCounts(openNow: number): Omit<ProxyStats, 'open'> {
  return { connections: 0, peakOpen: openNow, bytesToServer: 0, bytesToClient: 0 };
}

function deliver(socket: Socket, delivery: Delivery): void {
  if (socket.destroyed) {
    return;
  }

  switch (delivery.kind) {
    case 'data':
      socket.write(delivery.chunk);
      return;
    case 'end':
      socket.end();
      return;
    case 'reset':
      // A reset from one side becomes a reset on the other, since scanners read a TCP reset as
      // a refusal of its own kind.
      socket.resetAndDestroy();
      return;
  }
}
