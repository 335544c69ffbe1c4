// TLS 1.3 suites and groups. In TLS 1.3 the suite and the group are chosen independently
// (RFC 8446 Section 4.1.1), so after the version probe (which names one of each) the suites and
// the groups are found apart and at once. Suite hellos offer every group, so a refusal means no
// suite is left; the first round sends two of them, in opposite orders. The first of those is
// decrypted up to EncryptedExtensions, where a server may list its own groups (RFC 8446
// Section 4.2.7); when it does, that list is the groups. Otherwise group hellos offer a suite
// known to work, in a few disjoint parts of the groups that run in parallel. A server that
// wants a group the hello has no key share for answers with a HelloRetryRequest, which names
// the group just as well, so no second hello is needed.

import type { GroupSupport } from '../model.js';
import { COMMON_GROUPS } from '../wire/groups.js';
import { canMakeKeyShare } from '../wire/keyshare.js';
import { suiteName } from '../wire/suites.js';
import type { HelloProbeResult } from './connection.js';
import { type ChunkRun, finishEnumeration, type VersionEnumeration } from './enumerate.js';
import type { ProbeHello, Prober } from './prober.js';

export interface Tls13Result extends VersionEnumeration {
  groups: GroupSupport;
}

// Parts of the group phase, and the fewest groups a part must hold to be worth its refusal.
const GROUP_PARTS = 3;
const MIN_GROUPS_PER_PART = 4;

/** The groups left, dealt in turn into parts, so that the common ones spread over them. */
function splitGroups(groupsLeft: number[]): number[][] {
  const count = Math.max(
    1,
    Math.min(GROUP_PARTS, Math.floor(groupsLeft.length / MIN_GROUPS_PER_PART)),
  );
  return Array.from({ length: count }, (_, part) =>
    groupsLeft.filter((_group, index) => index % count === part),
  );
}

/** A TLS 1.3 hello that offers only TLS 1.3, so a refusal is about these suites and groups. */
export function tls13Hello(suites: number[], groups: number[]): ProbeHello {
  return { version: 'TLSv1.3', minVersion: 'TLSv1.3', suites, groups };
}

/**
 * Every TLS 1.3 suite and group the server accepts, starting from the version probe's answer
 * (which offered every suite and group and was accepted in TLS 1.3).
 */
