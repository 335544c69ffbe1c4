// Reads the server's first flight as bytes arrive: the record layer (RFC 8446 Section 5,
// RFC 5246 Section 6.2), handshake messages split over records or packed several to a record,
// alerts, and replies that are not TLS at all (plaintext HTTP, SSL 2.0). It stops at the end
// of what a probe waits for: ServerHelloDone (TLS 1.2 and below), the ServerHello or
// HelloRetryRequest (TLS 1.3), or the TLS 1.3 Certificate when it can decrypt the flight.

import { concatBytes, equalBytes, type Parsed } from './bytes.js';
import {
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  parseCertificate,
  parseCertificate13,
  parseCertificateRequest,
  parseCertificateStatus,
  parseEncryptedExtensions,
  parseServerHello,
  parseServerKeyExchange,
  type ServerHello,
  type ServerKeyExchange,
  serverGroupList,
} from './messages.js';
import { suiteByCode } from './suites.js';
import { ContentType, HandshakeType, handshakeTypeName, versionLabel } from './versions.js';

export type {
  ClientHello,
  ClientHello as ParsedClientHello,
  ServerHello,
  ServerKeyExchange,
} from './messages.js';
export { parseClientHello, parseServerHello } from './messages.js';

export interface FlightLimits {
  /** Largest record body accepted: TLSCiphertext's 2^14 + 2048 (RFC 5246 Section 6.2.3). */
  maxRecordLength: number;
  /** Largest handshake message accepted. */
  maxMessageLength: number;
  maxCertificates: number;
  maxChainBytes: number;
  /** Bytes read in all before the reader gives up. */
  maxTotalBytes: number;
}

export const DEFAULT_FLIGHT_LIMITS: FlightLimits = {
  maxRecordLength: (1 << 14) + 2048,
  maxMessageLength: 256 * 1024,
  maxCertificates: 32,
  maxChainBytes: 256 * 1024,
  maxTotalBytes: 1024 * 1024,
};

/** What the hello offered, so that a ServerHello choosing something else is a violation. */
export interface Offer {
  /** Version codes the server may choose. */
  versions: number[];
  suites: number[];
  groups: number[];
  keyShareGroups: number[];
}

/** Opens protected TLS 1.3 records (RFC 8446 Section 5.2). */
export interface RecordDecryptor {
  open(header: Uint8Array, ciphertext: Uint8Array): Parsed<{ type: number; content: Uint8Array }>;
}

/** Makes the decryptor for the server's handshake traffic from its ServerHello. */
export type DecryptorFactory = (
  serverHello: ServerHello,
  serverHelloMessage: Uint8Array,
) => Parsed<RecordDecryptor>;

export interface FlightOptions {
  limits?: Partial<FlightLimits>;
  offer?: Offer;
  /** When set, a TLS 1.3 flight is decrypted up to the Certificate message. */
  decryptTls13?: DecryptorFactory;
  /**
   * The flight answers a second ClientHello, sent after a HelloRetryRequest: a ChangeCipherSpec
   * may come first (RFC 8446 Appendix D.4) and a second HelloRetryRequest is a violation
   * (RFC 8446 Section 4.1.4).
   */
  afterHelloRetry?: boolean;
  /**
   * Keep the handshake messages after the ServerHello, the transcript a client's own Finished
   * covers; in TLS 1.3, decrypted, read on past the Certificate to the server's Finished (RFC
   * 8446 Section 4.4.4). A TLS 1.2 flight ends at the ServerHelloDone as always.
   */
  throughFinished?: boolean;
}

/**
 * How the flight ended: `complete` once the probe has what it waits for; `alert` on a fatal
 * alert; `close-notify` when the server closed the connection with close_notify; `not-tls` and
 * `violation` when the reply was not (proper) TLS. Null while the flight is still arriving.
 */
export type FlightEnd = 'complete' | 'alert' | 'close-notify' | 'not-tls' | 'violation';

