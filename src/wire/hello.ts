// The probe's ClientHello, built byte by byte for any version from SSL 3.0 to TLS 1.3
// (RFC 6101 Section 5.6.1.2, RFC 5246 Section 7.4.1.2, RFC 8446 Section 4.1.2), shaped like a
// normal client's so that servers answer it as they answer real webhook senders.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { TlsVersion } from '../model.js';
import { Writer } from './bytes.js';
import { Group } from './groups.js';
import { canMakeKeyShare, cheapKeyShare, type KeyShare, makeKeyShare } from './keyshare.js';
import type { Offer } from './parse.js';
import { PROBE_SIGNATURE_SCHEMES } from './sigschemes.js';
import { TLS_EMPTY_RENEGOTIATION_INFO_SCSV } from './suites.js';
import {
  ContentType,
  compareVersions,
  ExtensionType,
  HandshakeType,
  versionCode,
} from './versions.js';

export interface HelloOptions {
  /** Highest version offered. TLS 1.3 is offered through supported_versions (RFC 8446, 4.2.1). */
  version: TlsVersion;
  /** Suite codes, in preference order; at most 128. */
  suites: number[];
  /** SNI host name; null or absent sends none (never an IP literal, RFC 6066, Section 3). */
  serverName?: string | null;
  /** supported_groups; a sensible default when absent. */
  groups?: number[];
  /** TLS 1.3 key_share entries (real public keys); defaults to the first of `groups`. */
  keyShareGroups?: number[];
  signatureSchemes?: number[];
  alpn?: string[];
  statusRequest?: boolean;
  /**
   * Lowest version listed in supported_versions when `version` is TLS 1.3; TLS 1.2 when absent,
   * as real clients do. 'TLSv1.3' asks for TLS 1.3 alone.
   */
  minVersion?: TlsVersion;
  /** Adds TLS_FALLBACK_SCSV (RFC 7507), to test downgrade protection. */
  fallbackScsv?: boolean;
  /** Key shares made earlier (a second hello after a HelloRetryRequest, test vectors). */
  keyShares?: KeyShare[];
  /** The cookie of a HelloRetryRequest, echoed in the second hello (RFC 8446, 4.2.2). */
  cookie?: Uint8Array;
  /** Fixed random and session id, for reproducible bytes in tests. */
  random?: Uint8Array;
  sessionId?: Uint8Array;
  /** Extensions appended as given, before padding (for tests and special probes). */
  extraExtensions?: { type: number; data: Uint8Array }[];
}

/** A built hello: the records to send and what the rest of the handshake needs from it. */
export interface BuiltHello {
  /** The TLS records carrying the ClientHello, ready to write to the socket. */
  records: Uint8Array;
  /** A close_notify alert in the clear, in the hello's record version, to send after it. */
  closeNotify: Uint8Array;
  /** The handshake message (4-byte header and body), for the TLS 1.3 transcript hash. */
  message: Uint8Array;
  keyShares: KeyShare[];
  random: Uint8Array;
  sessionId: Uint8Array;
  /** Versions the server may choose from. */
  offeredVersions: TlsVersion[];
  /** What the server may choose from, to check its ServerHello against. */
  offer: Offer;
}

/** More suites than this make some servers drop the hello; callers split longer lists. */
export const MAX_SUITES_PER_HELLO = 128;

/** Largest TLSPlaintext fragment, RFC 8446 Section 5.1. */
const MAX_FRAGMENT = 1 << 14;

// The FFDHE groups come last, as in OpenSSL's list: a server with no curve asks for one of them
// with a HelloRetryRequest instead of refusing the hello.
const DEFAULT_GROUPS_TLS13: readonly number[] = [
  Group.x25519,
  Group.secp256r1,
  Group.secp384r1,
  Group.secp521r1,
  Group.x448,
  Group.ffdhe2048,
  Group.ffdhe3072,
  Group.ffdhe4096,
  Group.ffdhe6144,
  Group.ffdhe8192,
];

