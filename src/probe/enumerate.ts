// Which suites a server accepts for one version, and in which order it prefers them.
//
// Offer and remove: a hello offers a chunk of suites, the server picks one, the next hello
// offers the chunk without it, until the server refuses. Each accepted suite costs one
// connection and each chunk one refusal. The same picks show the server's preference: a server
// that imposes its order picks, from each hello, the suite it ranks highest, so its picks are
// its order; a server that follows the client picks the first suite it accepts in each hello.
// The second hello of the first chunk tells the two apart for free: it offers the first pick
// again, last; a server with its own order picks it again, a server that follows the client
// picks another suite.

import type {
  AcceptedSuite,
  ProbeOutcome,
  RefusalKind,
  SuiteEnumeration,
  TlsVersion,
} from '../model.js';
import { isRefusal } from '../model.js';
import { suiteByCode, suiteName } from '../wire/suites.js';
import type { HelloProbeResult } from './connection.js';
import { offerOrder } from './offers.js';
import type { ProbeHello, Prober } from './prober.js';

/** One accepted probe: the suites offered, in order, and the one the server picked. */
export interface SuitePick {
  offered: number[];
  winner: number;
}

/** What the offer-and-remove run over one chunk found. */
export interface ChunkRun {
  /** Suites picked, in the order they were picked: the server's order when it has one. */
  winners: number[];
  found: Map<number, AcceptedSuite>;
  picks: SuitePick[];
  refusals: RefusalKind[];
  /** False when the run ended on something other than a refusal. */
  complete: boolean;
  /** Certificates served in the first accepted probe that carried any (TLS 1.2 and below). */
  certificates: Uint8Array[];
  /** The runs the rest of the chunk was split into once the server showed it follows us. */
  branches?: ChunkRun[];
}

/** Turns the suites to offer into a hello; the enumeration fills in nothing else. */
export type HelloFor = (suites: number[]) => ProbeHello;

/** The enumeration of one version with what later steps (groups, observations) reuse. */
export interface VersionEnumeration {
  enumeration: SuiteEnumeration;
  picks: SuitePick[];
  certificates: Uint8Array[];
  /** Something about the server's choices that the scan reports as an observation. */
  notes: string[];
}

/**
 * Runs offer-and-remove over one chunk. `first`, if given, is the answer to the whole chunk
 * already sent (the version probe). With `testPreference`, the second hello also offers the
 * first pick, last (see the top of this file).
 */
export async function runChunk(
  prober: Prober,
  version: TlsVersion,
  chunk: number[],
  helloFor: HelloFor,
  options: { first?: HelloProbeResult; testPreference?: boolean; branches?: number } = {},
): Promise<ChunkRun> {
  const run: ChunkRun = {
    winners: [],
    found: new Map(),
    picks: [],
    refusals: [],
    complete: true,
    certificates: [],
  };
  const remaining = [...chunk];
  let pending = options.first;
  let testPending = options.testPreference === true;

  while (remaining.length > 0) {
    const testing = testPending && run.winners.length === 1;
    const offered = testing ? [...remaining, run.winners[0]] : [...remaining];
    const result = pending ?? (await prober.send(helloFor(offered)));
    pending = undefined;
    if (testing) {
      testPending = false;
    }

    const outcome = result.outcome;
    if (outcome.kind === 'accepted' && outcome.version === version) {
      run.picks.push({ offered, winner: outcome.suite });
      if (run.certificates.length === 0 && result.certificates.length > 0) {
        run.certificates = result.certificates;
      }
      if (!run.found.has(outcome.suite)) {
        run.winners.push(outcome.suite);
        run.found.set(outcome.suite, acceptedSuite(outcome));
        remaining.splice(remaining.indexOf(outcome.suite), 1);
      }
      if (testing && outcome.suite !== run.winners[0] && (options.branches ?? 1) > 1) {
        run.branches = await runBranches(prober, version, remaining, helloFor, options.branches!);
        break;
      }
      continue;
    }

    if (isRefusal(outcome)) {
      run.refusals.push(outcome.kind as RefusalKind);
      // A refusal of a hello that holds an accepted suite says the server is not consistent.
      if (testing) {
        run.complete = false;
      }
      break;
    }

    // An answer in a lower version means none of these suites is usable in this version; a
    // violation, a timeout (already retried) or an error leaves the rest unknown.
    if (outcome.kind !== 'accepted') {
      run.complete = false;
    }
    break;
  }

  return run;
}

// Below this many suites per branch, a split saves too few hellos to pay for its refusal.
const MIN_BRANCH_SUITES = 8;

/**
 * The rest of a chunk, once the server has shown that it follows the client's order: a server
 * with its own order picks its first choice again when offered it last (see the top of this
 * file), and this one picked another. Such a server answers each hello with the first suite
 * it accepts, so disjoint parts of the rest, each run by offer and remove in parallel, find
 * the same suites as one run, in fewer rounds, for one refusal more per part. The parts take
 * the suites in turn, so that the commonly accepted ones (offered first) spread over them.
 */
