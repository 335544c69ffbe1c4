// One probe: open a TCP connection, send one ClientHello, read the server's first flight and
// classify how it ended. Everything above this (enumeration, preference, certificates) is
// built from many calls to probeHello. The probe never completes a handshake: the socket is
// destroyed as soon as the flight it waits for has arrived or cannot arrive any more. One
// probe, probeWithoutClientCertificate, does finish a TLS 1.3 or TLS 1.2 handshake, to learn
// whether a server that asks for a client certificate goes on without one.

import { connect, type Socket } from 'node:net';
import type { Accepted, ProbeOutcome } from '../model.js';
import { alertName } from '../wire/alerts.js';
import { type BuiltHello, buildHello, type HelloOptions } from '../wire/hello.js';
import { canMakeKeyShare, makeKeyShare } from '../wire/keyshare.js';
import type { ServerHello } from '../wire/messages.js';
import { type Flight, type FlightOptions, FlightReader } from '../wire/parse.js';
import { suiteByCode } from '../wire/suites.js';
import {
  emptyCertificateRecord,
  finishWithoutCertificate12,
  Tls12AnswerReader,
} from '../wire/tls12.js';
import {
  AnswerReader,
  type AnswerWithoutCertificate,
  finishWithoutCertificate,
  type HandshakeKeys,
  messageHash,
  suiteHash,
  tls13Decryption,
} from '../wire/tls13.js';
import { HandshakeType, versionFromCode } from '../wire/versions.js';

export interface ProbeTarget {
  /** Address to connect to (IP literal). */
  address: string;
  port: number;
}

export interface ProbeTimeouts {
  connectMs: number;
  /**
   * Longest silence while waiting for the flight. The flight as a whole may take at most three
   * times as long, so that a server trickling bytes cannot hold a probe forever.
   */
  readMs: number;
}

export interface HelloProbeResult {
  outcome: ProbeOutcome;
  /** DER certificates from the Certificate message, as served (TLS 1.2 and below, or 1.3 once
   *  decrypted). Empty when none was seen. */
  certificates: Uint8Array[];
  /** The server stapled an OCSP response (status_request answered). */
  ocspStapled: boolean;
  /** The server asked for a client certificate (CertificateRequest, RFC 8446 4.3.2). */
  clientCertificateRequested?: true;
  /** Warning alerts read before the rest of the flight, for example unrecognized_name. */
  warnings: number[];
  /**
   * The TLS 1.3 server answered with a HelloRetryRequest. The outcome is then `accepted` with
   * the suite the HelloRetryRequest names and, as `group`, the group it asks for: the server
   * takes the suite and wants that group, but no handshake key was agreed. The caller decides
   * what that counts for. With `followHelloRetry` the probe sends the second ClientHello and
   * the outcome is the answer to it.
   */
  helloRetryRequest?: boolean;
  /** Set when accepted: everything the probe meant to read arrived (up to ServerHelloDone; in
   *  TLS 1.3 the Certificate, or the ServerHello alone when not decrypting). False when the
   *  flight broke off after the ServerHello or could not be decrypted. */
  flightComplete?: boolean;
  /** Why a TLS 1.3 flight could not be decrypted, when it could not. */
  decryptError?: string;
  /** TLS 1.3, decrypted: the server's own supported_groups list, from EncryptedExtensions. */
  serverGroups?: number[];
}

export interface ProbeOptions {
  /** Decrypts a TLS 1.3 flight up to the Certificate (default true). */
  decryptTls13?: boolean;
  /** Answers a HelloRetryRequest with the second ClientHello on the same connection (default
   *  false), when this runtime can make a key share for the group asked for. */
  followHelloRetry?: boolean;
  /**
   * Sends a close_notify alert right behind the hello, in the same write (default false). A
   * HelloRetryRequest is then not followed, whatever followHelloRetry says: the connection is
   * closed for a second hello (the caller asks again without the alert). A server that
   * handles one connection at a time (openssl s_server, gnutls-serv, many small appliances)
   * otherwise sits for a round trip after its flight, waiting for a reply that never comes;
   * reading the alert right after its flight, it closes at once and takes the next
   * connection. RFC 8446 Section 6.1 lets either side close its write side at any time, and a
   * server reads records in order, so the alert cannot change its answer to the hello.
   */
  closeEarly?: boolean;
  /** Called once the TCP connection is made, before the hello is written. */
  onConnected?: () => void;
}

// ---------------------------------------------------------------------------------------------
// Connection counting: the engine reports how many TCP connections a scan opened.

let connectionsOpened = 0;
const connectionListeners = new Set<(target: ProbeTarget) => void>();

