// The markdown renderings: the job summary (an overview table, then per endpoint a collapsible
// section with the suites, the certificate chain and the findings with their remediation) and
// the pull request comment (changes since the baseline first, then what fails). GitHub caps a
// job summary at 1 MiB and a comment at 65,536 characters; both renderings shorten themselves
// to fit and say where and what they left out.

import type {
  AddressScan,
  CertificateInfo,
  EndpointResult,
  Finding,
  Report,
  ServedChain,
} from '../model.js';
import { groupName } from '../wire/groups.js';
import { suiteByCode } from '../wire/suites.js';
import {
  changePhrases,
  diffReports,
  type EndpointChange,
  groupChanges,
  isEmptyDiff,
  type ReportDiff,
} from './diff.js';
import { countFindings, factsOf, hasChain, headline, NONE, verdictCounts } from './facts.js';
import {
  durationText,
  notScannedReason,
  notYetValid,
  outcomeText,
  plural,
  reasonText,
  SEVERITIES,
  validityText,
  verdictIcon,
  verdictText,
  versionText,
} from './words.js';

/** GitHub's limit on one step's job summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** GitHub's limit on the body of an issue or pull request comment. */
export const COMMENT_LIMIT_CHARS = 65_536;

export interface MarkdownOptions {
  /** An earlier report: the summary then starts with what changed since. */
  baseline?: Report;
  /** Largest size of the summary in UTF-8 bytes; GitHub's 1 MiB limit by default. */
  maxBytes?: number;
  /** Leave compliant endpoints out of the table and the sections. */
  onlyFailures?: boolean;
}

export interface CommentOptions {
  baseline?: Report;
  /** The workflow run's page, which the comment links for the job summary. */
  runUrl?: string;
  /**
   * Largest length of the comment body in characters (UTF-16 code units, which never undercount
   * what GitHub counts). The default leaves 536 characters for the marker the Action adds.
   */
  maxChars?: number;
}

// Room kept for the note that says what was left out, so adding it never breaks the limit.
const NOTE_RESERVE = 600;

/** The job summary: overview table, then one collapsible section per endpoint. */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxBytes = options.maxBytes ?? SUMMARY_LIMIT_BYTES;
  const budget = new Budget(maxBytes - NOTE_RESERVE, bytesOf);
  const shown = options.onlyFailures
    ? report.endpoints.filter((result) => result.verdict !== 'compliant')
    : report.endpoints;

  budget.add(`${titleLine(report)}\n\n${metaLine(report)}\n\n`);

  if (!budget.addLines(runFindingLines(report), 'findings about the run')) {
    return budget.finish(maxBytes);
  }

  if (options.baseline) {
    const lines = changeLines(diffReports(options.baseline, report));

    if (!budget.addLines(lines, 'changes since the baseline')) {
      return budget.finish(maxBytes);
    }
  }

  if (shown.length < report.endpoints.length) {
    budget.add(
      `${plural(report.endpoints.length - shown.length, 'compliant endpoint')} not shown.\n\n`,
    );
  }

  if (shown.length === 0) {
    return budget.finish(maxBytes);
  }

  if (!budget.addLines([...overviewTable(shown), ''], 'rows of the overview table')) {
    return budget.finish(maxBytes);
  }

  addSections(budget, report, shown);
  return budget.finish(maxBytes);
}

// Sections in full when they all fit; otherwise every section without its suite tables and
// chains (the findings and their fixes matter most); otherwise as many short ones as fit.
function addSections(budget: Budget, report: Report, shown: EndpointResult[]): void {
  const full: string[] = [];
  let fullSize = 0;

  // Built one by one so that a huge report stops building full sections once they overflow.
  for (const result of shown) {
    const section = fullSection(report, result);
    full.push(section);
    fullSize += bytesOf(section);

    if (!budget.fits('', fullSize)) break;
  }

  if (full.length === shown.length && budget.fits('', fullSize)) {
    budget.add(full.join(''));
    return;
  }

  const short = shown.map((result) => shortSection(result));

  if (budget.fits(short.join(''))) {
    budget.add(short.join(''));
    budget.note(
      'Shortened to stay under GitHub’s 1 MiB job summary limit: the sections above leave out ' +
        'the suite tables and certificate chains. The JSON report has every detail.',
    );
    return;
  }

  let included = 0;

  while (included < short.length && budget.fits(short[included])) {
    budget.add(short[included]);
    included += 1;
  }

  budget.note(
    `Shortened to stay under GitHub’s 1 MiB job summary limit: the sections of the last ` +
      `${plural(short.length - included, 'endpoint')} are left out, and those above have no ` +
      'suite tables or certificate chains. The JSON report has every detail.',
  );
}

