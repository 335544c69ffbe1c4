// The GitHub Action: reads its inputs, probes the endpoints (or merges shard reports), and
// renders the one report into the job summary, annotations, outputs, report files, the pull
// request comment and the tracking issue. The step fails when an endpoint is scanned and not
// compliant, or could not be scanned, and the failure message says which.

import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  countOf,
  describeOutcome,
  mergeReportFiles,
  messageOf,
  outcomeOf,
  readBaseline,
  runAudit,
} from '../cli/audit.js';
import { UsageError } from '../cli/values.js';
import type { EndpointResult, Report } from '../model.js';
import { failsPolicy } from '../policy/index.js';
import {
  diffReports,
  isEmptyDiff,
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
  foldAnnotations,
  workflowPath,
} from './annotations.js';
import { decideComment, publishComment } from './comment.js';
import { createClient, type RunContext, readRunContext } from './github.js';
import { type ActionSettings, readSettings } from './settings.js';
import { syncTrackingIssue } from './tracking-issue.js';

/** An issue body, like a comment, must stay under 65,536 characters; the marker needs a few. */
const ISSUE_MAX_BYTES = 60_000;

/** Every output of action.yml; a test checks this list against the file. */
export const OUTPUT_NAMES = ['compliant', 'report', 'sarif', 'failed-endpoints', 'summary'];

export async function run(): Promise<void> {
  try {
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const settings = await readSettings((name) => core.getInput(name), workspace);
    const baseline = settings.baseline
      ? await readBaseline(settings.baseline, settings.cwd, 'baseline')
      : undefined;

    const report = await produceReport(settings);
    logEndpoints(report);

    // Annotations and SARIF results point at the line that names each endpoint.
    const locate = createLocator(process.env, workspace);
    const files = await writeReportFiles(report, settings, {
      locate,
      root: workspace,
      workflowFile: workflowPath(process.env),
    });
    const summary = renderMarkdown(report, { baseline });
    await core.summary.addRaw(summary, true).write();

    annotate(report, locate, workspace);

    const outcome = outcomeOf(report);
    const failed = [...outcome.nonCompliant, ...outcome.notScanned];
    core.setOutput('compliant', String(outcome.compliant));
    core.setOutput('report', files.report);
    core.setOutput('sarif', files.sarif);
    core.setOutput('failed-endpoints', JSON.stringify(inputsOf(report, failed)));
    core.setOutput('summary', summary);

    const changed = baseline ? hasChanges(baseline, report) : false;
    await publish(report, baseline, settings, { failed: !outcome.compliant, changed });

    if (!outcome.compliant) {
      core.setFailed(describeOutcome(outcome, report.endpoints.length));
    } else {
      core.info(describeOutcome(outcome, report.endpoints.length));
    }
  } catch (error) {
    // A usage error's message starts with the input it is about.
    if (error instanceof UsageError) {
      core.setFailed(`Invalid input: ${error.message}`);
    } else {
      core.setFailed(`Could not complete the scan: ${messageOf(error)}`);
      core.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
  }
}

async function produceReport(settings: ActionSettings): Promise<Report> {
  if (settings.merge.length > 0) {
    core.info(`Merging the reports ${settings.merge.join(', ')}`);
    return mergeReportFiles(settings.merge, settings.cwd);
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

function annotate(report: Report, locate: EndpointLocator, workspace: string): void {
  const annotations = foldAnnotations(annotationsOf(report, locate, workspace));

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

function inputsOf(report: Report, failed: EndpointResult[]): string[] {
  const failing = new Set(failed);
  return report.endpoints.filter((result) => failing.has(result)).map((r) => r.scan.endpoint.input);
}

function hasChanges(baseline: Report, report: Report): boolean {
  return !isEmptyDiff(diffReports(baseline, report));
}

/** The pull request comment and the tracking issue; a refusal is a warning, never a failure. */
async function publish(
  report: Report,
  baseline: Report | undefined,
  settings: ActionSettings,
  state: { failed: boolean; changed: boolean },
): Promise<void> {
  const wantsComment = settings.comment !== 'never';
  const wantsIssue = settings.issue === 'on-failure';

  if (!wantsComment && !wantsIssue) {
    return;
  }

  const context = readRunContext();

  if (!context) {
    core.warning('GITHUB_REPOSITORY is not set: no pull request comment and no tracking issue.');
    return;
  }

  if (!settings.token) {
    core.warning('The token input is empty: no pull request comment and no tracking issue.');
    return;
  }

  const client = createClient(settings.token, context);

  if (wantsComment) {
    await writeComment(client, context, report, baseline, settings, state);
  }

  if (wantsIssue) {
    await writeTrackingIssue(client, context, report, state.failed);
  }
}

async function writeComment(
  client: ReturnType<typeof createClient>,
  context: RunContext,
  report: Report,
  baseline: Report | undefined,
  settings: ActionSettings,
  state: { failed: boolean; changed: boolean },
): Promise<void> {
  const body = renderComment(report, { baseline });
  const result = await publishComment(
    client,
    context,
    body,
    decideComment(settings.comment, state),
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
      core.warning(result.warning);
      break;
  }
}

async function writeTrackingIssue(
  client: ReturnType<typeof createClient>,
  context: RunContext,
  report: Report,
  failed: boolean,
): Promise<void> {
  const outcome = outcomeOf(report);
  const failing = outcome.nonCompliant.length + outcome.notScanned.length;
  const runLink = context.runUrl ? ` ([run](${context.runUrl}))` : '';

  const result = await syncTrackingIssue(client, context, {
    failed,
    title: `Webhook TLS audit: ${countOf(failing, 'endpoint')} failing`,
    body:
      `The scheduled webhook TLS audit of ${report.finishedAt}${runLink} found ` +
      `${describeOutcome(outcome, report.endpoints.length)}.\n\n` +
      renderMarkdown(report, { onlyFailures: true, maxBytes: ISSUE_MAX_BYTES }),
    closingComment:
      `Every endpoint passes again: ${describeOutcome(outcome, report.endpoints.length)} ` +
      `(audit of ${report.finishedAt}${runLink}). Closing.`,
  });

  if (result.kind === 'refused') {
    core.warning(result.warning);
  } else if (result.kind !== 'unchanged') {
    core.info(`Tracking issue #${result.number} ${result.kind}: ${result.url}`);
  }
}
