// The GitHub Action: reads its inputs, probes the endpoints (or merges shard reports), and
// renders the one report into the report files, the job summary, the outputs, the pull request
// comment, the tracking issue and the annotations. Each of these is written on its own, so one
// that cannot be written never keeps the others from being written. The step fails when an
// endpoint is scanned and not compliant, or could not be scanned (the failure message says
// which), or when the report files or the outputs, which later steps read, could not be written.

import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  type AuditOutcome,
  countOf,
  describeOutcome,
  mergeReportFiles,
  messageOf,
  names,
  namesWithReasons,
  outcomeOf,
  runAudit,
} from '../cli/audit.js';
import { type FailOn, UsageError } from '../cli/values.js';
import type { EndpointResult, Report, Severity } from '../model.js';
import { failsPolicy, verdictAt } from '../policy/index.js';
import {
  baselineMismatch,
  comparableBaseline,
  diffReports,
  isEmptyDiff,
  parseReport,
  renderComment,
  renderMarkdown,
  renderSarif,
  renderText,
  type SarifOptions,
  writeFileAtomic,
} from '../report/index.js';
import {
  annotationsOf,
  createLocator,
  type EndpointLocator,
  findingLimits,
  foldAnnotations,
  workflowPath,
} from './annotations.js';
import { decideComment, publishComment } from './comment.js';
import {
  createClient,
  type GitHubClient,
  type RunContext,
  readPullRequest,
  readRunContext,
} from './github.js';
import { type ActionSettings, readSettings } from './settings.js';
import { syncTrackingIssue } from './tracking-issue.js';

/** An issue body, like a comment, must stay under 65,536 characters; the marker needs a few. */
const ISSUE_MAX_BYTES = 60_000;

/** Every output of action.yml; a test checks this list against the file. */
export const OUTPUT_NAMES = ['compliant', 'report', 'sarif', 'failed-endpoints', 'summary'];

/** What the run found, before any of it is written anywhere. */
interface Audit {
  settings: ActionSettings;
  /** The earlier report, cut to the endpoints this run can be compared on. */
  baseline?: Report;
  report: Report;
}

