// The one path from settings to a report that both shells share: gather the endpoints, load the
// policy, probe (one shard of) the endpoints, evaluate them and build the report; or merge the
// reports of earlier shards. The CLI and the Action differ only in how they read settings and
// where they put the results, so a scan gives the same report under either.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pemCertificates } from '../cert/index.js';
import type { Endpoint, EndpointResult, EndpointScan, Report, Severity } from '../model.js';
import {
  evaluate,
  failsPolicy,
  loadPolicy,
  type Policy,
  policyDigest,
  unusedSuppressions,
} from '../policy/index.js';
import { endpointKey, parseEndpoint, parseEndpointList } from '../probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../probe/scan.js';
import {
  buildReport,
  endpointListDigest,
  mergeReports,
  readReport,
  selectShard,
} from '../report/index.js';
import { expandPatterns } from './glob.js';
import { type FailOn, type Shard, UsageError } from './values.js';

/** Where the endpoints come from: texts named directly (each with where it was named) and files. */
export interface EndpointSources {
  /** Endpoints written in a command line or an input; `setting` names it in errors. */
  listed: { text: string; setting: string; source?: { file: string; line: number } }[];
  /** A file of endpoints, one per line, # comments; `setting` names it in errors. */
  file?: { path: string; setting: string };
  cwd: string;
}

/** Reads and parses every endpoint; errors name the setting and line, repeats included. */
export async function collectEndpoints(sources: EndpointSources): Promise<Endpoint[]> {
  const named: { endpoint: Endpoint; where: string }[] = [];

  for (const item of sources.listed) {
    try {
      named.push({ endpoint: parseEndpoint(item.text, item.source), where: item.setting });
    } catch (error) {
      throw new UsageError(item.setting.split(' ')[0], `${item.setting}: ${messageOf(error)}`);
    }
  }

  if (sources.file) {
    const { setting } = sources.file;
    const filePath = path.resolve(sources.cwd, sources.file.path);
    const text = await readFile(filePath, 'utf8').catch((error: unknown) => {
      throw new UsageError(setting, `${setting}: cannot read ${filePath}: ${messageOf(error)}`);
    });

    try {
      // Annotations and SARIF locations want the path as the user wrote it, relative to cwd.
      for (const endpoint of parseEndpointList(text, sources.file.path)) {
        named.push({ endpoint, where: `${setting} line ${endpoint.source?.line}` });
      }
    } catch (error) {
      throw new UsageError(setting, `${setting}: ${messageOf(error)}`);
    }
  }

  refuseRepeats(named);
  return named.map((item) => item.endpoint);
}

// The same host, port and path named twice is most likely a typo for another endpoint, which
// would then go unprobed; the endpoint parser refuses repeats within a file for the same reason.
function refuseRepeats(named: { endpoint: Endpoint; where: string }[]): void {
  const firstNamed = new Map<string, string>();

  for (const { endpoint, where } of named) {
    const key = endpointKey(endpoint);
    const earlier = firstNamed.get(key);

    if (earlier !== undefined) {
      throw new UsageError(
        where.split(' ')[0],
        `${where}: "${endpoint.input}" repeats the endpoint of ${earlier}`,
      );
    }

    firstNamed.set(key, where);
  }
}

export interface AuditSettings {
  endpoints: Endpoint[];
  /** Preset name or policy file; the default preset when absent. */
  policy?: string;
  failOn?: FailOn;
  caFile?: string;
  /** Connect and read timeout of each probe. */
  timeoutMs?: number;
  concurrency?: number;
  perHostConcurrency?: number;
  /** New connections a second across the whole scan; no limit when absent. */
  rateLimit?: number;
  shard?: Shard;
  cwd: string;
  /** The clock for certificate dates; tests set it. */
  now?: Date;
  /** How errors name the policy and CA settings: `policy` in the Action, `--policy` in the CLI. */
  names?: { policy: string; caFile: string };
}

export interface AuditHooks {
  /** Called once the endpoints of the shard are known, before the first probe. */
  onStart?(endpointCount: number): void;
  /** Called as each endpoint's result is ready, in completion order. */
  onEndpointDone?(result: EndpointResult): void;
}

