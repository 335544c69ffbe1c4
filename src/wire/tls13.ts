// Enough of the TLS 1.3 key schedule (RFC 8446 Section 7) to read the server's encrypted
// handshake: HKDF, the handshake traffic secret from our key share and the server's, and the
// record protection of Section 5.2 with AES-GCM, AES-CCM and ChaCha20-Poly1305 from node:crypto.
// The probes read the server's Certificate this way. One probe goes further, to see whether a
// server requires a client certificate: it answers with an empty Certificate and a Finished
// (Section 4.4) and reads the server's reply under the application traffic keys.

import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { concatBytes, type Parsed, refused, Writer } from './bytes.js';
import type { KeyShare } from './keyshare.js';
import type { ServerHello } from './messages.js';
import type { DecryptorFactory, RecordDecryptor } from './parse.js';
import { type CipherSuite, suiteByCode } from './suites.js';
import { ContentType, HandshakeType } from './versions.js';

type HashName = 'sha256' | 'sha384';

interface Aead {
  algorithm: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm' | 'aes-256-ccm';
  keyLength: number;
  tagLength: number;
}

/** The hash of the suite's HKDF, when node:crypto has it. */
export function suiteHash(suite: CipherSuite): HashName | null {
  if (suite.prfHash === 'SHA256') return 'sha256';
  if (suite.prfHash === 'SHA384') return 'sha384';
  return null;
}

/** The record protection of a TLS 1.3 suite, when node:crypto has it. */
export function suiteAead(suite: CipherSuite): Aead | null {
  if (suite.cipher === 'AES' && suite.mode === 'GCM') {
    return suite.bits === 128
      ? { algorithm: 'aes-128-gcm', keyLength: 16, tagLength: 16 }
      : { algorithm: 'aes-256-gcm', keyLength: 32, tagLength: 16 };
  }
  if (suite.cipher === 'AES' && (suite.mode === 'CCM' || suite.mode === 'CCM_8')) {
    const tagLength = suite.mode === 'CCM' ? 16 : 8;
    return suite.bits === 128
      ? { algorithm: 'aes-128-ccm', keyLength: 16, tagLength }
      : { algorithm: 'aes-256-ccm', keyLength: 32, tagLength };
  }
  if (suite.cipher === 'CHACHA20' && suite.mode === 'POLY1305') {
    return { algorithm: 'chacha20-poly1305', keyLength: 32, tagLength: 16 };
  }
  // Not yet: SM4 (RFC 8998), AEGIS and GOST suites; their flights are not decrypted.
  return null;
}

function hashLength(hash: HashName): number {
  return hash === 'sha256' ? 32 : 48;
}

export function transcriptHash(hash: HashName, messages: readonly Uint8Array[]): Uint8Array {
  const digest = createHash(hash);
  for (const message of messages) digest.update(message);
  return new Uint8Array(digest.digest());
}

/** HKDF-Extract, RFC 5869 Section 2.2. */
export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(hash, salt).update(ikm).digest());
}

/** HKDF-Expand, RFC 5869 Section 2.3. */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number) {
  const blocks: Uint8Array[] = [];
  let previous = new Uint8Array(0);
  let produced = 0;
  for (let counter = 1; produced < length; counter++) {
    const hmac = createHmac(hash, prk).update(previous).update(info);
    previous = new Uint8Array(hmac.update(Uint8Array.of(counter)).digest());
    blocks.push(previous);
    produced += previous.length;
  }
  return concatBytes(blocks).slice(0, length);
}

/** HKDF-Expand-Label, RFC 8446 Section 7.1. */
export function hkdfExpandLabel(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const w = new Writer();
  w.u16(length);
  w.block8((w) => w.bytes(Buffer.from(`tls13 ${label}`, 'ascii')));
  w.block8((w) => w.bytes(context));
  return hkdfExpand(hash, secret, w.finish(), length);
}

/** Derive-Secret, RFC 8446 Section 7.1. */
export function deriveSecret(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  messages: readonly Uint8Array[],
): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash(hash, messages), hashLength(hash));
}

export interface HandshakeSecrets {
  handshakeSecret: Uint8Array;
  clientHandshakeTrafficSecret: Uint8Array;
  serverHandshakeTrafficSecret: Uint8Array;
}