export async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  let audit: Audit;

  try {
    audit = await auditFromInputs(workspace);
  } catch (error) {
    // A usage error's message starts with the input it is about.
    if (error instanceof UsageError) {
      core.setFailed(`Invalid input: ${error.message}`);
    } else {
      core.setFailed(`Could not complete the scan: ${messageOf(error)}`);
      core.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    return;
  }

  try {
    await writeResults(audit, workspace);
  } catch (error) {
    // Each step catches its own failures; this is for a fault of the Action itself.
    core.setFailed(`Could not complete the run: ${messageOf(error)}`);
    core.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

/** Reads the inputs and the baseline, then probes or merges; any failure here ends the run. */
async function auditFromInputs(workspace: string): Promise<Audit> {
  const settings = await readSettings((name) => core.getInput(name), workspace);
  const baseline = settings.baseline
    ? baselineFor(await readBaseline(settings.baseline, settings.cwd), settings)
    : undefined;

  const report = await produceReport(settings);

  return { settings, baseline, report };
}

/**
 * Every rendering of the report, each step on its own. A step that fails is a warning when
 * it only shows the report (the summary, the comment, the issue, the annotations), and fails
 * the step when later steps read what it writes (the report files, the outputs); either way
 * the steps after it still run.
 */
async function writeResults(given: Audit, workspace: string): Promise<void> {
  const step = new StepMessages();
  const audit = withComparableBaseline(given, step);
  const { settings, baseline, report } = audit;
  const outcome = outcomeOf(report);

  logEndpoints(report);

  // Annotations and SARIF results point at the line that names each endpoint.
  const locate = createLocator(process.env, workspace);
  const files = await step.attempt('the report files', 'fails', () =>
    writeReportFiles(report, settings, {
      locate,
      root: workspace,
      workflowFile: workflowPath(process.env),
    }),
  );

  const summary = renderMarkdown(report, { baseline });
  await step.attempt('the job summary', 'warns', () => core.summary.addRaw(summary, true).write());

  await step.attempt('the outputs', 'fails', () => {
    core.setOutput('compliant', String(outcome.compliant));
    if (files) {
      core.setOutput('report', files.report);
      core.setOutput('sarif', files.sarif);
    }
    core.setOutput('failed-endpoints', JSON.stringify(failingThePolicy(report)));
    core.setOutput('summary', summary);
  });

  await step.attempt('the pull request comment and the tracking issue', 'warns', () =>
    publish(audit, outcome, step),
  );

  // Last, so that the findings get exactly the annotations the step's own messages left.
  await step.attempt('the annotations', 'warns', () =>
    annotate(report, locate, workspace, step.used),
  );

  const failures = outcome.compliant ? [] : [describeOutcome(outcome, report.endpoints.length)];
  failures.push(...step.failures);

  if (outcome.compliant) {
    core.info(describeOutcome(outcome, report.endpoints.length));
  }

  if (failures.length > 0) {
    // One failure message, one error annotation: the findings' budget keeps room for one.
    core.setFailed(failures.join('. '));
  }
}

/**
 * The audit without its baseline when the two cannot be compared (another policy): a warning
 * says so, and the run's own results are shown without a comparison, rather than findings
 * that read as fixed only because the other policy does not check them.
 */
function withComparableBaseline(audit: Audit, step: StepMessages): Audit {
  const mismatch = audit.baseline && baselineMismatch(audit.baseline, audit.report);

  if (!mismatch) {
    return audit;
  }

  step.warning(`Not compared with the baseline ${audit.settings.baseline}: ${mismatch}.`);
  return { ...audit, baseline: undefined };
}

/**
 * The step's own messages. Its warnings are counted, since GitHub shows only 10 a step and the
 * findings get what is left; the write failures that fail the step are kept for its one
 * failure message.
 */
class StepMessages {
  readonly used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  readonly failures: string[] = [];

  warning(message: string): void {
    this.used.warning += 1;
    core.warning(message);
  }

  /** Runs one step; when it throws, warns or keeps the failure as told, and returns undefined. */
  async attempt<T>(
    what: string,
    onFailure: 'warns' | 'fails',
    write: () => T | Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      const message = `Could not write ${what}: ${messageOf(error).replace(/\.$/, '')}`;
      core.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));

      if (onFailure === 'warns') {
        this.warning(`${message}.`);
      } else {
        this.failures.push(message);
      }
      return undefined;
    }
  }
}

async function produceReport(settings: ActionSettings): Promise<Report> {
  if (settings.merge.length > 0) {
    core.info(`Merging the reports ${settings.merge.join(', ')}`);
    const merged = await mergeReportFiles(settings.merge, settings.cwd);
    return settings.failOn ? judgedAt(merged, settings.failOn) : merged;
  }

  return runAudit(
    {
      endpoints: settings.endpoints,
      policy: settings.policy,
      failOn: settings.failOn,
      caFile: settings.caFile,
      timeoutMs: settings.timeoutMs,
      concurrency: settings.concurrency,
      perHostConcurrency: settings.perHostConcurrency,
      rateLimit: settings.rateLimit,
      shard: settings.shard,
      cwd: settings.cwd,
    },
    {
      onStart: (count) =>
        core.info(`Probing ${countOf(count, 'endpoint')} (policy ${settings.policy})`),
      onEndpointDone: (result) => core.info(`${result.scan.endpoint.input}: ${result.verdict}`),
    },
  );
}

/**
 * The merged report judged at the merge job's fail-on, which decides the workflow's outcome:
 * each verdict as evaluate() would have set it under that fail-on (verdictAt).
 */