async function runBranches(
  prober: Prober,
  version: TlsVersion,
  remaining: number[],
  helloFor: HelloFor,
  branches: number,
): Promise<ChunkRun[]> {
  const count = Math.max(1, Math.min(branches, Math.floor(remaining.length / MIN_BRANCH_SUITES)));
  const parts = Array.from({ length: count }, (_, part) =>
    remaining.filter((_code, index) => index % count === part),
  );
  return Promise.all(parts.map((part) => runChunk(prober, version, part, helloFor)));
}

/** A run with the runs it was split into, flattened. */
function withBranches(run: ChunkRun): ChunkRun[] {
  return [run, ...(run.branches ?? []).flatMap(withBranches)];
}

function acceptedSuite(outcome: Extract<ProbeOutcome, { kind: 'accepted' }>): AcceptedSuite {
  return {
    code: outcome.suite,
    name: suiteName(outcome.suite),
    ...(outcome.group !== undefined ? { group: outcome.group } : {}),
    ...(outcome.dhBits !== undefined ? { dhBits: outcome.dhBits } : {}),
  };
}

/**
 * Every suite of the plan's chunks the server accepts in `version`, and its preference. The
 * first chunk may come with its first answer (the version probe); the chunks run in parallel,
 * and the first chunk's rest in up to `branches` parts when the server follows our order.
 */
export async function enumerateSuites(
  prober: Prober,
  version: TlsVersion,
  chunks: number[][],
  helloFor: HelloFor,
  first?: HelloProbeResult,
  branches = 1,
): Promise<VersionEnumeration> {
  const runs = await Promise.all(
    chunks.map((chunk, index) =>
      runChunk(prober, version, chunk, helloFor, {
        ...(index === 0 && first ? { first } : {}),
        testPreference: index === 0,
        branches,
      }),
    ),
  );

  return finishEnumeration(prober, version, runs, helloFor);
}

/** Preference and order from the runs of every chunk of a version. */
export async function finishEnumeration(
  prober: Prober,
  version: TlsVersion,
  chunkRuns: ChunkRun[],
  helloFor: HelloFor,
): Promise<VersionEnumeration> {
  const runs = chunkRuns.flatMap(withBranches);
  const found = new Map<number, AcceptedSuite>();
  for (const run of runs) {
    for (const [code, suite] of run.found) found.set(code, suite);
  }
  const picks = runs.flatMap((run) => run.picks);
  const notes: string[] = [];

  const decided = await decidePreference(prober, [...found.keys()], picks, helloFor);
  if (decided.note) {
    notes.push(decided.note);
  }

  let order = [...found.keys()].sort((a, b) => a - b);
  if (decided.preference === 'server') {
    const chains = runs.map((run) => run.winners).filter((chain) => chain.length > 0);
    const merged = await mergeChains(prober, chains, [...picks, ...decided.picks], helloFor);
    order = merged.order;
    if (!merged.exact) {
      notes.push(`the server's order of its ${version} suites could not be established completely`);
    }
  }

  const refusals = [...new Set(runs.flatMap((run) => run.refusals))];
  return {
    enumeration: {
      version,
      accepted: order.map((code) => found.get(code)!),
      preference: decided.preference,
      refusals,
      complete: runs.every((run) => run.complete),
    },
    picks: [...picks, ...decided.picks],
    certificates: runs.find((run) => run.certificates.length > 0)?.certificates ?? [],
    notes,
  };
}

// -------------------------------------------------------------------------------------------
// Preference

/**
 * Whether the server imposes its order. The picks so far usually decide it: a server with
 * its own order never picks a over b in one hello and b over a in another, and a server that
 * follows the client always picks the first suite it accepts. When both readings fit, one more
 * hello offers two accepted suites in the opposite order of a pick between them.
 */
export async function decidePreference(
  prober: Prober,
  accepted: number[],
  picks: SuitePick[],
  helloFor: HelloFor,
): Promise<{ preference: SuiteEnumeration['preference']; picks: SuitePick[]; note?: string }> {
  if (accepted.length < 2) {
    return { preference: 'unknown', picks: [] };
  }

  const acceptedSet = new Set(accepted);
  const fitsClient = (all: SuitePick[]) =>
    all.every((pick) => pick.offered.find((code) => acceptedSet.has(code)) === pick.winner);
  const fitsServer = (all: SuitePick[]) => beatsOrder(all, acceptedSet) !== null;

  const extra: SuitePick[] = [];
  const verdict = (): SuiteEnumeration['preference'] | null => {
    const all = [...picks, ...extra];
    const client = fitsClient(all);
    const server = fitsServer(all);
    if (client && !server) return 'client';
    if (server && !client) return 'server';
    if (!client && !server) return 'unknown';
    return null;
  };

  const early = verdict();
  if (early === 'unknown') {
    return { preference: 'unknown', picks: [], note: inconsistentNote };
  }
  if (early) {
    return { preference: early, picks: [] };
  }

  // Both readings fit: reverse a pair the server has already chosen between.
  for (const [first, second] of reversalPairs(picks, acceptedSet)) {
    const offered = [first, second];
    const result = await prober.send(helloFor(offered));
    if (result.outcome.kind !== 'accepted') {
      break;
    }
    extra.push({ offered, winner: result.outcome.suite });

    const decided = verdict();
    if (decided === 'unknown') {
      return { preference: 'unknown', picks: extra, note: inconsistentNote };
    }
    if (decided) {
      return { preference: decided, picks: extra };
    }
  }
  return { preference: 'unknown', picks: extra };
}

