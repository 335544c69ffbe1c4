// A scripted TCP server for behaviour no real TLS server can be configured to show: it reads the
// client's ClientHello, hands it to a script, and does what the script answers (a chosen
// ServerHello, an alert, a reset, close_notify, silence, one byte at a time, plaintext HTTP,
// endless data, a half-close, or forwarding to a real server as a proxy with a rule).

import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Alert } from '../../src/wire/alerts.js';
import { type ParsedClientHello, parseClientHello } from '../../src/wire/parse.js';
import {
  encodeAlert,
  encodeCertificate,
  encodeFlight,
  encodeRecord,
  encodeServerHello,
  encodeServerHelloDone,
  encodeServerKeyExchange,
  type KeyExchangeParameters,
  type ServerHelloOptions,
} from '../../src/wire/server.js';
import { ContentType } from '../../src/wire/versions.js';

/** What the server read from one connection before it asked the script. */
export interface ScriptedHello {
  /** 1 for the first connection the server accepted, and so on. */
  connection: number;
  /** Every byte received so far, records and all. */
  received: Uint8Array;
  /** The first record's header: content type, version and length (RFC 8446, Section 5.1). */
  recordType: number;
  recordVersion: number;
  recordLength: number;
  /** The ClientHello handshake message (4-byte header and body), gathered across records. */
  handshake: Uint8Array;
  /** The body length from the handshake header (what ClientHello length intolerance keys on). */
  handshakeLength: number;
  /** The parsed ClientHello, or the parser's complaint. */
  clientHello: ParsedClientHello | null;
  parseError: string | null;
  /** False when the first bytes were no TLS handshake record (plaintext, garbage). */
  isTls: boolean;
}

export type ScriptAction =
  /** Write bytes, then end as `after` says (default: wait for the client to leave). */
  | { kind: 'reply'; bytes: Uint8Array | Uint8Array[]; after?: Ending }
  /** Write bytes one at a time, `intervalMs` apart. */
  | { kind: 'trickle'; bytes: Uint8Array | Uint8Array[]; intervalMs?: number; after?: Ending }
  /** A fatal alert record (RFC 8446, Section 6), then close. */
  | { kind: 'alert'; description: number; level?: number; recordVersion?: number }
  /** close_notify (a warning-level alert 0), then close. */
  | { kind: 'close_notify'; recordVersion?: number }
  /** TCP reset: RST without any reply. */
  | { kind: 'reset' }
  /** FIN without any reply. */
  | { kind: 'close' }
  /** End our side (FIN) but keep the connection open for the client to write and close. */
  | { kind: 'half_close' }
  /** Say nothing and keep the connection open until the client leaves or the server stops. */
  | { kind: 'silence' }
  /** A plaintext HTTP 400 as a web server without TLS on the port sends. */
  | { kind: 'plaintext_http'; status?: number }
  /** Write `chunk` over and over (as fast as the client reads) up to `maxBytes`, then close. */
  | { kind: 'endless'; chunk?: Uint8Array; maxBytes?: number }
  /** Connect to `host:port`, pass on what was read and relay both ways (a TCP proxy). */
  | { kind: 'forward'; host: string; port: number };

export type Ending = 'wait' | 'close' | 'reset' | 'half_close';

export type Script = (hello: ScriptedHello) => ScriptAction | Promise<ScriptAction>;

export interface ScriptedServerOptions {
  /** 127.0.0.1 (default) or ::1. */
  address?: string;
  /** How long to wait for a whole ClientHello before giving up on the connection. */
  helloTimeoutMs?: number;
}

export interface ScriptedServer {
  address: string;
  port: number;
  endpoint: string;
  /** Connections accepted so far. */
  connections(): number;
  /** The hellos read so far, in order. */
  hellos: ScriptedHello[];
  /** Errors raised by the script or while acting, for assertions and failure messages. */
  errors: Error[];
  stop(): Promise<void>;
}

