// JUnit XML for CI systems other than GitHub's: one test suite per endpoint and one test case
// per endpoint and rule. A finding at or above the fail-on severity is a failure; an endpoint
// that could not be scanned is an error (the test could not run), never a failure, and its
// other rules are skipped; a suppressed finding is skipped with its reason.

import type { EndpointResult, Finding, Report } from '../model.js';
import { RULES } from '../policy/rules.js';
import { reachesFailOn, verdictText } from './words.js';

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function renderJunit(report: Report): string {
  const ruleIds = ruleIdsFor(report);
  const suites = report.endpoints.map((result) => suiteFor(report, result, ruleIds));
  const total = suites.reduce(
    (sum, suite) => ({
      tests: sum.tests + suite.counts.tests,
      failures: sum.failures + suite.counts.failures,
      errors: sum.errors + suite.counts.errors,
      skipped: sum.skipped + suite.counts.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(report.tool.name)}" ${countAttrs(total)} ` +
      `time="${secondsText(seconds)}" timestamp="${attr(report.startedAt)}">`,
    ...suites.map((suite) => suite.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * The rules the policy checks (the whole catalogue for a report that does not say), then any
 * rule a finding names that is not among them. A rule set to off is no test that passed.
 */
function ruleIdsFor(report: Report): string[] {
  const checked = report.policy.rules ? new Set(report.policy.rules) : undefined;
  const ids = RULES.map((rule) => rule.id as string).filter((id) => checked?.has(id) ?? true);
  const known = new Set(ids);

  for (const result of report.endpoints) {
    for (const finding of result.findings) {
      if (!known.has(finding.id)) {
        known.add(finding.id);
        ids.push(finding.id);
      }
    }
  }

  return ids;
}

function suiteFor(
  report: Report,
  result: EndpointResult,
  ruleIds: string[],
): { xml: string; counts: Counts } {
  const name = result.scan.endpoint.input;
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  const notScanned = result.verdict === 'not-scanned';

  for (const id of ruleIds) {
    const findings = result.findings.filter((finding) => finding.id === id);
    const active = findings.filter((finding) => !finding.suppressed);
    const open = `    <testcase classname="${attr(name)}" name="${attr(id)}" time="0">`;
    counts.tests += 1;

    if (notScanned && active.length > 0) {
      counts.errors += 1;
      cases.push(open, element('error', active), '    </testcase>');
    } else if (notScanned) {
      counts.skipped += 1;
      cases.push(
        open,
        `      <skipped message="${attr(verdictText(result))}"/>`,
        '    </testcase>',
      );
    } else if (active.some((finding) => reachesFailOn(finding.severity, report.policy.failOn))) {
      counts.failures += 1;
      cases.push(open, element('failure', active), '    </testcase>');
    } else if (active.length > 0) {
      // Below the fail-on severity: the test passes, and says what it saw.
      cases.push(
        open,
        `      <system-out>${text(describe(active))}</system-out>`,
        '    </testcase>',
      );
    } else if (findings.length > 0) {
      counts.skipped += 1;
      const reason = findings[0].suppressed?.reason ?? '';
      cases.push(
        open,
        `      <skipped message="${attr(`suppressed: ${reason}`)}"/>`,
        '    </testcase>',
      );
    } else {
      cases.push(`    <testcase classname="${attr(name)}" name="${attr(id)}" time="0"/>`);
    }
  }

  const xml = [
    `  <testsuite name="${attr(name)}" ${countAttrs(counts)} ` +
      `time="${secondsText(result.scan.durationMs / 1000)}" ` +
      `timestamp="${attr(result.scan.startedAt)}">`,
    '    <properties>',
    `      <property name="verdict" value="${attr(verdictText(result))}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
  ].join('\n');

  return { xml, counts };
}

function element(tag: 'failure' | 'error', findings: Finding[]): string {
  const first = findings[0];
  return (
    `      <${tag} type="${attr(first.severity)}" message="${attr(first.title)}">` +
    `${text(describe(findings))}</${tag}>`
  );
}

function describe(findings: Finding[]): string {
  return findings
    .map((finding) => {
      const where = finding.address ? ` on ${finding.address}` : '';
      const fix = finding.remediation.summary ? `\nFix: ${finding.remediation.summary}` : '';
      return (
        `${finding.severity}: ${finding.title}${where}\n` +
        `Observed: ${finding.evidence.observed}\nExpected: ${finding.evidence.expected}${fix}`
      );
    })
    .join('\n\n');
}

function countAttrs(counts: Counts): string {
  return (
    `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" ` +
    `skipped="${counts.skipped}"`
  );
}

function secondsText(seconds: number): string {
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 0).toFixed(3);
}

// XML 1.0 allows tab, newline and carriage return among the control characters, nothing else
// (XML 1.0, Section 2.2); a stray byte from a server's reply must not break the file.
function clean(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
