// Enough of TLS 1.2 (RFC 5246) to finish a handshake as a client with no certificate, the way a
// webhook sender without one does, and so learn whether a server that asks for a certificate
// goes on without it: the PRF (Section 5), the master secret (Section 8.1, or the extended
// master secret of RFC 7627), the key block (Section 6.3), AEAD record protection (Section
// 6.2.3.3, with the nonces of RFC 5288 for AES-GCM and RFC 7905 for ChaCha20-Poly1305), and the
// client's second flight (Section 7.3). Only ECDHE key exchange (RFC 8422) with an AEAD suite:
// the probe that uses this offers no other suites.

import { createCipheriv, createHmac } from 'node:crypto';
import { concatBytes, type Parsed, refused, Writer } from './bytes.js';
import { makeKeyShare } from './keyshare.js';
import type { ServerHello, ServerKeyExchange } from './messages.js';
import { type CipherSuite, suiteByCode } from './suites.js';
import {
  type AnswerWithoutCertificate,
  answerOfAlert,
  suiteAead,
  suiteHash,
  transcriptHash,
} from './tls13.js';
import { ContentType, HandshakeType } from './versions.js';

type HashName = 'sha256' | 'sha384';

/** P_hash and the PRF of RFC 5246 Section 5, with the suite's PRF hash. */
export function prf(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const labelled = concatBytes([Buffer.from(label, 'ascii'), seed]);
  const blocks: Uint8Array[] = [];
  let a = labelled; // A(0) = seed
  let produced = 0;
  while (produced < length) {
    a = new Uint8Array(createHmac(hash, secret).update(a).digest());
    const block = new Uint8Array(createHmac(hash, secret).update(a).update(labelled).digest());
    blocks.push(block);
    produced += block.length;
  }
  return concatBytes(blocks).slice(0, length);
}

// RFC 5246 Section 7.4.6: a Certificate message with an empty certificate_list, in a record.
const EMPTY_CERTIFICATE = Uint8Array.of(HandshakeType.certificate, 0, 0, 3, 0, 0, 0);

/**
 * The empty Certificate alone, for a handshake the finish cannot complete (RSA or DHE key
 * exchange, a CBC suite, a curve node:crypto lacks): a server that wants a certificate ends the
 * handshake on reading it; one that goes on waits for the ClientKeyExchange.
 */
export function emptyCertificateRecord(): Uint8Array {
  const length = EMPTY_CERTIFICATE.length;
  return concatBytes([Uint8Array.of(ContentType.handshake, 3, 3, 0, length), EMPTY_CERTIFICATE]);
}

/** Whether finishWithoutCertificate12 can complete a handshake on the suite. */
export function canFinishTls12(suite: CipherSuite): boolean {
  return suite.kex === 'ECDHE' && suiteHash(suite) !== null && recordProtection(suite) !== null;
}

/** What finishing the handshake needs from the hello and the server's first flight. */
export interface Tls12Handshake {
  clientHello: Uint8Array;
  clientRandom: Uint8Array;
  serverHello: ServerHello;
  /** The server's handshake messages from the ServerHello to the ServerHelloDone, as received. */
  serverMessages: readonly Uint8Array[];
  keyExchange: ServerKeyExchange | null;
}

/** The client's second flight, ready to write. */
export interface Tls12ClientFinish {
  records: Uint8Array;
}

/**
 * Answers a CertificateRequest with no certificate (RFC 5246 Section 7.4.6: "the client MUST
 * send a certificate message containing no certificates"), then the ClientKeyExchange, the
 * ChangeCipherSpec and the Finished, and a close_notify so that a server content with no
 * certificate can end the connection at once. Refused when the suite or group is not one this
 * can finish.
 */
