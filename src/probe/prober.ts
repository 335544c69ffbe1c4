// The probes of one address go through a Prober, which sends each ClientHello with the wire
// layer's probeHello and adds what every probe needs: a count of the connections, the per-host
// limit on connections open at once, the endpoint's deadline, one retry after a timeout, an
// internal error turned into an inconclusive outcome, and a check of the server's answer
// against what the hello offered.

import type { Accepted, ProbeOutcome, TlsVersion } from '../model.js';
import { groupName } from '../wire/groups.js';
import type { HelloOptions } from '../wire/hello.js';
import { canMakeKeyShare } from '../wire/keyshare.js';
import { suiteByCode, suiteName } from '../wire/suites.js';
import { compareVersions } from '../wire/versions.js';
import type {
  HelloProbeResult,
  ProbeOptions,
  ProbeTarget,
  ProbeTimeouts,
  probeWithoutClientCertificate,
} from './connection.js';
import type { ConnectionRate } from './rate.js';

/** probeWithoutClientCertificate, or a stand-in with its contract. */
type FinishFunction = typeof probeWithoutClientCertificate;

/** The wire layer's probeHello, or a stand-in with the same contract in tests. */
export type ProbeFunction = (
  target: ProbeTarget,
  hello: HelloOptions,
  timeouts: ProbeTimeouts,
  options?: ProbeOptions,
) => Promise<HelloProbeResult>;

// The engine reads only the ServerHello (or HelloRetryRequest) of TLS 1.3 answers; the
// certificates behind it are the certificate checks' business, which ask for them.
const ENGINE_PROBE_OPTIONS: ProbeOptions = { decryptTls13: false };

/** Runs a task when a slot is free; p-limit's limiter has this shape. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** A hello as the engine asks for it: the Prober adds the server name. */
export type ProbeHello = Omit<HelloOptions, 'serverName'>;

export interface ProberSettings {
  target: ProbeTarget;
  /** SNI for every probe: the endpoint's hostname, null for an IP endpoint (RFC 6066 3). */
  serverName: string | null;
  timeouts: ProbeTimeouts;
  /** Bounds the connections open at once to this address. */
  limit: Limiter;
  /** Date.now() value after which no probe starts. */
  deadline: number;
  probe: ProbeFunction;
  /** The scan's global rate of new connections, when it has one. */
  rate?: ConnectionRate;
}

/** Something a probe saw that the scan reports as an observation. */
export interface ProbeEvent {
  id: 'violation' | 'version-above-offered' | 'suite-not-offered' | 'deadline' | 'error';
  detail: string;
}

export class Prober {
  /** TCP connections opened (or attempted) so far. */
  connections = 0;
  readonly events: ProbeEvent[] = [];
  /**
   * Whether hellos go out with a close_notify behind them (connection.ts, closeEarly). A
   * HelloRetryRequest that a certificate hello would follow is asked again without it. A reset
   * after one may be the server closing with our alert unread instead of what it would
   * otherwise do, so the first reset is asked again without it: when that hello ends
   * otherwise, the alert changed the ending and is not sent to this address again; when it
   * resets as well, the resets are the server's own.
   */
  private earlyClose: 'on' | 'resets-confirmed' | 'off' = 'on';
  private earlyCloseCheck: Promise<HelloProbeResult> | null = null;

  constructor(private readonly settings: ProberSettings) {}

  get target(): ProbeTarget {
    return this.settings.target;
  }

  get serverName(): string | null {
    return this.settings.serverName;
  }

  /** True once the deadline has passed: what is not done by then stays inconclusive. */
  get pastDeadline(): boolean {
    return Date.now() >= this.settings.deadline;
  }

  /**
   * Sends one hello with the endpoint's SNI (twice if it times out, unless `retry` is false)
   * and checks the answer.
   */
  send(
    hello: ProbeHello,
    retry = true,
    options: Pick<ProbeOptions, 'onConnected'> = {},
  ): Promise<HelloProbeResult> {
    const full = { ...hello, serverName: this.settings.serverName };
    return this.sendHello(full, { ...ENGINE_PROBE_OPTIONS, ...options }, retry);
  }

