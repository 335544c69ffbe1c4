// Enough of TLS 1.2 (RFC 5246) to finish a handshake as a client with no certificate, the way a
// webhook sender without one does, and so learn whether a server that asks for a certificate
// goes on without it: the PRF (Section 5), the master secret (Section 8.1, or the extended
// master secret of RFC 7627), the key block (Section 6.3), record protection with AES-GCM,
// AES-CCM and ChaCha20-Poly1305 (Section 6.2.3.3, RFC 5288, RFC 6655, RFC 7905) or AES and 3DES
// in CBC mode (Section 6.2.3.2), ECDHE, DHE and RSA key exchange, and the client's second
// flight (Section 7.3).

import {
  constants,
  createCipheriv,
  createDiffieHellman,
  createHmac,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { concatBytes, type Parsed, refused, Writer } from './bytes.js';
import { canMakeKeyShare, makeKeyShare } from './keyshare.js';
import type { ServerHello, ServerKeyExchange } from './messages.js';
import { type CipherSuite, suiteByCode } from './suites.js';
import {
  answerOfAlert,
  RecordAnswerReader,
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
 * The empty Certificate alone, for a handshake the finish cannot complete (Camellia or ARIA, a
 * curve node:crypto lacks): a server that wants a certificate ends the handshake on reading
 * it; one that goes on waits for the ClientKeyExchange.
 */
export function emptyCertificateRecord(): Uint8Array {
  const length = EMPTY_CERTIFICATE.length;
  return concatBytes([Uint8Array.of(ContentType.handshake, 3, 3, 0, length), EMPTY_CERTIFICATE]);
}

/** Whether finishWithoutCertificate12 can complete a handshake on the suite. */
export function canFinishTls12(suite: CipherSuite): boolean {
  return (
    KEY_EXCHANGES.has(suite.kex) &&
    !suite.export &&
    suiteHash(suite) !== null &&
    recordProtection(suite) !== null
  );
}

const KEY_EXCHANGES = new Set(['ECDHE', 'DHE', 'RSA']);

/** What finishing the handshake needs from the hello and the server's first flight. */
export interface Tls12Handshake {
  clientHello: Uint8Array;
  clientRandom: Uint8Array;
  serverHello: ServerHello;
  /** The server's handshake messages from the ServerHello to the ServerHelloDone, as received. */
  serverMessages: readonly Uint8Array[];
  keyExchange: ServerKeyExchange | null;
  /** The server's certificates, leaf first: RSA key exchange encrypts to the leaf's key. */
  certificates: readonly Uint8Array[];
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
  const { serverHello } = handshake;
  const suite = suiteByCode(serverHello.suite);
  const hash = suite ? suiteHash(suite) : null;
  const protection = suite ? recordProtection(suite) : null;
  if (!suite || !canFinishTls12(suite) || hash === null || protection === null) {
    return refused(`suite 0x${serverHello.suite.toString(16)} is not one the finish can do`);
  }
  const exchange = clientKeyExchange(suite, handshake);
  if (!exchange.ok) return exchange;

  // Section 7.4.6: an empty certificate_list, then the ClientKeyExchange (Section 7.4.7).
  const w = new Writer();
  w.u8(HandshakeType.clientKeyExchange).block24((w) => w.bytes(exchange.value.message));
  const keyExchangeMessage = w.finish();
  const transcript = [
    handshake.clientHello,
    ...handshake.serverMessages,
    EMPTY_CERTIFICATE,
    keyExchangeMessage,
  ];

  // RFC 7627 Section 4: with extended_master_secret the seed is the transcript hash through
  // the ClientKeyExchange, which binds the master secret to this handshake.
  const preMasterSecret = exchange.value.preMasterSecret;
  const randoms = concatBytes([handshake.clientRandom, serverHello.random]);
  const masterSecret = serverHello.extendedMasterSecret
    ? prf(hash, preMasterSecret, 'extended master secret', transcriptHash(hash, transcript), 48)
    : prf(hash, preMasterSecret, 'master secret', randoms, 48);

  // Section 6.3: the key block, server random first.
  const serverRandomFirst = concatBytes([serverHello.random, handshake.clientRandom]);
  const keyBlock = prf(hash, masterSecret, 'key expansion', serverRandomFirst, protection.length);
  const seal = protection.clientSealer(keyBlock);

  // Section 7.4.9: verify_data is 12 bytes of the PRF over the transcript hash.
  const handshakeHash = transcriptHash(hash, transcript);
  const verifyData = prf(hash, masterSecret, 'client finished', handshakeHash, 12);
  const finished = concatBytes([Uint8Array.of(HandshakeType.finished, 0, 0, 12), verifyData]);

  const plain = (type: number, content: Uint8Array) =>
    concatBytes([recordHeader(type, content.length), content]);
  return {
    ok: true,
    value: {
      records: concatBytes([
        plain(ContentType.handshake, concatBytes([EMPTY_CERTIFICATE, keyExchangeMessage])),
        plain(ContentType.changeCipherSpec, Uint8Array.of(1)),
        seal(0n, ContentType.handshake, finished),
        seal(1n, ContentType.alert, Uint8Array.of(1, 0)),
      ]),
    },
  };
}

/**
 * The body of the ClientKeyExchange and the pre-master secret: our ECDH point (RFC 8422
 * Section 5.7), our DH public value with the shared secret stripped of leading zeros (Section
 * 8.1.2), or a fresh pre-master secret encrypted to the leaf's RSA key (Section 7.4.7.1).
 */
function clientKeyExchange(
  suite: CipherSuite,
  handshake: Tls12Handshake,
): Parsed<{ message: Uint8Array; preMasterSecret: Uint8Array }> {
  const { keyExchange } = handshake;
  const w = new Writer();

  if (suite.kex === 'ECDHE') {
    if (keyExchange?.kind !== 'ecdhe') return refused('no ECDHE ServerKeyExchange');
    if (!canMakeKeyShare(keyExchange.group)) {
      return refused(`no key can be made for group ${keyExchange.group}`);
    }
    const share = makeKeyShare(keyExchange.group);
    const preMasterSecret = share.sharedSecret(keyExchange.publicKey);
    if (preMasterSecret === null) return refused('the server ECDH key is not a valid point');
    w.block8((w) => w.bytes(share.publicKey));
    return { ok: true, value: { message: w.finish(), preMasterSecret } };
  }

  if (suite.kex === 'DHE') {
    if (keyExchange?.kind !== 'dhe') return refused('no DHE ServerKeyExchange');
    try {
      const dh = createDiffieHellman(keyExchange.prime, keyExchange.generator);
      const publicValue = dh.generateKeys();
      const shared = new Uint8Array(dh.computeSecret(keyExchange.publicKey));
      let zeros = 0;
      while (zeros < shared.length - 1 && shared[zeros] === 0) zeros++;
      w.block16((w) => w.bytes(publicValue));
      return { ok: true, value: { message: w.finish(), preMasterSecret: shared.slice(zeros) } };
    } catch {
      return refused('the server DH parameters are not usable');
    }
  }

  const leaf = handshake.certificates[0];
  if (leaf === undefined) return refused('no server certificate to encrypt to');
  try {
    const key = new X509Certificate(leaf).publicKey;
    // client_version: the highest version the hello offered, TLS 1.2 here.
    const preMasterSecret = concatBytes([Uint8Array.of(3, 3), randomBytes(46)]);
    const sealed = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, preMasterSecret);
    w.block16((w) => w.bytes(sealed));
    return { ok: true, value: { message: w.finish(), preMasterSecret } };
  } catch {
    return refused('the server certificate has no RSA key to encrypt to');
  }
}

function recordHeader(type: number, length: number): Uint8Array {
  return Uint8Array.of(type, 0x03, 0x03, length >> 8, length & 0xff);
}

/** The sequence number, type, version and length that AEAD and MAC both cover (Section 6.2.3). */
function recordPseudoHeader(sequence: bigint, type: number, length: number): Uint8Array {
  const bytes = new Uint8Array(13);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, sequence);
  bytes.set(recordHeader(type, length), 8);
  return bytes;
}