/** TCP connections probeHello has opened (or attempted) in this process. */
export function connectionCount(): number {
  return connectionsOpened;
}

/** Calls `listener` for every connection probeHello opens; returns the unsubscribe function. */
export function onConnection(listener: (target: ProbeTarget) => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

// ---------------------------------------------------------------------------------------------

/** Sends one ClientHello to the target and classifies the server's answer. */
export async function probeHello(
  target: ProbeTarget,
  hello: HelloOptions,
  timeouts: ProbeTimeouts,
  options: ProbeOptions = {},
): Promise<HelloProbeResult> {
  const built = buildHello(hello);
  const connection = new ProbeConnection(target, timeouts);

  try {
    const opened = await connection.open();
    if (opened !== null) return emptyResult(opened);
    options.onConnected?.();

    const closeEarly = options.closeEarly === true;
    const records = closeEarly ? concat(built.records, built.closeNotify) : built.records;
    const first = await connection.exchange(records, flightOptions(built, [], options));
    const retry = first.flight.serverHello;
    if (
      options.followHelloRetry !== true ||
      closeEarly ||
      retry === null ||
      !retry.helloRetryRequest ||
      first.flight.end !== 'complete'
    ) {
      return classify(first);
    }

    const second = await helloAfterRetry(connection, hello, built, first.flight, options);
    return second ?? classify(first);
  } finally {
    connection.destroy();
  }
}

/**
 * Makes a handshake with the hello, answers the server's CertificateRequest with no certificate
 * and a Finished (RFC 8446 Section 4.4.2, RFC 5246 Section 7.4.6), and reads how the server
 * takes it: as a webhook sender would fare, which has no certificate to present. In TLS 1.2 on
 * a suite or group the finish cannot do, the empty Certificate goes alone. A server that asks
 * for a HelloRetryRequest or for no certificate this time gives `unknown`.
 */
export async function probeWithoutClientCertificate(
  target: ProbeTarget,
  hello: HelloOptions,
  timeouts: ProbeTimeouts,
): Promise<AnswerWithoutCertificate> {
  const built = buildHello(hello);
  const connection = new ProbeConnection(target, timeouts);
  const kept: { keys?: HandshakeKeys } = {};
  const decrypt = tls13Decryption([built.message], built.keyShares, (keys) => {
    kept.keys = keys;
  });
  const unknown = (detail: string) => ({ kind: 'unknown', detail }) as const;

  try {
    const opened = await connection.open();
    if (opened !== null) return unknown('the connection failed');

    const options = { offer: built.offer, decryptTls13: decrypt, throughFinished: true };
    const { flight } = await connection.exchange(built.records, options);
    const version = flight.serverHello?.version;
    if (flight.serverHello?.helloRetryRequest) {
      return unknown('the server sent a HelloRetryRequest');
    }
    if (flight.end !== 'complete' || (version !== 0x0304 && version !== 0x0303)) {
      const detail = flight.decryptError ?? flight.detail ?? 'the server refused our hello';
      return { ...unknown(detail), helloRefused: true };
    }
    const tls13Finished = flight.messagesAfterHello.at(-1)?.[0] === HandshakeType.finished;
    if (version === 0x0304 && (!kept.keys || !tls13Finished)) {
      return unknown(flight.decryptError ?? 'the flight did not reach Finished');
    }
    if (!flight.certificateRequested) return unknown('the server asked for no certificate');

    let records: Uint8Array;
    let reader: AnswerReader | Tls12AnswerReader;
    let silenceAnswers = false;
    if (version === 0x0304 && kept.keys !== undefined) {
      const finish = finishWithoutCertificate(kept.keys, flight.messagesAfterHello);
      records = finish.records;
      reader = new AnswerReader(finish.serverApplication);
    } else {
      const finish = finishWithoutCertificate12({
        clientHello: built.message,
        clientRandom: built.random,
        serverHello: flight.serverHello as ServerHello,
        serverMessages: [flight.serverHelloMessage as Uint8Array, ...flight.messagesAfterHello],
        keyExchange: flight.keyExchange,
        certificates: flight.certificates,
      });
      reader = new Tls12AnswerReader();
      // Without the finish, the empty Certificate alone: a server that goes on waits for the
      // ClientKeyExchange, so a whole read timeout of silence is its answer. Known gap: that
      // wait is the price on a server that accepts only suites or curves the finish cannot do
      // (Camellia, ARIA, curves node:crypto lacks).
      records = finish.ok ? finish.value.records : emptyCertificateRecord();
      silenceAnswers = !finish.ok;
    }

    const ending = await connection.converse(records, reader, connection.leftover);
    if (reader.answer !== null) return reader.answer;
    if (ending.kind === 'timeout' && silenceAnswers) {
      const detail = 'the server took an empty Certificate and waited for the key exchange';
      return { kind: 'completed', detail };
    }
    if (ending.kind === 'reset') return unknown('the server reset the connection, saying nothing');
    if (ending.kind === 'timeout') return unknown('the server said nothing in time');
    return unknown('the server closed the connection, saying nothing');
  } finally {
    connection.destroy();
  }
}

/**
 * The second ClientHello after a HelloRetryRequest (RFC 8446 Section 4.1.4): the same hello
 * with a key share for the group asked for and the cookie echoed. Null when it cannot be sent
 * (no key share for the group on this runtime, or the suite's hash is unknown).
 */
async function helloAfterRetry(
  connection: ProbeConnection,
  hello: HelloOptions,
  built: BuiltHello,
  flight: Flight,
  options: ProbeOptions,
): Promise<HelloProbeResult | null> {
  const retry = flight.serverHello;
  const retryMessage = flight.serverHelloMessage;
  const suite = retry ? suiteByCode(retry.suite) : undefined;
  const hash = suite ? suiteHash(suite) : null;
  const group = retry?.requestedGroup ?? null;
  if (!retry || !retryMessage || hash === null || group === null || !canMakeKeyShare(group)) {
    return null;
  }

  const second = buildHello({
    ...hello,
    random: built.random,
    sessionId: built.sessionId,
    keyShares: [makeKeyShare(group)],
    ...(retry.cookie !== null ? { cookie: retry.cookie } : {}),
  });
  // RFC 8446 Section 4.4.1: the first ClientHello enters the transcript as its hash.
  const before = [messageHash(hash, built.message), retryMessage];
  const readerOptions = { ...flightOptions(second, before, options), afterHelloRetry: true };

  const answer = await connection.exchange(second.records, readerOptions, connection.leftover);
  const result: HelloProbeResult = { ...classify(answer), helloRetryRequest: true };

  // RFC 8446 Section 4.1.4: the ServerHello must name the suite of the HelloRetryRequest.
  if (result.outcome.kind === 'accepted' && result.outcome.suite !== retry.suite) {
    const detail = 'the ServerHello after a HelloRetryRequest changes the suite';
    result.outcome = { kind: 'violation', detail };
  }
  return result;
}

function flightOptions(
  built: BuiltHello,
  transcriptBefore: Uint8Array[],
  options: ProbeOptions,
): FlightOptions {
  const decrypt = options.decryptTls13 !== false && built.offer.versions.includes(0x0304);
  return {
    offer: built.offer,
    ...(decrypt
      ? { decryptTls13: tls13Decryption([...transcriptBefore, built.message], built.keyShares) }
      : {}),
  };
}

/** How the socket side of an exchange ended. */
type Ending =
  | { kind: 'flight' }
  | { kind: 'fin' }
  | { kind: 'reset' }
  | { kind: 'timeout' }
  | { kind: 'error'; detail: string };

/** Takes the bytes of a reply; push returns true once it has read what it waits for. */
interface Reader {
  push(chunk: Uint8Array): boolean;
  readonly unread: Uint8Array;
  endOfStream(): void;
}

interface Exchange {
  flight: Flight;
  ending: Ending;
  /** Bytes received but not read: part of a record, or what followed the flight's end. */
  unread: Uint8Array;
}

class ProbeConnection {
  private socket: Socket | null = null;
  /** Bytes read after the previous flight ended, handed to the next exchange. */
  leftover: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly target: ProbeTarget,
    private readonly timeouts: ProbeTimeouts,
  ) {}

  /** Connects; null once connected, or the outcome when it could not. */
  open(): Promise<ProbeOutcome | null> {
    connectionsOpened++;
    for (const listener of connectionListeners) listener(this.target);

    return new Promise((resolve) => {
      const socket = connect({ host: this.target.address, port: this.target.port });
      this.socket = socket;
      socket.setNoDelay(true);

      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ kind: 'timeout', phase: 'connect' });
      }, this.timeouts.connectMs);

      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Errors between exchanges or after the last one must not go unhandled; each exchange
        // listens for the ones that end it.
        socket.on('error', () => {});
        resolve(null);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ kind: 'error', detail: connectError(error) });
      });
    });
  }

  /** Writes the hello and reads until the flight ends, the server leaves or time runs out. */
  async exchange(
    records: Uint8Array,
    options: FlightOptions,
    already: Uint8Array = new Uint8Array(0),
  ): Promise<Exchange> {
    const reader = new FlightReader(options);
    const ending = await this.converse(records, reader, already);
    return { flight: reader.flight, ending, unread: reader.unread };
  }

  /** Writes the records and feeds what comes back to the reader until it has enough. */
  converse(records: Uint8Array, reader: Reader, already: Uint8Array): Promise<Ending> {
    const socket = this.socket as Socket;

    return new Promise((resolve) => {
      let settled = false;
      const finish = (ending: Ending) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        clearTimeout(overall);
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('error', onError);
        socket.removeListener('close', onClose);
        this.leftover = reader.unread;
        if (ending.kind === 'fin') reader.endOfStream();
        resolve(ending);
      };

      const onTimeout = () => finish({ kind: 'timeout' });
      let idle = setTimeout(onTimeout, this.timeouts.readMs);
      const overall = setTimeout(onTimeout, this.timeouts.readMs * 3);

      const onData = (chunk: Buffer) => {
        clearTimeout(idle);
        idle = setTimeout(onTimeout, this.timeouts.readMs);
        if (reader.push(new Uint8Array(chunk))) finish({ kind: 'flight' });
      };
      const onEnd = () => finish({ kind: 'fin' });
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish({ kind: 'reset' });
        else finish({ kind: 'error', detail: `${error.code ?? 'error'}: ${error.message}` });
      };
      const onClose = () => finish({ kind: 'fin' });

      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('error', onError);
      socket.once('close', onClose);

      if (already.length > 0 && reader.push(already)) {
        finish({ kind: 'flight' });
        return;
      }
      socket.write(records);
    });
  }

  destroy(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function connectError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') {
    return `no route to the address (${error.code})`;
  }
  return `cannot connect: ${error.code ?? error.message}`;
}

