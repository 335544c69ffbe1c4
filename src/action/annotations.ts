// Turns the report's findings into workflow annotations: one per finding, titled with the
// endpoint and the rule, placed on the line that names the endpoint (in the endpoints file, or
// in the workflow file for endpoints written in the `endpoints` input); a finding about the run
// itself (a suppression that matched nothing) goes on its line of the policy file. GitHub shows
// at most 10 annotations of each kind (error, warning, notice) per step, so past that the rest
// of a kind is folded into the last one the step has room for.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Endpoint, Finding, Report, Severity } from '../model.js';

export interface Annotation {
  level: Severity;
  title: string;
  message: string;
  file?: string;
  line?: number;
}

/** GitHub's per-step display limit for each kind of annotation. */
export const ANNOTATION_LIMIT = 10;

/**
 * How many annotations of each kind the findings may use when the step writes none of its own.
 * The step's failure message is an error annotation, so one error is kept free for it; the
 * warnings the step writes itself (a refused comment, say) are counted as they happen, and the
 * findings get what they leave (see `findingLimits`).
 */
export const FINDING_ANNOTATION_LIMITS: Record<Severity, number> = {
  error: ANNOTATION_LIMIT - 1,
  warning: ANNOTATION_LIMIT,
  notice: ANNOTATION_LIMIT,
};

/**
 * The limits for the findings once the step has written `used` annotations of its own of each
 * kind: what is left of GitHub's 10, and always at least one, the one that lists the rest.
 */
export function findingLimits(used: Record<Severity, number>): Record<Severity, number> {
  const left = (level: Severity) => Math.max(1, FINDING_ANNOTATION_LIMITS[level] - used[level]);
  return { error: left('error'), warning: left('warning'), notice: left('notice') };
}

/** Where a finding about this endpoint should point, when a line can be found. */
export type EndpointLocator = (endpoint: Endpoint) => { file: string; line: number } | undefined;

/**
 * One annotation per unsuppressed finding, the findings about the run (a suppression that
 * matched nothing) last, on their line of the policy file. An endpoint that could not be
 * scanned has its own finding (`endpoint.not-scanned`), so it is annotated like any other.
 */
export function annotationsOf(
  report: Report,
  locate: EndpointLocator,
  workspace: string,
): Annotation[] {
  const annotations: Annotation[] = [];

  for (const result of report.endpoints) {
    const endpoint = result.scan.endpoint;
    const where = locate(endpoint);

    for (const finding of result.findings) {
      if (!finding.suppressed) {
        annotations.push(annotationOf(`${endpoint.input}: ${finding.id}`, finding, where));
      }
    }
  }

  // A run finding's endpoint is the pattern of the suppression it is about.
  for (const finding of report.runFindings ?? []) {
    const where = finding.source
      ? { file: workspaceFile(finding.source.file, workspace), line: finding.source.line }
      : undefined;
    annotations.push(annotationOf(`${finding.endpoint}: ${finding.id}`, finding, where));
  }

  return annotations;
}

function annotationOf(
  title: string,
  finding: Finding,
  where: { file: string; line: number } | undefined,
): Annotation {
  return {
    level: finding.severity,
    title,
    message:
      `${finding.title}. Observed: ${finding.evidence.observed}. ` +
      `Expected: ${finding.evidence.expected}.` +
      (finding.remediation.summary ? ` Fix: ${finding.remediation.summary}` : ''),
    ...(where ? { file: where.file, line: where.line } : {}),
  };
}

/**
 * Keeps each kind within its limit: when a kind has more than its limit, the first limit - 1
 * stay and one annotation lists the titles of the rest.
 */
export function foldAnnotations(
  annotations: Annotation[],
  limits: Record<Severity, number> = FINDING_ANNOTATION_LIMITS,
): Annotation[] {
  const kept: Annotation[] = [];

  for (const level of ['error', 'warning', 'notice'] as const) {
    const limit = limits[level];
    const ofLevel = annotations.filter((annotation) => annotation.level === level);

    if (ofLevel.length <= limit) {
      kept.push(...ofLevel);
      continue;
    }

    const rest = ofLevel.slice(limit - 1);
    kept.push(...ofLevel.slice(0, limit - 1));
    kept.push({
      level,
      title: `${rest.length} more ${plural(level, rest.length)}`,
      message: truncate(
        `${rest.length} more ${plural(level, rest.length)} (all of them are in the job ` +
          `summary and the report):\n` +
          rest.map((annotation) => `- ${annotation.title}`).join('\n'),
        4000,
      ),
    });
  }

  return kept;
}

function plural(level: Severity, count: number): string {
  const noun = { error: 'error', warning: 'warning', notice: 'notice' }[level];
  return count === 1 ? noun : `${noun}s`;
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 2)}\n…`;
}

/**
 * Finds where each endpoint was named: its line in the endpoints file when it came from one,
 * otherwise the first line of the workflow file that contains it. Paths are relative to the
 * workspace, as annotations need them.
 */
export function createLocator(env: NodeJS.ProcessEnv, workspace: string): EndpointLocator {
  const workflowFile = workflowPath(env);
  let workflowLines: string[] | null | undefined;

  const readWorkflow = (): string[] | null => {
    if (workflowLines === undefined) {
      const absolute = workflowFile ? path.join(workspace, workflowFile) : '';
      workflowLines = absolute && existsSync(absolute) ? readLines(absolute) : null;
    }
    return workflowLines;
  };

  return (endpoint) => {
    if (endpoint.source) {
      return { file: workspaceFile(endpoint.source.file, workspace), line: endpoint.source.line };
    }

    const lines = readWorkflow();
    const index = lines ? lines.findIndex((line) => namesEndpoint(line, endpoint.input)) : -1;

    return index >= 0 && workflowFile ? { file: workflowFile, line: index + 1 } : undefined;
  };
}

/**
 * A file as the user named it (relative to the workspace, or absolute), the way annotations
 * want it: relative to the workspace, with forward slashes.
 */
export function workspaceFile(file: string, workspace: string): string {
  const relative = path.isAbsolute(file) ? path.relative(workspace, file) : path.normalize(file);
  return relative.split(path.sep).join('/');
}

/** Whether the line holds the endpoint as a whole word: a.example.com is not in aa.example.com. */
function namesEndpoint(line: string, input: string): boolean {
  const escaped = input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.:/-])${escaped}($|[^\\w.:/-])`).test(line);
}

/** The running workflow's file, from GITHUB_WORKFLOW_REF (owner/repo/PATH@ref). */
export function workflowPath(env: NodeJS.ProcessEnv): string | undefined {
  const ref = env.GITHUB_WORKFLOW_REF;
  const match = ref ? /^[^/]+\/[^/]+\/(.+?)@/.exec(ref) : null;
  return match?.[1];
}

function readLines(file: string): string[] | null {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return null;
  }
}