// For TLS 1.2 and below the list leaves out the FFDHE groups: a server implementing RFC 7919
// Section 4 must then refuse every DHE suite unless it has one of the listed groups, which would
// hide DHE suites that work with the server's own prime. It lists many curves, so that a server
// with an unusual curve still shows its ECDHE suites.
const DEFAULT_GROUPS_LEGACY: readonly number[] = [
  Group.x25519,
  Group.secp256r1,
  Group.secp384r1,
  Group.secp521r1,
  Group.x448,
  26, // brainpoolP256r1
  27, // brainpoolP384r1
  28, // brainpoolP512r1
  22, // secp256k1
  21, // secp224r1
  19, // secp192r1
];

/** The ClientHello records for the options. */
export function buildClientHello(options: HelloOptions): Uint8Array {
  return buildHello(options).records;
}

/** The ClientHello with its key shares and transcript bytes (what a TLS 1.3 reader needs). */
export function buildHello(options: HelloOptions): BuiltHello {
  checkOptions(options);

  const offersTls13 = options.version === 'TLSv1.3';
  const legacyVersion = offersTls13 ? 'TLSv1.2' : options.version;
  const random = options.random ?? new Uint8Array(randomBytes(32));
  // RFC 8446 Appendix D.4: a TLS 1.3 hello carries a 32-byte session id so that middleboxes
  // take it for a resumption attempt.
  const sessionId =
    options.sessionId ?? (offersTls13 ? new Uint8Array(randomBytes(32)) : new Uint8Array(0));
  const keyShares = offersTls13 ? (options.keyShares ?? makeDefaultKeyShares(options)) : [];

  const suites = [...options.suites];
  if (options.version === 'SSLv3') suites.push(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  if (options.fallbackScsv === true) suites.push(0x5600);

  const extensions = helloExtensions(options, keyShares);

  const body = (padding: number | null): Uint8Array => {
    const w = new Writer();
    w.u16(versionCode(legacyVersion));
    w.bytes(random);
    w.block8((w) => w.bytes(sessionId));
    w.block16((w) => {
      for (const suite of suites) w.u16(suite);
    });
    w.block8((w) => w.u8(0)); // compression_methods: null only
    const all = padding === null ? extensions : [...extensions, paddingExtension(padding)];
    if (all.length > 0) {
      w.block16((w) => {
        for (const extension of all) {
          w.u16(extension.type).block16((w) => w.bytes(extension.data));
        }
      });
    }
    return w.finish();
  };

  const unpadded = body(null);
  const padding = paddingLength(HANDSHAKE_HEADER + unpadded.length);
  const message = handshakeMessage(
    HandshakeType.clientHello,
    padding === null ? unpadded : body(padding),
  );

  const versions = offeredVersions(options);
  return {
    records: helloRecords(message, options.version),
    closeNotify: closeNotifyRecord(options.version),
    message,
    keyShares,
    random,
    sessionId,
    offeredVersions: versions,
    offer: {
      versions: versions.map(versionCode),
      suites: options.suites,
      groups: options.version === 'SSLv3' ? [] : [...helloGroups(options)],
      keyShareGroups: keyShares.map((share) => share.group),
    },
  };
}

const HANDSHAKE_HEADER = 4;

/** A handshake message: msg_type, uint24 length, body (RFC 8446 Section 4). */
export function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  const w = new Writer();
  w.u8(type).block24((w) => w.bytes(body));
  return w.finish();
}

/**
 * The size of the padding extension's data for a ClientHello handshake message of `length`
 * bytes (header included), or null when it needs none (RFC 7685).
 *
 * Some F5 BIG-IP terminators hang on ClientHellos whose length is 256 to 511 bytes, because
 * they take them for SSL 2.0 hellos. Whether such a box reads the message with its 4-byte header
 * or the body alone (the header's length field) varies, so both are kept out of that range:
 * padding brings such hellos to 516 bytes, a body of 512. Some servers also fail
 * on hellos of 522, 778, 1034, ... bytes and a few on 526, 782, 1038, ... (10 and 14 modulo
 * 256), so those lengths are moved too. The padding extension is never empty, because some
 * servers fail when the last extension is empty.
 */