  /** Like send, but reads a TLS 1.3 flight on through the EncryptedExtensions and Certificate. */
  sendDecrypting(hello: ProbeHello): Promise<HelloProbeResult> {
    const full = { ...hello, serverName: this.settings.serverName };
    return this.sendHello(full, { decryptTls13: true });
  }

  /**
   * probeHello's contract on top of this Prober, for the certificate checks: their hellos are
   * counted, limited and retried like the others, with the server name they choose.
   */
  asProbeFunction(): ProbeFunction {
    return (_target, hello, _timeouts, options) => this.sendHello(hello, options);
  }

  /**
   * probeWithoutClientCertificate on top of this Prober: its connection is counted, limited,
   * paced and bounded by the deadline like every other of the address.
   */
  asFinishFunction(finish: FinishFunction): FinishFunction {
    return (target, hello) =>
      this.settings.limit(async () => {
        const timeouts = await this.turn();
        if (timeouts === null) return { kind: 'unknown', detail: 'the endpoint deadline passed' };
        this.connections += 1;
        return finish(target, hello, timeouts);
      });
  }

  private async sendHello(
    full: HelloOptions,
    options?: ProbeOptions,
    retry = true,
  ): Promise<HelloProbeResult> {
    // A caller that says closeEarly: false gets a hello without the alert whatever this knows.
    const closing = this.earlyClose !== 'off' && options?.closeEarly !== false;
    const sent = closing ? { ...options, closeEarly: true } : options;
    let result = await this.settings.limit(() => this.attempt(full, sent));
    // A timeout is retried once: loss of one SYN or a server busy for a moment is no refusal.
    if (retry && result.outcome.kind === 'timeout' && !this.pastDeadline) {
      result = await this.settings.limit(() => this.attempt(full, sent));
    }

    if (closing && result.outcome.kind === 'reset' && this.earlyClose !== 'resets-confirmed') {
      result = await this.resetWithoutAlert(full, options, result);
    }
    // A HelloRetryRequest to follow needs the connection open for the second hello.
    if (closing && options?.followHelloRetry === true && followable(result)) {
      result = await this.settings.limit(() =>
        this.attempt(full, { ...options, closeEarly: false }),
      );
    }

    const outcome = this.checked(full, result.outcome);
    return outcome === result.outcome ? result : { ...result, outcome };
  }

  /**
   * A hello that ended with a reset after an early close_notify: the first such hello is sent
   * again without it, and every other one waits for what that shows. A server that resets
   * either way keeps its resets; one that ended otherwise gets this hello again without the
   * alert, as every later hello.
   */
  private async resetWithoutAlert(
    hello: HelloOptions,
    options: ProbeOptions | undefined,
    reset: HelloProbeResult,
  ): Promise<HelloProbeResult> {
    const plain = { ...options, closeEarly: false };
    const resend = () => this.settings.limit(() => this.attempt(hello, plain));
    if (this.earlyCloseCheck === null) {
      this.earlyCloseCheck = resend().then((result) => {
        this.earlyClose = result.outcome.kind === 'reset' ? 'resets-confirmed' : 'off';
        return result;
      });
      return this.earlyCloseCheck;
    }

    await this.earlyCloseCheck;
    return this.earlyClose === 'off' ? resend() : reset;
  }

  /**
   * Waits for a turn of the scan's rate and gives the timeouts of a connection made now, or
   * null when the endpoint's deadline has passed (the wait counts against it).
   */
  private async turn(): Promise<ProbeTimeouts | null> {
    const rate = this.settings.rate;
    const onTime = rate === undefined || (await rate.take(this.settings.deadline));
    const remaining = this.settings.deadline - Date.now();
    if (!onTime || remaining <= 0) {
      this.note('deadline', 'the endpoint deadline passed before every probe was sent');
      return null;
    }

    // The deadline caps the timeouts, so that a probe started just before it ends with it.
    return {
      connectMs: Math.max(1, Math.min(this.settings.timeouts.connectMs, remaining)),
      readMs: Math.max(1, Math.min(this.settings.timeouts.readMs, remaining)),
    };
  }