export interface Flight {
  serverHello: ServerHello | null;
  /** The ServerHello handshake message as received (for the TLS 1.3 transcript). */
  serverHelloMessage: Uint8Array | null;
  /** DER certificates as served, leaf first. */
  certificates: Uint8Array[];
  ocspResponse: Uint8Array | null;
  keyExchange: ServerKeyExchange | null;
  /** TLS 1.3, decrypted: the supported_groups the server listed in EncryptedExtensions. */
  serverGroups: number[] | null;
  certificateRequested: boolean;
  /**
   * With throughFinished: the handshake messages after the ServerHello as received, in order
   * (TLS 1.3: decrypted), the rest of the transcript a client's Finished covers.
   */
  messagesAfterHello: Uint8Array[];
  /** Descriptions of warning alerts read before the flight went on or ended. */
  warnings: number[];
  fatalAlert: number | null;
  end: FlightEnd | null;
  /** Why the reply is not TLS or breaks the protocol. */
  detail: string | null;
  /** TLS 1.3: whether the encrypted part of the flight was read. */
  encrypted: 'none' | 'undecrypted' | 'decrypted' | 'failed';
  /** Why decryption failed, when it did. */
  decryptError: string | null;
  /** Handshake messages in the order they were read, by name, for diagnostics. */
  messages: string[];
  bytesReceived: number;
}

const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;

export class FlightReader {
  readonly flight: Flight = {
    serverHello: null,
    serverHelloMessage: null,
    certificates: [],
    ocspResponse: null,
    keyExchange: null,
    serverGroups: null,
    certificateRequested: false,
    messagesAfterHello: [],
    warnings: [],
    fatalAlert: null,
    end: null,
    detail: null,
    encrypted: 'none',
    decryptError: null,
    messages: [],
    bytesReceived: 0,
  };

  private readonly limits: FlightLimits;
  private readonly options: FlightOptions;
  /** Bytes being read into records; `incoming` holds chunks not yet joined to them, so that a
   *  flight trickling in byte by byte is joined once per record, not once per byte. */
  private pending: Uint8Array = new Uint8Array(0);
  private incoming: Uint8Array[] = [];
  private incomingLength = 0;
  private handshakeBuffer: Uint8Array = new Uint8Array(0);
  private recordsRead = 0;
  private decryptor: RecordDecryptor | null = null;

  constructor(options: FlightOptions = {}) {
    this.options = options;
    this.limits = { ...DEFAULT_FLIGHT_LIMITS, ...options.limits };
  }

  get ended(): boolean {
    return this.flight.end !== null;
  }

  /** Bytes received but not read: the rest of a record, or what came after the end. */
  get unread(): Uint8Array {
    this.joinIncoming();
    return this.pending;
  }

  /** Feeds bytes from the socket; returns true once the flight has ended. */
  push(chunk: Uint8Array): boolean {
    if (this.ended) return true;

    this.flight.bytesReceived += chunk.length;
    if (this.flight.bytesReceived > this.limits.maxTotalBytes) {
      return this.stop('violation', `more than ${this.limits.maxTotalBytes} bytes in one flight`);
    }
    this.incoming.push(chunk);
    this.incomingLength += chunk.length;
    if (this.pending.length + this.incomingLength < this.bytesWanted()) return false;
    this.joinIncoming();

    while (!this.ended) {
      if (this.recordsRead === 0 && this.pending.length > 0 && !this.looksLikeTls()) break;
      if (this.pending.length < RECORD_HEADER) break;

      const length = (this.pending[3] << 8) | this.pending[4];
      if (!this.checkRecordHeader(length)) break;
      if (this.pending.length < RECORD_HEADER + length) break;

      const header = this.pending.subarray(0, RECORD_HEADER);
      const body = this.pending.subarray(RECORD_HEADER, RECORD_HEADER + length);
      this.pending = this.pending.subarray(RECORD_HEADER + length);
      this.recordsRead++;
      this.readRecord(header, body);
    }
    return this.ended;
  }

  /** The server closed its side (FIN): settles replies that only the end makes clear. */
  endOfStream(): Flight {
    this.joinIncoming();
    if (!this.ended && this.recordsRead === 0 && !startsLikeTls(this.pending)) {
      this.classifyForeign(true);
    }
    return this.flight;
  }

  /** How many bytes the next step needs: a record header, a whole record, or any byte. */
  private bytesWanted(): number {
    if (this.recordsRead === 0 && !startsLikeTls(this.pending)) return 1;
    if (this.pending.length < RECORD_HEADER) return RECORD_HEADER;
    return RECORD_HEADER + ((this.pending[3] << 8) | this.pending[4]);
  }

