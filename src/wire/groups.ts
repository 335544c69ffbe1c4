// The IANA TLS Supported Groups registry as data (tls-parameters-8): elliptic curves, finite-field
// groups and post-quantum hybrids, with what the probe needs to know about each.

export type GroupKind = 'ec' | 'ecx' | 'ffdhe' | 'hybrid' | 'kem';

export interface NamedGroup {
  code: number;
  /** IANA name, for example x25519, secp256r1, X25519MLKEM768. */
  name: string;
  kind: GroupKind;
  /** Classical security-relevant size: curve order bits or the FFDHE prime's bits. */
  bits: number;
  /** Deprecated by RFC 8422 Section 5.1.1 (binary and small curves) or by the registry. */
  deprecated: boolean;
}

// biome-ignore format: one group per line reads as a table
const ROWS: [code: number, name: string, kind: GroupKind, bits: number, deprecated: boolean][] = [
  [1, 'sect163k1', 'ec', 163, true],
  [2, 'sect163r1', 'ec', 163, true],
  [3, 'sect163r2', 'ec', 163, true],
  [4, 'sect193r1', 'ec', 193, true],
  [5, 'sect193r2', 'ec', 193, true],
  [6, 'sect233k1', 'ec', 233, true],
  [7, 'sect233r1', 'ec', 233, true],
  [8, 'sect239k1', 'ec', 239, true],
  [9, 'sect283k1', 'ec', 283, true],
  [10, 'sect283r1', 'ec', 283, true],
  [11, 'sect409k1', 'ec', 409, true],
  [12, 'sect409r1', 'ec', 409, true],
  [13, 'sect571k1', 'ec', 571, true],
  [14, 'sect571r1', 'ec', 571, true],
  [15, 'secp160k1', 'ec', 160, true],
  [16, 'secp160r1', 'ec', 160, true],
  [17, 'secp160r2', 'ec', 160, true],
  [18, 'secp192k1', 'ec', 192, true],
  [19, 'secp192r1', 'ec', 192, true],
  [20, 'secp224k1', 'ec', 224, true],
  [21, 'secp224r1', 'ec', 224, true],
  [22, 'secp256k1', 'ec', 256, true],
  [23, 'secp256r1', 'ec', 256, false],
  [24, 'secp384r1', 'ec', 384, false],
  [25, 'secp521r1', 'ec', 521, false],
  [26, 'brainpoolP256r1', 'ec', 256, false],
  [27, 'brainpoolP384r1', 'ec', 384, false],
  [28, 'brainpoolP512r1', 'ec', 512, false],
  [29, 'x25519', 'ecx', 255, false],
  [30, 'x448', 'ecx', 448, false],
  [31, 'brainpoolP256r1tls13', 'ec', 256, false],
  [32, 'brainpoolP384r1tls13', 'ec', 384, false],
  [33, 'brainpoolP512r1tls13', 'ec', 512, false],
  [34, 'GC256A', 'ec', 256, false],
  [35, 'GC256B', 'ec', 256, false],
  [36, 'GC256C', 'ec', 256, false],
  [37, 'GC256D', 'ec', 256, false],
  [38, 'GC512A', 'ec', 512, false],
  [39, 'GC512B', 'ec', 512, false],
  [40, 'GC512C', 'ec', 512, false],
  [41, 'curveSM2', 'ec', 256, false],
  [256, 'ffdhe2048', 'ffdhe', 2048, false],
  [257, 'ffdhe3072', 'ffdhe', 3072, false],
  [258, 'ffdhe4096', 'ffdhe', 4096, false],
  [259, 'ffdhe6144', 'ffdhe', 6144, false],
  [260, 'ffdhe8192', 'ffdhe', 8192, false],
  [512, 'MLKEM512', 'kem', 0, false],
  [513, 'MLKEM768', 'kem', 0, false],
  [514, 'MLKEM1024', 'kem', 0, false],
  [4587, 'SecP256r1MLKEM768', 'hybrid', 256, false],
  [4588, 'X25519MLKEM768', 'hybrid', 255, false],
  [4589, 'SecP384r1MLKEM1024', 'hybrid', 384, false],
  [25497, 'X25519Kyber768Draft00', 'hybrid', 255, true],
  [25498, 'SecP256r1Kyber768Draft00', 'hybrid', 256, true],
  [65281, 'arbitrary_explicit_prime_curves', 'ec', 0, true],
  [65282, 'arbitrary_explicit_char2_curves', 'ec', 0, true],
];

export const GROUPS: readonly NamedGroup[] = Object.freeze(
  ROWS.map(([code, name, kind, bits, deprecated]) => ({ code, name, kind, bits, deprecated })),
);

/** Codes of the groups the probe names in code, so that no number appears twice. */
export const Group = {
  secp256r1: 23,
  secp384r1: 24,
  secp521r1: 25,
  x25519: 29,
  x448: 30,
  ffdhe2048: 256,
  ffdhe3072: 257,
  ffdhe4096: 258,
  ffdhe6144: 259,
  ffdhe8192: 260,
  SecP256r1MLKEM768: 4587,
  X25519MLKEM768: 4588,
} as const;

/**
 * Groups most servers have (the defaults of OpenSSL, Go and nginx), most common first: the
 * probes ask about these before the rest.
 */
export const COMMON_GROUPS: readonly number[] = [
  Group.x25519,
  Group.secp256r1,
  Group.secp384r1,
  Group.secp521r1,
  Group.x448,
];

const byCode = new Map(GROUPS.map((group) => [group.code, group]));

export function groupByCode(code: number): NamedGroup | undefined {
  return byCode.get(code);
}

/** The IANA name of a group, or its code in hex when unassigned. */
export function groupName(code: number): string {
  return byCode.get(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}