/** The handshake secrets of a full (EC)DHE handshake without PSK, RFC 8446 Section 7.1. */
export function handshakeSecrets(
  hash: HashName,
  sharedSecret: Uint8Array,
  transcript: readonly Uint8Array[],
): HandshakeSecrets {
  const zeros = new Uint8Array(hashLength(hash));
  const earlySecret = hkdfExtract(hash, zeros, zeros);
  const derived = deriveSecret(hash, earlySecret, 'derived', []);
  const handshakeSecret = hkdfExtract(hash, derived, sharedSecret);
  return {
    handshakeSecret,
    clientHandshakeTrafficSecret: deriveSecret(hash, handshakeSecret, 'c hs traffic', transcript),
    serverHandshakeTrafficSecret: deriveSecret(hash, handshakeSecret, 's hs traffic', transcript),
  };
}

/** The traffic key and IV of a traffic secret, RFC 8446 Section 7.3. */
export function trafficKeys(hash: HashName, aead: Aead, secret: Uint8Array) {
  return {
    key: hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), aead.keyLength),
    iv: hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), 12),
  };
}

/** The per-record nonce: the IV XOR the 64-bit sequence number (RFC 8446 Section 5.3). */
function recordNonce(iv: Uint8Array, sequence: bigint): Uint8Array {
  const nonce = iv.slice();
  for (let i = 0; i < 8; i++) {
    nonce[nonce.length - 1 - i] ^= Number((sequence >> BigInt(8 * i)) & 0xffn);
  }
  return nonce;
}

/** Largest TLSCiphertext body, RFC 8446 Section 5.2. */
const MAX_CIPHERTEXT = (1 << 14) + 256;

/** Opens the records protected with one traffic secret, counting sequence numbers. */
export function recordDecryptor(hash: HashName, aead: Aead, secret: Uint8Array): RecordDecryptor {
  const { key, iv } = trafficKeys(hash, aead, secret);
  let sequence = 0n;

  return {
    open(header, ciphertext) {
      if (ciphertext.length > MAX_CIPHERTEXT) return refused('record_overflow');
      if (ciphertext.length < aead.tagLength + 1) return refused('protected record too short');

      const nonce = recordNonce(iv, sequence);
      sequence++;
      const sealed = ciphertext.subarray(0, ciphertext.length - aead.tagLength);
      const tag = ciphertext.subarray(ciphertext.length - aead.tagLength);

      let plaintext: Uint8Array;
      try {
        const decipher = createDecipheriv(aead.algorithm as 'aes-128-gcm', key, nonce, {
          authTagLength: aead.tagLength,
        });
        decipher.setAuthTag(tag);
        decipher.setAAD(header, { plaintextLength: sealed.length });
        plaintext = concatBytes([decipher.update(sealed), decipher.final()]);
      } catch {
        return refused('bad_record_mac: the record does not decrypt with our key share');
      }

      // TLSInnerPlaintext: content, the real content type, then zero padding (Section 5.2).
      let end = plaintext.length;
      while (end > 0 && plaintext[end - 1] === 0) end--;
      if (end === 0) return refused('protected record without a content type');
      return {
        ok: true,
        value: { type: plaintext[end - 1], content: plaintext.subarray(0, end - 1) },
      };
    },
  };
}

/** Seals one record the way a TLS 1.3 server does (for scripted servers and tests). */
export function sealRecord(
  hash: HashName,
  aead: Aead,
  secret: Uint8Array,
  sequence: bigint,
  type: number,
  content: Uint8Array,
): Uint8Array {
  const { key, iv } = trafficKeys(hash, aead, secret);
  const inner = concatBytes([content, Uint8Array.of(type)]);
  const length = inner.length + aead.tagLength;
  const header = Uint8Array.of(ContentType.applicationData, 0x03, 0x03, length >> 8, length & 0xff);
  const cipher = createCipheriv(aead.algorithm as 'aes-128-gcm', key, recordNonce(iv, sequence), {
    authTagLength: aead.tagLength,
  });
  cipher.setAAD(header, { plaintextLength: inner.length });
  const sealed = concatBytes([cipher.update(inner), cipher.final()]);
  return concatBytes([header, sealed, cipher.getAuthTag()]);
}

/** What a client needs to finish a handshake the decryptor factory began reading. */
export interface HandshakeKeys {
  hash: HashName;
  aead: Aead;
  secrets: HandshakeSecrets;
  /** The handshake messages from the ClientHello to the ServerHello. */
  transcript: Uint8Array[];
}

