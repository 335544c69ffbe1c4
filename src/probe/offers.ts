// What the probes offer: which suites can be offered in a hello of each version, how they are
// split into hellos of at most 128 suites, the order they are offered in, and the groups.
// Everything here is chosen from the registries in src/wire, so that a suite added there is
// probed without a change here.

import type { TlsVersion } from '../model.js';
import { GROUPS, Group } from '../wire/groups.js';
import { MAX_SUITES_PER_HELLO } from '../wire/hello.js';
import { type CipherSuite, suiteByCode, suitesForVersion } from '../wire/suites.js';

/** Versions from the newest down, the order the probes ask for them. */
export const VERSIONS_NEWEST_FIRST: readonly TlsVersion[] = [
  'TLSv1.3',
  'TLSv1.2',
  'TLSv1.1',
  'TLSv1.0',
  'SSLv3',
];

/** The suites a hello of `version` can offer and a server could choose, split for probing. */
export interface SuitePlan {
  version: TlsVersion;
  /**
   * Hellos of suites, each in the order it is offered. The first holds the suites servers
   * commonly accept, so that it alone answers whether the version is accepted.
   */
  chunks: number[][];
}

// The TLS 1.3 hello that asks for TLS 1.3 also carries the first chunk of TLS 1.2 suites, so
// that a server without TLS 1.3 negotiates TLS 1.2 from it (and one that fails instead shows
// its version intolerance). Both must fit into one hello.
const TLS13_SUITES = suitesForVersion('TLSv1.3').filter((suite) => suite.kex === 'TLS13');
const FIRST_CHUNK_SIZE = MAX_SUITES_PER_HELLO - TLS13_SUITES.length;

/** Every TLS 1.3 suite of the registry, in the order they are offered. */
export function tls13Suites(): number[] {
  return offerOrder(TLS13_SUITES.map((suite) => suite.code));
}

const plans = new Map<TlsVersion, SuitePlan>();

/** The suite plan of a version: every suite of the registry the version can negotiate. */
export function suitePlan(version: TlsVersion): SuitePlan {
  let plan = plans.get(version);
  if (!plan) {
    plan = makeSuitePlan(version);
    plans.set(version, plan);
  }
  return { version, chunks: plan.chunks.map((chunk) => [...chunk]) };
}

function makeSuitePlan(version: TlsVersion): SuitePlan {
  if (version === 'TLSv1.3') {
    return { version, chunks: [tls13Suites()] };
  }

  const candidates = suitesForVersion(version).filter((suite) => suite.kex !== 'TLS13');
  const first = commonSuites().filter((suite) => candidates.includes(suite));
  const rest = candidates.filter((suite) => !first.includes(suite));

  // A version whose suites all fit into one hello (SSL 3.0) gets one: a server that refuses it
  // with handshake_failure, the only refusal SSL 3.0 has (it predates protocol_version),
  // leaves no other chunk to ask about.
  if (candidates.length <= MAX_SUITES_PER_HELLO) {
    const codes = (suites: CipherSuite[]) => offerOrder(suites.map((suite) => suite.code));
    return { version, chunks: [[...codes(first), ...codes(rest)]] };
  }

  return {
    version,
    chunks: [
      offerOrder(first.map((suite) => suite.code)),
      ...splitEvenly(rest, MAX_SUITES_PER_HELLO).map((chunk) =>
        offerOrder(chunk.map((suite) => suite.code)),
      ),
    ],
  };
}

// The first chunk, the same for every version up to TLS 1.2 (each takes what it can
// negotiate), so that a TLS 1.2 hello offers everything a TLS 1.1 hello offers: a server that
// refuses the first but accepts the second is version intolerant, not short of suites.
// Tiers, each in code order: the key exchanges and ciphers of today's servers, then the older
// ciphers those servers may still enable, then everything else by code.
let commonSuitesCache: CipherSuite[] | null = null;

function commonSuites(): CipherSuite[] {
  if (commonSuitesCache) {
    return commonSuitesCache;
  }

  const all = suitesForVersion('TLSv1.2')
    .concat(suitesForVersion('SSLv3'))
    .filter((suite, index, list) => suite.kex !== 'TLS13' && list.indexOf(suite) === index)
    .sort((a, b) => a.code - b.code);
  const mainstream = (suite: CipherSuite) =>
    ['ECDHE', 'DHE', 'RSA'].includes(suite.kex) &&
    ['RSA', 'ECDSA', 'DSS'].includes(suite.auth) &&
    !suite.export &&
    !suite.nullCipher;
  const tier = (suite: CipherSuite): number => {
    if (mainstream(suite) && ['AES', 'CHACHA20', '3DES'].includes(suite.cipher)) return 0;
    if (mainstream(suite)) return 1;
    if (suite.anonymous && !suite.export && !suite.nullCipher) return 2;
    return 3;
  };

  commonSuitesCache = [...all]
    .sort((a, b) => tier(a) - tier(b) || a.code - b.code)
    .slice(0, FIRST_CHUNK_SIZE);
  return commonSuitesCache;
}

