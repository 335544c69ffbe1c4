// Wording shared by the findings: version and suite names as users read them, lists in prose,
// dates and day counts. Findings are read by people fixing a server, so they say "TLS 1.2",
// not "TLSv1.2", and name suites by their IANA names.

import { daysLeft } from '../cert/index.js';
import { type ProbeOutcome, TLS_VERSIONS, type TlsVersion, withArticle } from '../model.js';
import { suiteName } from '../wire/suites.js';

export { withArticle };

const VERSION_LABELS: Record<TlsVersion, string> = {
  SSLv3: 'SSL 3.0',
  'TLSv1.0': 'TLS 1.0',
  'TLSv1.1': 'TLS 1.1',
  'TLSv1.2': 'TLS 1.2',
  'TLSv1.3': 'TLS 1.3',
};

export function versionLabel(version: TlsVersion): string {
  return VERSION_LABELS[version];
}

/** Position of a version in the order versions were introduced, for comparisons. */
export function versionRank(version: TlsVersion): number {
  return TLS_VERSIONS.indexOf(version);
}

/** "a", "a and b", "a, b and c". */
export function listText(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) {
    return items.join('');
  }
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

export function suiteList(codes: readonly number[]): string {
  return listText(codes.map(suiteName));
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The date part of an ISO timestamp (certificates carry whole seconds, days are enough). */
export function dateText(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/**
 * Whole days from `now` to `iso`, rounded down; negative once `iso` has passed. The same count
 * as the certificate details' daysLeft, so that a finding and a table agree.
 */
export function daysUntil(iso: string, now: Date): number {
  return daysLeft(new Date(iso), now);
}

/** Whole days between two ISO timestamps. */
export function daysBetween(fromIso: string, toIso: string): number {
  return Math.floor((new Date(toIso).getTime() - new Date(fromIso).getTime()) / DAY_MS);
}

/** How one probe ended, as the tail of a sentence: "refused with a protocol_version alert". */
export function outcomeText(outcome: ProbeOutcome): string {
  switch (outcome.kind) {
    case 'accepted':
      return `accepted (${versionLabel(outcome.version)}, ${suiteName(outcome.suite)})`;
    case 'alert':
      return `refused with ${withArticle(outcome.alertName)} alert`;
    case 'reset':
      return 'refused by a TCP reset';
    case 'closed':
      // The wire layer does not say whether close_notify (itself an alert, a warning-level
      // one: RFC 8446, Section 6.1) came before the close, so the words hold for both.
      return 'refused by closing the connection without a fatal alert';
    case 'timeout':
      return outcome.phase === 'connect'
        ? 'no connection before the timeout'
        : 'no answer before the timeout';
    case 'not-tls':
      return `answered with something that is not TLS (${outcome.detail})`;
    case 'violation':
      return `answered in violation of the protocol (${outcome.detail})`;
    case 'error':
      return `not completed (${outcome.detail})`;
  }
}
