// Reads every input of action.yml once, into one typed and validated settings object. Nothing
// else in the Action reads an input; a bad value stops the run before any probe with an error
// that names the input and the values it accepts.

import { collectEndpoints } from '../cli/audit.js';
import {
  type FailOn,
  parseChoice,
  parseFailOn,
  parseShard,
  parseWholeNumber,
  type Shard,
  UsageError,
} from '../cli/values.js';
import type { Endpoint } from '../model.js';
import { isPresetName } from '../policy/index.js';
import { stripComment } from '../probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS } from '../probe/scan.js';

export const COMMENT_MODES = ['auto', 'always', 'on-failure', 'never'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

export const ISSUE_MODES = ['never', 'on-failure'] as const;
export type IssueMode = (typeof ISSUE_MODES)[number];

/** The default of the policy input in action.yml. */
const DEFAULT_POLICY = 'webhook';

export interface ActionSettings {
  /** From the endpoints input and the endpoints-file, in that order; empty when merging. */
  endpoints: Endpoint[];
  /** Preset name (in lower case, whatever case the input used) or policy file. */
  policy: string;
  /** Undefined keeps the policy's own threshold. */
  failOn?: FailOn;
  caFile?: string;
  /** Connect and read timeout of each probe; undefined keeps the engine's own. */
  timeoutMs?: number;
  concurrency: number;
  perHostConcurrency: number;
  /** New connections a second, all endpoints together; undefined sets no limit. */
  rateLimit?: number;
  comment: CommentMode;
  token: string;
  baseline?: string;
  issue: IssueMode;
  /** Names the audit's comment and tracking issue; undefined: the workflow and the job. */
  auditName?: string;
  shard?: Shard;
  /** Report paths or patterns to merge instead of probing; empty when probing. */
  merge: string[];
  /** The directory relative paths are read from (the workspace). */
  cwd: string;
}

/** How the Action reads one input: @actions/core's getInput in the Action, a map in tests. */
export type InputReader = (name: string) => string;

/** Every input of action.yml; a test checks this list against the file. */
export const INPUT_NAMES = [
  'endpoints',
  'endpoints-file',
  'policy',
  'fail-on',
  'ca-file',
  'timeout',
  'concurrency',
  'per-host-concurrency',
  'rate-limit',
  'comment',
  'token',
  'baseline',
  'issue',
  'audit-name',
  'shard',
  'merge',
] as const;

/** Reads and checks every input; throws UsageError naming the first bad one. */
export async function readSettings(input: InputReader, cwd: string): Promise<ActionSettings> {
  const optional = (name: string): string | undefined => input(name).trim() || undefined;
  const lines = (name: string): { text: string; line: number }[] =>
    input(name)
      .split(/\r?\n/)
      .map((text, index) => ({ text: text.trim(), line: index + 1 }))
      .filter((item) => item.text !== '');

  const merge = lines('merge').map((item) => item.text);
  // Comments as in an endpoints file: whole lines, or after an endpoint and a space.
  const endpointLines = lines('endpoints')
    .map((item) => ({ ...item, text: stripComment(item.text).trim() }))
    .filter((item) => item.text !== '');
  const endpointsFile = optional('endpoints-file');
  const shardText = optional('shard');
  const failOnText = optional('fail-on');
  const timeoutText = optional('timeout');
  const rateText = optional('rate-limit');
  const concurrencyText = optional('concurrency');
  const perHostText = optional('per-host-concurrency');
  const policyText = optional('policy');
  const caFile = optional('ca-file');

  const settings: ActionSettings = {
    endpoints: [],
    policy: policyName(policyText ?? DEFAULT_POLICY),
    failOn: failOnText === undefined ? undefined : parseFailOn('fail-on', failOnText),
    caFile,
    timeoutMs:
      timeoutText === undefined
        ? undefined
        : parseWholeNumber('timeout', timeoutText, 100, 120_000),
    concurrency: parseWholeNumber(
      'concurrency',
      concurrencyText ?? String(DEFAULT_SCAN_OPTIONS.concurrency),
      1,
      64,
    ),
    perHostConcurrency: parseWholeNumber(
      'per-host-concurrency',
      perHostText ?? String(DEFAULT_SCAN_OPTIONS.perHostConcurrency),
      1,
      16,
    ),
    rateLimit:
      rateText === undefined ? undefined : parseWholeNumber('rate-limit', rateText, 1, 1000),
    comment: parseChoice('comment', input('comment') || 'auto', COMMENT_MODES),
    token: input('token'),
    baseline: optional('baseline'),
    issue: parseChoice('issue', input('issue') || 'never', ISSUE_MODES),
    auditName: optional('audit-name'),
    shard: shardText === undefined ? undefined : parseShard('shard', shardText),
    merge,
    cwd,
  };

  if (merge.length > 0) {
    // A merge reads reports instead of probing, so an input that only shapes the probes would
    // be ignored without a word; each is refused instead, by name. fail-on is not among them:
    // the merge job sets the workflow's outcome, so its fail-on is applied to the merged report.
    const probeInputs = [
      endpointLines.length > 0 && 'endpoints',
      endpointsFile && 'endpoints-file',
      settings.shard && 'shard',
      caFile && 'ca-file',
      timeoutText && 'timeout',
      rateText && 'rate-limit',
      settings.concurrency !== DEFAULT_SCAN_OPTIONS.concurrency && 'concurrency',
      settings.perHostConcurrency !== DEFAULT_SCAN_OPTIONS.perHostConcurrency &&
        'per-host-concurrency',
    ].filter((name): name is string => typeof name === 'string');

    if (probeInputs.length > 0) {
      throw new UsageError(
        'merge',
        'merge: merges earlier reports instead of probing; leave endpoints, endpoints-file, ' +
          'shard, ca-file, timeout, rate-limit, concurrency and per-host-concurrency at their ' +
          `defaults when it is set (set here: ${probeInputs.join(', ')})`,
      );
    }

    if (settings.policy !== DEFAULT_POLICY) {
      throw new UsageError(
        'policy',
        `policy: a merge keeps the policy the shards ran with, which their reports record, so ` +
          `"${policyText}" would not apply; set policy on the shard jobs and leave it at its ` +
          `default (${DEFAULT_POLICY}) on the merge job`,
      );
    }

    return settings;
  }

  // Each shard sees only its share of the endpoints: a shard that wrote the comment or the
  // tracking issue would overwrite the other shards' word with its own share, or close the
  // issue while another shard still fails. The merge job writes them (docs/action.md).
  if (settings.shard && settings.issue !== 'never') {
    throw new UsageError(
      'issue',
      'issue: a shard job cannot keep the tracking issue, as it sees only its share of the ' +
        'endpoints; set issue on the job that merges the shard reports',
    );
  }

  if (settings.shard && (settings.comment === 'always' || settings.comment === 'on-failure')) {
    throw new UsageError(
      'comment',
      `comment: a shard job writes no pull request comment, as it sees only its share of the ` +
        `endpoints; set comment: ${settings.comment} on the job that merges the shard reports, ` +
        'and leave it at auto or never on the shard jobs',
    );
  }

  settings.endpoints = await collectEndpoints({
    listed: endpointLines.map((item) => ({
      text: item.text,
      setting: `endpoints line ${item.line}`,
    })),
    file: endpointsFile ? { path: endpointsFile, setting: 'endpoints-file' } : undefined,
    cwd,
  });

  if (settings.endpoints.length === 0) {
    throw new UsageError(
      'endpoints',
      'endpoints: no endpoint to probe; name at least one in endpoints (one per line) or in ' +
        'the file given as endpoints-file, or give merge the reports to merge',
    );
  }

  return settings;
}

/**
 * Preset names are words like the values of fail-on, comment and issue, so any case names
 * them; anything else is a policy file's path, kept as written.
 */
function policyName(text: string): string {
  const lower = text.toLowerCase();
  return isPresetName(lower) ? lower : text;
}
