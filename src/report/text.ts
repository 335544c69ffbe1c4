// The terminal rendering of the CLI: the same headline, overview and findings as the job
// summary, in tables drawn by cli-table3. Colour comes only when the caller asks for it (the CLI
// asks when stdout is a terminal), so piped output and files stay plain text.

import Table from 'cli-table3';
import picocolors from 'picocolors';
import type { EndpointResult, Finding, Report } from '../model.js';
import { changePhrases, diffReports, groupChanges, isEmptyDiff } from './diff.js';
import { factsOf, headline, verdictCounts } from './facts.js';
import { durationText, plural, verdictText } from './words.js';

export interface TextOptions {
  /** ANSI colours; off unless asked for. */
  color?: boolean;
  /** Leave compliant endpoints out of the table and the findings. */
  onlyFailures?: boolean;
  /** An earlier report: the output then starts with what changed since. */
  baseline?: Report;
}

type Colors = ReturnType<typeof picocolors.createColors>;

export function renderText(report: Report, options: TextOptions = {}): string {
  const colors = picocolors.createColors(options.color ?? false);
  const shown = options.onlyFailures
    ? report.endpoints.filter((result) => result.verdict !== 'compliant')
    : report.endpoints;
  const lines = [...headLines(report, colors), ''];

  if (options.baseline) {
    lines.push(...changeLines(options.baseline, report, colors));
  }

  if (shown.length < report.endpoints.length) {
    lines.push(
      `${plural(report.endpoints.length - shown.length, 'compliant endpoint')} not shown.`,
    );
    lines.push('');
  }

  if (shown.length > 0) {
    lines.push(overviewTable(shown, colors), '');
  }

  for (const result of shown) {
    lines.push(...endpointLines(result, colors));
  }

  lines.push(...runLines(report, colors));

  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** Findings about the run, after the endpoints': a suppression that matched nothing. */
function runLines(report: Report, colors: Colors): string[] {
  const findings = report.runFindings ?? [];
  if (findings.length === 0) {
    return [];
  }

  const shownSnippets = new Set<string>();
  return [
    `${colors.bold('The run')}:`,
    ...findings.flatMap((finding) => findingLines(finding, colors, shownSnippets)),
    '',
  ];
}

function headLines(report: Report, colors: Colors): string[] {
  const counts = verdictCounts(report.endpoints);
  const took = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const failOn =
    report.policy.failOn === 'never' ? 'never fails' : `fails on ${report.policy.failOn}`;
  const shard = report.shard ? ` · shard ${report.shard.index} of ${report.shard.count}` : '';
  // A run that passes with endpoints that are not compliant (fail-on never, a rule lowered)
  // is marked apart: the verdicts still say what is wrong.
  const allCompliant = counts.nonCompliant === 0 && counts.notScanned === 0;
  const mark = !report.compliant
    ? colors.red('✖')
    : allCompliant
      ? colors.green('✔')
      : colors.yellow('!');

  return [
    colors.bold(`${mark} Webhook TLS: ${headline(report.endpoints)}`),
    colors.dim(
      `policy ${report.policy.name} (${failOn}) · ${counts.compliant} compliant, ` +
        `${counts.nonCompliant} non-compliant, ${counts.notScanned} not scanned · ` +
        `${report.tool.name} ${report.tool.version} · took ` +
        `${durationText(Number.isFinite(took) ? took : 0)}${shard}`,
    ),
  ];
}

function changeLines(baseline: Report, report: Report, colors: Colors): string[] {
  const diff = diffReports(baseline, report);

  if (isEmptyDiff(diff)) {
    return ['Since the baseline: no changes.', ''];
  }

  const lines: string[] = [];
  const { regressions, fixes, others } = groupChanges(diff);
  const groups = [
    { title: 'Regressions since the baseline', changes: regressions, paint: colors.red },
    { title: 'Fixed since the baseline', changes: fixes, paint: colors.green },
    { title: 'Other changes since the baseline', changes: others, paint: colors.yellow },
  ];

  for (const { title, changes, paint } of groups) {
    if (changes.length === 0) continue;

    lines.push(paint(colors.bold(`${title} (${changes.length})`)));

    for (const change of changes) {
      lines.push(`  ${change.endpoint}: ${changePhrases(change).join('; ')}`);
    }

    lines.push('');
  }

  if (diff.added.length > 0) lines.push(`New endpoints: ${diff.added.join(', ')}`, '');
  if (diff.removed.length > 0) {
    lines.push(`Endpoints no longer scanned: ${diff.removed.join(', ')}`, '');
  }

  return lines;
}

const HEAD = [
  'Endpoint',
  'Verdict',
  'Versions',
  'Suite a sender gets',
  'Forward secrecy',
  'Certificate',
  'SNI',
];

// Widest a column may grow before its text wraps: long endpoints and not-scanned reasons wrap,
// suite names (up to 45 characters, no spaces) never do.
const MAX_WIDTHS = [40, 30, 20, 46, 10, 32, 14];

function overviewTable(results: EndpointResult[], colors: Colors): string {
  const rows = results.map((result) => {
    const facts = factsOf(result);
    return [
      facts.endpoint,
      facts.verdict,
      facts.versions,
      facts.senderSuite,
      facts.forwardSecrecy,
      facts.certificateDaysLeft,
      facts.sni,
    ];
  });
  const widths = MAX_WIDTHS.map(
    (max, column) =>
      Math.min(max, Math.max(...[HEAD, ...rows].map((row) => row[column].length))) + 2,
  );
  const table = new Table({
    head: HEAD,
    colWidths: widths,
    wordWrap: true,
    // No rule between rows, and no colours of cli-table3's own: colour is ours to decide.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });

  rows.forEach((row, index) => {
    table.push(
      row.map((text, column) => (column === 1 ? paintVerdict(results[index], text, colors) : text)),
    );
  });

  return table.toString();
}

function endpointLines(result: EndpointResult, colors: Colors): string[] {
  if (result.findings.length === 0 && result.verdict !== 'not-scanned') {
    return [];
  }

  const verdict = paintVerdict(result, verdictText(result), colors);
  const lines = [`${colors.bold(result.scan.endpoint.input)}: ${verdict}`];

  const shownSnippets = new Set<string>();

  for (const finding of result.findings) {
    lines.push(...findingLines(finding, colors, shownSnippets));
  }

  lines.push('');
  return lines;
}

function findingLines(finding: Finding, colors: Colors, shownSnippets: Set<string>): string[] {
  const severity = paintSeverity(finding, colors);
  const where = finding.address ? ` (on ${finding.address})` : '';
  const suppressed = finding.suppressed
    ? colors.dim(
        ` (suppressed: ${finding.suppressed.reason}` +
          `${finding.suppressed.expires ? `, until ${finding.suppressed.expires}` : ''})`,
      )
    : '';
  const indent = '             ';
  const lines = [
    `  ${severity} ${finding.id}: ${finding.title}${where}${suppressed}`,
    `${indent}observed: ${finding.evidence.observed}`,
    `${indent}expected: ${finding.evidence.expected}`,
  ];

  if (finding.remediation.summary) {
    lines.push(`${indent}fix: ${finding.remediation.summary}`);
  }

  lines.push(...snippetLines(finding, indent, colors, shownSnippets));
  return lines;
}

// The fix often says "the suites below": the configuration it means follows, per server
// software, as the job summary shows it in folded sections. A snippet already shown for this
// endpoint (the same fix on another address) is not repeated.
function snippetLines(
  finding: Finding,
  indent: string,
  colors: Colors,
  shownSnippets: Set<string>,
): string[] {
  const lines: string[] = [];
  const snippets = finding.remediation.snippets ?? [];
  const keyOf = (snippet: { server: string; config: string }) =>
    `${snippet.server}\n${snippet.config}`;

  // Every snippet shown already: one line says so rather than one per server.
  if (snippets.length > 0 && snippets.every((snippet) => shownSnippets.has(keyOf(snippet)))) {
    return [`${indent}${colors.dim('configuration: as above')}`];
  }

  for (const snippet of snippets) {
    const key = keyOf(snippet);

    if (shownSnippets.has(key)) {
      lines.push(`${indent}${colors.dim(`${snippet.server}: as above`)}`);
      continue;
    }

    shownSnippets.add(key);
    lines.push(`${indent}${colors.dim(`${snippet.server}:`)}`);

    for (const line of snippet.config.replace(/\n+$/, '').split('\n')) {
      lines.push(`${indent}  ${line}`);
    }
  }

  return lines;
}

function paintVerdict(result: EndpointResult, text: string, colors: Colors): string {
  if (result.verdict === 'compliant') return colors.green(text);
  if (result.verdict === 'non-compliant') return colors.red(text);
  return colors.yellow(text);
}

function paintSeverity(finding: Finding, colors: Colors): string {
  const label = finding.severity.padEnd(8);
  if (finding.suppressed) return colors.dim(label);
  if (finding.severity === 'error') return colors.red(label);
  if (finding.severity === 'warning') return colors.yellow(label);
  return colors.cyan(label);
}