function judgedAt(report: Report, failOn: FailOn): Report {
  const endpoints = report.endpoints.map(
    (result): EndpointResult => ({ ...result, verdict: verdictAt(result, failOn) }),
  );

  return {
    ...report,
    policy: { ...report.policy, failOn },
    compliant: endpoints.every((result) => !failsPolicy(result, failOn)),
    endpoints,
  };
}

/** The part of the baseline this run compares with; a mismatch is a usage error. */
function baselineFor(baseline: Report, settings: ActionSettings): Report {
  try {
    return comparableBaseline(baseline, settings.shard, settings.baseline ?? 'the baseline');
  } catch (error) {
    throw new UsageError('baseline', `baseline: ${messageOf(error)}`);
  }
}

/** Reads the baseline report; a bad one is a usage error that names its path once. */
async function readBaseline(file: string, cwd: string): Promise<Report> {
  const filePath = path.resolve(cwd, file);
  const text = await readFile(filePath, 'utf8').catch((error: unknown) => {
    throw new UsageError('baseline', `baseline: cannot read ${filePath}: ${readFailure(error)}`);
  });

  try {
    // The report parser's errors start with the path they are given.
    return parseReport(text, filePath);
  } catch (error) {
    throw new UsageError('baseline', `baseline: ${messageOf(error)}`);
  }
}

/** Why a file could not be read, without the path that Node's own messages repeat. */
function readFailure(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
      return 'permission denied';
    default:
      return messageOf(error);
  }
}

/** One log group per endpoint with its text report; the raw probe data only at debug level. */
function logEndpoints(report: Report): void {
  for (const result of report.endpoints) {
    const findings = result.findings.filter((finding) => !finding.suppressed).length;
    const alone: Report = {
      ...report,
      compliant: !failsPolicy(result, report.policy.failOn),
      endpoints: [result],
    };

    core.startGroup(
      `${result.scan.endpoint.input}: ${result.verdict}` +
        (result.verdict === 'not-scanned' ? '' : ` (${countOf(findings, 'finding')})`),
    );
    core.info(renderText(alone, { color: false }));

    if (core.isDebug()) {
      core.debug(`Raw probe data of ${result.scan.endpoint.input}:`);
      core.debug(JSON.stringify(result.scan, null, 2));
    }

    core.endGroup();
  }
}

/** The JSON and SARIF reports, in the runner's temporary directory, one pair per shard. */
async function writeReportFiles(
  report: Report,
  settings: ActionSettings,
  sarifOptions: SarifOptions,
): Promise<{ report: string; sarif: string }> {
  const directory = path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), 'webhook-tls-probe');
  const stem = settings.shard
    ? `webhook-tls-report-${settings.shard.index}-of-${settings.shard.count}`
    : 'webhook-tls-report';
  const files = {
    report: path.join(directory, `${stem}.json`),
    sarif: path.join(directory, `${stem}.sarif`),
  };

  await mkdir(directory, { recursive: true });
  await writeFileAtomic(files.report, `${JSON.stringify(report, null, 2)}\n`);
  const sarif = renderSarif(report, sarifOptions);
  await writeFileAtomic(files.sarif, `${JSON.stringify(sarif, null, 2)}\n`);
  core.info(`Wrote ${files.report} and ${files.sarif}`);

  return files;
}

function annotate(
  report: Report,
  locate: EndpointLocator,
  workspace: string,
  used: Record<Severity, number>,
): void {
  const annotations = foldAnnotations(
    annotationsOf(report, locate, workspace),
    findingLimits(used),
  );

  for (const annotation of annotations) {
    const properties: core.AnnotationProperties = {
      title: annotation.title,
      ...(annotation.file ? { file: annotation.file, startLine: annotation.line } : {}),
    };
    const write = { error: core.error, warning: core.warning, notice: core.notice }[
      annotation.level
    ];
    write(annotation.message, properties);
  }
}