const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;
// A ClientHello with every extension a client could send stays far below this; past it the
// client is not speaking TLS to us, or is attacking the test.
const MAX_HELLO_BYTES = 1 << 17;

/** Starts a scripted server on a port the kernel chooses. */
export async function startScriptedServer(
  script: Script,
  options: ScriptedServerOptions = {},
): Promise<ScriptedServer> {
  const address = options.address ?? '127.0.0.1';
  const helloTimeoutMs = options.helloTimeoutMs ?? 15_000;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hellos: ScriptedHello[] = [];
  const errors: Error[] = [];
  let connections = 0;
  let stopped = false;

  const context: ActionContext = { timers, sockets, errors, isStopped: () => stopped };

  const server: Server = createServer((socket) => {
    connections += 1;
    const connection = connections;
    sockets.add(socket);
    // Replies go out as written: trickled bytes must not be merged into one segment.
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));

    readHello(socket, connection, helloTimeoutMs, timers)
      .then(async (hello) => {
        if (!hello || stopped) {
          return;
        }
        hellos.push(hello);
        const action = await script(hello);
        await perform(socket, hello, action, context);
      })
      .catch((error: unknown) => {
        errors.push(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      });
  });

  server.listen({ host: address, port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;

  let stopping: Promise<void> | undefined;
  return {
    address,
    port,
    endpoint: address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`,
    connections: () => connections,
    hellos,
    errors,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        stopped = true;
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}

/**
 * A TCP proxy in front of `target` that reads each ClientHello first and lets `rule` decide:
 * forward it, or act as a broken middlebox would (silence, reset, ...).
 */
export function startTcpProxy(
  target: { address: string; port: number },
  rule: (hello: ScriptedHello) => 'forward' | ScriptAction = () => 'forward',
  options: ScriptedServerOptions = {},
): Promise<ScriptedServer> {
  return startScriptedServer((hello) => {
    const decision = rule(hello);
    return decision === 'forward'
      ? { kind: 'forward', host: target.address, port: target.port }
      : decision;
  }, options);
}

// --- Reading the ClientHello ----------------------------------------------------------------

/**
 * Reads until one whole handshake message has arrived in handshake records (RFC 8446,
 * Section 5.1 lets it span several), or until the bytes show it is not TLS. Resolves null when
 * the client leaves or stays silent first.
 */
function readHello(
  socket: Socket,
  connection: number,
  timeoutMs: number,
  timers: Set<NodeJS.Timeout>,
): Promise<ScriptedHello | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);

    const finish = (hello: ScriptedHello | null) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      clearTimeout(timer);
      timers.delete(timer);
      socket.pause();
      resolve(hello);
    };

    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const hello = gatherHello(received, connection);
      if (hello) {
        finish(hello);
      } else if (received.length > MAX_HELLO_BYTES) {
        finish(notTls(received, connection));
      }
    };
    const onClose = () => finish(null);

    const timer = setTimeout(() => {
      finish(null);
      socket.destroy();
    }, timeoutMs);
    timers.add(timer);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

function gatherHello(received: Buffer, connection: number): ScriptedHello | null {
  if (received.length < RECORD_HEADER) {
    return null;
  }

  const recordType = received[0];
  const recordVersion = received.readUInt16BE(1);
  if (recordType !== ContentType.handshake || received[1] !== 0x03) {
    return notTls(received, connection);
  }

  // Concatenate the fragments of consecutive handshake records until the message is whole.
  const fragments: Buffer[] = [];
  let offset = 0;
  let gathered = 0;
  let needed = Number.POSITIVE_INFINITY;
  while (offset + RECORD_HEADER <= received.length && gathered < needed) {
    if (received[offset] !== ContentType.handshake) {
      return notTls(received, connection);
    }
    const length = received.readUInt16BE(offset + 3);
    if (offset + RECORD_HEADER + length > received.length) {
      return null;
    }
    fragments.push(received.subarray(offset + RECORD_HEADER, offset + RECORD_HEADER + length));
    gathered += length;
    offset += RECORD_HEADER + length;
    if (needed === Number.POSITIVE_INFINITY && gathered >= HANDSHAKE_HEADER) {
      const head = Buffer.concat(fragments);
      needed = HANDSHAKE_HEADER + head.readUIntBE(1, 3);
    }
  }
  if (gathered < needed) {
    return null;
  }

  const handshake = new Uint8Array(Buffer.concat(fragments).subarray(0, needed));
  const parsed = parseHandshake(handshake);
  return {
    connection,
    received: new Uint8Array(received),
    recordType,
    recordVersion,
    recordLength: received.readUInt16BE(3),
    handshake,
    handshakeLength: needed - HANDSHAKE_HEADER,
    clientHello: parsed.clientHello,
    parseError: parsed.error,
    isTls: true,
  };
}

function parseHandshake(handshake: Uint8Array): {
  clientHello: ParsedClientHello | null;
  error: string | null;
} {
  const parsed = parseClientHello(handshake);
  return parsed.ok
    ? { clientHello: parsed.value, error: null }
    : { clientHello: null, error: parsed.error };
}

function notTls(received: Buffer, connection: number): ScriptedHello {
  return {
    connection,
    received: new Uint8Array(received),
    recordType: received[0] ?? 0,
    recordVersion: received.length >= 3 ? received.readUInt16BE(1) : 0,
    recordLength: received.length >= 5 ? received.readUInt16BE(3) : 0,
    handshake: new Uint8Array(0),
    handshakeLength: 0,
    clientHello: null,
    parseError: 'not a TLS handshake record',
    isTls: false,
  };
}

// --- Acting -------------------------------------------------------------------------------

interface ActionContext {
  timers: Set<NodeJS.Timeout>;
  sockets: Set<Socket>;
  errors: Error[];
  isStopped(): boolean;
}

function concatBytes(bytes: Uint8Array | Uint8Array[]): Buffer {
  return Array.isArray(bytes) ? Buffer.concat(bytes) : Buffer.from(bytes);
}

function delay(ms: number, context: ActionContext): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      context.timers.delete(timer);
      resolve();
    }, ms);
    context.timers.add(timer);
  });
}

function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    socket.write(bytes, () => resolve());
  });
}

function end(socket: Socket, ending: Ending): void {
  switch (ending) {
    case 'wait':
      // Keep reading so the client's own close is noticed and the socket freed.
      socket.resume();
      return;
    case 'close':
      socket.end();
      socket.resume();
      return;
    case 'half_close':
      socket.end();
      socket.resume();
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
  }
}

async function perform(
  socket: Socket,
  hello: ScriptedHello,
  action: ScriptAction,
  context: ActionContext,
): Promise<void> {
  switch (action.kind) {
    case 'reply':
      await write(socket, concatBytes(action.bytes));
      end(socket, action.after ?? 'wait');
      return;

    case 'trickle': {
      const bytes = concatBytes(action.bytes);
      for (let index = 0; index < bytes.length; index += 1) {
        if (socket.destroyed || context.isStopped()) {
          return;
        }
        await write(socket, bytes.subarray(index, index + 1));
        await delay(action.intervalMs ?? 5, context);
      }
      end(socket, action.after ?? 'wait');
      return;
    }

    case 'alert': {
      const version = action.recordVersion ?? replyVersion(hello);
      await write(socket, alertRecord(action.level ?? 2, action.description, version));
      end(socket, 'close');
      return;
    }

    case 'close_notify': {
      const version = action.recordVersion ?? replyVersion(hello);
      await write(socket, alertRecord(1, Alert.closeNotify, version));
      end(socket, 'close');
      return;
    }

    case 'reset':
      socket.resetAndDestroy();
      return;

    case 'close':
      end(socket, 'close');
      return;

    case 'half_close':
      end(socket, 'half_close');
      return;

    case 'silence':
      end(socket, 'wait');
      return;

    case 'plaintext_http': {
      const status = action.status ?? 400;
      const body = '<html><body>The plain HTTP request was sent to HTTPS port</body></html>\r\n';
      const head =
        `HTTP/1.1 ${status} Bad Request\r\nContent-Type: text/html\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      await write(socket, Buffer.from(head + body, 'latin1'));
      end(socket, 'close');
      return;
    }

    case 'endless': {
      const chunk = Buffer.from(action.chunk ?? new Uint8Array(16 * 1024).fill(0x41));
      const maxBytes = action.maxBytes ?? 64 * 1024 * 1024;
      socket.resume();
      for (let sent = 0; sent < maxBytes; sent += chunk.length) {
        if (socket.destroyed || socket.writableEnded || context.isStopped()) {
          return;
        }
        await write(socket, chunk);
      }
      end(socket, 'close');
      return;
    }

    case 'forward':
      forward(socket, hello, action.host, action.port, context);
      return;
  }
}