/** Loads the policy and the CA file; both are usage errors when wrong, before any probe. */
export async function prepareAudit(settings: AuditSettings): Promise<{
  policy: Policy;
  extraCaPem: string[];
}> {
  const names = settings.names ?? { policy: 'policy', caFile: 'ca-file' };
  const policy = await loadPolicy(settings.policy, {
    cwd: settings.cwd,
    failOn: settings.failOn,
  }).catch((error: unknown) => {
    throw new UsageError(names.policy, `${names.policy}: ${messageOf(error)}`);
  });

  const extraCaPem = settings.caFile
    ? [await readCaFile(settings.caFile, settings.cwd, names.caFile)]
    : [];

  return { policy, extraCaPem };
}

async function readCaFile(file: string, cwd: string, setting: string): Promise<string> {
  const filePath = path.resolve(cwd, file);
  const text = await readFile(filePath, 'utf8').catch((error: unknown) => {
    throw new UsageError(setting, `${setting}: cannot read ${filePath}: ${messageOf(error)}`);
  });

  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(setting, `${setting}: ${filePath} holds no PEM certificate`);
  }

  // The trust store skips a block it cannot read, so a damaged CA file would only show up as
  // every chain from that CA being untrusted; it is refused here instead, naming the block.
  for (const [index, der] of pemCertificates(text).entries()) {
    try {
      new X509Certificate(der);
    } catch (error) {
      throw new UsageError(
        setting,
        `${setting}: certificate ${index + 1} in ${filePath} is not a readable X.509 ` +
          `certificate: ${messageOf(error)}`,
      );
    }
  }

  return text;
}

/** Probes the endpoints (of the shard, when one is set), evaluates them and builds the report. */
export async function runAudit(settings: AuditSettings, hooks: AuditHooks = {}): Promise<Report> {
  const { policy, extraCaPem } = await prepareAudit(settings);
  const now = settings.now ?? new Date();
  const endpoints = settings.shard
    ? selectShard(settings.endpoints, settings.shard.index - 1, settings.shard.count)
    : settings.endpoints;

  const timeoutMs = settings.timeoutMs;
  const options = {
    ...DEFAULT_SCAN_OPTIONS,
    ...(timeoutMs ? { connectTimeoutMs: timeoutMs, readTimeoutMs: timeoutMs } : {}),
    concurrency: settings.concurrency ?? DEFAULT_SCAN_OPTIONS.concurrency,
    perHostConcurrency: settings.perHostConcurrency ?? DEFAULT_SCAN_OPTIONS.perHostConcurrency,
    ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
    listedSuites: policy.listedSuites,
    extraCaPem,
    now,
  };

  hooks.onStart?.(endpoints.length);

  // Each scan is evaluated once, as it completes, so progress hooks see the verdict.
  const evaluated = new Map<EndpointScan, EndpointResult>();
  const evaluateOnce = (scan: EndpointScan): EndpointResult => {
    const result = evaluated.get(scan) ?? evaluate(scan, policy, now);
    evaluated.set(scan, result);
    return result;
  };

  const startedAt = new Date();
  const scans = await scanEndpoints(endpoints, options, {
    onEndpointDone: (scan) => hooks.onEndpointDone?.(evaluateOnce(scan)),
  });
  const results = scans.map(evaluateOnce);
  const finishedAt = new Date();

  // A shard sees only its part of the endpoints, and whether a suppression matched nothing is
  // known only across all of them. Known gap: a merge has the shards' results but not the
  // policy's suppressions, so a sharded run reports no unused suppression.
  const runFindings = settings.shard ? [] : unusedSuppressions(policy, results);

  return buildReport({
    results,
    policy: { ...policy, digest: policyDigest(policy) },
    startedAt,
    finishedAt,
    runFindings,
    ...(settings.shard
      ? {
          shard: {
            index: settings.shard.index,
            count: settings.shard.count,
            listDigest: endpointListDigest(settings.endpoints),
            listSize: settings.endpoints.length,
          },
        }
      : {}),
  });
}

/** Reads the shard reports that the paths and patterns name, and merges them into one. */
export async function mergeReportFiles(patterns: string[], cwd: string): Promise<Report> {
  const files = await expandPatterns(patterns, cwd);

  if (files.length === 0) {
    throw new UsageError('merge', `merge: no report matches ${patterns.join(', ')}`);
  }

  const reports: Report[] = [];

  for (const file of files) {
    reports.push(
      await readReport(file).catch((error: unknown) => {
        throw unusableReport('merge', file, error);
      }),
    );
  }

  try {
    return mergeReports(reports, files);
  } catch (error) {
    throw new UsageError('merge', `merge: ${messageOf(error)}`);
  }
}