export function paddingLength(length: number): number | null {
  if (isToleratedHelloLength(length)) return null;
  for (let data = 1; ; data++) {
    if (isToleratedHelloLength(length + 4 + data)) return data;
  }
}

/** Whether a ClientHello handshake message of `length` bytes avoids the known length bugs. */
export function isToleratedHelloLength(length: number): boolean {
  if (length >= 256 && length <= 511 + HANDSHAKE_HEADER) return false;
  const low = length % 256;
  return !(length > 256 && (low === 10 || low === 14));
}

function paddingExtension(size: number): { type: number; data: Uint8Array } {
  return { type: ExtensionType.padding, data: new Uint8Array(size) };
}

function checkOptions(options: HelloOptions): void {
  if (options.suites.length === 0) throw new RangeError('a ClientHello needs at least one suite');
  if (options.suites.length > MAX_SUITES_PER_HELLO) {
    throw new RangeError(
      `${options.suites.length} suites in one ClientHello; at most ${MAX_SUITES_PER_HELLO} ` +
        'are sent at once, split the list over several probes',
    );
  }
  if (options.random !== undefined && options.random.length !== 32) {
    throw new RangeError('the ClientHello random is 32 bytes');
  }
  if (options.sessionId !== undefined && options.sessionId.length > 32) {
    throw new RangeError('a session id is at most 32 bytes');
  }
}

function offeredVersions(options: HelloOptions): TlsVersion[] {
  const all: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  if (options.version !== 'TLSv1.3') {
    // A hello without supported_versions offers every version up to its legacy_version.
    return all.filter((version) => compareVersions(version, options.version) <= 0);
  }
  const lowest = options.minVersion ?? 'TLSv1.2';
  return all.filter((version) => compareVersions(version, lowest) >= 0).reverse();
}

function helloGroups(options: HelloOptions): readonly number[] {
  return (
    options.groups ?? (options.version === 'TLSv1.3' ? DEFAULT_GROUPS_TLS13 : DEFAULT_GROUPS_LEGACY)
  );
}

function makeDefaultKeyShares(options: HelloOptions): KeyShare[] {
  const first = helloGroups(options).find(cheapKeyShare);
  const groups = options.keyShareGroups ?? (first === undefined ? [] : [first]);
  // Groups without a key share from this runtime (ML-KEM hybrids) are skipped, and FFDHE groups
  // get one only when asked for by name: they stay in supported_groups, and a server that wants
  // one of them asks with a HelloRetryRequest. With no share at all the key_share extension is
  // empty, which RFC 8446 Section 4.2.8 allows.
  return groups.filter(canMakeKeyShare).map(makeKeyShare);
}

/** Server names are sent only for DNS names: never for IP literals (RFC 6066 Section 3). */
function sniName(serverName: string | null | undefined): string | null {
  if (serverName === undefined || serverName === null || serverName === '') return null;
  const bare = serverName.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return null;
  return serverName.replace(/\.$/, '');
}

interface Extension {
  type: number;
  data: Uint8Array;
}

/**
 * The extensions of the hello, in the order a common client sends them.
 *
 * SSL 3.0 hellos carry none but the padding extension when their length needs it: SSL 3.0
 * servers predate extensions and ignore data after the compression methods (RFC 6101 Section
 * 5.6.1.2), and secure renegotiation is signalled by the SCSV instead (RFC 5746 Section 3.3).
 * TLS 1.0 and 1.1 hellos leave out what only TLS 1.2 defines and old servers refuse:
 * signature_algorithms (RFC 5246 Section 7.4.1.4.1 forbids it below TLS 1.2),
 * supported_versions and key_share.
 */