const inconsistentNote =
  "the server's choices follow neither an order of its own nor the client's order";

/**
 * Pairs to offer, most telling first: a pick's winner and another accepted suite it was
 * chosen over, offered the other suite first. Pairs with a ChaCha20 suite come last, since a
 * server may prefer ChaCha20 only when the client lists it first. With no such pick, both
 * orders of one pair.
 */
function reversalPairs(picks: SuitePick[], accepted: Set<number>): [number, number][] {
  const pairs: [number, number][] = [];
  for (const pick of picks) {
    const other = pick.offered.find((code) => code !== pick.winner && accepted.has(code));
    if (other !== undefined) {
      pairs.push([other, pick.winner]);
    }
  }
  const isChacha = (code: number) => suiteByCode(code)?.cipher === 'CHACHA20';
  pairs.sort((a, b) => Number(a.some(isChacha)) - Number(b.some(isChacha)));

  if (pairs.length > 0) {
    return pairs.slice(0, 1);
  }

  const [a, b] = offerOrder([...accepted]);
  return [
    [a, b],
    [b, a],
  ];
}

/**
 * The accepted suites in an order where every pick's winner comes before the accepted suites
 * it was chosen over, or null when the picks contradict each other (a cycle).
 */
function beatsOrder(picks: SuitePick[], accepted: Set<number>): number[] | null {
  const beats = new Map<number, Set<number>>();
  const indegree = new Map<number, number>([...accepted].map((code) => [code, 0]));
  for (const pick of picks) {
    for (const loser of pick.offered) {
      if (loser === pick.winner || !accepted.has(loser)) continue;
      const set = beats.get(pick.winner) ?? new Set<number>();
      if (!set.has(loser)) {
        set.add(loser);
        indegree.set(loser, (indegree.get(loser) ?? 0) + 1);
      }
      beats.set(pick.winner, set);
    }
  }

  const order: number[] = [];
  const ready = [...indegree].filter(([, degree]) => degree === 0).map(([code]) => code);
  while (ready.length > 0) {
    const code = ready.shift()!;
    order.push(code);
    for (const loser of beats.get(code) ?? []) {
      const degree = indegree.get(loser)! - 1;
      indegree.set(loser, degree);
      if (degree === 0) ready.push(loser);
    }
  }
  return order.length === accepted.size ? order : null;
}

/**
 * The server's full order from the winners of each chunk, each already in the server's order:
 * the longest chain is the base and every other suite is inserted by binary search, one hello
 * of two suites per comparison, unless earlier picks already compared the two.
 */
async function mergeChains(
  prober: Prober,
  chains: number[][],
  picks: SuitePick[],
  helloFor: HelloFor,
): Promise<{ order: number[]; exact: boolean }> {
  const sorted = [...chains].sort((a, b) => b.length - a.length);
  const merged = [...(sorted[0] ?? [])];
  let exact = true;

  const known = new Map<string, number>();
  const remember = (pick: SuitePick) => {
    for (const loser of pick.offered) {
      if (loser !== pick.winner) known.set(`${pick.winner}>${loser}`, pick.winner);
    }
  };
  picks.forEach(remember);

  // The suite the server prefers of a and b, or null when it would not say.
  const preferred = async (a: number, b: number): Promise<number | null> => {
    if (known.has(`${a}>${b}`)) return a;
    if (known.has(`${b}>${a}`)) return b;

    const offered = offerOrder([a, b]);
    const result = await prober.send(helloFor(offered));
    if (result.outcome.kind !== 'accepted' || !offered.includes(result.outcome.suite)) {
      return null;
    }
    remember({ offered, winner: result.outcome.suite });
    return result.outcome.suite;
  };

  for (const chain of sorted.slice(1)) {
    let low = 0;
    for (const code of chain) {
      let high = merged.length;
      while (low < high && exact) {
        const middle = (low + high) >> 1;
        const winner = await preferred(code, merged[middle]);
        if (winner === null) {
          exact = false;
        } else if (winner === code) {
          high = middle;
        } else {
          low = middle + 1;
        }
      }
      if (!exact) {
        // Without an answer, the rest keeps the order of its chunk, after what is known.
        merged.push(...chain.slice(chain.indexOf(code)));
        break;
      }
      merged.splice(low, 0, code);
      low += 1;
    }
  }

  return { order: merged, exact };
}