/** Reads the baseline report to compare against; a bad one is a usage error naming it. */
export async function readBaseline(file: string, cwd: string, setting: string): Promise<Report> {
  const filePath = path.resolve(cwd, file);

  return readReport(filePath).catch((error: unknown) => {
    throw unusableReport(setting, filePath, error);
  });
}

/** A report that cannot be read, named once: the reader's messages name the file already. */
function unusableReport(setting: string, file: string, error: unknown): UsageError {
  const message = messageOf(error);
  const named = message.includes(file) ? message : `${file}: ${message}`;
  return new UsageError(setting, `${setting}: not a usable report: ${named}`);
}

/** The three ways a run can end; "could not scan" is never reported as a policy failure. */
export interface AuditOutcome {
  compliant: boolean;
  /** Probed, and breaking a rule at or above the fail-on severity. */
  nonCompliant: EndpointResult[];
  /** Not probed at all (DNS, refused connection, timeout), failing under fail-on. */
  notScanned: EndpointResult[];
  /** Not compliant or not scanned, yet below fail-on (`never`, or a rule lowered). */
  letPass: EndpointResult[];
  failOn: Severity | 'never';
}

/**
 * Sorts the failing endpoints into the two outcomes. An endpoint that could not be scanned
 * carries the policy's `endpoint.not-scanned` finding, so fail-on decides for it as for any
 * other: `never` (or that rule lowered below the threshold) lets it pass.
 */
export function outcomeOf(report: Report): AuditOutcome {
  const failing = report.endpoints.filter((result) => failsPolicy(result, report.policy.failOn));
  const notScanned = failing.filter((result) => result.verdict === 'not-scanned');
  const nonCompliant = failing.filter((result) => result.verdict !== 'not-scanned');
  const failed = new Set(failing);
  const letPass = report.endpoints.filter(
    (result) => result.verdict !== 'compliant' && !failed.has(result),
  );

  return {
    compliant: notScanned.length === 0 && nonCompliant.length === 0,
    nonCompliant,
    notScanned,
    letPass,
    failOn: report.policy.failOn,
  };
}

/** One sentence saying how the run ended, naming the endpoints; both shells print it. */
export function describeOutcome(outcome: AuditOutcome, total: number): string {
  const parts: string[] = [];

  if (outcome.nonCompliant.length > 0) {
    const count = outcome.nonCompliant.length;
    // Below error, fail-on fails endpoints the policy itself passes (a warning is no failure
    // of it, and the Action's failed-endpoints and tracking issue leave them out), so the
    // threshold is named rather than the policy.
    const fail =
      outcome.failOn === 'error'
        ? 'not compliant with the policy'
        : `${count === 1 ? 'fails' : 'fail'} at fail-on ${outcome.failOn}`;
    parts.push(`${countOf(count, 'endpoint')} of ${total} ${fail}: ${names(outcome.nonCompliant)}`);
  }

  if (outcome.notScanned.length > 0) {
    parts.push(
      `could not scan ${countOf(outcome.notScanned.length, 'endpoint')} of ${total}: ` +
        namesWithReasons(outcome.notScanned),
    );
  }

  if (parts.length === 0 && outcome.letPass.length > 0) {
    // The run passes, but the verdicts still say what is wrong (docs/policy.md).
    return (
      `no endpoint fails the run (fail-on: ${outcome.failOn}), but ` +
      `${countOf(outcome.letPass.length, 'endpoint')} of ${total} ` +
      `${outcome.letPass.length === 1 ? 'is' : 'are'} not compliant or not scanned: ` +
      names(outcome.letPass)
    );
  }
  if (parts.length === 0) {
    return `${countOf(total, 'endpoint')} scanned, all compliant with the policy`;
  }

  // Both at once: the run fails as not compliant (exit status 1); each part is said once, with
  // its count first, so the endpoints not scanned follow the list, not repeat it.
  return parts.join('; ');
}

/** The endpoints as written, in the order given: `a.example.com, b.example.com:8443`. */
export function names(results: EndpointResult[]): string {
  return results.map((result) => result.scan.endpoint.input).join(', ');
}

/** Endpoints that could not be scanned, each with why: `b.example.com (connection refused)`. */
export function namesWithReasons(results: EndpointResult[]): string {
  return results
    .map((result) => {
      const reason = result.scan.notScanned;
      return reason
        ? `${result.scan.endpoint.input} (${reason.detail})`
        : result.scan.endpoint.input;
    })
    .join(', ');
}

/** `1 endpoint`, `2 endpoints`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