function helloExtensions(options: HelloOptions, keyShares: KeyShare[]): Extension[] {
  if (options.version === 'SSLv3') return [...(options.extraExtensions ?? [])];

  const tls12 = compareVersions(options.version, 'TLSv1.2') >= 0;
  const tls13 = options.version === 'TLSv1.3';
  const groups = helloGroups(options);
  const extensions: Extension[] = [];
  const add = (type: number, fill: (w: Writer) => void) => {
    const w = new Writer();
    fill(w);
    extensions.push({ type, data: w.finish() });
  };

  const name = sniName(options.serverName);
  if (name !== null) {
    add(ExtensionType.serverName, (w) =>
      w.block16((w) => w.u8(0).block16((w) => w.bytes(Buffer.from(name, 'ascii')))),
    );
  }
  add(ExtensionType.extendedMasterSecret, () => {});
  add(ExtensionType.renegotiationInfo, (w) => w.block8(() => {}));
  add(ExtensionType.supportedGroups, (w) =>
    w.block16((w) => {
      for (const group of groups) w.u16(group);
    }),
  );
  add(ExtensionType.ecPointFormats, (w) => w.block8((w) => w.u8(0))); // uncompressed
  add(ExtensionType.sessionTicket, () => {});
  if (options.alpn !== undefined && options.alpn.length > 0) {
    const protocols = options.alpn;
    add(ExtensionType.alpn, (w) =>
      w.block16((w) => {
        for (const protocol of protocols) w.block8((w) => w.bytes(Buffer.from(protocol)));
      }),
    );
  }
  if (options.statusRequest !== false) {
    // CertificateStatusRequest for OCSP with no responder ids and no extensions (RFC 6066 8).
    add(ExtensionType.statusRequest, (w) => w.u8(1).u16(0).u16(0));
  }
  if (tls12) {
    const schemes = options.signatureSchemes ?? PROBE_SIGNATURE_SCHEMES;
    add(ExtensionType.signatureAlgorithms, (w) =>
      w.block16((w) => {
        for (const scheme of schemes) w.u16(scheme);
      }),
    );
  }
  if (tls13) {
    add(ExtensionType.supportedVersions, (w) =>
      w.block8((w) => {
        for (const version of offeredVersions(options)) w.u16(versionCode(version));
      }),
    );
    if (options.cookie !== undefined) {
      const cookie = options.cookie;
      add(ExtensionType.cookie, (w) => w.block16((w) => w.bytes(cookie)));
    }
    add(ExtensionType.pskKeyExchangeModes, (w) => w.block8((w) => w.u8(1))); // psk_dhe_ke
    add(ExtensionType.keyShare, (w) =>
      w.block16((w) => {
        for (const share of keyShares) w.u16(share.group).block16((w) => w.bytes(share.publicKey));
      }),
    );
  }
  extensions.push(...(options.extraExtensions ?? []));
  return extensions;
}

/**
 * The handshake message in handshake records. The record version is TLS 1.0 for every TLS
 * hello (RFC 8446 Section 5.1 and Appendix E.1: old servers refuse higher record versions) and
 * SSL 3.0 for an SSL 3.0 hello.
 */
function helloRecords(message: Uint8Array, version: TlsVersion): Uint8Array {
  const recordVersion = helloRecordVersion(version);
  const w = new Writer();
  for (let offset = 0; offset < message.length; offset += MAX_FRAGMENT) {
    const fragment = message.subarray(offset, offset + MAX_FRAGMENT);
    w.u8(ContentType.handshake)
      .u16(recordVersion)
      .block16((w) => w.bytes(fragment));
  }
  return w.finish();
}

function helloRecordVersion(version: TlsVersion): number {
  return version === 'SSLv3' ? 0x0300 : 0x0301;
}

/**
 * A warning close_notify alert (RFC 8446 Section 6.1, RFC 5246 Section 7.2.1), in the clear:
 * alerts before the handshake keys exist are not encrypted (RFC 8446 Section 6). It is read
 * after the server's flight, when a version is agreed, so its record version is the hello's:
 * 0x0303 for TLS 1.2 and 1.3. RFC 8446 Section 5.1 allows 0x0301 only in the first ClientHello,
 * and in TLS 1.2 a record carries the agreed version (RFC 5246 Section 6.2.1), which OpenSSL
 * enforces.
 */
function closeNotifyRecord(version: TlsVersion): Uint8Array {
  const recordVersion = version === 'TLSv1.3' ? versionCode('TLSv1.2') : versionCode(version);
  const w = new Writer();
  w.u8(ContentType.alert)
    .u16(recordVersion)
    .block16((w) => w.u8(1).u8(0));
  return w.finish();
}