function emptyResult(outcome: ProbeOutcome): HelloProbeResult {
  return { outcome, certificates: [], ocspStapled: false, warnings: [] };
}

/**
 * The outcome of one flight. A ServerHello the hello allowed is an acceptance, whatever came
 * after it; before one, the flight's own end (alert, close_notify, not TLS, violation) decides,
 * then the socket's (FIN, reset, timeout).
 */
function classify(exchange: Exchange): HelloProbeResult {
  const flight = exchange.flight;
  const result: HelloProbeResult = {
    outcome: outcomeOf(exchange),
    certificates: flight.certificates,
    ocspStapled: flight.ocspResponse !== null,
    warnings: flight.warnings,
  };
  if (flight.serverHello?.helloRetryRequest) result.helloRetryRequest = true;
  if (flight.certificateRequested) result.clientCertificateRequested = true;
  if (result.outcome.kind === 'accepted') {
    result.flightComplete = flight.end === 'complete' && flight.encrypted !== 'failed';
  }
  if (flight.decryptError !== null) result.decryptError = flight.decryptError;
  if (flight.serverGroups !== null) result.serverGroups = flight.serverGroups;
  return result;
}

function outcomeOf({ flight, ending, unread }: Exchange): ProbeOutcome {
  if (flight.end === 'not-tls') return { kind: 'not-tls', detail: flight.detail ?? 'not TLS' };
  if (flight.end === 'violation') {
    return { kind: 'violation', detail: flight.detail ?? 'protocol violation' };
  }

  const hello = flight.serverHello;
  if (hello !== null) {
    const version = versionFromCode(hello.version);
    if (version === undefined) {
      return { kind: 'violation', detail: `unknown version 0x${hello.version.toString(16)}` };
    }
    const accepted: Accepted = { kind: 'accepted', version, suite: hello.suite };
    const group = hello.helloRetryRequest ? hello.requestedGroup : hello.keyShare?.group;
    if (group !== undefined && group !== null) accepted.group = group;
    if (flight.keyExchange?.kind === 'ecdhe') accepted.group = flight.keyExchange.group;
    if (flight.keyExchange?.kind === 'dhe') accepted.dhBits = flight.keyExchange.primeBits;
    return accepted;
  }

  if (flight.end === 'alert' && flight.fatalAlert !== null) {
    return { kind: 'alert', alert: flight.fatalAlert, alertName: alertName(flight.fatalAlert) };
  }
  if (flight.end === 'close-notify') return { kind: 'closed' };

  switch (ending.kind) {
    case 'reset':
      return { kind: 'reset' };
    case 'fin':
      if (unread.length > 0) {
        return { kind: 'violation', detail: 'the server closed the connection inside a record' };
      }
      return { kind: 'closed' };
    case 'timeout':
      return { kind: 'timeout', phase: 'read' };
    case 'error':
      return { kind: 'error', detail: ending.detail };
    case 'flight':
      return { kind: 'error', detail: 'the flight ended without a ServerHello' };
  }
}
