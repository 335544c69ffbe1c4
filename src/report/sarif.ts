// SARIF 2.1.0 for code scanning: one rule per finding identifier (from the policy's rule
// catalogue, with its help text), one result per endpoint and rule, placed on the line of the
// endpoints file or workflow that names the endpoint so alerts land on code (or, failing that,
// on a fallback file, as code scanning wants a physical location on every result). Partial
// fingerprints depend only on the endpoint and the rule, so an alert keeps its identity from
// run to run while the server stays broken, and closes when it is fixed.

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Endpoint, EndpointResult, Finding, Report, Severity } from '../model.js';
import { RULES, type RuleInfo } from '../policy/rules.js';
import { endpointKey, formatHostPort } from '../probe/endpoint.js';
import { SEVERITY_RANK } from './words.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The fingerprint key; its version changes only if the fingerprint's inputs ever change. */
export const FINGERPRINT_KEY = 'webhookTlsProbe/endpointRule/v1';

export interface SarifOptions {
  /** The workflow file, relative to the repository root, for endpoints with no known line. */
  workflowFile?: string;
  /** Finds the line naming an endpoint that has no source (the Action's locator). */
  locate?: (endpoint: Endpoint) => { file: string; line: number } | undefined;
  /** Folder that relative artifact paths start from; absolute sources are made relative to it. */
  root?: string;
  /**
   * The file results point at when neither a source line, the locator nor the workflow file
   * places the endpoint (endpoints named on a command line); DEFAULT_SARIF_LOCATION if absent.
   */
  fallbackFile?: string;
}

/**
 * Where results go when nothing better is known. GitHub's upload-sarif refuses a result with
 * no physical location, so every result has one; the workflows folder is the one place a
 * repository that scans its webhooks in CI surely has.
 */
export const DEFAULT_SARIF_LOCATION = '.github/workflows';

type Level = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, Level> = { error: 'error', warning: 'warning', notice: 'note' };

// GitHub ranks security alerts by this property (CVSS-like, 0 to 10); without it every alert
// of a security tool reads as the same severity.
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.5', warning: '5.0', notice: '2.0' };

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

// The SARIF objects are typed loosely below the run: the tests validate them against the
// official schema, which says far more than a hand-written type would.
export interface SarifRun {
  tool: { driver: Record<string, unknown> };
  invocations: Record<string, unknown>[];
  results: Record<string, unknown>[];
  columnKind: 'utf16CodeUnits';
  properties: Record<string, unknown>;
}

export function renderSarif(report: Report, options: SarifOptions = {}): SarifLog {
  const rules = rulesFor(report);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = [
    ...report.endpoints.flatMap((result) =>
      groupByRule(result.findings).map((findings) =>
        resultFor(result, findings, ruleIndex.get(findings[0].id) ?? -1, options),
      ),
    ),
    ...(report.runFindings ?? []).map((finding) =>
      runResultFor(finding, ruleIndex.get(finding.id) ?? -1, options),
    ),
  ];

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: rules.map(ruleDescriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
          },
        ],
        results,
        columnKind: 'utf16CodeUnits',
        properties: {
          policy: report.policy.name,
          failOn: report.policy.failOn,
          compliant: report.compliant,
        },
      },
    ],
  };
}

/** Every rule of the catalogue, then any rule a finding names that the catalogue lacks. */
function rulesFor(report: Report): RuleInfo[] {
  const rules: RuleInfo[] = [...RULES];
  const known = new Set(rules.map((rule) => rule.id));

  for (const result of report.endpoints) {
    for (const finding of result.findings) {
      if (!known.has(finding.id)) {
        known.add(finding.id);
        rules.push({
          id: finding.id,
          title: finding.title,
          defaultSeverity: finding.severity,
          help: finding.remediation.summary || finding.title,
        });
      }
    }
  }

  return rules;
}

function ruleDescriptor(rule: RuleInfo): Record<string, unknown> {
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.help },
    help: { text: rule.help, markdown: `**${rule.title}**\n\n${rule.help}` },
    defaultConfiguration: { level: LEVELS[rule.defaultSeverity] },
    properties: {
      tags: ['security', 'tls', rule.id.split('.')[0]],
      precision: 'very-high',
      'security-severity': SECURITY_SEVERITY[rule.defaultSeverity],
    },
  };
}

