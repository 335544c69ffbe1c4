// Encoders of the server's side of the handshake, for scripted test servers and round-trip
// tests: records, ServerHello (any version, suite and extensions, HelloRetryRequest),
// Certificate, ServerKeyExchange, CertificateStatus, ServerHelloDone and alerts. The probe
// itself never sends any of these.

import { randomBytes } from 'node:crypto';
import type { TlsVersion } from '../model.js';
import { Writer } from './bytes.js';
import { handshakeMessage } from './hello.js';
import { canMakeKeyShare, makeKeyShare } from './keyshare.js';
import { type ClientHello, type Extension, HELLO_RETRY_REQUEST_RANDOM } from './messages.js';
import { suiteByCode } from './suites.js';
import { handshakeSecrets, sealRecord, suiteAead, suiteHash } from './tls13.js';
import { ContentType, ExtensionType, HandshakeType, versionCode } from './versions.js';

/** Largest TLSPlaintext fragment, RFC 8446 Section 5.1. */
const MAX_FRAGMENT = 1 << 14;

/** One record: type, version and the fragment as given (no splitting, any length up to 2^16). */
export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  const w = new Writer();
  w.u8(type)
    .u16(version)
    .block16((w) => w.bytes(fragment));
  return w.finish();
}

/** Records of one type carrying `data`, split into fragments of at most `fragmentSize` bytes. */
export function encodeRecords(
  type: number,
  version: number,
  data: Uint8Array,
  fragmentSize = MAX_FRAGMENT,
): Uint8Array {
  const w = new Writer();
  for (let offset = 0; offset < data.length; offset += fragmentSize) {
    w.bytes(encodeRecord(type, version, data.subarray(offset, offset + fragmentSize)));
  }
  return w.finish();
}

/** Handshake messages packed into handshake records, as servers send a flight. */
export function encodeFlight(version: number, messages: Uint8Array[]): Uint8Array {
  const w = new Writer();
  for (const message of messages) w.bytes(message);
  return encodeRecords(ContentType.handshake, version, w.finish());
}

/** The two bytes of an alert: level (1 warning, 2 fatal) and description (RFC 8446 6). */
export function encodeAlert(level: number, description: number): Uint8Array {
  return Uint8Array.of(level, description);
}

export interface ServerHelloOptions {
  /** The negotiated version. TLS 1.3 is written as legacy_version 0x0303 and supported_versions. */
  version: TlsVersion | number;
  suite: number;
  random?: Uint8Array;
  /** Echo of the client's legacy_session_id (TLS 1.3) or a new session id. */
  sessionId?: Uint8Array;
  compression?: number;
  /** Overrides legacy_version (to write broken or odd ServerHellos). */
  legacyVersion?: number;
  /** TLS 1.3 key share: the server's group and public key. */
  keyShare?: { group: number; keyExchange: Uint8Array };
  /** Writes a HelloRetryRequest asking for `group` (and echoing `cookie`). */
  helloRetryRequest?: { group?: number; cookie?: Uint8Array };
  /** Answers status_request (TLS 1.2 and below: a CertificateStatus message follows). */
  statusRequest?: boolean;
  /** Adds an empty renegotiation_info (RFC 5746); true by default below TLS 1.3. */
  renegotiationInfo?: boolean;
  extendedMasterSecret?: boolean;
  alpn?: string;
  /** Further extensions, written after the others. */
  extensions?: Extension[];
  /** Leaves the extensions block out entirely, as SSL 3.0 servers do. */
  omitExtensions?: boolean;
}

