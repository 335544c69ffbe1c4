// The scan of one address of an endpoint: which versions it accepts, every suite of each and
// the server's preference, the groups, what a sender that offers the listed suites ends with,
// the certificates, and what the probes noticed on the way.
//
// The order of the probes keeps connections and round trips few: one TLS 1.3 hello first, and
// once its connection is made (a port that refuses costs one attempt) the TLS 1.2, 1.1 and 1.0
// hellos beside it; then the sender's hellos, the enumerations and curve searches, each
// starting from its version hello's answer, the certificate hellos, and SSL 3.0 last.

import type {
  AddressScan,
  CertificateCheck,
  Endpoint,
  GroupSupport,
  NotScannedReason,
  Observation,
  ProbeOutcome,
  ScanOptions,
  SenderProbe,
  TlsVersion,
  VersionSupport,
} from '../model.js';
import { isRefusal, TLS_VERSIONS, withArticle } from '../model.js';
import { Alert } from '../wire/alerts.js';
import { Group } from '../wire/groups.js';
import { buildClientHello } from '../wire/hello.js';
import { suiteByCode } from '../wire/suites.js';
import {
  type HelloProbeResult,
  type ProbeTarget,
  probeWithoutClientCertificate,
} from './connection.js';
import {
  type CurveSearch,
  earlyCurveSuite,
  enumerateCurves,
  groupSupportOf,
  searchCurves,
} from './curves.js';
import { enumerateSuites, type VersionEnumeration } from './enumerate.js';
import { OBSERVATION } from './observations.js';
import {
  legacyCurves,
  type SuitePlan,
  suitePlan,
  tls13Groups,
  tls13Suites,
  VERSIONS_NEWEST_FIRST,
} from './offers.js';
import {
  type Limiter,
  type ProbeEvent,
  type ProbeFunction,
  type ProbeHello,
  Prober,
} from './prober.js';
import type { ConnectionRate } from './rate.js';
import { enumerateTls13 } from './tls13.js';

/** The certificate check's contract (src/cert), so that tests can stand in for it. */
export type CertificateChecker = (
  endpoint: Endpoint,
  target: ProbeTarget,
  context: { versions: VersionSupport[] },
  options: ScanOptions,
  probe: ProbeFunction,
  finish: typeof probeWithoutClientCertificate,
) => Promise<CertificateCheck>;

export interface AddressScanContext {
  endpoint: Endpoint;
  address: string;
  family: 4 | 6;
  options: ScanOptions;
  /** Shared by every probe to this address, so that per-host concurrency holds across scans. */
  limit: Limiter;
  /** Date.now() value after which no probe starts. */
  deadline: number;
  probe: ProbeFunction;
  checkCertificates: CertificateChecker;
  /** The scan's global rate of new connections, shared by every address, when it has one. */
  rate?: ConnectionRate;
}

/** TLS 1.3 suites of OpenSSL's default list, in its order: what a modern sender offers. */
export const SENDER_TLS13_SUITES: readonly number[] = [0x1302, 0x1303, 0x1301];

/**
 * OpenSSL 3's default supported_groups, in its order, with an X25519 share: what a sender on
 * Node or another OpenSSL client offers. Its FFDHE groups let a server without any curve
 * answer with a HelloRetryRequest, and the sender connects (a tester found such a server
 * judged out of a sender's reach).
 */
export const SENDER_GROUPS: readonly number[] = [
  Group.x25519,
  Group.secp256r1,
  Group.x448,
  Group.secp521r1,
  Group.secp384r1,
  Group.ffdhe2048,
  Group.ffdhe3072,
  Group.ffdhe4096,
  Group.ffdhe6144,
  Group.ffdhe8192,
];

// The TLS 1.2 suites are the longest chain of hellos on most servers, and the older versions
// run beside it and take the free slots anyway: only TLS 1.2 splits its chunk (enumerate.ts,
// runBranches), each part costing one refusal more.
const TLS12_BRANCHES = 3;

