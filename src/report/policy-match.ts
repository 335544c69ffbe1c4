// Whether two reports were made under the same policy, for a baseline and for a merge: their
// findings can be compared or joined only then. The policy's content decides, not its name: a
// policy file may take a preset's name and check other rules, and one file may be named by two
// spellings of its path.

import path from 'node:path';
import type { Report } from '../model.js';

type ReportPolicy = Report['policy'];

/**
 * Whether two reports were made under the same policy. Reports that both carry a digest
 * compare it; a report of an earlier version has none, and then the names decide, spelt alike
 * (policyNameKey).
 */
export function samePolicy(a: ReportPolicy, b: ReportPolicy): boolean {
  if (a.digest !== undefined && b.digest !== undefined) {
    return a.digest === b.digest;
  }

  return sameName(a, b);
}

/** Whether two policies are named alike; apart from samePolicy, for messages that name them. */
export function sameName(a: ReportPolicy, b: ReportPolicy): boolean {
  return policyNameKey(a.name) === policyNameKey(b.name);
}

/**
 * A policy's name as compared when no digest is recorded: a policy file without a `name` is
 * named by its path as given, so `./pol.yml` and `pol.yml` are the same policy.
 */
export function policyNameKey(name: string): string {
  return path.posix.normalize(name.trim().replaceAll('\\', '/'));
}
