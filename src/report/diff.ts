// Compares a report with a baseline (an earlier report of the same endpoints): per endpoint the
// findings that are new and those that were fixed, and what changed in the versions and suites
// accepted, the suite a sender gets and the certificate. Endpoints are matched by host, port
// and path, so rewording an endpoint's line does not read as removing and adding it.

import type { EndpointResult, Finding, Report, TlsVersion, Verdict } from '../model.js';
import { endpointKey } from '../probe/endpoint.js';
import { acceptedVersions, reachableAddresses, senderText } from './facts.js';
import { policyDifference, sameName } from './policy-match.js';
import { VERDICT_WORDS, versionText } from './words.js';

/** The certificate a sender sees on one address, in the few fields a change shows up in. */
export interface LeafSummary {
  subject: string;
  fingerprintSha256: string;
  notAfter: string;
}

export interface EndpointChange {
  /** The endpoint as the current report names it. */
  endpoint: string;
  verdict?: { before: Verdict; after: Verdict };
  /** Findings raised now and not in the baseline, in the current report's order. */
  newFindings: Finding[];
  /**
   * Findings of the baseline that are gone, in the baseline's order; none when the endpoint
   * could not be scanned now, since nothing was checked.
   */
  fixedFindings: Finding[];
  versions?: { added: TlsVersion[]; removed: TlsVersion[] };
  /** Accepted suites by IANA name, over every version and address. */
  suites?: { added: string[]; removed: string[] };
  senderSuite?: { before: string; after: string };
  certificate?: { before: LeafSummary[]; after: LeafSummary[] };
  /** A new finding that is not suppressed, or a verdict that was compliant and is no longer. */
  regression: boolean;
}

export interface ReportDiff {
  /** Endpoints in the current report only, as it names them. */
  added: string[];
  /** Endpoints in the baseline only, as it named them. */
  removed: string[];
  /** Endpoints in both with any change, in the current report's order. */
  changed: EndpointChange[];
  /** The changed endpoints that regressed. */
  regressions: EndpointChange[];
}

export function diffReports(baseline: Report, current: Report): ReportDiff {
  const before = new Map(baseline.endpoints.map((result) => [keyOf(result), result]));
  const currentKeys = new Set(current.endpoints.map(keyOf));

  const added: string[] = [];
  const changed: EndpointChange[] = [];

  for (const result of current.endpoints) {
    const earlier = before.get(keyOf(result));

    if (!earlier) {
      added.push(result.scan.endpoint.input);
      continue;
    }

    const change = diffEndpoint(earlier, result);

    if (change) {
      changed.push(change);
    }
  }

  const removed = baseline.endpoints
    .filter((result) => !currentKeys.has(keyOf(result)))
    .map((result) => result.scan.endpoint.input);

  return { added, removed, changed, regressions: changed.filter((change) => change.regression) };
}

/**
 * Why a baseline cannot be compared with a report, or undefined when it can. Findings come from
 * a policy's rules, so under another policy a finding gone is not a finding fixed: the rule may
 * simply not be checked. A merge refuses reports of different policies for the same reason.
 * The policies' content decides, not their names (policyDifference).
 */
export function baselineMismatch(baseline: Report, current: Report): string | undefined {
  const difference = policyDifference(baseline, current);

  if (!difference) {
    return undefined;
  }

  // A policy file may take a preset's name: then the names alone would not say what differs.
  // Without a digest on both sides the difference is known, and naming it tells the reader
  // which rule or suite list to look at.
  const detail =
    difference.what === 'policy rules (digest)'
      ? ''
      : ` (${difference.what} ${difference.a} in the baseline, ${difference.b} in this run)`;
  const made = sameName(baseline, current)
    ? `under a policy also named ${baseline.policy.name} that checks other rules than this ` +
      `run's${detail}`
    : `under the policy ${baseline.policy.name} and this run uses ${current.policy.name}`;

  return (
    `the baseline was made ${made}, so its findings cannot be compared: give a baseline made ` +
    `under ${current.policy.name}`
  );
}