// The record version of replies: what the client put on its first record, as TLS 1.2 servers
// echo it, and 0x0303 once the client speaks TLS 1.2 or later (RFC 8446, Section 5.1).
function replyVersion(hello: ScriptedHello): number {
  return hello.recordVersion >= 0x0301 ? 0x0303 : hello.recordVersion || 0x0303;
}

function alertRecord(level: number, description: number, recordVersion: number): Uint8Array {
  return encodeRecord(ContentType.alert, recordVersion, encodeAlert(level, description));
}

function forward(
  socket: Socket,
  hello: ScriptedHello,
  host: string,
  port: number,
  context: ActionContext,
): void {
  const upstream = connect({ host, port });
  context.sockets.add(upstream);
  upstream.once('close', () => {
    context.sockets.delete(upstream);
    socket.destroy();
  });
  upstream.on('error', () => socket.destroy());
  socket.once('close', () => upstream.destroy());

  upstream.once('connect', () => {
    upstream.write(hello.received);
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.resume();
  });
}

// --- Replies scripts often need -------------------------------------------------------------

export interface Tls12FlightOptions {
  /** The suite the ServerHello names (offered or not: scripts may misbehave on purpose). */
  suite: number;
  /** ServerHello version; TLS 1.2 by default. */
  version?: number;
  /** DER certificates for a Certificate message, leaf first; none leaves the message out. */
  certificates?: Uint8Array[];
  /** A ServerKeyExchange, for (EC)DHE suites. */
  keyExchange?: KeyExchangeParameters;
  /** Further ServerHello fields (extensions, session id, ...). */
  serverHello?: Partial<ServerHelloOptions>;
}

/**
 * The first flight of a TLS 1.2 (or older) server: ServerHello, Certificate, ServerKeyExchange
 * when asked, and ServerHelloDone, in handshake records (RFC 5246, Section 7.3).
 */
export function tls12Flight(options: Tls12FlightOptions): Uint8Array {
  const version = options.version ?? 0x0303;
  const messages = [encodeServerHello({ version, suite: options.suite, ...options.serverHello })];
  if (options.certificates && options.certificates.length > 0) {
    messages.push(encodeCertificate(options.certificates));
  }
  if (options.keyExchange) {
    messages.push(encodeServerKeyExchange(options.keyExchange));
  }
  messages.push(encodeServerHelloDone());
  return encodeFlight(version, messages);
}

/** One alert record: fatal by default, with a TLS 1.2 record version unless told otherwise. */
export function alertBytes(description: number, level = 2, recordVersion = 0x0303): Uint8Array {
  return alertRecord(level, description, recordVersion);
}

/** True when the client offered `suite` in its ClientHello. */
export function offered(hello: ScriptedHello, suite: number): boolean {
  return hello.clientHello?.suites.includes(suite) ?? false;
}
