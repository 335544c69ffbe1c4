// Suppressions: findings a user has decided to live with, by rule and endpoint pattern, each
// with a reason and maybe an expiry date. A suppressed finding stays in the results, marked,
// so reports can show it; an expired suppression no longer hides its finding, which comes back
// with its own severity and says the suppression expired.

import type { Endpoint, EndpointResult, Finding } from '../model.js';
import type { Policy, Suppression } from './policy.js';
import { adviceOnly } from './remediation.js';
import { ruleById } from './rules.js';

const DAY_MS = 86_400_000;

/** `*` matches any run of characters, `?` one; matching ignores case. */
export function endpointPatternMatches(pattern: string, endpoint: Endpoint): boolean {
  const source = pattern
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const expression = new RegExp(`^${source}$`, 'i');
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return [endpoint.input, endpoint.host, `${host}:${endpoint.port}`].some((candidate) =>
    expression.test(candidate),
  );
}

/** The instant a suppression stops applying: the end of its day for a bare date. */
export function suppressionEnd(expires: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
    return new Date(Date.parse(`${expires}T00:00:00Z`) + DAY_MS);
  }
  return new Date(expires);
}

export function isExpired(suppression: Suppression, now: Date): boolean {
  return suppression.expires !== undefined && now >= suppressionEnd(suppression.expires);
}

/**
 * Marks the findings that a suppression covers. An active suppression sets `suppressed`; when
 * only expired ones match, the finding stays live with its own severity (an expired
 * suppression must never judge more leniently than none) and its evidence says which
 * suppression expired.
 */
export function applySuppressions(
  findings: Finding[],
  endpoint: Endpoint,
  suppressions: Suppression[],
  now: Date,
): Finding[] {
  return findings.map((finding) => {
    const matching = suppressions.filter(
      (suppression) =>
        suppression.id === finding.id && endpointPatternMatches(suppression.endpoint, endpoint),
    );
    if (matching.length === 0) {
      return finding;
    }

    const active = matching.find((suppression) => !isExpired(suppression, now));
    if (active) {
      return {
        ...finding,
        suppressed: {
          reason: active.reason,
          ...(active.expires !== undefined ? { expires: active.expires } : {}),
        },
      };
    }

    const latest = [...matching].sort(
      (a, b) =>
        suppressionEnd(b.expires as string).getTime() -
        suppressionEnd(a.expires as string).getTime(),
    )[0];
    const where = latest.source ? ` (${latest.source.file}:${latest.source.line})` : '';
    return {
      ...finding,
      evidence: {
        ...finding.evidence,
        observed:
          `${finding.evidence.observed} [suppression expired on ${latest.expires}${where}; ` +
          `its reason was: ${latest.reason}]`,
      },
      remediation: {
        ...finding.remediation,
        summary:
          `${finding.remediation.summary} The suppression of this finding expired on ` +
          `${latest.expires}: fix the finding, or renew the suppression with a new date.`,
      },
    };
  });
}

/**
 * The suppressions of a policy that matched no finding of a run, as findings of the rule
 * `policy.unused-suppression` (a notice unless the policy changes it), so that a typo in an
 * endpoint pattern, or a suppression left behind once its finding was fixed, is seen.
 *
 * Whether a suppression matched anything is known only across every endpoint of a run, so the
 * shells call this once with all results (after merging shards: a suppression may well match
 * only endpoints of another shard). The findings carry the suppression's pattern as their
 * endpoint; they belong to the run, not to one endpoint, and are not part of any verdict.
 */
export function unusedSuppressions(policy: Policy, results: EndpointResult[]): Finding[] {
  const severity = policy.severities['policy.unused-suppression'];
  const rule = ruleById('policy.unused-suppression');
  if (severity === undefined || severity === 'off' || !rule) {
    return [];
  }

  const unused: Finding[] = [];
  for (const suppression of policy.suppressions) {
    const matched = results.filter((result) =>
      endpointPatternMatches(suppression.endpoint, result.scan.endpoint),
    );
    // A finding it covers, hidden or shown again because the suppression expired.
    if (matched.some((result) => result.findings.some((f) => f.id === suppression.id))) {
      continue;
    }

    const where = suppression.source
      ? ` (${suppression.source.file}:${suppression.source.line})`
      : '';
    const what =
      matched.length === 0
        ? 'matches no endpoint of this run'
        : `matches ${matched.length === 1 ? 'one endpoint' : `${matched.length} endpoints`}, ` +
          `none of which raised ${suppression.id}`;
    unused.push({
      id: 'policy.unused-suppression',
      title: rule.title,
      severity,
      endpoint: suppression.endpoint,
      evidence: {
        observed: `the suppression of ${suppression.id} for '${suppression.endpoint}'${where} ${what}`,
        expected: 'every suppression hides a finding of some endpoint of the run',
      },
      remediation: adviceOnly(
        matched.length === 0
          ? 'Correct the endpoint pattern (it is matched against the endpoint as written, its ' +
              'host, or host:port; * matches any characters), or delete the suppression.'
          : `Delete the suppression if ${suppression.id} is fixed for good, or correct the ` +
              'rule identifier it names.',
      ),
      ...(suppression.source
        ? { source: { file: suppression.source.file, line: suppression.source.line } }
        : {}),
    });
  }
  return unused;
}