type Sealer = (sequence: bigint, type: number, content: Uint8Array) => Uint8Array;

interface RecordProtection {
  /** Bytes of key block it takes (Section 6.3). */
  length: number;
  /** The client's record protection, from the key block. */
  clientSealer(keyBlock: Uint8Array): Sealer;
}

const CBC_CIPHERS: Record<string, { algorithm: string; keyLength: number; blockSize: number }> = {
  'AES-128': { algorithm: 'aes-128-cbc', keyLength: 16, blockSize: 16 },
  'AES-256': { algorithm: 'aes-256-cbc', keyLength: 32, blockSize: 16 },
  '3DES-168': { algorithm: 'des-ede3-cbc', keyLength: 24, blockSize: 8 },
};

const MAC_HASHES: Record<string, { hash: string; length: number }> = {
  SHA1: { hash: 'sha1', length: 20 },
  SHA256: { hash: 'sha256', length: 32 },
  SHA384: { hash: 'sha384', length: 48 },
};

function recordProtection(suite: CipherSuite): RecordProtection | null {
  if (suite.aead) return aeadProtection(suite);
  const cipher = suite.mode === 'CBC' ? CBC_CIPHERS[`${suite.cipher}-${suite.bits}`] : undefined;
  const mac = MAC_HASHES[suite.mac];
  return cipher && mac ? cbcProtection(cipher, mac) : null;
}

