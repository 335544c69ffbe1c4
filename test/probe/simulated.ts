// A TLS server simulated at the level of its decisions, standing in for probeHello in unit
// tests: given a ClientHello's options it answers as a server with the given configuration
// would (version negotiation, suite and group choice in its own or the client's order, RFC
// 8422's curve rules, refusals by alert, reset or close), and counts the connections.

import type { ProbeOutcome, TlsVersion } from '../../src/model.js';
import type {
  HelloProbeResult,
  ProbeOptions,
  ProbeTarget,
  ProbeTimeouts,
} from '../../src/probe/connection.js';
import type { HelloOptions } from '../../src/wire/hello.js';
import { suiteByCode } from '../../src/wire/suites.js';
import { compareVersions } from '../../src/wire/versions.js';

export interface SimulatedServer {
  /** Versions the server has, any order. */
  versions: TlsVersion[];
  /** Accepted suites per version, in the server's order of preference. */
  suites: Partial<Record<TlsVersion, number[]>>;
  /** True: the server picks by its own order; false: the first accepted suite offered. */
  serverOrder: boolean;
  /** TLS 1.3 groups, in the server's order. */
  groups13?: number[];
  /** ECDHE curves for TLS 1.2 and below, in the server's order. */
  curves?: number[];
  /** Whether groups are chosen in the server's order (true) or the client's. */
  groupServerOrder?: boolean;
  /** The curve of an ECDSA certificate: ECDSA suites need it offered (RFC 8422 5.1.1). */
  ecdsaCurve?: number;
  dhBits?: number;
  /** How a hello with no acceptable suite is refused. */
  refusal?: 'alert' | 'reset' | 'closed';
  /** How a hello with no acceptable version is refused. */
  versionRefusal?: 'alert' | 'reset' | 'closed';
  /** Hellos offering a version above this one fail instead of negotiating down. */
  intolerantAbove?: TlsVersion;
  /** Answers every hello with this suite, offered or not (a broken server). */
  fixedSuite?: number;
  /** Answers every hello with this version (a broken server). */
  fixedVersion?: TlsVersion;
  /** Times out on hellos for which this returns true. */
  hangsOn?: (hello: HelloOptions) => boolean;
  /** Plain HTTP on the port. */
  plaintext?: boolean;
  /** No listener: connection refused. */
  closedPort?: boolean;
  /** Adds a delay to every answer, to let concurrency build up. */
  delayMs?: number;
  /** DER of the leaf certificate served with TLS 1.2 and older answers. */
  certificate?: Uint8Array;
  /**
   * Lists TLS 1.3 groups in EncryptedExtensions, read by decrypting hellos, when the group it
   * takes is not its first (as OpenSSL does): true lists `groups13`, an array lists that.
   */
  listsGroups?: boolean | number[];
}

export interface SimulatedProbe {
  (
    target: ProbeTarget,
    hello: HelloOptions,
    timeouts: ProbeTimeouts,
    options?: unknown,
  ): Promise<HelloProbeResult>;
  connections: number;
  hellos: HelloOptions[];
  maxOpen: number;
}

const PROTOCOL_VERSION = 70;
const HANDSHAKE_FAILURE = 40;

/** A probeHello stand-in answering as `server` would. */
export function simulate(server: SimulatedServer): SimulatedProbe {
  let open = 0;
  const probe = (async (
    _target: ProbeTarget,
    hello: HelloOptions,
    _timeouts: ProbeTimeouts,
    options?: ProbeOptions,
  ) => {
    probe.connections += 1;
    probe.hellos.push(hello);
    open += 1;
    probe.maxOpen = Math.max(probe.maxOpen, open);
    try {
      if (server.delayMs) {
        await new Promise((resolve) => setTimeout(resolve, server.delayMs));
      } else {
        await Promise.resolve();
      }
      const outcome = answer(server, hello);
      const served =
        outcome.kind === 'accepted' && outcome.version !== 'TLSv1.3' && server.certificate
          ? [server.certificate]
          : [];
      const listed = groupList(server, hello, outcome, options);
      return {
        ...result(outcome),
        certificates: served,
        ...(listed ? { serverGroups: listed } : {}),
      };
    } finally {
      open -= 1;
    }
  }) as unknown as SimulatedProbe;
  probe.connections = 0;
  probe.hellos = [];
  probe.maxOpen = 0;
  return probe;
}

/** The groups the server lists in a decrypted TLS 1.3 flight, when it lists any. */
function groupList(
  server: SimulatedServer,
  hello: HelloOptions,
  outcome: ProbeOutcome,
  options?: ProbeOptions,
): number[] | null {
  const own = server.groups13 ?? [];
  const decrypted = options?.decryptTls13 !== false && hello.version === 'TLSv1.3';
  if (!server.listsGroups || !decrypted || outcome.kind !== 'accepted') return null;
  if (outcome.version !== 'TLSv1.3' || outcome.group === own[0]) return null;
  return server.listsGroups === true ? own : server.listsGroups;
}

