// What every check of one address works from: the scan of the address, the endpoint, the
// policy and the clock, plus the facts several checks derive the same way (the state of a
// version, the suites accepted). Checks return raw findings; the evaluator gives them titles
// and severities, merges them across addresses and applies suppressions.

import {
  type AddressScan,
  type Endpoint,
  isInconclusive,
  isRefusal,
  type ProbeOutcome,
  type Remediation,
  type SuiteEnumeration,
  TLS_VERSIONS,
  type TlsVersion,
} from '../../model.js';
import { type CipherSuite, suiteByCode } from '../../wire/suites.js';
import type { Policy } from '../policy.js';
import type { RuleId } from '../rules.js';
import { versionRank } from '../text.js';

export interface AddressContext {
  endpoint: Endpoint;
  address: AddressScan;
  policy: Policy;
  now: Date;
  /** Things no check could decide, as "whether ..." clauses for probe.inconclusive. */
  inconclusive: string[];
  /** Why the scan itself says it is incomplete (the engine's observations), for the same. */
  inconclusiveReasons: string[];
}

/** A finding before the policy gives it a title and severity. */
export interface RawFinding {
  id: RuleId;
  observed: string;
  expected: string;
  remediation: Remediation;
  sni?: string | null;
}

/**
 * How a version fared: accepted, refused (alert, reset, close), answered by something that is
 * not proper TLS, inconclusive (timeout, error), or not probed at all.
 */
export type VersionState =
  | 'accepted'
  | 'refused'
  | 'violation'
  | 'not-tls'
  | 'inconclusive'
  | 'unknown';

export function enumerationOf(
  address: AddressScan,
  version: TlsVersion,
): SuiteEnumeration | undefined {
  return address.suites.find((enumeration) => enumeration.version === version);
}

export function versionOutcome(
  address: AddressScan,
  version: TlsVersion,
): ProbeOutcome | undefined {
  return address.versions.find((support) => support.version === version)?.outcome;
}

export function versionState(address: AddressScan, version: TlsVersion): VersionState {
  if ((enumerationOf(address, version)?.accepted.length ?? 0) > 0) {
    return 'accepted';
  }

  const support = address.versions.find((entry) => entry.version === version);
  if (!support) {
    return 'unknown';
  }
  if (support.accepted === true) {
    return 'accepted';
  }
  if (support.accepted === false || isRefusal(support.outcome)) {
    return 'refused';
  }
  if (support.outcome.kind === 'violation') {
    return 'violation';
  }
  if (support.outcome.kind === 'not-tls') {
    return 'not-tls';
  }
  return isInconclusive(support.outcome) ? 'inconclusive' : 'unknown';
}

/** Versions from `from` (inclusive) upwards, or below it. */
export function versionsFrom(from: TlsVersion): TlsVersion[] {
  return TLS_VERSIONS.filter((version) => versionRank(version) >= versionRank(from));
}

export function versionsBelow(from: TlsVersion): TlsVersion[] {
  return TLS_VERSIONS.filter((version) => versionRank(version) < versionRank(from));
}

export interface SeenSuite {
  code: number;
  version: TlsVersion;
  suite: CipherSuite | undefined;
  group?: number;
  dhBits?: number;
}

/**
 * Every suite the server accepted, with the version: from the enumerations and from the
 * listed-suites and sender probes (which may have been answered when an enumeration was not
 * complete). One entry per suite and version.
 */
export function acceptedSuites(address: AddressScan): SeenSuite[] {
  const seen = new Map<string, SeenSuite>();
  const add = (entry: SeenSuite) => {
    const key = `${entry.version}/${entry.code}`;
    if (!seen.has(key)) {
      seen.set(key, entry);
    }
  };

  for (const enumeration of address.suites) {
    for (const accepted of enumeration.accepted) {
      add({
        code: accepted.code,
        version: enumeration.version,
        suite: suiteByCode(accepted.code),
        group: accepted.group,
        dhBits: accepted.dhBits,
      });
    }
  }

  for (const outcome of [address.listedSuites, address.sender.outcome]) {
    if (outcome.kind === 'accepted') {
      add({
        code: outcome.suite,
        version: outcome.version,
        suite: suiteByCode(outcome.suite),
        group: outcome.group,
        dhBits: outcome.dhBits,
      });
    }
  }

  return [...seen.values()];
}

/** Forward secret: an ephemeral key exchange authenticated by the server (never anonymous). */
export function isForwardSecret(suite: CipherSuite | undefined): boolean {
  return suite?.forwardSecret === true && !suite.anonymous;
}

/** Whether a suite can be negotiated with a version. */
export function suiteFitsVersion(suite: CipherSuite, version: TlsVersion): boolean {
  const rank = versionRank(version);
  return rank >= versionRank(suite.minVersion) && rank <= versionRank(suite.maxVersion);
}

/** Whether the server completed a handshake with any version at all. */
export function anyVersionAccepted(context: AddressContext): boolean {
  return TLS_VERSIONS.some((version) => versionState(context.address, version) === 'accepted');
}
