// Ephemeral key pairs for the TLS 1.3 key_share extension (RFC 8446 Section 4.2.8) and the
// shared secret with the server's share, which the TLS 1.3 key schedule needs to read the
// server's encrypted flight. Keys come from node:crypto.

import {
  createDiffieHellman,
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { FFDHE_GENERATOR, FFDHE_PRIMES } from './ffdhe.js';
import { Group } from './groups.js';

export interface KeyShare {
  group: number;
  /** The key_exchange bytes sent: a raw X25519/X448 key or an uncompressed EC point. */
  publicKey: Uint8Array;
  /** The (EC)DH shared secret with the server's key_exchange bytes, or null if they are bad. */
  sharedSecret(serverKey: Uint8Array): Uint8Array | null;
}

const MONTGOMERY: ReadonlyMap<number, { type: 'x25519' | 'x448'; crv: string; der: string }> =
  new Map([
    // PKCS#8 prefixes of RFC 8410 private keys, followed by the raw private key.
    [Group.x25519, { type: 'x25519', crv: 'X25519', der: '302e020100300506032b656e04220420' }],
    [Group.x448, { type: 'x448', crv: 'X448', der: '3046020100300506032b656f043a0438' }],
  ]);

const WEIERSTRASS: ReadonlyMap<number, string> = new Map([
  [Group.secp256r1, 'prime256v1'],
  [Group.secp384r1, 'secp384r1'],
  [Group.secp521r1, 'secp521r1'],
]);

// Not yet: ML-KEM hybrids such as X25519MLKEM768 (Node 20 cannot make ML-KEM keys). They can
// still be listed in supported_groups without a share; a server that wants one answers with a
// HelloRetryRequest naming it, which the probe reports.

/** Whether this runtime can make a key share for the group. */
export function canMakeKeyShare(group: number): boolean {
  return MONTGOMERY.has(group) || WEIERSTRASS.has(group) || FFDHE_PRIMES.has(group);
}

/**
 * Whether a hello should carry the group's share without being asked: elliptic curve shares
 * cost microseconds, an FFDHE share of 2048 to 8192 bits costs milliseconds and 256 to 1024
 * bytes, so those go out only in answer to a HelloRetryRequest that names them.
 */
export function cheapKeyShare(group: number): boolean {
  return MONTGOMERY.has(group) || WEIERSTRASS.has(group);
}

/** A fresh key pair for the group; throws for a group canMakeKeyShare refuses. */
export function makeKeyShare(group: number): KeyShare {
  return keyShareFromPrivateKey(group, null);
}

/**
 * A key share from a known private key (test vectors such as RFC 8448), or a fresh one when
 * `privateKey` is null.
 */
export function keyShareFromPrivateKey(group: number, privateKey: Uint8Array | null): KeyShare {
  const montgomery = MONTGOMERY.get(group);
  if (montgomery !== undefined) return montgomeryShare(group, montgomery, privateKey);

  const curve = WEIERSTRASS.get(group);
  if (curve !== undefined) return weierstrassShare(group, curve, privateKey);

  const prime = FFDHE_PRIMES.get(group);
  if (prime !== undefined) return ffdheShare(group, prime, privateKey);

  throw new RangeError(`no key share can be made for group ${group}`);
}

function montgomeryShare(
  group: number,
  spec: { type: 'x25519' | 'x448'; crv: string; der: string },
  privateKey: Uint8Array | null,
): KeyShare {
  let key: KeyObject;
  if (privateKey === null) {
    key = generateKeyPairSync(spec.type as 'x25519').privateKey;
  } else {
    const der = Buffer.concat([Buffer.from(spec.der, 'hex'), privateKey]);
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }
  const publicJwk = createPublicKey(key).export({ format: 'jwk' });
  const publicKey = new Uint8Array(Buffer.from(publicJwk.x ?? '', 'base64url'));

  return {
    group,
    publicKey,
    sharedSecret(serverKey) {
      try {
        const peer = createPublicKey({
          key: { kty: 'OKP', crv: spec.crv, x: Buffer.from(serverKey).toString('base64url') },
          format: 'jwk',
        });
        const secret = new Uint8Array(diffieHellman({ privateKey: key, publicKey: peer }));

        // RFC 8446 Section 7.4.2: an all-zero X25519/X448 result must be refused.
        return secret.every((byte) => byte === 0) ? null : secret;
      } catch {
        return null;
      }
    },
  };
}

function weierstrassShare(group: number, curve: string, privateKey: Uint8Array | null): KeyShare {
  const ecdh = createECDH(curve);
  if (privateKey === null) ecdh.generateKeys();
  else ecdh.setPrivateKey(privateKey);

  return {
    group,
    publicKey: new Uint8Array(ecdh.getPublicKey()),
    sharedSecret(serverKey) {
      // RFC 8446 Section 4.2.8.2: only the uncompressed point form is allowed.
      if (serverKey[0] !== 0x04) return null;
      try {
        return new Uint8Array(ecdh.computeSecret(serverKey));
      } catch {
        return null;
      }
    },
  };
}

function ffdheShare(group: number, primeHex: string, privateKey: Uint8Array | null): KeyShare {
  const prime = Buffer.from(primeHex, 'hex');
  const dh = createDiffieHellman(prime, FFDHE_GENERATOR);
  // With a private key set, generateKeys only computes the public key from it.
  if (privateKey !== null) dh.setPrivateKey(Buffer.from(privateKey));
  const publicKey = dh.generateKeys();

  return {
    group,
    // RFC 8446 Section 4.2.8.1: Y = g^X mod p, big-endian, left-padded to the prime's size.
    publicKey: leftPad(publicKey, prime.length),
    sharedSecret(serverKey) {
      // RFC 8446 Section 4.2.8.1: the peer's value must be as long as the prime and lie
      // strictly between 1 and p - 1; OpenSSL's check refuses the others.
      if (serverKey.length !== prime.length) return null;
      try {
        // RFC 8446 Section 7.4.1: the shared secret is left-padded to the prime's size too.
        return leftPad(dh.computeSecret(Buffer.from(serverKey)), prime.length);
      } catch {
        return null;
      }
    },
  };
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  const padded = new Uint8Array(size);
  padded.set(bytes, size - bytes.length);
  return padded;
}