function result(outcome: ProbeOutcome): HelloProbeResult {
  return { outcome, certificates: [], ocspStapled: false, warnings: [] };
}

function refuse(how: 'alert' | 'reset' | 'closed', alert: number): ProbeOutcome {
  if (how === 'alert') {
    return {
      kind: 'alert',
      alert,
      alertName: alert === PROTOCOL_VERSION ? 'protocol_version' : 'handshake_failure',
    };
  }
  return { kind: how };
}

const ALL: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The server's answer to one hello. */
export function answer(server: SimulatedServer, hello: HelloOptions): ProbeOutcome {
  if (server.closedPort) {
    return { kind: 'error', detail: 'connect ECONNREFUSED 127.0.0.1:443' };
  }
  if (server.plaintext) {
    return { kind: 'not-tls', detail: 'plaintext HTTP reply: HTTP/1.1 400 Bad Request' };
  }
  if (server.hangsOn?.(hello)) {
    return { kind: 'timeout', phase: 'read' };
  }

  const suiteRefusal = server.refusal ?? 'alert';
  const versionRefusal = server.versionRefusal ?? 'alert';
  if (server.intolerantAbove && compareVersions(hello.version, server.intolerantAbove) > 0) {
    return refuse(versionRefusal, PROTOCOL_VERSION);
  }

  const version = negotiateVersion(server, hello);
  if (!version) {
    return refuse(versionRefusal, PROTOCOL_VERSION);
  }
  if (server.fixedSuite !== undefined) {
    return { kind: 'accepted', version: server.fixedVersion ?? version, suite: server.fixedSuite };
  }

  const offeredGroups = hello.groups ?? [];
  const pickGroup = (serverList: number[]): number | undefined => {
    const common = server.groupServerOrder
      ? serverList.filter((group) => offeredGroups.includes(group))
      : offeredGroups.filter((group) => serverList.includes(group));
    return common[0];
  };

  if (version === 'TLSv1.3') {
    // Like OpenSSL 3.0, a server takes the first key share it supports, when the hello names
    // its shares.
    const shared = hello.keyShareGroups?.find((group) => server.groups13?.includes(group));
    const group = shared ?? pickGroup(server.groups13 ?? []);
    const suite = pickSuite(server, version, hello.suites, () => true);
    if (suite === undefined || group === undefined) {
      return refuse(suiteRefusal, HANDSHAKE_FAILURE);
    }
    return { kind: 'accepted', version: server.fixedVersion ?? version, suite, group };
  }

  const curve = pickGroup(server.curves ?? []);
  const usable = (code: number): boolean => {
    const suite = suiteByCode(code);
    if (!suite) return false;
    if (suite.auth === 'ECDSA' && !offeredGroups.includes(server.ecdsaCurve ?? -1)) return false;
    if (suite.kex === 'ECDHE' && curve === undefined) return false;
    return true;
  };
  const suite = pickSuite(server, version, hello.suites, usable);
  if (suite === undefined) {
    return refuse(suiteRefusal, HANDSHAKE_FAILURE);
  }

  const kex = suiteByCode(suite)?.kex;
  return {
    kind: 'accepted',
    version: server.fixedVersion ?? version,
    suite,
    ...(kex === 'ECDHE' ? { group: curve } : {}),
    ...(kex === 'DHE' ? { dhBits: server.dhBits ?? 2048 } : {}),
  };
}

function negotiateVersion(server: SimulatedServer, hello: HelloOptions): TlsVersion | null {
  const has = (version: TlsVersion) => server.versions.includes(version);
  // Like OpenSSL, a server without TLS 1.3 suites does not offer TLS 1.3 at all.
  const tls13 = has('TLSv1.3') && (server.suites['TLSv1.3'] ?? []).length > 0;
  if (hello.version === 'TLSv1.3' && tls13) {
    // A TLS 1.3 server reads supported_versions.
    const lowest = hello.minVersion ?? 'TLSv1.2';
    const offered = ALL.filter(
      (version) =>
        compareVersions(version, lowest) >= 0 && compareVersions(version, 'TLSv1.3') <= 0,
    ).reverse();
    return offered.find(has) ?? null;
  }

  // An older server reads legacy_version (TLS 1.2 in a TLS 1.3 hello).
  const ceiling = hello.version === 'TLSv1.3' ? 'TLSv1.2' : hello.version;
  const candidates = ALL.filter((version) => compareVersions(version, ceiling) <= 0).reverse();
  return candidates.find((version) => version !== 'TLSv1.3' && has(version)) ?? null;
}

function pickSuite(
  server: SimulatedServer,
  version: TlsVersion,
  offered: number[],
  usable: (code: number) => boolean,
): number | undefined {
  const accepted = (server.suites[version] ?? []).filter(usable);
  if (server.serverOrder) {
    return accepted.find((code) => offered.includes(code));
  }
  return offered.find((code) => accepted.includes(code));
}
