// Real TLS servers for tests: openssl s_server, nginx, gnutls-serv as child processes, and Node's
// own tls/https servers in-process. Each starts on a loopback port of its own, resolves only once
// it accepts TCP connections, keeps its output for failure messages, and stops for good.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import * as https from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { binaryPath } from './binaries.js';
import { makeTempDir, type TempDir } from './pki.js';
import { freePort } from './ports.js';

export interface RunningServer {
  /** The address to connect to: 127.0.0.1 or ::1. */
  address: string;
  port: number;
  /** `address:port` as an endpoint is written, with IPv6 addresses in brackets. */
  endpoint: string;
  /** What the server printed so far (stdout and stderr, the last 64 KiB). */
  output(): string;
  /** Stops the server and waits until it is gone; calling it again does nothing. */
  stop(): Promise<void>;
}

export interface CertificateFiles {
  certPem: string;
  keyPem: string;
  /** Intermediates sent after the leaf. */
  chainPem?: string;
}

// A loaded two-core machine can take seconds to start nginx while other tests run.
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_LIMIT = 64 * 1024;
const BIND_ATTEMPTS = 5;

function endpointOf(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function requireBinary(name: string): string {
  const path = binaryPath(name);
  if (!path) {
    throw new Error(`${name} is not installed; guard the test with describeWith('${name}', ...)`);
  }
  return path;
}

// --- Child processes ------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();

// A test file that dies before its afterAll must not leave servers holding ports.
process.once('exit', () => {
  for (const child of liveChildren) {
    child.kill('SIGKILL');
  }
});

interface Child {
  process: ChildProcess;
  output(): string;
  exited(): boolean;
  /** Resolves with the first match of `pattern` in the output, rejects on exit or deadline. */
  waitForOutput(pattern: RegExp, deadline: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

function startChild(command: string, args: string[], cwd: string): Child {
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  liveChildren.add(child);

  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  // stdin stays open and empty: s_server reads it between connections, and EOF would end it.
  child.stdin?.on('error', () => {});

  let exitedFlag = false;
  const exitPromise = new Promise<void>((resolve) => {
    const finish = () => {
      exitedFlag = true;
      liveChildren.delete(child);
      for (const listener of listeners) listener();
      resolve();
    };
    // 'close' comes after the output pipes are drained, so failure messages are complete.
    child.once('close', finish);
    child.once('error', (error) => {
      append(Buffer.from(`\n[spawn error] ${error.message}\n`));
      finish();
    });
  });

  const waitForOutput = (pattern: RegExp, deadline: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          done();
          resolve(match);
        } else if (exitedFlag) {
          done();
          reject(new Error(`${command} exited before printing ${pattern}`));
        }
      };
      const done = () => {
        listeners.delete(check);
        clearTimeout(timer);
      };
      timer = setTimeout(
        () => {
          done();
          reject(new Error(`${command} printed no ${pattern} in time`));
        },
        Math.max(0, deadline - Date.now()),
      );
      listeners.add(check);
      check();
    });

  const stop = async () => {
    if (exitedFlag) {
      return;
    }
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exitPromise;
    clearTimeout(timer);
  };

  return {
    process: child,
    output: () => output,
    exited: () => exitedFlag,
    waitForOutput,
    stop,
  };
}

function failure(what: string, child: Child, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${what} did not start: ${reason}\n--- output ---\n${child.output()}`);
}

// --- Waiting for a port ---------------------------------------------------------------------

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host, port });
    const finish = (accepted: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(accepted);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Resolves once `host:port` accepts a TCP connection, polling with a growing pause; rejects at
 * `deadline` or as soon as `child` (when given) has exited.
 */
export async function waitForPort(
  host: string,
  port: number,
  deadline = Date.now() + START_TIMEOUT_MS,
  child?: { exited(): boolean },
): Promise<void> {
  let pause = 25;

  while (Date.now() < deadline) {
    if (child?.exited()) {
      throw new Error('the server exited');
    }
    if (await tryConnect(host, port, Math.min(1_000, Math.max(1, deadline - Date.now())))) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 250);
  }

  throw new Error(`nothing accepted connections on ${endpointOf(host, port)} in time`);
}

async function waitForFile(path: string, deadline: number, child: Child): Promise<void> {
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      return;
    }
    if (child.exited()) {
      throw new Error('the server exited');
    }
    if (addressInUse(child.output())) {
      throw new Error('the port is taken');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${path} did not appear in time`);
}

