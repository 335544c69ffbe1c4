// ECDHE curves and DH prime sizes of TLS 1.2 and below. The curves are found by offer and
// remove over supported_groups, with hellos that offer only ECDHE suites the server accepted,
// so that a refusal means no curve is left (RFC 8422 Section 5.1.1: the server must not pick
// an ECC suite it cannot complete with the client's curves). DH prime sizes come from the DHE
// suites the enumeration accepted; each ServerKeyExchange carried the prime.
//
// Not yet fast enough: the curve hellos run one after another, after the suites, so at 50 ms
// round trips they are the longest tail of a scan (about five round trips); splitting them
// over parallel parts costs connections that the comparison with nmap cannot spare.

import { X509Certificate } from 'node:crypto';
import type { GroupSupport, TlsVersion } from '../model.js';
import { groupName } from '../wire/groups.js';
import { suiteByCode } from '../wire/suites.js';
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
  const dhBits = [
    ...new Set(accepted.flatMap((suite) => (suite.dhBits !== undefined ? [suite.dhBits] : []))),
  ].sort((a, b) => a - b);

  const ecdhe = accepted.filter((suite) => suiteByCode(suite.code)?.kex === 'ECDHE');
  if (ecdhe.length === 0) {
    return { support: { version, groups: [], dhBits }, notes: [] };
  }

  const notEcdsa = ecdhe.filter((suite) => suiteByCode(suite.code)?.auth !== 'ECDSA');
  const suites = (notEcdsa.length > 0 ? notEcdsa : ecdhe).map((suite) => suite.code);
  const anchor = notEcdsa.length > 0 ? null : certificateCurve(enumeration.certificates);

  // Curves the enumeration already saw count as found; the rest are still to be asked about.
  const found: number[] = [];
  for (const suite of ecdhe) {
    if (suite.group !== undefined && !found.includes(suite.group)) found.push(suite.group);
  }
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
      incomplete('the server named a curve that was not offered');
      break;
    }

    if (outcome.kind === 'alert' || outcome.kind === 'reset' || outcome.kind === 'closed') {
      if (anchor === null && notEcdsa.length === 0) {
        incomplete("the curve of the server's ECDSA key is unknown, so it was not always offered");
      }
      break;
    }

    incomplete(`a probe ended with ${outcome.kind}`);
    break;
  }

  const order = legacyCurves();
  found.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { support: { version, groups: found, dhBits }, notes };
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