/**
 * The pull request comment: the changes since the baseline first (regressions leading), then
 * the endpoints that fail with their findings. The Action adds its hidden marker in front.
 */
export function renderComment(report: Report, options: CommentOptions = {}): string {
  const maxChars = options.maxChars ?? COMMENT_LIMIT_CHARS - 536;
  const budget = new Budget(maxChars - NOTE_RESERVE, (text) => text.length);
  const failing = report.endpoints.filter((result) => result.verdict !== 'compliant');

  budget.add(`${titleLine(report, '###')}\n\n${metaLine(report)}\n\n`);

  if (options.baseline) {
    const diff = diffReports(options.baseline, report);

    if (!budget.addLines(changeLines(diff), 'changes since the baseline')) {
      return budget.finish(maxChars, commentFooter(options.runUrl));
    }
  }

  if (failing.length > 0) {
    const table = [...overviewTable(failing), ''];
    const compliant = report.endpoints.length - failing.length;

    if (compliant > 0) {
      table.push(`${plural(compliant, 'compliant endpoint')} not listed.`, '');
    }

    if (!budget.addLines(table, 'endpoints of the table')) {
      return budget.finish(maxChars, commentFooter(options.runUrl));
    }

    const findings = failing.flatMap((result) => findingLines(result));
    budget.addLines(findings, 'findings');
  }

  return budget.finish(maxChars, commentFooter(options.runUrl));
}

function commentFooter(runUrl: string | undefined): string {
  const summary = runUrl ? `[job summary of the run](${runUrl})` : 'job summary of the run';
  return `\n_The ${summary} has the suites, chains and fixes._\n`;
}

// ---------------------------------------------------------------------------------------------
// Head, overview and changes

function titleLine(report: Report, level = '##'): string {
  // ⚠️ for a run that passes with endpoints that are not compliant (fail-on never, a rule
  // lowered): the verdicts still say what is wrong.
  const allCompliant = report.endpoints.every((result) => result.verdict === 'compliant');
  const icon = !report.compliant ? '❌' : allCompliant ? '✅' : '⚠️';
  return `${level} ${icon} Webhook TLS: ${headline(report.endpoints)}`;
}

function metaLine(report: Report): string {
  const failOn =
    report.policy.failOn === 'never' ? 'never fails' : `fails on ${report.policy.failOn}`;
  const took = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const counts = verdictCounts(report.endpoints);
  const parts = [
    `Policy **${inline(report.policy.name)}** (${failOn})`,
    `${counts.compliant} compliant, ${counts.nonCompliant} non-compliant, ` +
      `${counts.notScanned} not scanned`,
    `${report.tool.name} ${report.tool.version}`,
    `${report.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}`,
    `took ${durationText(Number.isFinite(took) ? took : 0)}`,
  ];

  if (report.shard) {
    parts.push(`shard ${report.shard.index} of ${report.shard.count}`);
  }

  return parts.join(' · ');
}