  private joinIncoming(): void {
    if (this.incoming.length === 0) return;
    this.pending = concatBytes([this.pending, ...this.incoming]);
    this.incoming = [];
    this.incomingLength = 0;
  }

  private stop(end: FlightEnd, detail: string | null = null): true {
    if (this.flight.end === null) {
      this.flight.end = end;
      this.flight.detail = detail;
    }
    return true;
  }

  /**
   * Before the first record: a TLS record starts with a content type (20 to 24) and a major
   * version 3. Anything else is a plaintext reply or SSL 2.0; it is classified once enough
   * bytes are in.
   */
  private looksLikeTls(): boolean {
    if (startsLikeTls(this.pending)) return true;
    this.classifyForeign(false);
    return false;
  }

  private classifyForeign(atEnd: boolean): void {
    const bytes = this.pending;
    const first = bytes[0];

    // SSL 2.0 record: 2-byte header with the high bit set, then the message type; a
    // SERVER-HELLO is type 4 and an ERROR type 0 (draft-hickman-netscape-ssl-00).
    if ((first & 0x80) !== 0) {
      if (bytes.length < 3 && !atEnd) return;
      const type = bytes[2];
      const what = type === 4 ? 'an SSL 2.0 ServerHello' : 'an SSL 2.0-shaped reply';
      this.stop('not-tls', `the server answered with ${what}, not TLS`);
      return;
    }

    if (isPrintable(first)) {
      // The reply goes into reports and terminals: at most its first 64 bytes of one line are
      // quoted, however much arrived at once, and control characters are masked.
      const lineEnd = bytes.findIndex((byte) => byte === 0x0a || byte === 0x0d);
      if (lineEnd < 0 && bytes.length < 64 && !atEnd) return;
      const quoted = bytes.subarray(0, lineEnd < 0 || lineEnd > 64 ? 64 : lineEnd);
      const line = Buffer.from(quoted)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '?');
      const kind = line.startsWith('HTTP/') ? 'plaintext HTTP reply' : 'plaintext reply';
      this.stop('not-tls', `${kind}: "${line.trim()}"`);
      return;
    }