/**
 * The order suites are offered in: strongest first, as a modern client would, and ChaCha20
 * last, because servers set to prefer ChaCha20 only when the client lists it first (OpenSSL's
 * SSL_OP_PRIORITIZE_CHACHA) would otherwise show an order they never use with other clients.
 */
export function offerOrder(codes: number[]): number[] {
  const rank = (code: number): number[] => {
    const suite = suiteByCode(code);
    if (!suite) return [1, 1, 1, 1, 1, 1, 1, 0];
    return [
      suite.cipher === 'CHACHA20' ? 1 : 0,
      // Suites OpenSSL never had are rare on servers; mainstream ones go first.
      suite.openssl === undefined ? 1 : 0,
      suite.forwardSecret ? 0 : 1,
      suite.kex === 'ECDHE' || suite.kex === 'TLS13' ? 0 : 1,
      suite.aead ? 0 : 1,
      suite.auth === 'DSS' ? 1 : 0,
      suite.block64 || suite.rc4 || suite.export || suite.nullCipher ? 1 : 0,
      -suite.bits,
    ];
  };
  // Each rank once per suite, not once per comparison: the first hellos wait for these lists.
  const ranks = new Map(codes.map((code) => [code, rank(code)]));
  const compare = (a: number, b: number): number => {
    const ra = ranks.get(a)!;
    const rb = ranks.get(b)!;
    for (let i = 0; i < ra.length; i++) {
      if (ra[i] !== rb[i]) return ra[i] - rb[i];
    }
    return a - b;
  };
  return [...codes].sort(compare);
}

function splitEvenly<T>(items: T[], maxSize: number): T[][] {
  if (items.length === 0) {
    return [];
  }

  const count = Math.ceil(items.length / maxSize);
  const size = Math.ceil(items.length / count);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

// -------------------------------------------------------------------------------------------
// Groups

const POPULAR_GROUPS: readonly number[] = [
  Group.x25519,
  Group.secp256r1,
  Group.X25519MLKEM768,
  Group.secp384r1,
  Group.secp521r1,
  Group.x448,
  Group.SecP256r1MLKEM768,
  Group.ffdhe2048,
  Group.ffdhe3072,
];

// RFC 8446 Section 4.2.7 keeps, of the TLS 1.2 curves, only secp256r1/384r1/521r1, x25519 and
// x448; the brainpool curves have TLS 1.3 codes of their own (RFC 8734), and curveSM2 exists
// only in TLS 1.3 (RFC 8998).
const TLS13_ONLY_GROUPS = new Set([31, 32, 33, 41]);
const TLS12_ONLY_CURVES = new Set(
  GROUPS.filter(
    (group) => group.kind === 'ec' && (group.deprecated || [26, 27, 28].includes(group.code)),
  ).map((group) => group.code),
);

/** Groups a TLS 1.3 hello offers: every group a TLS 1.3 server could choose, common first. */
export function tls13Groups(): number[] {
  const codes = GROUPS.filter((group) => !TLS12_ONLY_CURVES.has(group.code)).map((g) => g.code);
  return popularFirst(codes);
}

/**
 * Curves a TLS 1.2 (or older) hello offers: every elliptic curve of the registry, common first.
 * No FFDHE group: a server implementing RFC 7919 Section 4 would then refuse DHE suites that
 * work with its own prime.
 */
export function legacyCurves(): number[] {
  const codes = GROUPS.filter(
    (group) => (group.kind === 'ec' || group.kind === 'ecx') && !TLS13_ONLY_GROUPS.has(group.code),
  ).map((group) => group.code);
  return popularFirst(codes);
}

function popularFirst(codes: number[]): number[] {
  const rank = (code: number) => {
    const index = POPULAR_GROUPS.indexOf(code);
    return index === -1 ? POPULAR_GROUPS.length : index;
  };
  return [...codes].sort((a, b) => rank(a) - rank(b) || a - b);
}