/**
 * The decryptor factory for a probe's hello: finds our key share for the server's group,
 * computes the shared secret and the server handshake traffic secret over the transcript
 * (`before` holds every handshake message up to the ServerHello, RFC 8446 Section 4.4.1).
 * `keep` receives the keys, for a probe that finishes the handshake.
 */
export function tls13Decryption(
  before: readonly Uint8Array[],
  keyShares: KeyShare[],
  keep?: (keys: HandshakeKeys) => void,
) {
  const factory: DecryptorFactory = (hello: ServerHello, helloMessage: Uint8Array) => {
    const suite = suiteByCode(hello.suite);
    const hash = suite ? suiteHash(suite) : null;
    const aead = suite ? suiteAead(suite) : null;
    if (suite === undefined || hash === null || aead === null) {
      return refused(`suite 0x${hello.suite.toString(16)} cannot be decrypted here`);
    }

    const serverShare = hello.keyShare;
    const ours = keyShares.find((share) => share.group === serverShare?.group);
    if (serverShare === null || ours === undefined) return refused('no key share for the group');
    const shared = ours.sharedSecret(serverShare.keyExchange);
    if (shared === null) return refused('the server key share is not a valid public key');

    const transcript = [...before, helloMessage];
    const secrets = handshakeSecrets(hash, shared, transcript);
    keep?.({ hash, aead, secrets, transcript });
    return { ok: true, value: recordDecryptor(hash, aead, secrets.serverHandshakeTrafficSecret) };
  };
  return factory;
}

/** The client's second flight and what reading the server's answer to it takes. */
export interface ClientFinish {
  /** ChangeCipherSpec, then Certificate, Finished and close_notify, each sealed. */
  records: Uint8Array;
  /** Opens what the server sends after its Finished (server application traffic keys). */
  serverApplication: RecordDecryptor;
}

/**
 * Finishes a full handshake as a client without a certificate (RFC 8446 Section 4.4.2): an
 * empty Certificate answers the CertificateRequest, then the Finished over the transcript, both
 * under the client handshake traffic keys, and a close_notify under the client application
 * traffic keys so that a server content with no certificate ends the connection at once. The
 * ChangeCipherSpec first is the middlebox compatibility mode of Appendix D.4, harmless to a
 * server that does not expect it. `serverMessages` runs from EncryptedExtensions to the
 * server's Finished.
 */
export function finishWithoutCertificate(
  keys: HandshakeKeys,
  serverMessages: readonly Uint8Array[],
): ClientFinish {
  const { hash, aead, secrets } = keys;
  const throughServerFinished = [...keys.transcript, ...serverMessages];

  // Section 7.1: the master secret, and the application traffic secrets over the transcript
  // up to the server's Finished.
  const zeros = new Uint8Array(hashLength(hash));
  const derived = deriveSecret(hash, secrets.handshakeSecret, 'derived', []);
  const masterSecret = hkdfExtract(hash, derived, zeros);
  const clientApplication = deriveSecret(hash, masterSecret, 'c ap traffic', throughServerFinished);
  const serverApplication = deriveSecret(hash, masterSecret, 's ap traffic', throughServerFinished);

  // Section 4.4.2: certificate_request_context (empty in a handshake) and no certificates.
  const certificate = Uint8Array.of(HandshakeType.certificate, 0, 0, 4, 0, 0, 0, 0);

  // Section 4.4.4: HMAC over the transcript with the Finished key of the client's secret.
  const finishedKey = hkdfExpandLabel(
    hash,
    secrets.clientHandshakeTrafficSecret,
    'finished',
    new Uint8Array(0),
    hashLength(hash),
  );
  const verifyData = createHmac(hash, finishedKey)
    .update(transcriptHash(hash, [...throughServerFinished, certificate]))
    .digest();
  const w = new Writer();
  w.u8(HandshakeType.finished).block24((w) => w.bytes(verifyData));
  const finished = w.finish();

  const clientHandshake = secrets.clientHandshakeTrafficSecret;
  const changeCipherSpec = Uint8Array.of(ContentType.changeCipherSpec, 0x03, 0x03, 0, 1, 1);
  const closeNotify = Uint8Array.of(1, 0);
  return {
    records: concatBytes([
      changeCipherSpec,
      sealRecord(hash, aead, clientHandshake, 0n, ContentType.handshake, certificate),
      sealRecord(hash, aead, clientHandshake, 1n, ContentType.handshake, finished),
      sealRecord(hash, aead, clientApplication, 0n, ContentType.alert, closeNotify),
    ]),
    serverApplication: recordDecryptor(hash, aead, serverApplication),
  };
}