    const hex = Buffer.from(bytes.subarray(0, 8)).toString('hex');
    this.stop('not-tls', `reply is not TLS (first bytes ${hex})`);
  }

  private checkRecordHeader(length: number): boolean {
    const type = this.pending[0];
    const major = this.pending[1];
    if (major !== 3) {
      this.stop('violation', `record version ${this.pending[1]}.${this.pending[2]} is not TLS`);
      return false;
    }
    if (type < ContentType.changeCipherSpec || type > ContentType.heartbeat) {
      this.stop('violation', `unknown record content type ${type}`);
      return false;
    }
    if (length > this.limits.maxRecordLength) {
      this.stop('violation', `record of ${length} bytes exceeds the record size limit`);
      return false;
    }
    if (length === 0 && type !== ContentType.applicationData) {
      // RFC 8446 Section 5.1: only application data may be empty.
      this.stop('violation', `empty ${type === ContentType.alert ? 'alert' : 'handshake'} record`);
      return false;
    }
    return true;
  }

  private readRecord(header: Uint8Array, body: Uint8Array): void {
    switch (header[0]) {
      case ContentType.handshake:
        if (this.decryptor !== null) {
          this.stop('violation', 'plaintext handshake record after the TLS 1.3 ServerHello');
          return;
        }
        this.appendHandshake(body, false);
        return;
      case ContentType.alert:
        this.readAlerts(body);
        return;
      case ContentType.changeCipherSpec:
        this.readChangeCipherSpec(body);
        return;
      case ContentType.applicationData:
        this.readProtected(header, body);
        return;
      default:
        // Heartbeat (RFC 6520) before the handshake ends has no meaning; it is skipped.
        return;
    }
  }

  private readAlerts(body: Uint8Array): void {
    if (body.length % 2 !== 0) {
      this.stop('violation', `alert record of ${body.length} bytes`);
      return;
    }
    for (let offset = 0; offset < body.length && !this.ended; offset += 2) {
      this.readAlert(body[offset], body[offset + 1]);
    }
  }

  private readAlert(level: number, description: number): void {
    if (description === 0) {
      // close_notify ends the connection in order; it is no refusal with a reason.
      this.stop('close-notify');
      return;
    }

    // RFC 8446 Section 6: in TLS 1.3 every alert but close_notify and user_canceled is fatal,
    // whatever its level says.
    const tls13 = this.flight.serverHello?.version === 0x0304;
    if (level === 1 && !(tls13 && description !== 90)) {
      this.flight.warnings.push(description);
      return;
    }
    this.flight.fatalAlert = description;
    this.stop('alert');
  }

  private readChangeCipherSpec(body: Uint8Array): void {
    if (body.length !== 1 || body[0] !== 1) {
      this.stop('violation', 'malformed ChangeCipherSpec');
      return;
    }
    // TLS 1.3 servers send one in middlebox compatibility mode (RFC 8446 Appendix D.4).
    if (this.flight.serverHello?.version === 0x0304) return;
    if (this.flight.serverHello === null && this.options.afterHelloRetry) return;

    // TLS 1.2 and below: a ChangeCipherSpec in the first flight means an abbreviated
    // handshake, which a probe that offers no session never asked for.
    if (this.flight.serverHello === null) {
      this.stop('violation', 'ChangeCipherSpec before the ServerHello');
    } else {
      this.stop('violation', 'ChangeCipherSpec before ServerHelloDone (resumption not offered)');
    }
  }

  private readProtected(header: Uint8Array, body: Uint8Array): void {
    const hello = this.flight.serverHello;
    if (hello === null || hello.version !== 0x0304) {
      this.stop('violation', 'application data before the handshake ended');
      return;
    }
    if (this.decryptor === null) {
      this.flight.encrypted = 'undecrypted';
      this.stop('complete');
      return;
    }

    const opened = this.decryptor.open(header, body);
    if (!opened.ok) {
      this.flight.encrypted = 'failed';
      this.flight.decryptError = opened.error;
      this.stop('complete');
      return;
    }

    const { type, content } = opened.value;
    if (type === ContentType.handshake) this.appendHandshake(content, true);
    else if (type === ContentType.alert) this.readAlerts(content);
    else this.stop('violation', `protected record of type ${type} inside the handshake`);
  }

  private appendHandshake(fragment: Uint8Array, encrypted: boolean): void {
    this.handshakeBuffer =
      this.handshakeBuffer.length === 0 ? fragment : concatBytes([this.handshakeBuffer, fragment]);

    while (!this.ended && this.handshakeBuffer.length >= HANDSHAKE_HEADER) {
      const buffer = this.handshakeBuffer;
      const length = (buffer[1] << 16) | (buffer[2] << 8) | buffer[3];
      if (length > this.limits.maxMessageLength) {
        const name = handshakeTypeName(buffer[0]);
        this.stop('violation', `${name} of ${length} bytes exceeds the message size limit`);
        return;
      }
      if (buffer.length < HANDSHAKE_HEADER + length) return;

      const message = buffer.slice(0, HANDSHAKE_HEADER + length);
      this.handshakeBuffer = buffer.subarray(HANDSHAKE_HEADER + length);
      this.readHandshake(message, encrypted);
    }
  }

  private readHandshake(message: Uint8Array, encrypted: boolean): void {
    const type = message[0];
    const body = message.subarray(HANDSHAKE_HEADER);
    this.flight.messages.push(handshakeTypeName(type));

    if (this.flight.serverHello === null) {
      // RFC 5246 Section 7.4.1.1: a client ignores a HelloRequest during the handshake.
      if (type === HandshakeType.helloRequest && body.length === 0) return;
      if (type !== HandshakeType.serverHello) {
        this.stop('violation', `${handshakeTypeName(type)} before the ServerHello`);
        return;
      }
      this.readServerHello(message);
      return;
    }

    if (this.options.throughFinished) this.flight.messagesAfterHello.push(message);
    if (encrypted) {
      this.readEncryptedHandshake(type, body);
    } else {
      this.readLegacyHandshake(type, body);
    }
  }

  private readServerHello(message: Uint8Array): void {
    const hello = parseServerHello(message.subarray(HANDSHAKE_HEADER));
    if (!hello.ok) {
      this.stop('violation', hello.error);
      return;
    }
    this.flight.serverHello = hello.value;
    this.flight.serverHelloMessage = message;

    const problem = this.options.offer ? checkServerHello(hello.value, this.options.offer) : null;
    if (problem !== null) {
      this.stop('violation', problem);
      return;
    }

    if (hello.value.helloRetryRequest) {
      if (this.options.afterHelloRetry) {
        this.stop('violation', 'a second HelloRetryRequest');
        return;
      }
      this.stop('complete');
      return;
    }
    if (hello.value.version !== 0x0304) return;

    // TLS 1.3: the rest of the flight is encrypted. Without a decryptor the ServerHello is all
    // the probe can read; with one, it goes on to the Certificate.
    if (this.options.decryptTls13 === undefined) {
      this.stop('complete');
      return;
    }
    const decryptor = this.options.decryptTls13(hello.value, message);
    if (!decryptor.ok) {
      this.flight.encrypted = 'failed';
      this.flight.decryptError = decryptor.error;
      this.stop('complete');
      return;
    }
    this.decryptor = decryptor.value;
    if (this.handshakeBuffer.length > 0) {
      this.stop('violation', 'plaintext handshake data after the TLS 1.3 ServerHello');
    }
  }

  /** TLS 1.2 and below: Certificate, CertificateStatus, ServerKeyExchange, ..., ServerHelloDone. */
  private readLegacyHandshake(type: number, body: Uint8Array): void {
    const hello = this.flight.serverHello as ServerHello;
    const certificateLimits = this.limits;

    switch (type) {
      case HandshakeType.certificate: {
        const certificates = parseCertificate(body, certificateLimits);
        if (!certificates.ok) return void this.stop('violation', certificates.error);
        this.flight.certificates = certificates.value;
        return;
      }
      case HandshakeType.certificateStatus: {
        const status = parseCertificateStatus(body);
        if (!status.ok) return void this.stop('violation', status.error);
        this.flight.ocspResponse = status.value;
        return;
      }
      case HandshakeType.serverKeyExchange: {
        const suite = suiteByCode(hello.suite);
        if (suite === undefined) return;
        const exchange = parseServerKeyExchange(body, suite);
        if (!exchange.ok) return void this.stop('violation', exchange.error);
        this.flight.keyExchange = exchange.value;
        return;
      }
      case HandshakeType.certificateRequest: {
        const request = parseCertificateRequest(body, hello.version >= 0x0303);
        if (!request.ok) return void this.stop('violation', request.error);
        this.flight.certificateRequested = true;
        return;
      }
      case HandshakeType.serverHelloDone:
        if (body.length !== 0) return void this.stop('violation', 'ServerHelloDone is not empty');
        this.stop('complete');
        return;
      case HandshakeType.helloRequest:
        return;
      default:
        this.stop('violation', `unexpected ${handshakeTypeName(type)} in the server's flight`);
    }
  }

  /** TLS 1.3, decrypted: EncryptedExtensions, CertificateRequest?, Certificate, ... */
  private readEncryptedHandshake(type: number, body: Uint8Array): void {
    this.flight.encrypted = 'decrypted';

    switch (type) {
      case HandshakeType.encryptedExtensions: {
        const extensions = parseEncryptedExtensions(body);
        if (!extensions.ok) return void this.stop('violation', extensions.error);
        const groups = serverGroupList(extensions.value);
        if (!groups.ok) return void this.stop('violation', groups.error);
        this.flight.serverGroups = groups.value;
        return;
      }
      case HandshakeType.certificateRequest:
        this.flight.certificateRequested = true;
        return;
      case HandshakeType.certificate: {
        const certificate = parseCertificate13(body, this.limits);
        if (!certificate.ok) return void this.stop('violation', certificate.error);
        const entries = certificate.value.entries;
        this.flight.certificates = entries.map((entry) => entry.certificate);
        this.flight.ocspResponse = entries[0]?.ocspResponse ?? null;
        if (!this.options.throughFinished) this.stop('complete');
        return;
      }
      case HandshakeType.certificateVerify:
        if (!this.options.throughFinished) {
          this.stop('violation', 'CertificateVerify before the Certificate');
        }
        return;
      case HandshakeType.finished:
        // Without throughFinished, a Finished here means no Certificate came: a PSK handshake,
        // which the probe does not offer; odd, but it ends the flight all the same.
        this.stop('complete');
        return;
      default:
        this.stop('violation', `unexpected ${handshakeTypeName(type)} in the encrypted flight`);
    }
  }
}

