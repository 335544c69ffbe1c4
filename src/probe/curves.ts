// ECDHE curves and DH prime sizes of TLS 1.2 and below. The curves are found with hellos that
// offer only ECDHE suites the server accepted, so that a refusal means no curve is left (RFC
// 8422 Section 5.1.1: the server must not pick an ECC suite it cannot complete with the
// client's curves). The curves servers commonly have are asked about one per hello, all at
// once, beside one hello with every other curve, so that the search takes one round trip; a
// server with a curve among the others is then searched by offer and remove. DH prime sizes
// come from the DHE suites the enumeration accepted; each ServerKeyExchange carried the prime.
//
// A server whose only ECDHE suites are ECDSA ones needs its certificate's curve in every hello
// (see enumerateCurves), which a hello of one curve cannot give: its curves are found by offer
// and remove alone, one hello after another.

import { X509Certificate } from 'node:crypto';
import type { GroupSupport, TlsVersion } from '../model.js';
import { isRefusal } from '../model.js';
import { COMMON_GROUPS, groupName } from '../wire/groups.js';
import { suiteByCode } from '../wire/suites.js';
import type { HelloProbeResult } from './connection.js';
import type { VersionEnumeration } from './enumerate.js';
import { legacyCurves } from './offers.js';
import type { Prober } from './prober.js';

// node:crypto's names of the curves of an ECDSA key, with their TLS group codes.
const KEY_CURVES: Record<string, number> = {
  prime192v1: 19,
  secp224r1: 21,
  secp256k1: 22,
  prime256v1: 23,
  secp384r1: 24,
  secp521r1: 25,
  brainpoolP256r1: 26,
  brainpoolP384r1: 27,
  brainpoolP512r1: 28,
};

