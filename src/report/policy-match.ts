// Whether two reports were made under the same policy, for a baseline and for a merge: their
// findings can be compared or joined only then. The policy's content decides, not its name: a
// policy file may take a preset's name and check other rules, and one file may be named by two
// spellings of its path.

import path from 'node:path';
import type { Report, Severity } from '../model.js';

/**
 * What tells two reports' policies apart, as a message names it: `what` differs, and has the
 * value `a` in the first report and `b` in the second.
 */
export interface PolicyDifference {
  what: string;
  a: string;
  b: string;
}

/** A rule's setting as a report shows it: its severity, or only that it is checked, or off. */
type RuleSetting = Severity | 'checked' | 'off';

/**
 * How the policies of two reports differ, or undefined when they are the same policy. Reports
 * that both carry a digest compare it. A report of an earlier version has none: then the
 * content both reports record decides (policyContentDifference), and the policies' base names.
 */
export function policyDifference(a: Report, b: Report): PolicyDifference | undefined {
  if (a.policy.digest !== undefined && b.policy.digest !== undefined) {
    return a.policy.digest === b.policy.digest
      ? undefined
      : {
          what: 'policy rules (digest)',
          // The first 12 digits tell digests apart in a message; the rest only lengthen it.
          a: a.policy.digest.slice(0, 12),
          b: b.policy.digest.slice(0, 12),
        };
  }

  if (!sameName(a, b)) {
    return { what: 'policy', a: a.policy.name, b: b.policy.name };
  }

  return policyContentDifference(a, b);
}

/** Whether two reports were made under the same policy (policyDifference). */
export function samePolicy(a: Report, b: Report): boolean {
  return policyDifference(a, b) === undefined;
}

/** Whether two policies are named alike; apart from samePolicy, for messages that name them. */
export function sameName(a: Report, b: Report): boolean {
  return policyNameKey(a.policy.name) === policyNameKey(b.policy.name);
}

/**
 * A policy's name as compared when a digest is missing. A policy file without a `name` is
 * named by its path as given, and a baseline made in another folder or checkout spells that
 * path otherwise (`./pol.yml`, `/home/runner/work/pol.yml`, `../bl/pol.yml`): only the base
 * name says which file it was. Two files of one base name in different folders then read as
 * one name, and only the recorded content (policyContentDifference) tells them apart.
 */
export function policyNameKey(name: string): string {
  return path.posix.basename(path.posix.normalize(name.trim().replaceAll('\\', '/')));
}

/**
 * How the policies differ in what both reports record of them: the suites listed, in order,
 * and each rule's setting (rulesOf). A report records less than its policy's digest covers
 * (not the versions, groups, DH size, expiry window or certificate constraints, nor the
 * severity of a rule that raised no finding), so policies that differ only there are taken as
 * one: a report without a digest cannot tell them apart.
 */
function policyContentDifference(a: Report, b: Report): PolicyDifference | undefined {
  const listedA = a.policy.listedSuites;
  const listedB = b.policy.listedSuites;

  if (listedA && listedB && listedA.join(',') !== listedB.join(',')) {
    return { what: 'policy listed suites', a: listedA.join(','), b: listedB.join(',') };
  }

  const rulesA = rulesOf(a);
  const rulesB = rulesOf(b);
  const ids = [...new Set([...rulesA.keys(), ...rulesB.keys()])].sort();

  for (const id of ids) {
    const settingA = rulesA.get(id) ?? (a.policy.rules ? 'off' : undefined);
    const settingB = rulesB.get(id) ?? (b.policy.rules ? 'off' : undefined);

    if (settingA !== undefined && settingB !== undefined && !sameSetting(settingA, settingB)) {
      return { what: `policy rule ${id}`, a: settingA, b: settingB };
    }
  }

  return undefined;
}

/**
 * Each rule's setting as far as the report shows it: `policy.rules` lists the rules checked
 * (absent in reports of the earliest versions), and a finding carries its rule's severity.
 */
function rulesOf(report: Report): Map<string, RuleSetting> {
  const settings = new Map<string, RuleSetting>();

  for (const id of report.policy.rules ?? []) {
    settings.set(id, 'checked');
  }

  const findings = [
    ...report.endpoints.flatMap((result) => result.findings),
    ...(report.runFindings ?? []),
  ];

  for (const finding of findings) {
    settings.set(finding.id, finding.severity);
  }

  return settings;
}

// A rule known only to be checked agrees with any severity: the report that says so raised no
// finding of it, so its severity is not recorded.
function sameSetting(a: RuleSetting, b: RuleSetting): boolean {
  if (a === 'off' || b === 'off') return a === b;
  return a === 'checked' || b === 'checked' || a === b;
}
