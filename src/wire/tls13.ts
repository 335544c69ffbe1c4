// Enough of the TLS 1.3 key schedule (RFC 8446 Section 7) to read the server's encrypted
// handshake: HKDF, the handshake traffic secret from our key share and the server's, and the
// record protection of Section 5.2 with AES-GCM, AES-CCM and ChaCha20-Poly1305 from node:crypto.
// The probe reads the server's Certificate this way; it never sends a Finished.

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

/**
 * The decryptor factory for a probe's hello: finds our key share for the server's group,
 * computes the shared secret and the server handshake traffic secret over the transcript
 * (`before` holds every handshake message up to the ServerHello, RFC 8446 Section 4.4.1).
 */
export function tls13Decryption(before: readonly Uint8Array[], keyShares: KeyShare[]) {
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

    const secrets = handshakeSecrets(hash, shared, [...before, helloMessage]);
    return { ok: true, value: recordDecryptor(hash, aead, secrets.serverHandshakeTrafficSecret) };
  };
  return factory;
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