/** The TLS group of the leaf certificate's ECDSA key, if it has one. */
export function certificateCurve(certificates: Uint8Array[]): number | null {
  if (certificates.length === 0) {
    return null;
  }

  try {
    const key = new X509Certificate(certificates[0]).publicKey;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve ? (KEY_CURVES[curve] ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * Whether the leaf's key is EdDSA (Ed25519, Ed448). Its ECDHE_ECDSA suites then tie no curve
 * to the certificate: RFC 8422 Section 5.1 asks for the certificate's curve in supported_groups
 * only for ECDSA keys, and EdDSA is chosen by signature_algorithms.
 */
function eddsaCertificate(certificates: Uint8Array[]): boolean {
  if (certificates.length === 0) {
    return false;
  }

  try {
    const type = new X509Certificate(certificates[0]).publicKey.asymmetricKeyType;
    return type === 'ed25519' || type === 'ed448';
  } catch {
    return false;
  }
}

/** Sizes of the DH primes the version's DHE suites came with. */
function dhSizes(enumeration: VersionEnumeration): number[] {
  const accepted = enumeration.enumeration.accepted;
  return [
    ...new Set(accepted.flatMap((suite) => (suite.dhBits !== undefined ? [suite.dhBits] : []))),
  ].sort((a, b) => a - b);
}

/**
 * The ECDHE suite a version's first hello was answered with, when it allows the curve search
 * to start before the suites are enumerated: any ECDHE suite but an ECDSA one works with every
 * curve the server has.
 */
export function earlyCurveSuite(version: TlsVersion, first: HelloProbeResult): number | null {
  const outcome = first.outcome;
  if (outcome.kind !== 'accepted' || outcome.version !== version) {
    return null;
  }
  const suite = suiteByCode(outcome.suite);
  return suite?.kex === 'ECDHE' && suite.auth !== 'ECDSA' ? suite.code : null;
}

/**
 * Why an accepted hello named no curve that was offered. A TLS 1.2 server names its curve in
 * the ServerKeyExchange (RFC 8422, Section 5.4); when none came (a flight that stops after the
 * ServerHello) no curve was named at all, which says nothing of the curves the server has.
 */
function unnamedCurve(curve: number | undefined): string {
  return curve === undefined
    ? 'no ServerKeyExchange came, so the server named no curve'
    : 'the server named a curve that was not offered';
}

/** What a curve search found: the curves in the order of legacyCurves, and notes. */
export interface CurveSearch {
  groups: number[];
  notes: string[];
}

/**
 * The curves of one version, asked with `suites` (ECDHE suites the server accepts, none of
 * them ECDSA), knowing `seen` already: the common curves one per hello and the rest in one
 * hello, all at once; then offer and remove over the rest if that hello was accepted.
 */
export async function searchCurves(
  prober: Prober,
  version: TlsVersion,
  suites: number[],
  seen: number[],
): Promise<CurveSearch> {
  const found = [...seen];
  const notes: string[] = [];
  const incomplete = (why: string) => notes.push(`the ${version} curves may be incomplete: ${why}`);

  const untested = legacyCurves().filter((curve) => !found.includes(curve));
  const common = COMMON_GROUPS.filter((curve) => untested.includes(curve));
  const rest = untested.filter((curve) => !common.includes(curve));
  const ask = (groups: number[]) => prober.send({ version, suites, groups });

  const [singles, others] = await Promise.all([
    Promise.all(common.map((curve) => ask([curve]))),
    rest.length > 0 ? ask(rest) : Promise.resolve(null),
  ]);

  singles.forEach((result, index) => {
    const outcome = result.outcome;
    if (outcome.kind === 'accepted' && outcome.version === version) {
      if (outcome.group === common[index]) {
        found.push(common[index]);
      } else {
        incomplete(unnamedCurve(outcome.group));
      }
    } else if (!isRefusal(outcome)) {
      incomplete(`a probe ended with ${outcome.kind}`);
    }
  });

  if (others) {
    const more = await offerAndRemove(prober, version, suites, rest, others, incomplete);
    found.push(...more);
  }
  return { groups: ordered(found), notes };
}

/**
 * Offer and remove over `curves`, starting from the answer to a hello that offered them all:
 * each accepted hello names one, the next offers the rest, until the server refuses.
 */
async function offerAndRemove(
  prober: Prober,
  version: TlsVersion,
  suites: number[],
  curves: number[],
  first: HelloProbeResult,
  incomplete: (why: string) => void,
): Promise<number[]> {
  const left = [...curves];
  const found: number[] = [];
  let result: HelloProbeResult | null = first;

  while (left.length > 0) {
    result ??= await prober.send({ version, suites, groups: [...left] });
    const outcome = result.outcome;
    result = null;
    if (outcome.kind === 'accepted' && outcome.version === version) {
      const curve = outcome.group;
      if (curve === undefined || !left.includes(curve)) {
        incomplete(unnamedCurve(curve));
        break;
      }
      found.push(curve);
      left.splice(left.indexOf(curve), 1);
      continue;
    }
    if (!isRefusal(outcome)) {
      incomplete(`a probe ended with ${outcome.kind}`);
    }
    break;
  }
  return found;
}

function ordered(curves: number[]): number[] {
  const order = legacyCurves();
  return [...new Set(curves)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/**
 * A version's group support: the curves the search found, with the DH sizes of the DHE suites
 * its finished enumeration accepted.
 */
export function groupSupportOf(
  version: TlsVersion,
  enumeration: VersionEnumeration,
  search: CurveSearch,
): { support: GroupSupport; notes: string[] } {
  return {
    support: { version, groups: search.groups, dhBits: dhSizes(enumeration) },
    notes: search.notes,
  };
}

/**
 * The curves and DH sizes of one version, from its finished enumeration.
 *
 * With only ECDHE_ECDSA suites, every hello must also offer the certificate's own curve: a
 * TLS 1.2 server refuses an ECDSA suite when the client does not list the curve of its key
 * (RFC 8422 Section 5.1.1), whatever curve the key exchange would use. That curve goes last,
 * so that a server following the client's order still names the other curves first.
 */
export async function enumerateCurves(
  prober: Prober,
  version: TlsVersion,
  enumeration: VersionEnumeration,
): Promise<{ support: GroupSupport; notes: string[] }> {
  const accepted = enumeration.enumeration.accepted;
  const dhBits = dhSizes(enumeration);

  const ecdhe = accepted.filter((suite) => suiteByCode(suite.code)?.kex === 'ECDHE');
  if (ecdhe.length === 0) {
    return { support: { version, groups: [], dhBits }, notes: [] };
  }

  // Curves the enumeration already saw count as found; the rest are still to be asked about.
  const found: number[] = [];
  for (const suite of ecdhe) {
    if (suite.group !== undefined && !found.includes(suite.group)) found.push(suite.group);
  }

  const notEcdsa = ecdhe.filter((suite) => suiteByCode(suite.code)?.auth !== 'ECDSA');
  if (notEcdsa.length > 0) {
    const search = await searchCurves(
      prober,
      version,
      notEcdsa.map((suite) => suite.code),
      found,
    );
    return groupSupportOf(version, enumeration, search);
  }

  const suites = ecdhe.map((suite) => suite.code);
  const anchor = certificateCurve(enumeration.certificates);
  const untested = legacyCurves().filter((curve) => !found.includes(curve) && curve !== anchor);
  // The curve the enumeration's hellos (every curve offered) ended with.
  const reference = found[0];

  const notes: string[] = [];
  const incomplete = (why: string) => notes.push(`the ${version} curves may be incomplete: ${why}`);

  while (untested.length > 0) {
    const groups = anchor === null ? [...untested] : [...untested, anchor];
    const result = await prober.send({ version, suites, groups });
    const outcome = result.outcome;

    if (outcome.kind === 'accepted' && outcome.version === version) {
      const curve = outcome.group;
      if (curve !== undefined && untested.includes(curve)) {
        found.push(curve);
        untested.splice(untested.indexOf(curve), 1);
        continue;
      }
      if (curve !== undefined && curve === anchor) {
        if (!found.includes(anchor)) found.push(anchor);
        if (!(await followsClientCurveOrder(prober, version, suites, anchor, reference))) {
          incomplete(
            `the server picks its certificate's curve ${groupName(anchor)}, which every ` +
              'hello must offer for its ECDSA suites, over the curves not yet seen',
          );
        }
        break;
      }
      incomplete(unnamedCurve(curve));
      break;
    }

    if (outcome.kind === 'alert' || outcome.kind === 'reset' || outcome.kind === 'closed') {
      if (anchor === null && !eddsaCertificate(enumeration.certificates)) {
        incomplete("the curve of the server's ECDSA key is unknown, so it was not always offered");
      }
      break;
    }

    incomplete(`a probe ended with ${outcome.kind}`);
    break;
  }

  return { support: { version, groups: ordered(found), dhBits }, notes };
}

/**
 * Whether the server picks curves in the client's order, asked when it picked the anchor (its
 * certificate's curve, offered last) over every curve not yet seen: in the client's order that
 * means none of them is supported, in its own order nothing is known. The enumeration's hellos
 * listed `reference` before the anchor and the server took `reference`; a hello listing the
 * anchor first tells the two apart.
 */
async function followsClientCurveOrder(
  prober: Prober,
  version: TlsVersion,
  suites: number[],
  anchor: number,
  reference: number | undefined,
): Promise<boolean> {
  const order = legacyCurves();
  if (reference === undefined || order.indexOf(reference) >= order.indexOf(anchor)) {
    return false;
  }

  const result = await prober.send({ version, suites, groups: [anchor, reference] });
  return result.outcome.kind === 'accepted' && result.outcome.group === anchor;
}
