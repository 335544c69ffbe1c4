// The digest of a policy's content: what tells two policies apart when their names do not. A
// report records it, so a baseline or a shard report made under a policy file can be matched
// with a run under the same rules, whatever the policy is called or however its path is spelt.

import { createHash } from 'node:crypto';
import type { Policy } from './policy.js';

/**
 * SHA-256 (hex) of a canonical JSON of what the policy checks: the versions, suites, groups,
 * DH size, expiry window, certificate constraints and each rule's severity. Left out: the
 * name and file, which only call the policy something; fail-on, which a report records on its
 * own and which changes no finding; and the suppressions, which change only whether a finding
 * counts, as each finding of a report already says.
 */
export function policyDigest(policy: Policy): string {
  const content = {
    minVersion: policy.minVersion,
    // In order: the sender probe offers the listed suites in this order.
    listedSuites: policy.listedSuites,
    allowedSuites: policy.allowedSuites,
    allowedGroups: policy.allowedGroups,
    minDhBits: policy.minDhBits,
    expiryWarningDays: policy.expiryWarningDays,
    certificate: policy.certificate,
    severities: policy.severities,
  };

  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** JSON with every object's keys sorted, so the same content always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }

  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const members = entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${members.join(',')}}`;
  }

  return JSON.stringify(value);
}