// Servers that cannot pick their own port get one from freePort(); another process may bind it
// first, so a start that fails to bind is tried again on a new port.
async function withFreshPorts<T>(
  hosts: string[],
  fixedPort: number | undefined,
  start: (port: number) => Promise<T | 'address-in-use'>,
): Promise<T> {
  if (fixedPort !== undefined) {
    const result = await start(fixedPort);
    if (result === 'address-in-use') {
      throw new Error(`port ${fixedPort} is taken by another process`);
    }
    return result;
  }

  for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt += 1) {
    const result = await start(await freePort(hosts));
    if (result !== 'address-in-use') {
      return result;
    }
  }
  throw new Error(`every one of ${BIND_ATTEMPTS} ports tried was taken by another process`);
}

function addressInUse(output: string): boolean {
  return /address already in use/i.test(output);
}

function hostsOf(address: string): string[] {
  return address === '::1' ? ['::1'] : [address];
}

function runningChild(address: string, port: number, child: Child, dir: TempDir): RunningServer {
  let stopping: Promise<void> | undefined;
  return {
    address,
    port,
    endpoint: endpointOf(address, port),
    output: child.output,
    stop() {
      stopping ??= child.stop().finally(() => dir.remove());
      return stopping;
    },
  };
}

// --- openssl s_server -----------------------------------------------------------------------

export interface OpensslOptions extends CertificateFiles {
  /** 127.0.0.1 (default) or ::1. */
  address?: string;
  /** A second certificate of another key type, served to clients that prefer it (-dcert). */
  secondCert?: CertificateFiles;
  /** A certificate for one SNI name (-servername, -cert2, -key2). */
  sniCert?: CertificateFiles & { serverName: string };
  /** Answer HTTP requests with a status page (-www); true by default. */
  www?: boolean;
  /** Further s_server arguments, such as `-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384`. */
  args?: string[];
}

/**
 * openssl s_server on a port of its own choosing. It serves one connection at a time but any
 * number of them in a row, and shrugs off handshakes the client abandons.
 */
export async function startOpenssl(options: OpensslOptions): Promise<RunningServer> {
  const binary = requireBinary('openssl');
  const address = options.address ?? '127.0.0.1';
  const dir = makeTempDir('wtp-openssl-');

  const args = [
    's_server',
    '-accept',
    `${address.includes(':') ? `[${address}]` : address}:0`,
    '-cert',
    dir.write('cert.pem', options.certPem),
    '-key',
    dir.write('key.pem', options.keyPem),
  ];
  if (options.chainPem) {
    args.push('-cert_chain', dir.write('chain.pem', options.chainPem));
  }
  if (options.secondCert) {
    args.push('-dcert', dir.write('cert2.pem', options.secondCert.certPem));
    args.push('-dkey', dir.write('key2.pem', options.secondCert.keyPem));
    if (options.secondCert.chainPem) {
      args.push('-dcert_chain', dir.write('chain2.pem', options.secondCert.chainPem));
    }
  }
  if (options.sniCert) {
    args.push('-servername', options.sniCert.serverName);
    args.push('-cert2', dir.write('sni-cert.pem', options.sniCert.certPem));
    args.push('-key2', dir.write('sni-key.pem', options.sniCert.keyPem));
  }
  if (options.www ?? true) {
    args.push('-www');
  }
  args.push(...(options.args ?? []));

  // s_server prints "ACCEPT host:port" once it listens (port 0 lets the kernel choose).
  const child = startChild(binary, args, dir.path);
  try {
    const match = await child.waitForOutput(/^ACCEPT .*:(\d+)\s*$/m, Date.now() + START_TIMEOUT_MS);
    const port = Number(match[1]);
    await waitForPort(address, port, Date.now() + START_TIMEOUT_MS, child);
    return runningChild(address, port, child, dir);
  } catch (error) {
    await child.stop();
    dir.remove();
    throw failure(`openssl s_server ${args.slice(1).join(' ')}`, child, error);
  }
}

