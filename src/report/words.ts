// The words every rendering uses: verdicts, severities, versions and probe outcomes. The job
// summary, the PR comment, the terminal output, SARIF and JUnit all take their wording from
// here, so a reader sees the same sentence wherever an endpoint's result shows up.

import type {
  CertificateInfo,
  EndpointResult,
  NotScannedReason,
  ProbeOutcome,
  ServedChain,
  Severity,
  TlsVersion,
} from '../model.js';
import { suiteName } from '../wire/suites.js';

/** How severe each severity is; a policy fails on its `failOn` severity and everything above. */
export const SEVERITY_RANK: Record<Severity, number> = { notice: 1, warning: 2, error: 3 };

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'notice'];

/** Whether a finding of `severity` reaches the policy's fail-on threshold. */
export function reachesFailOn(severity: Severity, failOn: Severity | 'never'): boolean {
  return failOn !== 'never' && SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

/** The three outcomes of one endpoint, as every rendering words them. */
export const VERDICT_WORDS = {
  compliant: 'compliant',
  'non-compliant': 'non-compliant',
  'not-scanned': 'not scanned',
} as const;

const NOT_SCANNED_WORDS: Record<NotScannedReason, string> = {
  dns: 'name does not resolve',
  refused: 'connection refused',
  timeout: 'timed out',
  'not-tls': 'port does not speak TLS',
  error: 'scan failed',
};

/**
 * The verdict with its reason when the endpoint was not scanned: "could not scan" and
 * "scanned and non-compliant" are different outcomes and must never read alike.
 */
export function verdictText(result: EndpointResult): string {
  if (result.verdict === 'not-scanned') {
    return `not scanned: ${notScannedReason(result)}`;
  }

  // Reached but not scanned further, a port that answers in plaintext HTTP for one: the policy
  // judges it, and the reason says why there is nothing else to show.
  if (result.scan.status === 'not-scanned') {
    return `${VERDICT_WORDS[result.verdict]}: ${notScannedReason(result)}`;
  }

  return VERDICT_WORDS[result.verdict];
}

/** Why an endpoint could not be scanned, in a few words and the probe's detail. */
export function notScannedReason(result: EndpointResult): string {
  const reason = result.scan.notScanned;

  if (!reason) {
    return 'no address could be probed';
  }

  return reasonText(reason);
}

/**
 * A not-scanned reason in a few words and the probe's detail, without saying the same thing
 * twice when the detail starts with those words ("this port does not speak TLS: ...").
 */
export function reasonText(reason: { reason: NotScannedReason; detail: string }): string {
  const words = NOT_SCANNED_WORDS[reason.reason];
  const at = reason.detail.toLowerCase().indexOf(words.toLowerCase());
  const detail =
    at >= 0 && at <= 'this '.length
      ? reason.detail.slice(at + words.length).replace(/^[\s:;,.-]+/, '')
      : reason.detail;

  if (!detail || detail === words) {
    return words;
  }
  // A detail that is only the error code comes in parentheses already: "(ECONNREFUSED)".
  return /^\(.*\)$/.test(detail) ? `${words} ${detail}` : `${words} (${detail})`;
}

/** A small symbol for the verdict, for markdown where emoji render everywhere. */
export function verdictIcon(result: EndpointResult): string {
  if (result.verdict === 'compliant') return '✅';
  if (result.verdict === 'non-compliant') return '❌';
  return '⚠️';
}

/** TLSv1.2 → "TLS 1.2", SSLv3 → "SSL 3.0". */
export function versionText(version: TlsVersion): string {
  return version === 'SSLv3' ? 'SSL 3.0' : version.replace('TLSv', 'TLS ');
}

/** The IANA name of a suite code, or its hex code when unassigned. */
export function suiteText(code: number): string {
  return suiteName(code);
}

/** How one probe ended, in words: the chosen suite, the alert, or why nothing came back. */
export function outcomeText(outcome: ProbeOutcome): string {
  switch (outcome.kind) {
    case 'accepted':
      return `${versionText(outcome.version)} ${suiteText(outcome.suite)}`;
    case 'alert':
      return `refused with alert ${outcome.alertName} (${outcome.alert})`;
    case 'reset':
      return 'refused with a TCP reset';
    case 'closed':
      return 'refused by closing the connection';
    case 'timeout':
      return outcome.phase === 'connect' ? 'timed out connecting' : 'timed out waiting for a reply';
    case 'not-tls':
      return `not TLS: ${outcome.detail}`;
    case 'violation':
      return `protocol violation: ${outcome.detail}`;
    case 'error':
      return `error: ${outcome.detail}`;
  }
}

/** "3 endpoints", "1 endpoint". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** Milliseconds as "850 ms", "12.3 s" or "4 min 5 s". */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;

  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** Days left on a certificate: "45 days", "expires today", "expired 3 days ago". */
/**
 * Whether served certificate `index` of the chain is not valid yet at scan time. The chain's
 * problems were found with the scan's clock: a leaf's is `not-yet-valid`, a later certificate's
 * `expired-in-chain` while its notAfter is still ahead.
 */
export function notYetValid(chain: ServedChain, index: number): boolean {
  const certificate = chain.served[index];

  return chain.problems.some(
    (problem) =>
      problem.certificate === index &&
      (problem.code === 'not-yet-valid' ||
        (problem.code === 'expired-in-chain' &&
          certificate !== undefined &&
          certificate.daysLeft >= 0)),
  );
}

/** Days left, or that the certificate is not valid yet, which days left would hide. */
export function validityText(certificate: CertificateInfo, isNotYetValid: boolean): string {
  return isNotYetValid
    ? `not yet valid (from ${certificate.notBefore.slice(0, 10)})`
    : daysLeftText(certificate.daysLeft);
}

export function daysLeftText(daysLeft: number): string {
  if (daysLeft > 0) return plural(daysLeft, 'day');
  if (daysLeft === 0) return 'expires today';
  return `expired ${plural(-daysLeft, 'day')} ago`;
}