function overviewTable(results: EndpointResult[]): string[] {
  const lines = [
    '| Endpoint | Verdict | Versions | Suite a sender gets | Forward secrecy | Certificate | SNI |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];

  for (const result of results) {
    const facts = factsOf(result);
    lines.push(
      row([
        cell(facts.endpoint),
        `${verdictIcon(result)} ${cell(facts.verdict)}`,
        cell(facts.versions),
        /^TLS_\w+$/.test(facts.senderSuite) ? inline(facts.senderSuite) : cell(facts.senderSuite),
        cell(facts.forwardSecrecy),
        cell(facts.certificateDaysLeft),
        cell(facts.sni),
      ]),
    );
  }

  return lines;
}

/** The changes since the baseline as markdown lines: regressions first, then fixes, the rest. */
export function changeLines(diff: ReportDiff): string[] {
  if (isEmptyDiff(diff)) {
    return ['**Since the baseline:** no changes.', ''];
  }

  const lines: string[] = [];
  const { regressions, fixes, others } = groupChanges(diff);

  const group = (title: string, changes: EndpointChange[]) => {
    if (changes.length === 0) return;

    lines.push(`**${title} (${changes.length})**`, '');

    for (const change of changes) {
      lines.push(
        `- ${inline(change.endpoint)}: ${changePhrases(change).map(escapeText).join('; ')}`,
      );
    }

    lines.push('');
  };

  group('Regressions since the baseline', regressions);
  group('Fixed since the baseline', fixes);
  group('Other changes since the baseline', others);

  if (diff.added.length > 0) {
    lines.push(`**New endpoints:** ${diff.added.map(inline).join(', ')}`, '');
  }

  if (diff.removed.length > 0) {
    lines.push(`**Endpoints no longer scanned:** ${diff.removed.map(inline).join(', ')}`, '');
  }

  return lines;
}

/** One line per finding of an endpoint, for the comment. */
/** Findings about the run rather than an endpoint (a suppression that matched nothing). */
function runFindingLines(report: Report): string[] {
  const findings = report.runFindings ?? [];
  if (findings.length === 0) {
    return [];
  }

  return [
    '**The run**',
    '',
    ...findings.map(
      (finding) =>
        `- ${severityIcon(finding)} \`${finding.id}\` ${escapeText(finding.title)}: ` +
        `${escapeText(finding.evidence.observed)}`,
    ),
    '',
  ];
}

function findingLines(result: EndpointResult): string[] {
  const endpoint = inline(result.scan.endpoint.input);
  const active = result.findings.filter((finding) => !finding.suppressed);

  if (active.length === 0) {
    return [];
  }

  return [
    `**${endpoint}** (${escapeText(verdictText(result))})`,
    '',
    ...active.map(
      (finding) =>
        `- ${severityIcon(finding)} \`${finding.id}\` ${escapeText(finding.title)}: ` +
        `${escapeText(finding.evidence.observed)}${addressSuffix(finding)}`,
    ),
    '',
  ];
}

// ---------------------------------------------------------------------------------------------
// Per-endpoint sections

function summaryOf(result: EndpointResult): string {
  const counts = countFindings(result.findings);
  const found = SEVERITIES.filter((severity) => counts[severity] > 0).map((severity) =>
    plural(counts[severity], severity),
  );
  const tail = found.length > 0 ? `, ${found.join(', ')}` : '';

  return (
    `<summary>${verdictIcon(result)} <code>${html(result.scan.endpoint.input)}</code>: ` +
    `${html(verdictText(result))}${html(tail)}</summary>`
  );
}

function fullSection(report: Report, result: EndpointResult): string {
  const parts = [
    '<details>',
    summaryOf(result),
    '',
    ...findingsBlock(result, true),
    ...result.scan.addresses.flatMap((address, index) => {
      const same = result.scan.addresses
        .slice(0, index)
        .find((earlier) => sameResults(earlier, address));
      return same
        ? [
            `#### ${escapeText(address.address)} (IPv${address.family})`,
            '',
            `The same results as ${escapeText(same.address)}.`,
            '',
          ]
        : addressBlock(report, result, address);
    }),
    '</details>',
    '',
    '',
  ];

  return parts.join('\n');
}

function shortSection(result: EndpointResult): string {
  return [
    '<details>',
    summaryOf(result),
    '',
    ...findingsBlock(result, false),
    '</details>',
    '',
    '',
  ].join('\n');
}

function findingsBlock(result: EndpointResult, withSnippets: boolean): string[] {
  const lines: string[] = [];

  if (result.scan.status === 'not-scanned' && result.verdict !== 'not-scanned') {
    // The policy judged the endpoint from what it did answer (plain HTTP, say): it counts as
    // non-compliant, not as not scanned, so the words must not say "not scanned".
    lines.push(
      `Non-compliant without further probes: ${escapeText(notScannedReason(result))}.`,
      '',
    );
  } else if (result.verdict === 'not-scanned') {
    lines.push(`Could not scan this endpoint: ${escapeText(notScannedReason(result))}.`, '');
  }

  if (result.findings.length === 0) {
    lines.push('No findings.', '');
    return lines;
  }

  lines.push('#### Findings', '');

  for (const finding of result.findings) {
    const suppressed = finding.suppressed
      ? ` — suppressed: ${escapeText(finding.suppressed.reason)}` +
        (finding.suppressed.expires ? ` (until ${escapeText(finding.suppressed.expires)})` : '')
      : '';

    lines.push(
      `${severityIcon(finding)} **${finding.severity}** \`${finding.id}\`: ` +
        `${escapeText(finding.title)}${addressSuffix(finding)}${suppressed}`,
      '',
      `Observed: ${escapeText(finding.evidence.observed)}. ` +
        `Expected: ${escapeText(finding.evidence.expected)}.`,
      '',
    );

    if (finding.remediation.summary) {
      lines.push(`**Fix:** ${escapeText(finding.remediation.summary)}`, '');
    }

    if (withSnippets) {
      for (const snippet of finding.remediation.snippets ?? []) {
        const fence = fenceFor(snippet.config);
        lines.push(
          `<details><summary>${html(snippet.server)}</summary>`,
          '',
          `${fence}${languageOf(snippet.server)}`,
          snippet.config.replace(/\n+$/, ''),
          fence,
          '',
          '</details>',
          '',
        );
      }
    }
  }

  return lines;
}

function addressBlock(report: Report, result: EndpointResult, address: AddressScan): string[] {
  if (address.notScanned) {
    return [
      `#### ${escapeText(address.address)} (IPv${address.family})`,
      '',
      address.notScanned.reason === 'not-tls'
        ? `No TLS on this address: ${escapeText(reasonText(address.notScanned))}.`
        : `Could not scan this address: ${escapeText(address.notScanned.detail)}.`,
      '',
    ];
  }

  const lines = [
    `#### ${escapeText(address.address)} (IPv${address.family})`,
    '',
    `${plural(address.connections, 'connection')}, ${durationText(address.durationMs)}.`,
    '',
    '| Version | Result |',
    '| --- | --- |',
    ...address.versions.map((entry) =>
      row([versionText(entry.version), cell(versionResult(entry.accepted, entry.outcome))]),
    ),
    '',
    `A sender offering the listed suites gets: ${escapeText(senderSentence(address))}.`,
    '',
    ...suiteTable(report, address),
    ...chainBlock(result, address),
  ];

  if (address.observations.length > 0) {
    lines.push('**Observations**', '');
    for (const observation of address.observations) {
      lines.push(`- \`${observation.id}\`: ${escapeText(observation.detail)}`);
    }
    lines.push('');
  }

  return lines;
}

/** Whether two addresses of one endpoint answered every probe alike. */
function sameResults(a: AddressScan, b: AddressScan): boolean {
  const seen = (address: AddressScan) =>
    JSON.stringify([
      address.versions,
      address.suites,
      address.groups,
      address.listedSuites,
      address.sender,
      address.certificates,
      address.observations,
    ]);
  return seen(a) === seen(b);
}

function versionResult(accepted: boolean | null, outcome: AddressScan['listedSuites']): string {
  if (accepted === true) return `accepted (${outcomeText(outcome)})`;
  // A server without this version answers the hello with an older one (RFC 8446, Section
  // 4.1.3): a handshake, but not in the version asked for.
  if (accepted === false && outcome.kind === 'accepted') {
    return `not accepted: the server answered with ${outcomeText(outcome)}`;
  }
  if (accepted === false) return outcomeText(outcome);
  return `unknown: ${outcomeText(outcome)}`;
}

function senderSentence(address: AddressScan): string {
  const outcome = address.sender.outcome;

  if (outcome.kind !== 'accepted') {
    return `nothing, ${outcomeText(outcome)}`;
  }

  const secrecy =
    address.sender.forwardSecret === undefined
      ? ''
      : address.sender.forwardSecret
        ? ', forward secret'
        : ', not forward secret';
  return `${outcomeText(outcome)}${secrecy}`;
}

function suiteTable(report: Report, address: AddressScan): string[] {
  const listed = report.policy.listedSuites;
  const rows = address.suites.flatMap((enumeration) =>
    enumeration.accepted.map((suite, position) => {
      const info = suiteByCode(suite.code);
      const keyExchange = [
        suite.group !== undefined ? groupName(suite.group) : '',
        suite.dhBits !== undefined ? `DH ${suite.dhBits} bits` : '',
      ]
        .filter(Boolean)
        .join(', ');
      // The first row of a version says when the server has no order of its own.
      const order =
        enumeration.preference === 'server'
          ? String(position + 1)
          : position > 0
            ? ''
            : enumeration.preference === 'client'
              ? "none: follows the client's"
              : 'not found';

      return row([
        versionText(enumeration.version),
        order,
        `\`${suite.name}\``,
        ...(listed ? [listed.includes(suite.code) ? 'yes' : ''] : []),
        info ? (info.forwardSecret ? 'yes' : 'no') : '?',
        cell(keyExchange || NONE),
      ]);
    }),
  );

  if (rows.length === 0) {
    return ['No suite accepted.', ''];
  }

  const notes = address.suites
    .filter((enumeration) => !enumeration.complete)
    .map(
      (enumeration) =>
        `${versionText(enumeration.version)}: some probes were inconclusive, so a suite may be ` +
        'missing.',
    );

  return [
    `| Version | Server order | Suite |${listed ? ' Listed |' : ''}` +
      ' Forward secret | Key exchange |',
    `| --- | --- | --- |${listed ? ' --- |' : ''} --- | --- |`,
    ...rows,
    '',
    ...notes.flatMap((note) => [note, '']),
  ];
}

function chainBlock(result: EndpointResult, address: AddressScan): string[] {
  const check = address.certificates;
  const lines: string[] = [];

  if (check.error) {
    lines.push(`Certificates could not be checked: ${escapeText(check.error)}.`, '');
  }

  if (check.primary) {
    lines.push(...chainTable(check.primary, 'Certificate chain'));
  }

  if (!result.scan.endpoint.hostIsIp) {
    lines.push(`SNI: ${escapeText(sniSentence(address))}.`, '');
  }

  return lines;
}

function chainTable(chain: ServedChain, title: string): string[] {
  const sni = chain.sni === null ? 'without SNI' : `SNI ${inline(chain.sni)}`;
  const lines = [
    `**${title}** (${sni})`,
    '',
    '| # | Subject | Issuer | Key | Signature | Not after | Days left |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...chain.served.map((certificate, index) =>
      certificateRow(String(index + 1), certificate, notYetValid(chain, index)),
    ),
  ];

  if (chain.anchor) {
    lines.push(certificateRow('anchor', chain.anchor));
  }

  // Counted from 1 as sent, like the table; the JSON report counts from 0.
  const path = chain.built.map((step) => (step === 'anchor' ? step : step + 1)).join(' → ') || NONE;
  lines.push(
    '',
    `Path: ${path}. Trusted: ${yesNo(chain.trusted)}. Name matches: ${yesNo(chain.nameMatches)}. ` +
      `OCSP stapled: ${yesNo(chain.ocspStapled)}.`,
    '',
  );

  // Counted from 1 as in the table (the JSON report's `certificate` counts from 0).
  for (const problem of chain.problems) {
    const which = problem.certificate !== undefined ? ` (#${problem.certificate + 1})` : '';
    lines.push(`- \`${problem.code}\`${which}: ${escapeText(problem.detail)}`);
  }

  if (chain.problems.length > 0) {
    lines.push('');
  }

  return lines;
}