/**
 * How the server answered a handshake finished without a client certificate: `refused` with a
 * fatal alert (RFC 8446 Section 4.4.2.4 names certificate_required), `completed` when it went
 * on as with any client (a NewSessionTicket, application data, or a close_notify answering
 * ours), `unknown` when it said nothing we could read.
 */
export type AnswerWithoutCertificate =
  | { kind: 'refused'; alert: number }
  | { kind: 'completed'; detail: string }
  | { kind: 'unknown'; detail: string; helloRefused?: true };

/**
 * Splits the records a server sends after our Finished and reads them, TLS 1.3 and TLS 1.2
 * alike, until one of them answers it.
 */
export abstract class RecordAnswerReader {
  answer: AnswerWithoutCertificate | null = null;
  private pending: Uint8Array = new Uint8Array(0);

  get unread(): Uint8Array {
    return this.pending;
  }

  push(chunk: Uint8Array): boolean {
    this.pending = concatBytes([this.pending, chunk]);
    while (this.answer === null && this.pending.length >= 5) {
      const length = (this.pending[3] << 8) | this.pending[4];
      if (this.pending.length < 5 + length) break;
      const header = this.pending.subarray(0, 5);
      const body = this.pending.subarray(5, 5 + length);
      this.pending = this.pending.subarray(5 + length);
      this.read(header[0], header, body);
    }
    return this.answer !== null;
  }

  endOfStream(): void {
    this.answer ??= { kind: 'unknown', detail: 'the server closed the connection, saying nothing' };
  }

  protected abstract read(type: number, header: Uint8Array, body: Uint8Array): void;
}

/** The TLS 1.3 answer: alerts in the clear or under the application traffic keys. */
export class AnswerReader extends RecordAnswerReader {
  constructor(private readonly serverApplication: RecordDecryptor) {
    super();
  }

  protected read(type: number, header: Uint8Array, body: Uint8Array): void {
    if (type === ContentType.changeCipherSpec) return;

    // A server that fails the handshake may send its alert in the clear.
    if (type === ContentType.alert) {
      this.readAlert(body);
      return;
    }
    if (type !== ContentType.applicationData) {
      this.answer = { kind: 'unknown', detail: `a record of type ${type} after the handshake` };
      return;
    }

    const opened = this.serverApplication.open(header, body);
    if (!opened.ok) {
      this.answer = { kind: 'unknown', detail: opened.error };
      return;
    }
    const { type: inner, content } = opened.value;
    if (inner === ContentType.alert) {
      this.readAlert(content);
      return;
    }
    if (inner === ContentType.handshake && content[0] === HandshakeType.newSessionTicket) {
      this.answer = { kind: 'completed', detail: 'the server sent a NewSessionTicket' };
      return;
    }
    if (inner === ContentType.applicationData) {
      this.answer = { kind: 'completed', detail: 'the server sent application data' };
      return;
    }
    // KeyUpdate and the like say nothing about the certificate; read on.
  }

  private readAlert(content: Uint8Array): void {
    this.answer = answerOfAlert(content);
  }
}

/**
 * What an alert after our Finished says: close_notify answers ours, so the server went on;
 * any other alert ends the handshake, except a warning user_canceled, which says nothing yet
 * (null: read on).
 */
export function answerOfAlert(content: Uint8Array): AnswerWithoutCertificate | null {
  if (content.length < 2) return { kind: 'unknown', detail: 'a truncated alert' };
  if (content[1] === 0)
    return { kind: 'completed', detail: 'the server answered our close_notify' };
  if (content[0] === 2 || content[1] !== 90) return { kind: 'refused', alert: content[1] };
  return null;
}

/**
 * The synthetic message that replaces the first ClientHello in the transcript after a
 * HelloRetryRequest, RFC 8446 Section 4.4.1.
 */
export function messageHash(hash: HashName, clientHello1: Uint8Array): Uint8Array {
  const digest = transcriptHash(hash, [clientHello1]);
  const w = new Writer();
  w.u8(HandshakeType.messageHash).block24((w) => w.bytes(digest));
  return w.finish();
}

export type { Parsed };