// --- nginx ----------------------------------------------------------------------------------

export interface NginxOptions {
  /**
   * `server { ... }` blocks. `{{PORT}}` becomes the port and `{{DIR}}` the server's directory,
   * where `files` are written (so `ssl_certificate {{DIR}}/leaf.crt;`).
   */
  serverBlocks: string | string[];
  /** Files to write into the server's directory, by name. */
  files?: Record<string, string>;
  /** Further directives for the http block. */
  httpDirectives?: string;
  /** The address tests should connect to and whose port must be free; 127.0.0.1 by default. */
  address?: string;
  /** Every address the server blocks listen on, for the free-port check. */
  listenAddresses?: string[];
  /** A port to use instead of a free one; no retry when it is taken. */
  port?: number;
}

function nginxConfig(dir: string, port: number, options: NginxOptions): string {
  const blocks = Array.isArray(options.serverBlocks)
    ? options.serverBlocks.join('\n')
    : options.serverBlocks;

  // One process and no daemon: the test owns the process and stopping it is one signal. Every
  // path nginx writes is inside the server's directory, so nothing needs root but the port.
  const config = `
daemon off;
master_process off;
pid {{DIR}}/nginx.pid;
error_log stderr notice;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path {{DIR}}/body;
  proxy_temp_path {{DIR}}/proxy;
  fastcgi_temp_path {{DIR}}/fastcgi;
  uwsgi_temp_path {{DIR}}/uwsgi;
  scgi_temp_path {{DIR}}/scgi;
  default_type text/plain;
  ${options.httpDirectives ?? ''}
${blocks}
}
`;
  return fillPlaceholders(config, dir, port);
}

function fillPlaceholders(text: string, dir: string, port: number): string {
  return text.replaceAll('{{PORT}}', String(port)).replaceAll('{{DIR}}', dir);
}

/** A plain `server` block for a TLS site, as most nginx tests need one. */
export function nginxTlsServer(site: {
  certFile: string;
  keyFile: string;
  serverName?: string;
  defaultServer?: boolean;
  /** Addresses to listen on; 127.0.0.1 by default. */
  listen?: string[];
  /** Further directives (ssl_protocols, ssl_ciphers, ...). */
  directives?: string;
}): string {
  const flags = site.defaultServer ? ' default_server' : '';
  const listens = (site.listen ?? ['127.0.0.1'])
    .map((host) => `  listen ${host.includes(':') ? `[${host}]` : host}:{{PORT}} ssl${flags};`)
    .join('\n');
  return `server {
${listens}
  server_name ${site.serverName ?? 'localhost'};
  ssl_certificate ${site.certFile};
  ssl_certificate_key ${site.keyFile};
  ${site.directives ?? ''}
  location / { return 200 "ok\\n"; }
}`;
}

/** nginx with the given server blocks, in a directory of its own. */
export async function startNginx(options: NginxOptions): Promise<RunningServer> {
  const binary = requireBinary('nginx');
  const address = options.address ?? '127.0.0.1';
  const hosts = options.listenAddresses ?? hostsOf(address);

  return withFreshPorts(hosts, options.port, async (port) => {
    const dir = makeTempDir('wtp-nginx-');
    for (const [name, content] of Object.entries(options.files ?? {})) {
      dir.write(name, fillPlaceholders(content, dir.path, port));
    }
    const configFile = dir.write('nginx.conf', nginxConfig(dir.path, port, options));

    const args = ['-p', dir.path, '-e', 'stderr', '-c', configFile];
    const child = startChild(binary, args, dir.path);
    const deadline = Date.now() + START_TIMEOUT_MS;
    try {
      // nginx writes its pid file only after it has bound every listen address. Until then a
      // connection could reach whoever else holds the port, while nginx retries for seconds.
      await waitForFile(join(dir.path, 'nginx.pid'), deadline, child);
      await waitForPort(address, port, deadline, child);
      return runningChild(address, port, child, dir);
    } catch (error) {
      await child.stop();
      dir.remove();
      if (addressInUse(child.output())) {
        return 'address-in-use';
      }
      throw failure(`nginx -c ${configFile}`, child, error);
    }
  });
}