export async function enumerateTls13(
  prober: Prober,
  allSuites: number[],
  allGroups: number[],
  first: HelloProbeResult,
): Promise<Tls13Result> {
  const run: ChunkRun = {
    winners: [],
    found: new Map(),
    picks: [],
    refusals: [],
    complete: true,
    certificates: [],
  };
  const groups: number[] = [];
  const suitesLeft = [...allSuites];
  const groupsLeft = [...allGroups];
  let groupsComplete = true;

  // Records an accepted answer; false when the answer is anything else.
  // The group of every suite row: the one the server picks from our default groups, in the
  // version probe. A TLS 1.3 suite is chosen apart from the group (RFC 8446 Section 4.1.1),
  // so the group each enumeration hello happened to get says nothing about its suite.
  const firstOutcome = first.outcome;
  const defaultGroup =
    firstOutcome.kind === 'accepted' && firstOutcome.version === 'TLSv1.3'
      ? firstOutcome.group
      : undefined;

  const take = (offered: number[], result: HelloProbeResult): boolean => {
    const outcome = result.outcome;
    if (outcome.kind !== 'accepted' || outcome.version !== 'TLSv1.3') {
      return false;
    }

    run.picks.push({ offered, winner: outcome.suite });
    if (!run.found.has(outcome.suite)) {
      run.winners.push(outcome.suite);
      run.found.set(outcome.suite, {
        code: outcome.suite,
        name: suiteName(outcome.suite),
        ...(defaultGroup !== undefined ? { group: defaultGroup } : {}),
      });
      suitesLeft.splice(suitesLeft.indexOf(outcome.suite), 1);
    }
    if (outcome.group !== undefined && !groups.includes(outcome.group)) {
      groups.push(outcome.group);
      const index = groupsLeft.indexOf(outcome.group);
      if (index !== -1) groupsLeft.splice(index, 1);
    }
    return true;
  };

  const refusalOf = (result: HelloProbeResult): boolean => {
    const kind = result.outcome.kind;
    if (kind === 'alert' || kind === 'reset' || kind === 'closed') {
      run.refusals.push(kind);
      return true;
    }
    return false;
  };

  take(allSuites, first);

  // The suites and the groups are then found apart: the suite hellos offer every group (so a
  // refusal means no suite is left), the group hellos the suite the version probe got (so a
  // refusal means no group of the part is left). The first suite hello also offers the first
  // suite again, last, which tells a server with its own order from one that follows the
  // client (see enumerate.ts), and asks for the server's own list of groups: its key shares
  // are for other groups than the version probe got, and a server for which the one it takes
  // is not its first choice may list its groups in EncryptedExtensions (RFC 8446 Section
  // 4.2.7; OpenSSL does), which the decrypted flight shows. With that list, no group hello is
  // needed.
  // The first round of suite hellos is two at once over the suites left: one in our order
  // with the first pick again, last (the preference test and the list probe above), and one in
  // the reverse order. A server that follows the client picks a different suite from each, so
  // that two are found in one round trip; a refusal of the reverse hello says none is left.
  const ordered = run.winners.length > 0 ? [...suitesLeft, run.winners[0]] : [...suitesLeft];
  const listProbe =
    suitesLeft.length === 0
      ? null
      : prober
          .sendDecrypting({
            ...tls13Hello(ordered, allGroups),
            keyShareGroups: listProbeShares(defaultGroup, allGroups),
          })
          .then((result) => {
            // Taken before the group phase looks at the list, which must hold the group taken.
            const known = run.found.size;
            const accepted = take(ordered, result);
            return { result, accepted, addedSuite: run.found.size > known };
          });

  const suitePhase = async (): Promise<void> => {
    if (listProbe === null) {
      return;
    }

    const reversed = suitesLeft.length > 1 ? [...suitesLeft].reverse() : null;
    const reverseProbe = reversed ? prober.send(tls13Hello(reversed, allGroups)) : null;
    const [first, second] = await Promise.all([listProbe, reverseProbe]);

    if (!first.accepted && !refusalOf(first.result)) {
      run.complete = false;
    } else if (!first.accepted && run.winners.length > 0) {
      // Refused although it held a suite accepted before: the server is not consistent.
      run.complete = false;
    }
    if (second && reversed && !take(reversed, second)) {
      // A refusal of the same suites that the first hello found one in is no answer either.
      if (!refusalOf(second) || first.addedSuite) {
        run.complete = false;
      }
      return;
    }

    while (suitesLeft.length > 0) {
      const offered = [...suitesLeft];
      const result = await prober.send(tls13Hello(offered, allGroups));
      if (take(offered, result)) {
        continue;
      }
      if (!refusalOf(result)) {
        run.complete = false;
      }
      return;
    }
  };

  // Disjoint parts of the groups run in parallel: each part's offer and remove finds every
  // group of it the server accepts, whatever order the server picks in.
  const knownSuites = [...run.winners];
  const groupPart = async (part: number[]): Promise<void> => {
    while (part.length > 0 && knownSuites.length > 0) {
      const result = await prober.send(tls13Hello(knownSuites, [...part]));
      const outcome = result.outcome;
      if (take(knownSuites, result) && outcome.kind === 'accepted') {
        const index = outcome.group === undefined ? -1 : part.indexOf(outcome.group);
        if (index === -1) {
          // The server named a group the hello did not offer.
          groupsComplete = false;
          return;
        }
        part.splice(index, 1);
        continue;
      }
      if (!refusalOf(result)) {
        groupsComplete = false;
      }
      return;
    }
  };

  // The server's list, once the list probe has answered, when it holds every group seen so far.
  const groupPhase = async (): Promise<number[] | null> => {
    const listed = (await listProbe)?.result.serverGroups ?? null;
    if (listed !== null && groups.every((group) => listed.includes(group))) {
      return listed;
    }
    const groupsToFind = allGroups.filter((group) => !groups.includes(group));
    await Promise.all(splitGroups(groupsToFind).map(groupPart));
    return null;
  };

  const [, listed] = await Promise.all([suitePhase(), groupPhase()]);

  // A group that a later suite hello got and the server's list lacks makes the list untrue: the
  // group is kept, and the rest were not probed.
  const unlisted = listed === null ? [] : groups.filter((group) => !listed.includes(group));
  const fromServerList = listed !== null && unlisted.length === 0;
  if (listed !== null) {
    // The server's list, in its order of preference.
    groups.splice(0, groups.length, ...listed, ...unlisted);
  } else {
    // Parts find groups in no meaningful order: list them as offered.
    const rank = (group: number) => {
      const index = allGroups.indexOf(group);
      return index === -1 ? allGroups.length : index;
    };
    groups.sort((a, b) => rank(a) - rank(b));
  }
  if (unlisted.length > 0) {
    groupsComplete = false;
  }

  const enumeration = await finishEnumeration(prober, 'TLSv1.3', [run], (suites) =>
    tls13Hello(suites, [...groups]),
  );
  if (!groupsComplete) {
    enumeration.notes.push('the TLS 1.3 groups could not all be probed: some may be missing');
  }
  const support: GroupSupport = { version: 'TLSv1.3', groups, dhBits: [] };
  if (fromServerList) {
    support.fromServerList = true;
  }
  return { ...enumeration, groups: support };
}

/**
 * The list probe's key shares: common groups other than the one the version probe got, so that
 * a server takes one of them (a TLS 1.3 server takes a share it supports, RFC 8446 Section
 * 4.2.8) and, when that is not its first choice, lists its own groups.
 */
function listProbeShares(seen: number | undefined, offered: number[]): number[] {
  const shares = COMMON_GROUPS.filter(
    (group) => group !== seen && offered.includes(group) && canMakeKeyShare(group),
  ).slice(0, 4);
  // In the order of supported_groups (RFC 8446 Section 4.2.8).
  return shares.sort((a, b) => offered.indexOf(a) - offered.indexOf(b));
}
