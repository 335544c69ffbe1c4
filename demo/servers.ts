// The demo's four local servers, each a Node tls server on 127.0.0.1 and a free port, set up
// the way real webhook receivers go wrong: one compliant, one stuck on TLS 1.0, one whose
// suites share nothing with the required list, and one with an expired certificate.

import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import type { DemoCa } from './ca.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DemoServer {
  name: string;
  /** What the server is set up to show, in a few words. */
  setUp: string;
  /** The verdict a correct scan gives it, and the rule it must fail on, if any. */
  expected: { verdict: 'compliant' | 'non-compliant'; failsOn?: string };
  endpoint: string;
  stop(): Promise<void>;
}

interface ServerPlan {
  name: string;
  setUp: string;
  expected: DemoServer['expected'];
  expired?: boolean;
  options: tls.TlsOptions;
}

const PLANS: ServerPlan[] = [
  {
    name: 'compliant',
    setUp: 'TLS 1.2 and 1.3, default suites, valid certificate',
    expected: { verdict: 'compliant' },
    options: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
  },
  {
    name: 'tls1.0-only',
    setUp: 'TLS 1.0 only (SECLEVEL=0)',
    expected: { verdict: 'non-compliant', failsOn: 'version.legacy-accepted' },
    options: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' },
  },
  {
    name: 'no-listed-suite',
    setUp: 'TLS 1.2 with DHE suites only, none of the listed ones',
    expected: { verdict: 'non-compliant', failsOn: 'suites.none-listed' },
    options: {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
      // The RFC 7919 ffdhe2048 group, which OpenSSL picks for 'auto'.
      dhparam: 'auto',
    },
  },
  {
    name: 'expired-certificate',
    setUp: 'TLS 1.2 and 1.3, certificate expired ten days ago',
    expected: { verdict: 'non-compliant', failsOn: 'certificate.expired' },
    expired: true,
    options: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
  },
];

/** Starts the four servers; stop each one when done (stopAll does all of them). */
export async function startDemoServers(ca: DemoCa): Promise<DemoServer[]> {
  const servers: DemoServer[] = [];

  try {
    for (const plan of PLANS) {
      servers.push(await startServer(ca, plan));
    }
  } catch (error) {
    await stopAll(servers);
    throw error;
  }

  return servers;
}

export async function stopAll(servers: DemoServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

async function startServer(ca: DemoCa, plan: ServerPlan): Promise<DemoServer> {
  const now = Date.now();
  const validity = plan.expired
    ? { notBefore: new Date(now - 100 * DAY_MS), notAfter: new Date(now - 10 * DAY_MS) }
    : { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 365 * DAY_MS) };
  const leaf = await ca.issue('127.0.0.1', validity);

  const server = tls.createServer(
    { ...plan.options, cert: leaf.certPem, key: leaf.keyPem },
    (socket) => {
      // The probes never send application data; a completed handshake just ends politely.
      socket.end();
    },
  );

  // Probes hang up mid-handshake on purpose; those are not the demo's errors to report.
  server.on('tlsClientError', () => {});

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    name: plan.name,
    setUp: plan.setUp,
    expected: plan.expected,
    endpoint: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) {
          socket.destroy();
        }
      }),
  };
}
