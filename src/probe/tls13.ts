// TLS 1.3 suites and groups, found together. In TLS 1.3 the suite and the group are chosen
// independently (RFC 8446 Section 4.1.1), so one hello can remove a suite and a group at once:
// each accepted hello offers the suites and the groups not yet seen, and the server's answer
// names one of each. When the server refuses, either list may be the exhausted one; the group
// hellos that follow (offering suites known to work) settle it, and only if they find nothing
// new does one more hello check the suites with a group known to work. A server that wants a
// group the hello has no key share for answers with a HelloRetryRequest, which names the group
// just as well, so no second hello is needed.

import type { GroupSupport } from '../model.js';
import { suiteName } from '../wire/suites.js';
import type { HelloProbeResult } from './connection.js';
import { type ChunkRun, finishEnumeration, type VersionEnumeration } from './enumerate.js';
import type { ProbeHello, Prober } from './prober.js';

export interface Tls13Result extends VersionEnumeration {
  groups: GroupSupport;
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

  // Joint phase: new suites and new groups in each hello. The second hello also offers the
  // first suite again, last, which tells a server with its own order from one that follows
  // the client (see enumerate.ts).
  let testPending = true;
  let jointRefusedGroups: number[] | null = null;
  let stopped = false;
  while (suitesLeft.length > 0 && groupsLeft.length > 0) {
    const testing = testPending && run.winners.length > 0;
    const offered = testing ? [...suitesLeft, run.winners[0]] : [...suitesLeft];
    testPending = false;
    const result = await prober.send(tls13Hello(offered, groupsLeft));
    if (take(offered, result)) continue;

    if (refusalOf(result)) {
      jointRefusedGroups = [...groupsLeft];
    } else {
      stopped = true;
    }
    break;
  }

  // Group phase: the suites known to work, the groups not yet seen.
  let groupFoundAfterRefusal = false;
  const knownSuites = () => [...run.winners];
  while (!stopped && groupsLeft.length > 0) {
    const offered = knownSuites();
    const result = await prober.send(tls13Hello(offered, groupsLeft));
    const before = groups.length;
    if (take(offered, result)) {
      if (groups.length === before) {
        // The server named a group it had already chosen, which the hello did not offer.
        groupsComplete = false;
        break;
      }
      if (jointRefusedGroups?.includes(groups[groups.length - 1])) {
        groupFoundAfterRefusal = true;
      }
      continue;
    }
    if (!refusalOf(result)) {
      groupsComplete = false;
    }
    break;
  }

  // Suite phase, needed unless a group the refused joint hello offered has since worked, which
  // shows that its suites were the exhausted list.
  const suitesSettled = jointRefusedGroups !== null && groupFoundAfterRefusal;
  while (!stopped && !suitesSettled && suitesLeft.length > 0) {
    const testing = testPending && run.winners.length > 0;
    const offered = testing ? [...suitesLeft, run.winners[0]] : [...suitesLeft];
    testPending = false;
    const result = await prober.send(
      tls13Hello(offered, groups.length > 0 ? [...groups] : allGroups),
    );
    if (take(offered, result)) continue;
    if (!refusalOf(result)) {
      run.complete = false;
    }
    break;
  }

  if (stopped) {
    run.complete = false;
    groupsComplete = false;
  }

  const enumeration = await finishEnumeration(prober, 'TLSv1.3', [run], (suites) =>
    tls13Hello(suites, [...groups]),
  );
  if (!groupsComplete) {
    enumeration.notes.push('the TLS 1.3 groups could not all be probed: some may be missing');
  }
  return { ...enumeration, groups: { version: 'TLSv1.3', groups, dhBits: [] } };
}