// --- gnutls-serv ----------------------------------------------------------------------------

export interface GnutlsOptions extends CertificateFiles {
  /** A GnuTLS priority string, such as `NORMAL:-VERS-TLS1.3`. */
  priority?: string;
  /** A second certificate and key of another key type. */
  secondCert?: CertificateFiles;
  /** Further gnutls-serv arguments. */
  args?: string[];
  /** A port to use instead of a free one; no retry when it is taken. */
  port?: number;
}

/**
 * gnutls-serv in HTTP mode. It listens on every address (it has no option to choose one);
 * tests connect to 127.0.0.1.
 */
export async function startGnutls(options: GnutlsOptions): Promise<RunningServer> {
  const binary = requireBinary('gnutls-serv');
  const address = '127.0.0.1';

  return withFreshPorts(['0.0.0.0', '::'], options.port, async (port) => {
    const dir = makeTempDir('wtp-gnutls-');
    const args = [
      '--http',
      '-p',
      String(port),
      '--x509certfile',
      dir.write('cert.pem', (options.certPem.trim() + '\n' + (options.chainPem ?? '')).trim()),
      '--x509keyfile',
      dir.write('key.pem', options.keyPem),
    ];
    if (options.secondCert) {
      const second = options.secondCert;
      const pem = (second.certPem.trim() + '\n' + (second.chainPem ?? '')).trim();
      args.push('--x509certfile', dir.write('cert2.pem', pem));
      args.push('--x509keyfile', dir.write('key2.pem', second.keyPem));
    }
    if (options.priority) {
      args.push('--priority', options.priority);
    }
    args.push(...(options.args ?? []));

    const child = startChild(binary, args, dir.path);
    const deadline = Date.now() + START_TIMEOUT_MS;
    try {
      // gnutls-serv reports each bind on a line of its own; one that failed on IPv4 leaves it
      // serving IPv6 alone, and 127.0.0.1 would then reach another process.
      const ipv4 = await child.waitForOutput(/IPv4 [^\n]*port \d+\.\.\.([^\n]*)\n/, deadline);
      if (ipv4[1].trim() !== 'done') {
        throw new Error(`binding IPv4 failed: ${ipv4[1].trim()}`);
      }
      await waitForPort(address, port, deadline, child);
      return runningChild(address, port, child, dir);
    } catch (error) {
      await child.stop();
      dir.remove();
      if (addressInUse(child.output())) {
        return 'address-in-use';
      }
      throw failure(`gnutls-serv ${args.join(' ')}`, child, error);
    }
  });
}

// --- Node's own servers ---------------------------------------------------------------------

export interface NodeTlsOptions extends tls.TlsOptions {
  /** 127.0.0.1 (default) or ::1. */
  address?: string;
  /** Answer HTTP requests with `200 ok` (https.createServer); true by default. */
  http?: boolean;
}

export interface RunningNodeServer extends RunningServer {
  server: tls.Server;
  /** Handshakes that failed on the server side (clients that left early land here too). */
  clientErrors: Error[];
  /** Connections accepted at the TCP level. */
  connections(): number;
}

/** A Node tls or https server in this process, on a port the kernel chooses. */
export async function startNodeTls(options: NodeTlsOptions): Promise<RunningNodeServer> {
  const { address = '127.0.0.1', http = true, ...tlsOptions } = options;
  const server: tls.Server = http
    ? https.createServer(tlsOptions, (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok\n');
      })
    : tls.createServer(tlsOptions, (socket) => {
        socket.on('error', () => {});
        socket.end('ok\n');
      });

  const clientErrors: Error[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('tlsClientError', (error) => clientErrors.push(error));
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });

  server.listen({ host: address, port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;

  let stopping: Promise<void> | undefined;
  return {
    address,
    port,
    endpoint: endpointOf(address, port),
    server,
    clientErrors,
    connections: () => connections,
    output: () => clientErrors.map((error) => error.message).join('\n'),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}
