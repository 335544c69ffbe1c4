// Protocol version codes on the wire (RFC 6101, RFC 2246, RFC 4346, RFC 5246, RFC 8446) and the
// registries of record content types, handshake message types and extension types.

import type { TlsVersion } from '../model.js';

// biome-ignore format: a table
const VERSION_CODES: readonly [TlsVersion, number][] = [
  ['SSLv3', 0x0300],
  ['TLSv1.0', 0x0301],
  ['TLSv1.1', 0x0302],
  ['TLSv1.2', 0x0303],
  ['TLSv1.3', 0x0304],
];

/** The 16-bit code of a protocol version. */
export function versionCode(version: TlsVersion): number {
  const row = VERSION_CODES.find(([name]) => name === version);
  if (row === undefined) throw new RangeError(`unknown TLS version ${version}`);
  return row[1];
}

/** The protocol version of a 16-bit code, undefined for codes that name none we know. */
export function versionFromCode(code: number): TlsVersion | undefined {
  return VERSION_CODES.find(([, value]) => value === code)?.[0];
}

export function versionLabel(code: number): string {
  return versionFromCode(code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/** Orders versions: negative when a < b. */
export function compareVersions(a: TlsVersion, b: TlsVersion): number {
  return versionCode(a) - versionCode(b);
}

/** TLSPlaintext.type, RFC 8446 Section 5.1 (and heartbeat, RFC 6520). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;

/** HandshakeType, RFC 8446 Section 4 and RFC 5246 Section 7.4. */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
  certificateStatus: 22,
  keyUpdate: 24,
  messageHash: 254,
} as const;

const HANDSHAKE_NAMES = new Map<number, string>(
  Object.entries(HandshakeType).map(([name, code]) => [code, name]),
);

export function handshakeTypeName(type: number): string {
  return HANDSHAKE_NAMES.get(type) ?? `handshake_${type}`;
}

/** ExtensionType values the probe writes or reads (IANA tls-extensiontype-values-1). */
export const ExtensionType = {
  serverName: 0,
  maxFragmentLength: 1,
  statusRequest: 5,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  heartbeat: 15,
  alpn: 16,
  signedCertificateTimestamp: 18,
  padding: 21,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  compressCertificate: 27,
  recordSizeLimit: 28,
  sessionTicket: 35,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  certificateAuthorities: 47,
  postHandshakeAuth: 49,
  signatureAlgorithmsCert: 50,
  keyShare: 51,
  encryptedClientHello: 0xfe0d,
  renegotiationInfo: 0xff01,
} as const;