/**
 * The report as the policy alone judges it, whatever fail-on says: an endpoint fails the policy
 * with a finding of severity error that is not suppressed, or when it could not be scanned (the
 * policy sets each rule's severity). fail-on, from the input or the policy file, sets only the
 * step's exit status: the tracking issue and failed-endpoints must neither open for a warning
 * under `fail-on: warning` nor close for an error under `fail-on: never`. Error is the one
 * threshold every report can be judged at again, merged shard reports included, which keep only
 * the fail-on they ran with.
 */
function judgedByThePolicy(report: Report): Report {
  return judgedAt(report, 'error');
}

/** The endpoints that fail the policy, whatever fail-on says, as written, in report order. */
function failingThePolicy(report: Report): string[] {
  return judgedByThePolicy(report)
    .endpoints.filter((result) => result.verdict !== 'compliant')
    .map((result) => result.scan.endpoint.input);
}

function hasChanges(baseline: Report, report: Report): boolean {
  return !isEmptyDiff(diffReports(baseline, report));
}

/**
 * The pull request comment and the tracking issue; a refusal is a warning, never a failure.
 * Nothing is said about the token or the repository unless something would be written: a
 * comment needs a pull request, and the tracking issue is looked for on every run.
 */
async function publish(audit: Audit, outcome: AuditOutcome, step: StepMessages): Promise<void> {
  const { settings, report, baseline } = audit;
  const wantsIssue = settings.issue === 'on-failure';
  let writesComment = false;

  if (settings.comment !== 'never' && settings.shard) {
    // Settings refuse the modes that ask for a comment; auto, the default, writes none here.
    core.info('No pull request comment from a shard: the job that merges the shards writes it.');
  } else if (settings.comment !== 'never' && !readPullRequest()) {
    const event = process.env.GITHUB_EVENT_NAME ?? 'unknown';
    core.info(`No pull request comment: no pull request in a ${event} event.`);
  } else {
    writesComment = settings.comment !== 'never';
  }

  if (!writesComment && !wantsIssue) {
    return;
  }

  const missing = [writesComment && 'no pull request comment', wantsIssue && 'no tracking issue']
    .filter(Boolean)
    .join(' and ');
  const context = readRunContext();

  if (!context) {
    step.warning(`GITHUB_REPOSITORY is not set: ${missing}.`);
    return;
  }

  if (!settings.token) {
    step.warning(`The token input is empty: ${missing}.`);
    return;
  }

  const client = createClient(settings.token, context);
  const name = auditName(settings, context);

  if (writesComment) {
    const changed = baseline ? hasChanges(baseline, report) : false;
    const state = { failed: !outcome.compliant, changed };
    await writeComment(client, context, name, audit, state, step);
  }

  if (wantsIssue) {
    await writeTrackingIssue(client, context, name, judgedByThePolicy(report), step);
  }
}

/**
 * What tells this audit's comment and tracking issue from another's: the audit-name input, or
 * else the workflow and the job, which is what a user sees as one audit. Two audits in one job
 * (two steps, a matrix) need audit-name; docs/action.md says so.
 */
function auditName(settings: ActionSettings, context: RunContext): string {
  return settings.auditName ?? [context.workflow, context.job].filter(Boolean).join(' / ');
}

async function writeComment(
  client: GitHubClient,
  context: RunContext,
  name: string,
  audit: Audit,
  state: { failed: boolean; changed: boolean },
  step: StepMessages,
): Promise<void> {
  const report = renderComment(audit.report, {
    baseline: audit.baseline,
    runUrl: context.runUrl,
  });
  // Said in the comment too, so that a reader tells two audits' comments apart.
  const body = name === '' ? report : `${report}\n_Audit: ${name}._\n`;
  const result = await publishComment(
    client,
    context,
    { audit: name, body },
    decideComment(audit.settings.comment, state),
  );

  switch (result.kind) {
    case 'created':
    case 'updated':
      core.info(`Pull request comment ${result.kind}: ${result.url}`);
      break;
    case 'skipped':
      core.info(`No pull request comment: ${result.reason}.`);
      break;
    case 'refused':
      step.warning(result.warning);
      break;
  }
}

