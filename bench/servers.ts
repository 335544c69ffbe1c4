// The local servers the benchmark scans, started with the test harness: openssl s_server as it
// comes (TLS 1.2 and 1.3), gnutls-serv with the legacy versions, CBC and 3DES switched on, and
// nginx with TLS 1.3 alone; and the fleet, one nginx listening on many ports. All of them serve
// a leaf for 127.0.0.1 issued by a private root made for the run.

import {
  type IssuedCertificate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  type TempDir,
} from '../test/support/pki.js';
import { freePort } from '../test/support/ports.js';
import {
  nginxTlsServer,
  type RunningServer,
  startGnutls,
  startNginx,
  startOpenssl,
} from '../test/support/servers.js';

export interface BenchPki {
  root: IssuedCertificate;
  leaf: IssuedCertificate;
  /** An ECDSA P-256 leaf for the fleet (see startFleet). */
  ecdsaLeaf: IssuedCertificate;
  /** The root's PEM file, for the scanners that take a trust anchor. */
  rootFile: string;
  dir: TempDir;
}

export interface BenchServer {
  name: string;
  description: string;
  /** The binary it needs, to say which is missing when it cannot start. */
  binary: string;
  start(pki: BenchPki): Promise<RunningServer>;
}

/**
 * A root, an RSA leaf (as most webhook receivers serve) and an ECDSA leaf, both for 127.0.0.1,
 * ::1 and localhost.
 */
export async function makeBenchPki(): Promise<BenchPki> {
  const root = await makeRoot({ subject: 'CN=webhook-tls-probe bench root' });
  const leaf = await issueLeaf(root, { subject: 'localhost', keyType: 'rsa2048' });
  const ecdsaLeaf = await issueLeaf(root, { subject: 'localhost', keyType: 'p256' });
  const dir = makeTempDir('wtp-bench-');
  const rootFile = dir.write('root.pem', root.certPem);
  return { root, leaf, ecdsaLeaf, rootFile, dir };
}

function files(pki: BenchPki) {
  return { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem };
}

// gnutls-serv's NORMAL keeps CBC suites but no 3DES, and the versions are set explicitly so
// that TLS 1.3 is off and TLS 1.0 and 1.1 are on whatever the system's defaults say.
const GNUTLS_LEGACY = 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+3DES-CBC';

/** The servers every scanner is compared on, in the order of the tables. */
export const BENCH_SERVERS: BenchServer[] = [
  {
    name: 'openssl',
    description: 'openssl s_server with its defaults: TLS 1.2 and TLS 1.3, RSA certificate.',
    binary: 'openssl',
    start: (pki) => startOpenssl(files(pki)),
  },
  {
    name: 'gnutls',
    description: `gnutls-serv with TLS 1.0 to 1.2, CBC and 3DES suites (\`${GNUTLS_LEGACY}\`).`,
    binary: 'gnutls-serv',
    start: (pki) => startGnutls({ ...files(pki), priority: GNUTLS_LEGACY }),
  },
  {
    name: 'nginx',
    description: 'nginx with TLS 1.3 only (`ssl_protocols TLSv1.3`).',
    binary: 'nginx',
    start: (pki) =>
      startNginx({
        files: { 'leaf.crt': pki.leaf.certPem, 'leaf.key': pki.leaf.keyPem },
        serverBlocks: nginxTlsServer({
          certFile: '{{DIR}}/leaf.crt',
          keyFile: '{{DIR}}/leaf.key',
          defaultServer: true,
          directives: 'ssl_protocols TLSv1.3;',
        }),
      }),
  },
];

export interface Fleet {
  /** `127.0.0.1:port` for every endpoint of the fleet. */
  endpoints: string[];
  description: string;
  stop(): Promise<void>;
}

const FLEET_START_ATTEMPTS = 3;

export type FleetKey = 'rsa' | 'ecdsa';

/**
 * `size` endpoints served by `instances` nginx processes, each listening on its share of the
 * ports with TLS 1.2 and 1.3 and nginx's default suites: a fleet of compliant receivers.
 * ECDSA by default: the fleet's servers share the machine's two cores with the scanner, and an
 * RSA signature per handshake would measure nginx more than the scanner.
 */
export async function startFleet(
  pki: BenchPki,
  size: number,
  instances = 1,
  key: FleetKey = 'ecdsa',
): Promise<Fleet> {
  const running: RunningServer[] = [];
  const endpoints: string[] = [];

  try {
    for (let instance = 0; instance < instances; instance++) {
      const share = Math.floor(size / instances) + (instance < size % instances ? 1 : 0);
      const server = await startFleetInstance(key === 'rsa' ? pki.leaf : pki.ecdsaLeaf, share);
      running.push(server.server);
      endpoints.push(...server.ports.map((port) => `127.0.0.1:${port}`));
    }
  } catch (error) {
    await Promise.all(running.map((server) => server.stop()));
    throw error;
  }

  return {
    endpoints,
    description:
      `${instances === 1 ? 'one nginx process' : `${instances} nginx processes`}, ` +
      `TLS 1.2 and 1.3, ${key === 'rsa' ? 'RSA 2048' : 'ECDSA P-256'} certificate`,
    stop: async () => {
      await Promise.all(running.map((server) => server.stop()));
    },
  };
}

async function startFleetInstance(
  leaf: IssuedCertificate,
  ports: number,
): Promise<{ server: RunningServer; ports: number[] }> {
  let lastError: unknown;

  // The harness picks the first port and retries it when taken; the others are picked here,
  // and a start that fails (one of them taken meanwhile) is tried again with new ones.
  for (let attempt = 0; attempt < FLEET_START_ATTEMPTS; attempt++) {
    const extra: number[] = [];
    for (let i = 1; i < ports; i++) {
      extra.push(await freePort(['127.0.0.1']));
    }
    const listens = extra.map((port) => `  listen 127.0.0.1:${port} ssl;`).join('\n');

    try {
      const server = await startNginx({
        files: { 'leaf.crt': leaf.certPem, 'leaf.key': leaf.keyPem },
        serverBlocks: nginxTlsServer({
          certFile: '{{DIR}}/leaf.crt',
          keyFile: '{{DIR}}/leaf.key',
          defaultServer: true,
          directives: `ssl_protocols TLSv1.2 TLSv1.3;\n${listens}`,
        }),
      });
      return { server, ports: [server.port, ...extra] };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