function certificateRow(label: string, certificate: CertificateInfo, early = false): string {
  const key =
    certificate.keyType === 'EC' && certificate.curve
      ? `EC ${certificate.curve}`
      : `${certificate.keyType} ${certificate.keyBits}`;

  return row([
    label,
    cell(certificate.subject),
    cell(certificate.issuer),
    cell(key),
    cell(certificate.signatureAlgorithm),
    certificate.notAfter.slice(0, 10),
    cell(validityText(certificate, early)),
  ]);
}

const UNKNOWN_NAME_WORDS = {
  'same-certificate': 'the same certificate',
  'other-certificate': 'another certificate',
  'warning-alert': 'a warning alert',
  'fatal-alert': 'a fatal alert',
} as const;

function sniSentence(address: AddressScan): string {
  const sni = address.certificates.sni;
  const parts = [
    !hasChain(address)
      ? 'unknown: no certificate was obtained'
      : sni.required === true
        ? 'required'
        : sni.honoured === true
          ? 'honoured'
          : sni.honoured === false
            ? 'not needed: the same certificate for this name, for none and for an unknown one'
            : 'unknown',
  ];

  if (sni.noSniNameMatches === false) {
    parts.push('clients without SNI get a certificate that does not match the name');
  }

  if (sni.unknownName) {
    parts.push(`a client naming an unknown host gets ${UNKNOWN_NAME_WORDS[sni.unknownName]}`);
  }

  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------
// Markdown text helpers

function severityIcon(finding: Finding): string {
  if (finding.suppressed) return '➖';
  if (finding.severity === 'error') return '❌';
  if (finding.severity === 'warning') return '⚠️';
  return 'ℹ️';
}

function addressSuffix(finding: Finding): string {
  return finding.address ? ` (on ${escapeText(finding.address)})` : '';
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Text in a table cell: markdown and HTML characters escaped, one line. */
function cell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|');
}

// Text from servers and users must not mention people or teams in a PR comment or an issue,
// so both escapes turn @ into an entity that renders the same.

/** Text anywhere in markdown: no accidental emphasis, links, mentions or HTML. */
function escapeText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]]/g, (character) => `\\${character}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/@/g, '&#64;');
}

/**
 * Text as inline code, outside tables: backticks inside get a longer delimiter. Nothing else is
 * escaped, because a backslash shows inside code (a table cell escapes its pipes with cell()).
 */
function inline(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${ticks}`;
}