function startsLikeTls(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  const first = bytes[0];
  if (first < ContentType.changeCipherSpec || first > ContentType.heartbeat) return false;
  return bytes.length < 2 || bytes[1] === 3;
}

function isPrintable(byte: number): boolean {
  return (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * Checks a ServerHello against what was offered: version, suite, compression, groups. Returns
 * the violation, or null when the ServerHello is one the hello allowed.
 */
export function checkServerHello(hello: ServerHello, offer: Offer): string | null {
  const offered13 = offer.versions.includes(0x0304);

  if (hello.selectedVersion !== null) {
    // RFC 8446 Section 4.2.1: selected_version must be one offered, and legacy_version 0x0303.
    if (!offered13) return 'supported_versions in a ServerHello to a hello without it';
    if (!offer.versions.includes(hello.selectedVersion)) {
      return `server selected ${versionLabel(hello.selectedVersion)}, which was not offered`;
    }
    if (hello.selectedVersion < 0x0304) {
      return `supported_versions selects ${versionLabel(hello.selectedVersion)}`;
    }
    if (hello.legacyVersion !== 0x0303) {
      return `TLS 1.3 ServerHello with legacy_version ${versionLabel(hello.legacyVersion)}`;
    }
  } else {
    if (hello.legacyVersion >= 0x0304) {
      return `ServerHello version ${versionLabel(hello.legacyVersion)} without supported_versions`;
    }
    // RFC 5246 Appendix E.1: a server reads the client's highest version and may answer any
    // lower one it supports; a TLS 1.2 server also ignores supported_versions, so a version
    // below the lowest listed there is the server negotiating down, which the client may
    // refuse. Only a version above the highest offered breaks the protocol.
    if (hello.legacyVersion > Math.max(...offer.versions)) {
      return `server chose ${versionLabel(hello.legacyVersion)}, which was not offered`;
    }
    if (offered13 && hasDowngradeSentinel(hello.random)) {
      return 'ServerHello random carries the TLS 1.3 downgrade sentinel (RFC 8446 Section 4.1.3)';
    }
  }

  if (!offer.suites.includes(hello.suite)) {
    const code = `0x${hello.suite.toString(16).padStart(4, '0')}`;
    const known = suiteByCode(hello.suite);
    return `server chose suite ${known ? `${known.name} (${code})` : code}, not offered`;
  }
  const suite = suiteByCode(hello.suite);
  if (suite !== undefined) {
    const is13 = suite.minVersion === 'TLSv1.3';
    if (is13 !== (hello.version === 0x0304)) {
      return `suite ${suite.name} cannot be used with ${versionLabel(hello.version)}`;
    }
  }
  if (hello.compression !== 0) return `compression method ${hello.compression} not offered`;

  if (hello.helloRetryRequest) {
    const group = hello.requestedGroup;
    if (hello.version !== 0x0304) return 'HelloRetryRequest that does not select TLS 1.3';
    if (group === null && hello.cookie === null) return 'HelloRetryRequest that changes nothing';
    // RFC 8446 Section 4.2.8: the group must be offered and not already have a share.
    if (group !== null && !offer.groups.includes(group)) {
      return `HelloRetryRequest asks for group ${group}, which was not offered`;
    }
    if (group !== null && offer.keyShareGroups.includes(group)) {
      return `HelloRetryRequest asks for group ${group}, which already had a key share`;
    }
  } else if (hello.version === 0x0304) {
    const share = hello.keyShare;
    if (share === null) return 'TLS 1.3 ServerHello without key_share';
    if (!offer.keyShareGroups.includes(share.group)) {
      return `ServerHello key share for group ${share.group}, which had no share offered`;
    }
  }

  return null;
}

function hasDowngradeSentinel(random: Uint8Array): boolean {
  const tail = random.subarray(24);
  return equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11);
}

/** Parses a whole server flight at once (tests and tools); the same as feeding it in pieces. */
export function readFlight(bytes: Uint8Array, options: FlightOptions = {}): Flight {
  const reader = new FlightReader(options);
  reader.push(bytes);
  return reader.endOfStream();
}