/**
 * The tracking issue stays open while any endpoint fails the policy, whatever fail-on says:
 * the report given is judged by the policy alone (judgedByThePolicy).
 */
async function writeTrackingIssue(
  client: GitHubClient,
  context: RunContext,
  name: string,
  report: Report,
  step: StepMessages,
): Promise<void> {
  const outcome = outcomeOf(report);
  const failing = report.endpoints.filter((result) => result.verdict !== 'compliant').length;
  const runLink = context.runUrl ? ` ([run](${context.runUrl}))` : '';
  const named = name === '' ? '' : ` (${name})`;
  const what = `${runDescription(context)}${named}, finished ${report.finishedAt}${runLink}`;
  const found = describeOutcome(outcome, report.endpoints.length);

  const result = await syncTrackingIssue(client, context, {
    audit: name,
    failed: failing > 0,
    title: `Webhook TLS audit${named}: ${countOf(failing, 'endpoint')} failing`,
    body:
      `${failuresSentences(what, outcome, report.endpoints.length)}\n\n` +
      renderMarkdown(report, { onlyFailures: true, maxBytes: ISSUE_MAX_BYTES }),
    // Two sentences: the run's description already holds parentheses (the audit, the link).
    closingComment: `Every endpoint passes again: ${found}. Seen by ${lowerFirst(what)}. Closing.`,
  });

  if (result.kind === 'refused') {
    step.warning(result.warning);
  } else if (result.kind !== 'unchanged') {
    core.info(`Tracking issue #${result.number} ${result.kind}: ${result.url}`);
  }
}

/**
 * What the run found, with the run as the subject of each sentence: "The audit …, found 1
 * endpoint of 3 not compliant with the policy: a. It could not scan 1 endpoint of 3: b (…)."
 * Not describeOutcome, whose clauses follow no subject.
 */
function failuresSentences(what: string, outcome: AuditOutcome, total: number): string {
  const predicates: string[] = [];

  if (outcome.nonCompliant.length > 0) {
    predicates.push(
      `found ${countOf(outcome.nonCompliant.length, 'endpoint')} of ${total} not compliant ` +
        `with the policy: ${names(outcome.nonCompliant)}`,
    );
  }

  if (outcome.notScanned.length > 0) {
    predicates.push(
      `could not scan ${countOf(outcome.notScanned.length, 'endpoint')} of ${total}: ` +
        namesWithReasons(outcome.notScanned),
    );
  }

  if (predicates.length === 0) {
    // Not expected, the report being judged at error; kept so the body never reads "undefined".
    predicates.push(
      `found ${countOf(outcome.letPass.length, 'endpoint')} of ${total} not compliant or not ` +
        `scanned: ${names(outcome.letPass)}`,
    );
  }

  const [first, second] = predicates;
  return second ? `${what}, ${first}. It ${second}.` : `${what}, ${first}.`;
}

/** A sentence's start for use inside another sentence: "The audit" becomes "the audit". */
function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** What ran, by the event that started it, for the tracking issue. */
function runDescription(context: RunContext): string {
  switch (context.eventName) {
    case 'schedule':
      return 'The scheduled webhook TLS audit';
    case 'workflow_dispatch':
      return 'The webhook TLS audit started by hand (workflow_dispatch)';
    case 'push':
      return 'The webhook TLS audit of a push';
    case 'pull_request':
    case 'pull_request_target':
      return context.pullRequest
        ? `The webhook TLS audit of pull request #${context.pullRequest.number}`
        : 'The webhook TLS audit of a pull request';
    default:
      return context.eventName
        ? `The webhook TLS audit of a ${context.eventName} event`
        : 'The webhook TLS audit';
  }
}