/** Scans one address; never throws for what the server does. */
export async function scanAddress(context: AddressScanContext): Promise<AddressScan> {
  const startedAt = Date.now();
  const { endpoint, options } = context;
  const prober = new Prober({
    target: { address: context.address, port: endpoint.port },
    serverName: endpoint.hostIsIp ? null : endpoint.host,
    timeouts: { connectMs: options.connectTimeoutMs, readMs: options.readTimeoutMs },
    limit: context.limit,
    deadline: context.deadline,
    probe: context.probe,
    ...(context.rate ? { rate: context.rate } : {}),
  });
  const plans = new Map(VERSIONS_NEWEST_FIRST.map((version) => [version, suitePlan(version)]));

  // The TLS 1.3 hello also offers the first chunk of TLS 1.2 suites, so that a server without
  // TLS 1.3 negotiates TLS 1.2 from it; one that fails instead is version intolerant. Its
  // supported_versions lists every version down to TLS 1.0, so that a server of an older
  // version may answer it too, as it would by legacy_version (RFC 8446 Appendix D.1).
  const hellos = firstHellos(plans);
  const first = await firstContact(prober, hellos, options.listedSuites);
  const tls13Probe = first.tls13;
  const unreachable = unreachableReason(tls13Probe.outcome);
  if (unreachable || first.silent) {
    // The hellos already out end by themselves (a port that is not TLS answers them at once,
    // a silent one has timed them out), and count.
    await Promise.all(first.early.values());
  }
  if (unreachable) {
    return emptyScan(context, prober, startedAt, unreachable);
  }
  if (first.silent) {
    const silent = {
      reason: 'timeout' as const,
      detail:
        largeHellosDropped(first.small, hellos, prober.serverName) ??
        'the server accepts connections but answered no TLS hello before the read timeout',
    };
    return emptyScan(context, prober, startedAt, silent, { kind: 'timeout', phase: 'read' });
  }

  // The TLS 1.2, 1.1 and 1.0 hellos are out already (firstContact); SSL 3.0's goes out below.
  // Each version's enumeration starts as soon as its own first hello is answered, so that
  // versions the server never answers (silence costs two read timeouts) do not hold up the
  // others, and the sender's hellos as soon as the TLS 1.2 hello is.
  const legacyVersions = VERSIONS_NEWEST_FIRST.filter((version) => version !== 'TLSv1.3');
  const pending = new Map<TlsVersion, Promise<HelloProbeResult>>([
    ['TLSv1.3', Promise.resolve(tls13Probe)],
  ]);
  // SSL 3.0, which no other probe waits for, goes out once the TLS 1.2 hello's first answer
  // has set off the probes that follow from it and the TLS 1.3 answer (a turn of the event
  // loop later), so that it takes a slot they leave free instead of holding one of them up.
  const firstRound = first.tls12FirstTry.then(
    () => new Promise<void>((resolve) => setImmediate(resolve)),
  );
  for (const version of legacyVersions) {
    const hello = hellos.get(version)!;
    pending.set(version, first.early.get(version) ?? firstRound.then(() => prober.send(hello)));
  }
  const senderProbes = probeAsSender(prober, options.listedSuites, pending.get('TLSv1.2')!);
  const enumerating = enumerateVersions(prober, plans, pending);
  const groupsFound = enumerateGroups(prober, enumerating, pending);
  const certificatesEarly = startCertificatesEarly(context, prober, pending);

  const firstAnswers = new Map<TlsVersion, HelloProbeResult>();
  for (const version of VERSIONS_NEWEST_FIRST) {
    firstAnswers.set(version, await pending.get(version)!);
  }

  const preliminary = versionSupport(firstAnswers);
  if (
    preliminary.every((support) => support.accepted === null) &&
    preliminary.some((support) => support.outcome.kind === 'violation')
  ) {
    // Case 6: the server answers in TLS, but with what no hello allowed (a suite it was not
    // offered, RFC 5246 Section 7.4.1.3). The address was scanned; the violation outcomes
    // and the prober's observations say what is wrong, and no version counts as accepted.
    const [sender] = await Promise.all([senderProbes, groupsFound, certificatesEarly]);
    return violatingScan(context, prober, startedAt, preliminary, sender);
  }
  if (preliminary.every((support) => support.accepted === null)) {
    const reason = inconclusiveReason(preliminary.map((support) => support.outcome));
    const [sender] = await Promise.all([senderProbes, groupsFound, certificatesEarly]);
    return { ...emptyScan(context, prober, startedAt, reason), versions: preliminary, ...sender };
  }

  const certificates = certificatesEarly.then(
    (early) => early ?? checkCertificatesSafely(context, prober, preliminary),
  );
  const enumerations = present(await Promise.all(enumerating.values()));
  const groups = await groupsFound;
  const sender = await senderProbes;

  const versions = finalVersions(preliminary, enumerations);
  const observations = [
    ...versionObservations(firstAnswers, versions, firstOffers(hellos)),
    ...refusalObservations(versions, enumerations),
    ...noteObservations(enumerations, groups.notes),
    ...eventObservations(prober),
  ];

  return {
    address: context.address,
    family: context.family,
    versions,
    suites: TLS_VERSIONS.flatMap((version) => {
      const found = enumerations.get(version);
      const accepted = versions.find((support) => support.version === version)?.accepted;
      return found && accepted ? [found.enumeration] : [];
    }),
    groups: groups.support,
    listedSuites: sender.listedSuites,
    sender: sender.sender,
    certificates: await certificates,
    observations,
    connections: prober.connections,
    durationMs: Date.now() - startedAt,
  };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function legacyHello(version: TlsVersion, suites: number[]): ProbeHello {
  return { version, suites, groups: legacyCurves() };
}

/**
 * Each version's first hello: its first chunk of suites. The TLS 1.3 hello also offers TLS
 * 1.2's first chunk and every version down to TLS 1.0 (see scanAddress).
 */
function firstHellos(plans: Map<TlsVersion, SuitePlan>): Map<TlsVersion, ProbeHello> {
  const hellos = new Map<TlsVersion, ProbeHello>();
  for (const version of VERSIONS_NEWEST_FIRST) {
    hellos.set(version, legacyHello(version, plans.get(version)!.chunks[0]));
  }
  hellos.set('TLSv1.3', {
    version: 'TLSv1.3',
    minVersion: 'TLSv1.0',
    suites: [...tls13Suites(), ...plans.get('TLSv1.2')!.chunks[0]],
    groups: unique([...tls13Groups(), ...legacyCurves()]),
  });
  return hellos;
}

/**
 * A hello well under 256 bytes (the listed suites, two groups), sent to an address silent to
 * the first hellos, which are 512 bytes or more (wire/hello.ts pads them out of 256..511).
 * Null when it would not be small, or there is no list.
 */
function smallHello(listedSuites: readonly number[], serverName: string | null): SmallHello {
  if (listedSuites.length === 0) {
    return null;
  }
  const hello: ProbeHello = {
    version: 'TLSv1.2',
    suites: [...listedSuites],
    groups: [Group.x25519, Group.secp256r1],
  };
  const bytes = buildClientHello({ ...hello, serverName }).length;
  return bytes < 256 ? { hello, bytes } : null;
}

type SmallHello = { hello: ProbeHello; bytes: number } | null;

/**
 * When the small hello was answered and the first hellos were not, something on the path
 * drops large ClientHellos: the words say so, because "silent" would send the reader to the
 * firewall, and a sender's hello can be as large. The address stays not scanned: a scan made
 * of small hellos only is not built.
 */
function largeHellosDropped(
  small: { bytes: number; result: HelloProbeResult } | null,
  hellos: Map<TlsVersion, ProbeHello>,
  serverName: string | null,
): string | null {
  const kind = small?.result.outcome.kind;
  if (!small || kind === 'timeout' || kind === 'error') {
    return null;
  }

  const largeBytes = Math.min(
    ...[...hellos.values()].map((hello) => buildClientHello({ ...hello, serverName }).length),
  );
  return (
    `the server answered a hello of ${small.bytes} bytes but none of ${largeBytes} bytes or ` +
    'more before the read timeout: something on the path drops large ClientHellos, and ' +
    "senders' hellos can be as large"
  );
}

// Versions whose first hello goes out as soon as the TLS 1.3 hello's connection is made, not
// after its answer: a server that answers at all answers them in the same round trip. SSL 3.0
// waits for the TLS 1.3 answer, so that these and the TLS 1.3 hello fill the per-host slots.
const EAGER_VERSIONS: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1.0'];

/**
 * The first hellos: the TLS 1.3 hello and, once its connection is made, the TLS 1.2, 1.1 and
 * 1.0 hellos beside it. A port that refuses connections costs one attempt. When the TLS 1.3
 * hello times out it is sent once more while the TLS 1.2 hello's answer is awaited, so that a
 * server silent to TLS 1.3 hellos alone still gets scanned while a server silent to everything
 * costs two read timeouts. `silent` says that both timed out after the connection was made:
 * the address is not probed further. Each early hello that times out is sent once more.
 */
async function firstContact(
  prober: Prober,
  hellos: Map<TlsVersion, ProbeHello>,
  listedSuites: readonly number[],
): Promise<{
  tls13: HelloProbeResult;
  early: Map<TlsVersion, Promise<HelloProbeResult>>;
  /** The TLS 1.2 hello's first answer, before any retry (resolved at once when none went out). */
  tls12FirstTry: Promise<unknown>;
  silent: boolean;
  /** The small hello's answer, sent beside the TLS 1.3 hello's retry. */
  small: { bytes: number; result: HelloProbeResult } | null;
}> {
  const tls13Hello = hellos.get('TLSv1.3')!;
  const versionHello = (version: TlsVersion) => hellos.get(version)!;

  let connected: () => void = () => {};
  const connection = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const once = prober.send(tls13Hello, false, { onConnected: () => connected() });
  // Null when the connection was made first; the answer when it came without one.
  const done = await Promise.race([connection.then(() => null), once]);

  const firstTries = new Map<TlsVersion, Promise<HelloProbeResult>>();
  if (done === null || !unreachableReason(done.outcome)) {
    for (const version of EAGER_VERSIONS) {
      firstTries.set(version, prober.send(versionHello(version), false));
    }
  }
  // Made only once the address is known not to be silent: a silent one gets no more hellos.
  const withRetries = () =>
    new Map(
      [...firstTries].map(([version, result]) => {
        const retried = result.then((first) =>
          first.outcome.kind === 'timeout' && !prober.pastDeadline
            ? prober.send(versionHello(version), false)
            : first,
        );
        return [version, retried] as const;
      }),
    );

  const tls12FirstTry = firstTries.get('TLSv1.2') ?? Promise.resolve();
  const tls13First = await once;
  if (tls13First.outcome.kind !== 'timeout' || prober.pastDeadline) {
    return { tls13: tls13First, early: withRetries(), tls12FirstTry, silent: false, small: null };
  }

  const tls12First = firstTries.get('TLSv1.2') ?? prober.send(versionHello('TLSv1.2'), false);
  // A small hello goes beside the retry: answered while the others are not, it tells a path
  // that drops large hellos from a silent server, at no extra wait.
  const small = smallHello(listedSuites, prober.serverName);
  const smallProbe = small
    ? prober.send(small.hello, false).then((result) => ({ bytes: small.bytes, result }))
    : Promise.resolve(null);
  const [tls13, tls12, smallAnswer] = await Promise.all([
    prober.send(tls13Hello, false),
    tls12First,
    smallProbe,
  ]);
  const silent =
    tls13.outcome.kind === 'timeout' &&
    tls13.outcome.phase === 'read' &&
    tls12.outcome.kind === 'timeout';
  return {
    tls13,
    early: silent ? firstTries : withRetries(),
    tls12FirstTry,
    silent,
    small: smallAnswer,
  };
}

// ---------------------------------------------------------------------------------------------
// Reachability

/** Why an address cannot be scanned at all, judged from the first probe's outcome. */
function unreachableReason(
  outcome: ProbeOutcome,
): { reason: NotScannedReason; detail: string } | null {
  if (outcome.kind === 'not-tls') {
    return { reason: 'not-tls', detail: `this port does not speak TLS: ${outcome.detail}` };
  }
  if (outcome.kind === 'timeout' && outcome.phase === 'connect') {
    return { reason: 'timeout', detail: 'the TCP connection timed out (twice)' };
  }
  if (outcome.kind === 'error') {
    if (/ECONNREFUSED|refused/i.test(outcome.detail)) {
      // The detail already says it (connection.ts, connectError); the reports add no prefix.
      return { reason: 'refused', detail: outcome.detail };
    }
    if (/deadline/i.test(outcome.detail)) {
      return { reason: 'timeout', detail: outcome.detail };
    }
    if (/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|connect/i.test(outcome.detail)) {
      return { reason: 'error', detail: outcome.detail };
    }
  }
  return null;
}

function inconclusiveReason(outcomes: ProbeOutcome[]): {
  reason: NotScannedReason;
  detail: string;
} {
  const notTls = outcomes.find((outcome) => outcome.kind === 'not-tls');
  if (notTls?.kind === 'not-tls') {
    return { reason: 'not-tls', detail: `this port does not speak TLS: ${notTls.detail}` };
  }
  if (outcomes.some((outcome) => outcome.kind === 'timeout')) {
    return { reason: 'timeout', detail: 'no TLS hello was answered before the timeout' };
  }
  const violation = outcomes.find((outcome) => outcome.kind === 'violation');
  if (violation?.kind === 'violation') {
    return { reason: 'error', detail: `the server breaks the protocol: ${violation.detail}` };
  }
  const error = outcomes.find((outcome) => outcome.kind === 'error');
  const detail = error?.kind === 'error' ? error.detail : 'no probe was conclusive';
  return { reason: 'error', detail };
}

function emptyScan(
  context: AddressScanContext,
  prober: Prober,
  startedAt: number,
  notScanned: { reason: NotScannedReason; detail: string },
  outcome: ProbeOutcome = { kind: 'error', detail: notScanned.detail },
): AddressScan {
  return {
    address: context.address,
    family: context.family,
    versions: TLS_VERSIONS.map((version) => ({ version, accepted: null, outcome })),
    suites: [],
    groups: [],
    listedSuites: outcome,
    sender: { outcome },
    certificates: {
      primary: null,
      others: [],
      sni: { honoured: null, required: null, noSniNameMatches: null, unknownName: null },
      error: `not checked: ${notScanned.detail}`,
    },
    observations: eventObservations(prober),
    connections: prober.connections,
    durationMs: Date.now() - startedAt,
    notScanned,
  };
}

/** An address that answers every conclusive hello with a protocol violation. */
function violatingScan(
  context: AddressScanContext,
  prober: Prober,
  startedAt: number,
  versions: VersionSupport[],
  sender: { listedSuites: ProbeOutcome; sender: SenderProbe },
): AddressScan {
  return {
    address: context.address,
    family: context.family,
    versions,
    suites: [],
    groups: [],
    listedSuites: sender.listedSuites,
    sender: sender.sender,
    // A certificate behind a ServerHello no client would accept proves nothing.
    certificates: {
      primary: null,
      others: [],
      sni: { honoured: null, required: null, noSniNameMatches: null, unknownName: null },
      error: 'not checked: the server answers every hello with a protocol violation',
    },
    observations: eventObservations(prober),
    connections: prober.connections,
    durationMs: Date.now() - startedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Versions

/**
 * Whether each version is accepted, from its own hello: accepted in that version, refused, or
 * answered in a lower version (the server negotiated down, so the version is refused).
 * VersionSupport.outcome is that hello's outcome, so a negotiated-down answer shows the
 * version the server chose instead.
 */
function versionSupport(
  answers: Map<TlsVersion, HelloProbeResult>,
  versions: readonly TlsVersion[] = TLS_VERSIONS,
): VersionSupport[] {
  return versions.map((version) => {
    const outcome = answers.get(version)!.outcome;
    let accepted: boolean | null = null;
    if (outcome.kind === 'accepted') {
      accepted = outcome.version === version;
    } else if (isRefusal(outcome)) {
      accepted = false;
    }
    return { version, accepted, outcome };
  });
}

/**
 * Versions after the enumerations: a version whose first hello was refused without a
 * protocol_version alert is accepted after all when another chunk of its suites was.
 */
function finalVersions(
  preliminary: VersionSupport[],
  enumerations: Map<TlsVersion, VersionEnumeration>,
): VersionSupport[] {
  return preliminary.map((support) => {
    const found = enumerations.get(support.version)?.enumeration;
    if (support.accepted !== false || !found || found.accepted.length === 0) {
      return support;
    }
    const first = found.accepted[0];
    return {
      version: support.version,
      accepted: true,
      outcome: {
        kind: 'accepted',
        version: support.version,
        suite: first.code,
        ...(first.group !== undefined ? { group: first.group } : {}),
        ...(first.dhBits !== undefined ? { dhBits: first.dhBits } : {}),
      },
    };
  });
}

// Alerts that may mean "none of these suites" rather than "not this version": RFC 5246
// Section 7.2.2 and RFC 8446 Section 6.2 name handshake_failure for a failed negotiation and
// insufficient_security for suites too weak for the server.
const SUITE_ALERTS: ReadonlySet<number> = new Set([Alert.handshakeFailure, 71]);

/**
 * Whether the version's first hello leaves the version open enough to try its other chunks:
 * accepted, or refused in a way that may only concern its suites (handshake_failure, or a
 * reset or close, which say nothing). protocol_version, internal_error and the like refuse the
 * version itself.
 */
function worthEnumerating(version: TlsVersion, outcome: ProbeOutcome): boolean {
  if (outcome.kind === 'accepted') {
    return outcome.version === version;
  }
  if (version === 'TLSv1.3' || !isRefusal(outcome)) {
    return false;
  }
  return outcome.kind !== 'alert' || SUITE_ALERTS.has(outcome.alert);
}

/**
 * Each version's enumeration, started as soon as that version's first hello is answered; a
 * version not worth enumerating resolves to null.
 */
function enumerateVersions(
  prober: Prober,
  plans: Map<TlsVersion, SuitePlan>,
  firstAnswers: Map<TlsVersion, Promise<HelloProbeResult>>,
): Map<TlsVersion, Promise<VersionEntry | null>> {
  const tasks = VERSIONS_NEWEST_FIRST.map((version) => {
    const task = async (): Promise<VersionEntry | null> => {
      const first = await firstAnswers.get(version)!;
      if (!worthEnumerating(version, first.outcome)) {
        return null;
      }

      if (version === 'TLSv1.3') {
        return [version, await enumerateTls13(prober, tls13Suites(), tls13Groups(), first)];
      }
      const found = await enumerateSuites(
        prober,
        version,
        plans.get(version)!.chunks,
        (suites) => legacyHello(version, suites),
        first,
        version === 'TLSv1.2' ? TLS12_BRANCHES : 1,
      );
      return [version, found];
    };
    return [version, task()] as const;
  });
  return new Map(tasks);
}

type VersionEntry = readonly [TlsVersion, VersionEnumeration];

function present(entries: (VersionEntry | null)[]): Map<TlsVersion, VersionEnumeration> {
  return new Map(entries.filter((entry) => entry !== null));
}

/**
 * The groups of each version. The curves of a version whose first hello got an ECDHE suite
 * (not an ECDSA one) are searched at once, beside its suite enumeration; the others' once the
 * version's suites are known, so that a version with few suites does not wait for one with
 * many.
 */
async function enumerateGroups(
  prober: Prober,
  enumerating: Map<TlsVersion, Promise<VersionEntry | null>>,
  firstAnswers: Map<TlsVersion, Promise<HelloProbeResult>>,
): Promise<{ support: GroupSupport[]; notes: string[] }> {
  const tasks = TLS_VERSIONS.map(async (version) => {
    let early: Promise<CurveSearch> | null = null;
    if (version !== 'TLSv1.3') {
      const first = await firstAnswers.get(version)!;
      const suite = earlyCurveSuite(version, first);
      if (suite !== null) {
        const outcome = first.outcome;
        const seen =
          outcome.kind === 'accepted' && outcome.group !== undefined ? [outcome.group] : [];
        early = searchCurves(prober, version, [suite], seen);
      }
    }

    const found = (await enumerating.get(version))?.[1];
    const search = await early;
    if (!found || found.enumeration.accepted.length === 0) {
      return null;
    }
    if ('groups' in found) {
      return { support: found.groups as GroupSupport, notes: [] };
    }
    return search
      ? groupSupportOf(version, found, search)
      : enumerateCurves(prober, version, found);
  });

  const results = (await Promise.all(tasks)).filter((result) => result !== null);
  return {
    support: results.map((result) => result.support),
    notes: results.flatMap((result) => result.notes),
  };
}

// ---------------------------------------------------------------------------------------------
// The sender's view

/**
 * Two hellos like a webhook sender that follows the requirements: one TLS 1.2 hello offering
 * exactly the listed suites in their order, and one that also offers TLS 1.3 with the TLS 1.3
 * suites every mainstream TLS library enables (their list cannot be narrowed by a TLS 1.2
 * suite list), which is what such a sender really sends.
 */
async function probeAsSender(
  prober: Prober,
  listedSuites: number[],
  tls12First: Promise<HelloProbeResult>,
): Promise<{ listedSuites: ProbeOutcome; sender: SenderProbe }> {
  const listed = listedSuites.slice(0, 128 - SENDER_TLS13_SUITES.length);

  // A server that refused the TLS 1.2 version hello with protocol_version refuses the version,
  // whatever the suites (RFC 5246 Appendix E.1): it gives the listed hello the same answer.
  const listedHello = async (): Promise<HelloProbeResult | null> => {
    if (listed.length === 0) {
      return null;
    }
    const version = await tls12First;
    const outcome = version.outcome;
    if (outcome.kind === 'alert' && outcome.alert === Alert.protocolVersion) {
      return version;
    }
    return prober.send({ version: 'TLSv1.2', suites: listed });
  };
  const [tls12, modern] = await Promise.all([
    listedHello(),
    prober.send({
      version: 'TLSv1.3',
      suites: [...SENDER_TLS13_SUITES, ...listed],
      groups: [...SENDER_GROUPS],
    }),
  ]);

  const outcome = modern.outcome;
  const sender: SenderProbe = { outcome };
  if (outcome.kind === 'accepted') {
    // Every TLS 1.3 key exchange is ephemeral (RFC 8446 Section 2); before it, the suite says.
    sender.forwardSecret =
      outcome.version === 'TLSv1.3' || suiteByCode(outcome.suite)?.forwardSecret === true;
  }

  return {
    listedSuites: tls12?.outcome ?? { kind: 'error', detail: 'the policy lists no suites' },
    sender,
  };
}

// ---------------------------------------------------------------------------------------------
// Certificates

/**
 * Starts the certificate check as soon as the version its hellos use is known: TLS 1.2 when
 * accepted, else TLS 1.3 when accepted (src/cert/check.ts, certificateVersion), which the two
 * versions' first hellos tell without waiting for the older versions. Null when neither is
 * accepted: the check then waits for every version's answer.
 */
async function startCertificatesEarly(
  context: AddressScanContext,
  prober: Prober,
  pending: Map<TlsVersion, Promise<HelloProbeResult>>,
): Promise<CertificateCheck | null> {
  const known = new Map<TlsVersion, HelloProbeResult>();
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    known.set(version, await pending.get(version)!);
  }
  const versions = versionSupport(known, ['TLSv1.2', 'TLSv1.3']);
  if (!versions.some((support) => support.accepted === true)) {
    return null;
  }
  return checkCertificatesSafely(context, prober, versions);
}

async function checkCertificatesSafely(
  context: AddressScanContext,
  prober: Prober,
  versions: VersionSupport[],
): Promise<CertificateCheck> {
  try {
    return await context.checkCertificates(
      context.endpoint,
      prober.target,
      { versions },
      context.options,
      prober.asProbeFunction(),
      prober.asFinishFunction(probeWithoutClientCertificate),
    );
  } catch (error) {
    return {
      primary: null,
      others: [],
      sni: { honoured: null, required: null, noSniNameMatches: null, unknownName: null },
      error: `the certificate check failed: ${error instanceof Error ? error.message : error}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Observations

function describeRefusal(outcome: ProbeOutcome): string {
  switch (outcome.kind) {
    case 'alert':
      return `${withArticle(outcome.alertName)} alert`;
    case 'reset':
      return 'a TCP reset';
    case 'closed':
      return 'closing the connection';
    case 'timeout':
      return 'never answering';
    default:
      return outcome.kind;
  }
}

/**
 * Version intolerance: a hello offering up to a version the server lacks must be answered in
 * the highest version both sides have (RFC 5246 Appendix E.1, RFC 8446 Section 4.2.1). Each
 * version's hello offers everything the lower ones offer, so a refusal (or silence) where a
 * lower version is accepted is the server failing instead of negotiating down.
 */
function versionObservations(
  answers: Map<TlsVersion, HelloProbeResult>,
  versions: VersionSupport[],
  offers: Map<TlsVersion, number[]>,
): Observation[] {
  const observations: Observation[] = [];
  // Accepted with a suite the higher version's hello offered too: the SSL 3.0 hello offers
  // suites the others do not, and a server may take only those.
  const acceptedDirectly = (version: TlsVersion, higher: TlsVersion) => {
    const outcome = answers.get(version)!.outcome;
    return (
      outcome.kind === 'accepted' &&
      outcome.version === version &&
      offers.get(higher)!.includes(outcome.suite)
    );
  };

  // Each failing hello, grouped by the version it should have been answered in.
  const failures = new Map<TlsVersion, string[]>();
  for (const [index, higher] of VERSIONS_NEWEST_FIRST.entries()) {
    const outcome = answers.get(higher)!.outcome;
    const failed = isRefusal(outcome) || outcome.kind === 'timeout';
    // A version accepted after all (through another chunk) was refused for its suites.
    const acceptedLater = versions.find((v) => v.version === higher)?.accepted === true;
    const lower = VERSIONS_NEWEST_FIRST.slice(index + 1).find((version) =>
      acceptedDirectly(version, higher),
    );
    if (failed && !acceptedLater && lower) {
      const list = failures.get(lower) ?? [];
      list.push(`up to ${higher} ends with ${describeRefusal(outcome)}`);
      failures.set(lower, list);
    }
  }

  for (const [lower, failed] of failures) {
    observations.push({
      id: OBSERVATION.versionIntolerance,
      detail:
        `a hello offering ${failed.join(', one offering ')}, although ${lower} is accepted: ` +
        'the server fails instead of negotiating down',
    });
  }
  return observations;
}

/** The suites each version's first hello offered. */
function firstOffers(hellos: Map<TlsVersion, ProbeHello>): Map<TlsVersion, number[]> {
  return new Map([...hellos].map(([version, hello]) => [version, hello.suites] as const));
}

function refusalObservations(
  versions: VersionSupport[],
  enumerations: Map<TlsVersion, VersionEnumeration>,
): Observation[] {
  const kinds = new Set<string>();
  for (const support of versions) {
    if (support.outcome.kind === 'reset' || support.outcome.kind === 'closed') {
      kinds.add(support.outcome.kind);
    }
  }
  for (const found of enumerations.values()) {
    for (const kind of found.enumeration.refusals) {
      if (kind !== 'alert') kinds.add(kind);
    }
  }

  const observations: Observation[] = [];
  if (kinds.size > 0) {
    const how = [...kinds].map((kind) => (kind === 'reset' ? 'resets' : 'closes')).join(' or ');
    observations.push({
      id: OBSERVATION.refusalWithoutAlert,
      detail:
        `the server ${how} the connection instead of sending an alert when it refuses a ` +
        'hello (RFC 8446 Section 6.2, RFC 5246 Section 7.2.2): a client cannot tell why',
    });
  }

  // A fatal unrecognized_name alert refuses the hello for the name it carries (RFC 6066,
  // Section 3), or for carrying none, before any suite is weighed: the suites say nothing then.
  const refusedByName = versions.some(
    (support) =>
      support.outcome.kind === 'alert' && support.outcome.alert === Alert.unrecognizedName,
  );
  const everyRefusedBySuite =
    !refusedByName &&
    versions.every((support) => support.accepted === false) &&
    [...enumerations.values()].some((found) => found.enumeration.refusals.length > 0);
  if (everyRefusedBySuite) {
    observations.push({
      id: OBSERVATION.noUsableSuite,
      detail:
        'the server answers in TLS but refuses every suite of every version: its certificate ' +
        'may suit none of the suites it enables',
    });
  }
  return observations;
}

function noteObservations(
  enumerations: Map<TlsVersion, VersionEnumeration>,
  groupNotes: string[],
): Observation[] {
  const observations: Observation[] = [];
  for (const found of enumerations.values()) {
    for (const note of found.notes) {
      const id = /neither/.test(note) ? OBSERVATION.preferenceInconsistent : OBSERVATION.incomplete;
      observations.push({ id, detail: note });
    }
    if (!found.enumeration.complete) {
      observations.push({
        id: OBSERVATION.incomplete,
        detail: `some ${found.enumeration.version} probes were inconclusive: suites may be missing`,
      });
    }
  }
  for (const note of groupNotes) {
    observations.push({ id: OBSERVATION.incomplete, detail: note });
  }
  return observations;
}

const EVENT_OBSERVATIONS: Record<ProbeEvent['id'], string> = {
  'version-above-offered': OBSERVATION.versionAboveOffered,
  'suite-not-offered': OBSERVATION.suiteNotOffered,
  violation: OBSERVATION.protocolViolation,
  deadline: OBSERVATION.deadlineReached,
  error: OBSERVATION.probeError,
};

function eventObservations(prober: Prober): Observation[] {
  return prober.events.map((event) => ({ id: EVENT_OBSERVATIONS[event.id], detail: event.detail }));
}