export function finishWithoutCertificate12(handshake: Tls12Handshake): Parsed<Tls12ClientFinish> {
  const { serverHello, keyExchange } = handshake;
  const suite = suiteByCode(serverHello.suite);
  const hash = suite ? suiteHash(suite) : null;
  const protection = suite ? recordProtection(suite) : null;
  if (!suite || !canFinishTls12(suite) || hash === null || protection === null) {
    return refused(`suite 0x${serverHello.suite.toString(16)} is not an ECDHE AEAD suite`);
  }
  if (keyExchange?.kind !== 'ecdhe') return refused('no ECDHE ServerKeyExchange');

  let share: ReturnType<typeof makeKeyShare>;
  try {
    share = makeKeyShare(keyExchange.group);
  } catch {
    return refused(`no key can be made for group ${keyExchange.group}`);
  }
  const preMasterSecret = share.sharedSecret(keyExchange.publicKey);
  if (preMasterSecret === null) return refused('the server key share is not a valid public key');

  // Section 7.4.6 and RFC 8422 Section 5.7: an empty certificate_list, then our ECDH point.
  const certificate = EMPTY_CERTIFICATE;
  const w = new Writer();
  w.u8(HandshakeType.clientKeyExchange).block24((w) => w.block8((w) => w.bytes(share.publicKey)));
  const clientKeyExchange = w.finish();
  const transcript = [
    handshake.clientHello,
    ...handshake.serverMessages,
    certificate,
    clientKeyExchange,
  ];

  // RFC 7627 Section 4: with extended_master_secret the seed is the transcript hash through
  // the ClientKeyExchange, which binds the master secret to this handshake.
  const randoms = concatBytes([handshake.clientRandom, serverHello.random]);
  const masterSecret = serverHello.extendedMasterSecret
    ? prf(hash, preMasterSecret, 'extended master secret', transcriptHash(hash, transcript), 48)
    : prf(hash, preMasterSecret, 'master secret', randoms, 48);

  // Section 6.3: the key block is client key, server key, client IV, server IV for an AEAD.
  const serverRandomFirst = concatBytes([serverHello.random, handshake.clientRandom]);
  const keyBlock = prf(
    hash,
    masterSecret,
    'key expansion',
    serverRandomFirst,
    protection.blockLength,
  );
  const { keyLength, ivLength } = protection;
  const key = keyBlock.subarray(0, keyLength);
  const iv = keyBlock.subarray(2 * keyLength, 2 * keyLength + ivLength);

  // Section 7.4.9: verify_data is 12 bytes of the PRF over the transcript hash.
  const verifyData = prf(
    hash,
    masterSecret,
    'client finished',
    transcriptHash(hash, transcript),
    12,
  );
  const finished = concatBytes([Uint8Array.of(HandshakeType.finished, 0, 0, 12), verifyData]);

  const plain = (type: number, content: Uint8Array) =>
    concatBytes([
      Uint8Array.of(type, 0x03, 0x03, content.length >> 8, content.length & 0xff),
      content,
    ]);
  return {
    ok: true,
    value: {
      records: concatBytes([
        plain(ContentType.handshake, concatBytes([certificate, clientKeyExchange])),
        plain(ContentType.changeCipherSpec, Uint8Array.of(1)),
        protection.seal(key, iv, 0n, ContentType.handshake, finished),
        protection.seal(key, iv, 1n, ContentType.alert, Uint8Array.of(1, 0)),
      ]),
    },
  };
}

interface RecordProtection {
  keyLength: number;
  ivLength: number;
  blockLength: number;
  seal(
    key: Uint8Array,
    iv: Uint8Array,
    sequence: bigint,
    type: number,
    content: Uint8Array,
  ): Uint8Array;
}

/**
 * AEAD record protection of Section 6.2.3.3: the additional data is the sequence number, type,
 * version and plaintext length. AES-GCM takes a 4-byte implicit salt and sends the 8-byte
 * explicit part of its nonce, here the sequence number (RFC 5288 Section 3); ChaCha20-Poly1305
 * XORs the sequence number into a 12-byte IV and sends none (RFC 7905 Section 2).
 */
function recordProtection(suite: CipherSuite): RecordProtection | null {
  const aead = suite.aead ? suiteAead(suite) : null;
  if (aead === null || aead.algorithm.endsWith('ccm')) return null;
  const chacha = aead.algorithm === 'chacha20-poly1305';
  const ivLength = chacha ? 12 : 4;

  return {
    keyLength: aead.keyLength,
    ivLength,
    blockLength: 2 * (aead.keyLength + ivLength),
    seal(key, iv, sequence, type, content) {
      const sequenceBytes = new Uint8Array(8);
      new DataView(sequenceBytes.buffer).setBigUint64(0, sequence);
      const length = Uint8Array.of(content.length >> 8, content.length & 0xff);
      const additional = concatBytes([sequenceBytes, Uint8Array.of(type, 0x03, 0x03), length]);

      let nonce: Uint8Array;
      if (chacha) {
        nonce = iv.slice();
        for (let i = 0; i < 8; i++) nonce[4 + i] ^= sequenceBytes[i];
      } else {
        nonce = concatBytes([iv, sequenceBytes]);
      }
      const cipher = createCipheriv(aead.algorithm as 'aes-128-gcm', key, nonce, {
        authTagLength: aead.tagLength,
      });
      cipher.setAAD(additional, { plaintextLength: content.length });
      const sealed = concatBytes([cipher.update(content), cipher.final(), cipher.getAuthTag()]);
      const body = chacha ? sealed : concatBytes([sequenceBytes, sealed]);
      const header = Uint8Array.of(type, 0x03, 0x03, body.length >> 8, body.length & 0xff);
      return concatBytes([header, body]);
    },
  };
}

/**
 * Reads how a TLS 1.2 server takes a handshake finished without a certificate. A server sends
 * its ChangeCipherSpec (after a NewSessionTicket, if any) only once it has checked our Finished
 * (Section 7.4.9), so either one means it went on without a certificate; a server that wants
 * one ends with an alert in the clear when it reads the empty Certificate (Section 7.4.6).
 */
export class Tls12AnswerReader {
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
      const type = this.pending[0];
      const body = this.pending.subarray(5, 5 + length);
      this.pending = this.pending.subarray(5 + length);
      this.read(type, body);
    }
    return this.answer !== null;
  }

  endOfStream(): void {
    this.answer ??= { kind: 'unknown', detail: 'the server closed the connection, saying nothing' };
  }

  private read(type: number, body: Uint8Array): void {
    if (type === ContentType.alert) {
      this.answer = answerOfAlert(body);
    } else if (type === ContentType.changeCipherSpec) {
      this.answer = { kind: 'completed', detail: 'the server sent its ChangeCipherSpec' };
    } else if (type === ContentType.handshake && body[0] === HandshakeType.newSessionTicket) {
      this.answer = { kind: 'completed', detail: 'the server sent a NewSessionTicket' };
    } else {
      this.answer = { kind: 'unknown', detail: `a record of type ${type} after our Finished` };
    }
  }
}