/** `version.legacy-accepted` → `VersionLegacyAccepted`, the readable name SARIF asks for. */
function ruleName(id: string): string {
  return id
    .split(/[.-]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** Findings of one endpoint grouped by rule, in the order each rule first appears. */
function groupByRule(findings: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();

  for (const finding of findings) {
    const group = groups.get(finding.id);
    if (group) group.push(finding);
    else groups.set(finding.id, [finding]);
  }

  return [...groups.values()];
}

function resultFor(
  result: EndpointResult,
  findings: Finding[],
  ruleIndex: number,
  options: SarifOptions,
): Record<string, unknown> {
  const endpoint = result.scan.endpoint;
  const first = findings[0];
  const severity = findings
    .map((finding) => finding.severity)
    .reduce((worst, next) => (SEVERITY_RANK[next] > SEVERITY_RANK[worst] ? next : worst));
  const suppressed = findings.every((finding) => finding.suppressed);

  return {
    ruleId: first.id,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVELS[severity],
    message: { text: messageFor(endpoint, findings) },
    locations: [locationFor(endpoint, options)],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(endpoint, first.id) },
    ...(suppressed
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: first.suppressed?.reason ?? '',
            },
          ],
        }
      : {}),
    properties: {
      endpoint: endpoint.input,
      addresses: findings.flatMap((finding) => (finding.address ? [finding.address] : [])),
    },
  };
}

/**
 * A finding about the run (a suppression that matched nothing), at the line of the policy file
 * it is about; its fingerprint follows the suppression, not an endpoint.
 */
function runResultFor(
  finding: Finding,
  ruleIndex: number,
  options: SarifOptions,
): Record<string, unknown> {
  const where = finding.source ?? {
    file: options.workflowFile ?? options.fallbackFile ?? DEFAULT_SARIF_LOCATION,
    line: 1,
  };
  const fix = finding.remediation.summary ? ` Fix: ${finding.remediation.summary}` : '';

  return {
    ruleId: finding.id,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVELS[finding.severity],
    message: {
      text:
        `${finding.title}. Observed: ${finding.evidence.observed}. ` +
        `Expected: ${finding.evidence.expected}.${fix}`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(where.file, options.root) },
          region: { startLine: Math.max(1, where.line) },
        },
      },
    ],
    partialFingerprints: {
      [FINGERPRINT_KEY]: createHash('sha256')
        .update(`${finding.id}\n${finding.endpoint}\n${finding.evidence.observed}`)
        .digest('hex'),
    },
    properties: { pattern: finding.endpoint },
  };
}

function messageFor(endpoint: Endpoint, findings: Finding[]): string {
  const first = findings[0];
  const observed =
    findings.length === 1
      ? `Observed: ${first.evidence.observed}.`
      : findings
          .map(
            (finding) =>
              `${finding.address ? `On ${finding.address}` : 'Also'}: ` +
              `${finding.evidence.observed}.`,
          )
          .join(' ');
  const fix = first.remediation.summary ? ` Fix: ${first.remediation.summary}` : '';
  // A fix that speaks of "the suites below" needs its configuration: a message is plain text,
  // so the first server's lines go in one line, the others stay in the text and job summary.
  const snippet = first.remediation.snippets?.[0];
  const config = snippet
    ? ` Configuration for ${snippet.server}: ${snippet.config.split('\n').join(' ')} ` +
      '(other servers: see the text report or the job summary).'
    : '';

  return (
    `${endpoint.input}: ${first.title}. ${observed} Expected: ${first.evidence.expected}.` +
    fix +
    config
  );
}

function locationFor(endpoint: Endpoint, options: SarifOptions): Record<string, unknown> {
  const logical = {
    logicalLocations: [
      {
        name: endpoint.input,
        fullyQualifiedName: `${formatHostPort(endpoint.host, endpoint.port)}${endpoint.path ?? ''}`,
        kind: 'resource',
      },
    ],
  };

  // A result without a physical location validates as SARIF but GitHub's upload-sarif rejects
  // it, so there is always one, even if only the file that lists the endpoints.
  const where = endpoint.source ??
    options.locate?.(endpoint) ?? {
      file: options.workflowFile ?? options.fallbackFile ?? DEFAULT_SARIF_LOCATION,
      line: 1,
    };

  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(where.file, options.root) },
      region: { startLine: Math.max(1, where.line) },
    },
    ...logical,
  };
}

/** A relative, forward-slash, percent-encoded URI reference, as code scanning expects. */
function artifactUri(file: string, root = process.cwd()): string {
  const relative = path.isAbsolute(file) ? path.relative(root, file) : file;
  return relative
    .split(/[\\/]+/)
    .filter((segment) => segment !== '' && segment !== '.')
    .map(encodeURIComponent)
    .join('/');
}

function fingerprint(endpoint: Endpoint, ruleId: string): string {
  return createHash('sha256')
    .update(`${endpointKey(endpoint)}\n${ruleId}`)
    .digest('hex');
}