/**
 * AEAD record protection of Section 6.2.3.3: the additional data is the sequence number, type,
 * version and plaintext length. AES-GCM takes a 4-byte implicit salt and sends the 8-byte
 * explicit part of its nonce, here the sequence number (RFC 5288 Section 3); ChaCha20-Poly1305
 * XORs the sequence number into a 12-byte IV and sends none (RFC 7905 Section 2). The key block
 * holds the client and server keys, then the client and server IVs.
 */
function aeadProtection(suite: CipherSuite): RecordProtection | null {
  const aead = suiteAead(suite);
  if (aead === null) return null;
  // AES-CCM builds its nonce as AES-GCM does (RFC 6655 Section 3).
  const chacha = aead.algorithm === 'chacha20-poly1305';
  const ivLength = chacha ? 12 : 4;

  return {
    length: 2 * (aead.keyLength + ivLength),
    clientSealer: (keyBlock) => {
      const key = keyBlock.subarray(0, aead.keyLength);
      const iv = keyBlock.subarray(2 * aead.keyLength, 2 * aead.keyLength + ivLength);
      return (sequence, type, content) => {
        const additional = recordPseudoHeader(sequence, type, content.length);
        const explicit = additional.subarray(0, 8);
        let nonce: Uint8Array;
        if (chacha) {
          nonce = iv.slice();
          for (let i = 0; i < 8; i++) nonce[4 + i] ^= explicit[i];
        } else {
          nonce = concatBytes([iv, explicit]);
        }
        const cipher = createCipheriv(aead.algorithm as 'aes-128-gcm', key, nonce, {
          authTagLength: aead.tagLength,
        });
        cipher.setAAD(additional, { plaintextLength: content.length });
        const sealed = concatBytes([cipher.update(content), cipher.final(), cipher.getAuthTag()]);
        const body = chacha ? sealed : concatBytes([explicit, sealed]);
        return concatBytes([recordHeader(type, body.length), body]);
      };
    },
  };
}

/**
 * Block cipher record protection of Section 6.2.3.2: MAC-then-encrypt (the hello offers no
 * encrypt_then_mac), a random explicit IV per record, and padding whose every byte, length
 * byte included, holds the padding length. The key block holds the client and server MAC
 * keys, then the client and server keys.
 */
function cbcProtection(
  cipher: { algorithm: string; keyLength: number; blockSize: number },
  mac: { hash: string; length: number },
): RecordProtection {
  return {
    length: 2 * (mac.length + cipher.keyLength),
    clientSealer: (keyBlock) => {
      const macKey = keyBlock.subarray(0, mac.length);
      const key = keyBlock.subarray(2 * mac.length, 2 * mac.length + cipher.keyLength);
      return (sequence, type, content) => {
        const tag = createHmac(mac.hash, macKey)
          .update(recordPseudoHeader(sequence, type, content.length))
          .update(content)
          .digest();
        const unpadded = content.length + tag.length + 1;
        const padding = (cipher.blockSize - (unpadded % cipher.blockSize)) % cipher.blockSize;
        const fill = new Uint8Array(padding + 1).fill(padding);
        const iv = randomBytes(cipher.blockSize);
        const encrypt = createCipheriv(cipher.algorithm, key, iv).setAutoPadding(false);
        const plaintext = concatBytes([content, tag, fill]);
        const body = concatBytes([iv, encrypt.update(plaintext), encrypt.final()]);
        return concatBytes([recordHeader(type, body.length), body]);
      };
    },
  };
}

/**
 * Reads how a TLS 1.2 server takes a handshake finished without a certificate. A server sends
 * its ChangeCipherSpec (after a NewSessionTicket, if any) only once it has checked our Finished
 * (Section 7.4.9), so either one means it went on without a certificate; a server that wants
 * one ends with an alert in the clear when it reads the empty Certificate (Section 7.4.6).
 */
export class Tls12AnswerReader extends RecordAnswerReader {
  protected read(type: number, _header: Uint8Array, body: Uint8Array): void {
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