  private async attempt(hello: HelloOptions, options?: ProbeOptions): Promise<HelloProbeResult> {
    const timeouts = await this.turn();
    if (timeouts === null)
      return emptyResult({ kind: 'error', detail: 'endpoint deadline reached' });

    this.connections += 1;
    try {
      return await this.settings.probe(this.settings.target, hello, timeouts, options);
    } catch (error) {
      const detail = `internal error in the probe: ${error instanceof Error ? error.message : error}`;
      this.note('error', detail);
      return emptyResult({ kind: 'error', detail });
    }
  }

  /** The outcome, or a violation when the server chose what the hello did not offer. */
  private checked(hello: HelloOptions, outcome: ProbeOutcome): ProbeOutcome {
    if (outcome.kind === 'violation') {
      this.note(violationKind(hello, outcome.detail), outcome.detail);
      return outcome;
    }
    if (outcome.kind !== 'accepted') {
      return outcome;
    }

    const problem = acceptedProblem(hello, outcome);
    if (!problem) {
      return outcome;
    }

    this.note(problem.id, problem.detail);
    return { kind: 'violation', detail: problem.detail };
  }

  private note(id: ProbeEvent['id'], detail: string): void {
    if (!this.events.some((event) => event.id === id && event.detail === detail)) {
      this.events.push({ id, detail });
    }
  }
}

/**
 * Which kind of violation the wire layer's check of a ServerHello found, from its wording
 * (src/wire/parse.ts, checkServerHello): a suite that was not offered, a version above the
 * highest offered, or something else.
 */
function violationKind(hello: HelloOptions, detail: string): ProbeEvent['id'] {
  if (/suite \S+,? .*not offered/.test(detail)) {
    return 'suite-not-offered';
  }

  const version = /(?:chose|selected) (SSLv3|TLSv1\.[0-3]), which was not offered/.exec(detail);
  if (version && compareVersions(version[1] as TlsVersion, hello.version) > 0) {
    return 'version-above-offered';
  }
  return 'violation';
}

/** A HelloRetryRequest naming a group this runtime can make a key share for. */
function followable(result: HelloProbeResult): boolean {
  const outcome = result.outcome;
  return (
    result.helloRetryRequest === true &&
    outcome.kind === 'accepted' &&
    outcome.group !== undefined &&
    canMakeKeyShare(outcome.group)
  );
}

function emptyResult(outcome: ProbeOutcome): HelloProbeResult {
  return { outcome, certificates: [], ocspStapled: false, warnings: [] };
}

/**
 * What is wrong with a ServerHello for this hello, if anything: a version above the highest
 * offered (RFC 5246 Section 7.4.1.3, RFC 8446 Section 4.1.3), a suite that was not offered or
 * cannot be used with the version chosen (RFC 5246 7.4.1.3), or a TLS 1.3 group that was not
 * offered (RFC 8446 Section 4.2.8). A version below the lowest in supported_versions is no
 * violation: a TLS 1.2 server ignores that extension and reads legacy_version.
 */
export function acceptedProblem(
  hello: HelloOptions,
  accepted: Accepted,
): { id: ProbeEvent['id']; detail: string } | null {
  if (compareVersions(accepted.version, hello.version) > 0) {
    return {
      id: 'version-above-offered',
      detail: `the server answered ${accepted.version} to a hello offering at most ${hello.version}`,
    };
  }

  if (!hello.suites.includes(accepted.suite)) {
    return {
      id: 'suite-not-offered',
      detail: `the server chose ${suiteName(accepted.suite)}, which the hello did not offer`,
    };
  }

  const suite = suiteByCode(accepted.suite);
  if (suite && !versionInRange(accepted.version, suite.minVersion, suite.maxVersion)) {
    return {
      id: 'violation',
      detail: `the server chose ${suite.name}, which cannot be used with ${accepted.version}`,
    };
  }

  if (
    accepted.version === 'TLSv1.3' &&
    accepted.group !== undefined &&
    hello.groups !== undefined &&
    !hello.groups.includes(accepted.group)
  ) {
    return {
      id: 'violation',
      detail: `the server chose the group ${groupName(accepted.group)}, which the hello did not offer`,
    };
  }
  return null;
}

function versionInRange(version: TlsVersion, min: TlsVersion, max: TlsVersion): boolean {
  return compareVersions(version, min) >= 0 && compareVersions(version, max) <= 0;
}