/** Whether the diff has anything to say. */
export function isEmptyDiff(diff: ReportDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

function keyOf(result: EndpointResult): string {
  return endpointKey(result.scan.endpoint);
}

function diffEndpoint(before: EndpointResult, after: EndpointResult): EndpointChange | undefined {
  const beforeKeys = new Set(before.findings.map(findingKey));
  const afterKeys = new Set(after.findings.map(findingKey));
  const newFindings = uniqueByKey(after.findings.filter((f) => !beforeKeys.has(findingKey(f))));
  // An endpoint that was not probed now has only the finding that says so: the baseline's
  // findings went unchecked, and calling them fixed would tell a reader the opposite.
  const fixedFindings = probed(after)
    ? uniqueByKey(before.findings.filter((f) => !afterKeys.has(findingKey(f))))
    : [];

  const change: EndpointChange = {
    endpoint: after.scan.endpoint.input,
    newFindings,
    fixedFindings,
    regression: false,
  };

  if (before.verdict !== after.verdict) {
    change.verdict = { before: before.verdict, after: after.verdict };
  }

  // What the probes saw only compares between two scans; an endpoint that was not scanned on
  // one side has its verdict and findings compared, nothing else.
  if (probed(before) && probed(after)) {
    const reachableBefore = reachableAddresses(before);
    const reachableAfter = reachableAddresses(after);
    const versions = setChange(acceptedVersions(reachableBefore), acceptedVersions(reachableAfter));
    const suites = setChange(acceptedSuites(before), acceptedSuites(after));
    const senderBefore = distinctJoined(reachableBefore.map(senderText));
    const senderAfter = distinctJoined(reachableAfter.map(senderText));
    const leavesBefore = leavesOf(before);
    const leavesAfter = leavesOf(after);

    if (versions) change.versions = versions;
    if (suites) change.suites = suites;
    if (senderBefore !== senderAfter) {
      change.senderSuite = { before: senderBefore, after: senderAfter };
    }
    if (!sameLeaves(leavesBefore, leavesAfter)) {
      change.certificate = { before: leavesBefore, after: leavesAfter };
    }
  }

  change.regression =
    newFindings.some((finding) => !finding.suppressed) ||
    (before.verdict === 'compliant' && after.verdict !== 'compliant');

  const changedAnything =
    change.verdict !== undefined ||
    newFindings.length > 0 ||
    fixedFindings.length > 0 ||
    change.versions !== undefined ||
    change.suites !== undefined ||
    change.senderSuite !== undefined ||
    change.certificate !== undefined;

  return changedAnything ? change : undefined;
}

/**
 * Whether the probes reached the endpoint's TLS: not when no address answered, nor when the
 * port answered without TLS (then only the finding that says so was raised).
 */
function probed(result: EndpointResult): boolean {
  return result.scan.status === 'scanned' && result.scan.addresses.length > 0;
}

// A finding is the same across runs when its rule and SNI are. The address is left out: a name
// whose DNS rotates its addresses would otherwise show every finding as fixed and new again.
function findingKey(finding: Finding): string {
  return `${finding.id}\n${finding.sni ?? ''}`;
}

function uniqueByKey(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = findingKey(finding);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function acceptedSuites(result: EndpointResult): string[] {
  const names = new Set<string>();

  for (const address of result.scan.addresses) {
    for (const enumeration of address.suites) {
      for (const suite of enumeration.accepted) {
        names.add(suite.name);
      }
    }
  }

  return [...names].sort();
}

function setChange<T>(before: T[], after: T[]): { added: T[]; removed: T[] } | undefined {
  const added = after.filter((item) => !before.includes(item));
  const removed = before.filter((item) => !after.includes(item));
  return added.length > 0 || removed.length > 0 ? { added, removed } : undefined;
}

function leavesOf(result: EndpointResult): LeafSummary[] {
  const leaves = new Map<string, LeafSummary>();

  for (const address of result.scan.addresses) {
    const leaf = address.certificates.primary?.served[0];

    if (leaf && !leaves.has(leaf.fingerprintSha256)) {
      leaves.set(leaf.fingerprintSha256, {
        subject: leaf.subject,
        fingerprintSha256: leaf.fingerprintSha256,
        notAfter: leaf.notAfter,
      });
    }
  }

  return [...leaves.values()].sort((a, b) =>
    a.fingerprintSha256.localeCompare(b.fingerprintSha256),
  );
}

function sameLeaves(a: LeafSummary[], b: LeafSummary[]): boolean {
  return (
    a.length === b.length &&
    a.every((leaf, index) => leaf.fingerprintSha256 === b[index].fingerprintSha256)
  );
}

function distinctJoined(values: string[]): string {
  return [...new Set(values)].join(' / ');
}

/** The changed endpoints in the order a reader wants them: regressions, fixes, the rest. */
export function groupChanges(diff: ReportDiff): {
  regressions: EndpointChange[];
  fixes: EndpointChange[];
  others: EndpointChange[];
} {
  const notRegressed = diff.changed.filter((change) => !change.regression);

  return {
    regressions: diff.regressions,
    fixes: notRegressed.filter((change) => change.fixedFindings.length > 0),
    others: notRegressed.filter((change) => change.fixedFindings.length === 0),
  };
}

/** What changed for one endpoint, as plain-text phrases; each rendering formats them. */
export function changePhrases(change: EndpointChange): string[] {
  const phrases: string[] = [];

  if (change.verdict) {
    phrases.push(`${verdictWord(change.verdict.before)} → ${verdictWord(change.verdict.after)}`);
  }

  if (change.newFindings.length > 0) {
    phrases.push(`new: ${change.newFindings.map(findingPhrase).join(', ')}`);
  }

  if (change.fixedFindings.length > 0) {
    phrases.push(`fixed: ${change.fixedFindings.map(findingPhrase).join(', ')}`);
  }

  if (change.versions) {
    const { added, removed } = change.versions;
    phrases.push(`versions ${setPhrase(added.map(versionText), removed.map(versionText))}`);
  }

  if (change.suites) {
    phrases.push(`suites ${setPhrase(change.suites.added, change.suites.removed)}`);
  }

  if (change.senderSuite) {
    phrases.push(`sender suite ${change.senderSuite.before} → ${change.senderSuite.after}`);
  }

  if (change.certificate) {
    phrases.push(
      `certificate ${leavesPhrase(change.certificate.before)} → ` +
        leavesPhrase(change.certificate.after),
    );
  }

  return phrases;
}

function verdictWord(verdict: Verdict): string {
  return VERDICT_WORDS[verdict];
}

function findingPhrase(finding: Finding): string {
  const suppressed = finding.suppressed ? ', suppressed' : '';
  return `${finding.id} ${finding.title} (${finding.severity}${suppressed})`;
}

function setPhrase(added: string[], removed: string[]): string {
  return [...added.map((item) => `+${item}`), ...removed.map((item) => `−${item}`)].join(' ');
}

function leavesPhrase(leaves: LeafSummary[]): string {
  if (leaves.length === 0) {
    return 'none';
  }

  return leaves
    .map(
      (leaf) =>
        `${leaf.subject} (${leaf.fingerprintSha256.slice(0, 11)}…, until ` +
        `${leaf.notAfter.slice(0, 10)})`,
    )
    .join(', ');
}