/** A ServerHello (or HelloRetryRequest) handshake message, header included. */
export function encodeServerHello(options: ServerHelloOptions): Uint8Array {
  const version =
    typeof options.version === 'number' ? options.version : versionCode(options.version);
  const tls13 = version === 0x0304;
  const retry = options.helloRetryRequest;
  const random = retry ? HELLO_RETRY_REQUEST_RANDOM : (options.random ?? randomBytes(32));
  const legacyVersion = options.legacyVersion ?? (tls13 ? 0x0303 : version);

  const extensions: Extension[] = [];
  const add = (type: number, fill: (w: Writer) => void) => {
    const w = new Writer();
    fill(w);
    extensions.push({ type, data: w.finish() });
  };
  if (tls13) add(ExtensionType.supportedVersions, (w) => w.u16(0x0304));
  if (retry?.group !== undefined) {
    const group = retry.group;
    add(ExtensionType.keyShare, (w) => w.u16(group));
  }
  if (retry?.cookie !== undefined) {
    const cookie = retry.cookie;
    add(ExtensionType.cookie, (w) => w.block16((w) => w.bytes(cookie)));
  }
  if (!retry && options.keyShare !== undefined) {
    const share = options.keyShare;
    add(ExtensionType.keyShare, (w) =>
      w.u16(share.group).block16((w) => w.bytes(share.keyExchange)),
    );
  }
  if (!tls13 && (options.renegotiationInfo ?? true)) {
    add(ExtensionType.renegotiationInfo, (w) => w.block8(() => {}));
  }
  if (options.extendedMasterSecret === true) add(ExtensionType.extendedMasterSecret, () => {});
  if (options.statusRequest === true) add(ExtensionType.statusRequest, () => {});
  if (options.alpn !== undefined) {
    const protocol = options.alpn;
    add(ExtensionType.alpn, (w) =>
      w.block16((w) => w.block8((w) => w.bytes(Buffer.from(protocol)))),
    );
  }
  extensions.push(...(options.extensions ?? []));

  const w = new Writer();
  w.u16(legacyVersion);
  w.bytes(random);
  w.block8((w) => w.bytes(options.sessionId ?? new Uint8Array(0)));
  w.u16(options.suite);
  w.u8(options.compression ?? 0);
  if (!options.omitExtensions) {
    w.block16((w) => {
      for (const extension of extensions) {
        w.u16(extension.type).block16((w) => w.bytes(extension.data));
      }
    });
  }
  return handshakeMessage(HandshakeType.serverHello, w.finish());
}

/** Certificate of TLS 1.2 and below: the DER certificates, leaf first (RFC 5246 7.4.2). */
export function encodeCertificate(certificates: Uint8Array[]): Uint8Array {
  const w = new Writer();
  w.block24((w) => {
    for (const certificate of certificates) w.block24((w) => w.bytes(certificate));
  });
  return handshakeMessage(HandshakeType.certificate, w.finish());
}

/** Certificate of TLS 1.3 (RFC 8446 4.4.2), with an OCSP response on the leaf if given. */
export function encodeCertificate13(
  certificates: Uint8Array[],
  options: { ocspResponse?: Uint8Array; context?: Uint8Array } = {},
): Uint8Array {
  const w = new Writer();
  w.block8((w) => w.bytes(options.context ?? new Uint8Array(0)));
  w.block24((w) => {
    certificates.forEach((certificate, index) => {
      w.block24((w) => w.bytes(certificate));
      w.block16((w) => {
        if (index !== 0 || options.ocspResponse === undefined) return;
        const status = options.ocspResponse;
        w.u16(ExtensionType.statusRequest).block16((w) => w.u8(1).block24((w) => w.bytes(status)));
      });
    });
  });
  return handshakeMessage(HandshakeType.certificate, w.finish());
}

/** CertificateStatus with an OCSP response (RFC 6066 Section 8). */
export function encodeCertificateStatus(ocspResponse: Uint8Array): Uint8Array {
  const w = new Writer();
  w.u8(1).block24((w) => w.bytes(ocspResponse));
  return handshakeMessage(HandshakeType.certificateStatus, w.finish());
}

/** The parameters of a ServerKeyExchange and a placeholder signature (not verified by probes). */
export type KeyExchangeParameters =
  | { kind: 'ecdhe'; group: number; publicKey: Uint8Array }
  | { kind: 'dhe'; prime: Uint8Array; generator: Uint8Array; publicKey: Uint8Array };

export function encodeServerKeyExchange(
  parameters: KeyExchangeParameters,
  signature: { scheme?: number; bytes: Uint8Array } = { scheme: 0x0401, bytes: new Uint8Array(64) },
): Uint8Array {
  const w = new Writer();
  if (parameters.kind === 'ecdhe') {
    w.u8(3).u16(parameters.group); // named_curve, RFC 8422 Section 5.4
    w.block8((w) => w.bytes(parameters.publicKey));
  } else {
    w.block16((w) => w.bytes(parameters.prime));
    w.block16((w) => w.bytes(parameters.generator));
    w.block16((w) => w.bytes(parameters.publicKey));
  }
  if (signature.scheme !== undefined) w.u16(signature.scheme);
  w.block16((w) => w.bytes(signature.bytes));
  return handshakeMessage(HandshakeType.serverKeyExchange, w.finish());
}