function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '&#64;');
}

function fenceFor(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function languageOf(server: string): string {
  const known: Record<string, string> = {
    nginx: 'nginx',
    apache: 'apache',
    haproxy: 'haproxy',
    caddy: 'caddy',
    node: 'js',
  };
  return known[server.toLowerCase()] ?? '';
}

function bytesOf(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Collects parts of a rendering under a size limit. `limit` excludes the room reserved for the
 * note saying what was left out, so that note always fits within the caller's real maximum.
 */
class Budget {
  private readonly parts: string[] = [];
  private used = 0;
  private noteText: string | undefined;

  constructor(
    private readonly limit: number,
    private readonly sizeOf: (text: string) => number,
  ) {}

  /** Whether `text` (and `extra` more units) would still be within the limit. */
  fits(text: string, extra = 0): boolean {
    return this.used + this.sizeOf(text) + extra <= this.limit;
  }

  add(text: string): void {
    this.parts.push(text);
    this.used += this.sizeOf(text);
  }

  /** Adds lines while they fit; when some do not, notes how many and returns false. */
  addLines(lines: string[], what: string): boolean {
    let index = 0;

    while (index < lines.length && this.fits(`${lines[index]}\n`)) {
      this.add(`${lines[index]}\n`);
      index += 1;
    }

    if (index === lines.length) {
      return true;
    }

    this.note(
      `Shortened to fit GitHub’s size limit: ${plural(lines.length - index, 'more line')} of ` +
        `${what} and everything after them are left out. The JSON report has every detail.`,
    );
    return false;
  }

  note(text: string): void {
    this.noteText = text;
  }

  /** The rendering, with the note (if any) where the cut happened, and a final footer. */
  finish(max: number, footer = ''): string {
    const note = this.noteText ? `\n> **Note:** ${this.noteText}\n` : '';
    let text = this.parts.join('') + note + footer;

    // The reserve covers any note and footer written here; this only guards against a caller
    // passing a maximum smaller than the reserve itself.
    while (this.sizeOf(text) > max) {
      text = text.slice(0, Math.floor(text.length * 0.9));
    }

    return text;
  }
}