/** CertificateRequest of TLS 1.2: rsa_sign and ecdsa_sign, a few schemes, no CA names. */
export function encodeCertificateRequest(): Uint8Array {
  const w = new Writer();
  w.block8((w) => w.u8(1).u8(64));
  w.block16((w) => w.u16(0x0401).u16(0x0403));
  w.block16(() => {});
  return handshakeMessage(HandshakeType.certificateRequest, w.finish());
}

export function encodeServerHelloDone(): Uint8Array {
  return handshakeMessage(HandshakeType.serverHelloDone, new Uint8Array(0));
}

/** EncryptedExtensions of TLS 1.3 (RFC 8446 4.3.1). */
export function encodeEncryptedExtensions(extensions: Extension[] = []): Uint8Array {
  const w = new Writer();
  w.block16((w) => {
    for (const extension of extensions) {
      w.u16(extension.type).block16((w) => w.bytes(extension.data));
    }
  });
  return handshakeMessage(HandshakeType.encryptedExtensions, w.finish());
}

export interface Tls13FlightOptions {
  suite: number;
  /** The group of the client's key share to answer; the first share this runtime can use
   *  when absent. */
  group?: number;
  /** DER certificates, leaf first. */
  certificates: Uint8Array[];
  /** An OCSP response stapled to the leaf's CertificateEntry. */
  ocspResponse?: Uint8Array;
  /** The ChangeCipherSpec of middlebox compatibility mode (RFC 8446 D.4); true by default. */
  changeCipherSpec?: boolean;
}

/**
 * A TLS 1.3 server's first flight for a ClientHello, as far as a probe reads it: ServerHello
 * with a real key share, ChangeCipherSpec, then EncryptedExtensions and Certificate protected
 * with the server handshake traffic key (RFC 8446 Sections 4 and 7). CertificateVerify and
 * Finished are left out: probes never verify them. Throws when the hello has no key share this
 * runtime can answer (a script should send a HelloRetryRequest instead).
 */
export function encodeTls13ServerFlight(
  hello: ClientHello,
  options: Tls13FlightOptions,
): Uint8Array {
  const suite = suiteByCode(options.suite);
  const hash = suite ? suiteHash(suite) : null;
  const aead = suite ? suiteAead(suite) : null;
  if (suite === undefined || hash === null || aead === null) {
    throw new RangeError(`suite 0x${options.suite.toString(16)} cannot be sealed here`);
  }
  const clientShare = hello.keyShares.find((share) =>
    options.group === undefined ? canMakeKeyShare(share.group) : share.group === options.group,
  );
  if (clientShare === undefined) throw new RangeError('no client key share to answer');

  const serverShare = makeKeyShare(clientShare.group);
  const shared = serverShare.sharedSecret(clientShare.keyExchange);
  if (shared === null) throw new RangeError('the client key share is not a valid public key');
  const serverHello = encodeServerHello({
    version: 'TLSv1.3',
    suite: options.suite,
    sessionId: hello.sessionId,
    keyShare: { group: serverShare.group, keyExchange: serverShare.publicKey },
  });
  const secret = handshakeSecrets(hash, shared, [
    hello.message,
    serverHello,
  ]).serverHandshakeTrafficSecret;

  const protectedMessages = [
    encodeEncryptedExtensions(),
    encodeCertificate13(options.certificates, {
      ...(options.ocspResponse !== undefined ? { ocspResponse: options.ocspResponse } : {}),
    }),
  ];
  const w = new Writer();
  w.bytes(encodeRecord(ContentType.handshake, 0x0303, serverHello));
  if (options.changeCipherSpec ?? true) {
    w.bytes(encodeRecord(ContentType.changeCipherSpec, 0x0303, Uint8Array.of(1)));
  }
  protectedMessages.forEach((message, index) => {
    w.bytes(sealRecord(hash, aead, secret, BigInt(index), ContentType.handshake, message));
  });
  return w.finish();
}

export { handshakeMessage };
