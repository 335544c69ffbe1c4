// Joins the reports of the shards of a job matrix (downloaded artifacts, say) into the report a
// single run over all endpoints would have given: same endpoints, same findings, same verdict.
// Reports that cannot have come from one run (another schema version, tool version or policy,
// a shard given twice or missing, shards cut from different endpoint lists, an endpoint in two
// reports) are refused with an error that says which.

import type { EndpointResult, Report } from '../model.js';
import { failsPolicy } from '../policy/index.js';
import { endpointKey } from '../probe/endpoint.js';
import { policyDifference } from './policy-match.js';

/** Reports that cannot be merged; the message names the reports and what differs. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/**
 * Merges shard reports. `names` (file names, say) name the reports in errors; without them
 * a report is named by its position and shard.
 */
export function mergeReports(reports: Report[], names?: string[]): Report {
  if (reports.length === 0) {
    throw new MergeError('no reports to merge');
  }

  const nameOf = (index: number) => names?.[index] ?? describeReport(reports[index], index);
  checkSameRun(reports, nameOf);
  checkShards(reports, nameOf);
  checkSameList(reports, nameOf);

  const endpoints = mergedEndpoints(reports, nameOf);
  const first = reports[0];
  const listSize = first.shard?.listSize;

  if (listSize !== undefined && endpoints.length !== listSize) {
    throw new MergeError(
      `the shards hold ${endpoints.length} endpoints where the list they were cut from has ` +
        `${listSize}: a shard report is incomplete`,
    );
  }

  return {
    schemaVersion: first.schemaVersion,
    tool: { ...first.tool },
    policy: mergedPolicy(reports),
    startedAt: earliest(reports.map((report) => report.startedAt)),
    finishedAt: latest(reports.map((report) => report.finishedAt)),
    compliant: endpoints.every((result) => !failsPolicy(result, first.policy.failOn)),
    endpoints,
  };
}

/**
 * The shards' policy, which checkSameRun found to be one. A shard of an earlier version has no
 * digest, and a digest is what later baselines and merges trust over the name: the merged
 * report keeps one only when every shard had it. What any shard records of the rules or
 * listed suites is kept, as the shards agree on it wherever two of them record it.
 */
function mergedPolicy(reports: Report[]): Report['policy'] {
  const { digest, listedSuites, rules, ...first } = reports[0].policy;
  const everyDigest = reports.every((report) => report.policy.digest === digest);
  const listed = reports.find((report) => report.policy.listedSuites)?.policy.listedSuites;
  const checked = reports.find((report) => report.policy.rules)?.policy.rules;

  return {
    ...first,
    ...(digest !== undefined && everyDigest ? { digest } : {}),
    ...(listed ? { listedSuites: [...listed] } : {}),
    ...(checked ? { rules: [...checked] } : {}),
  };
}

function describeReport(report: Report, index: number): string {
  const shard = report.shard ? ` (shard ${report.shard.index}/${report.shard.count})` : '';
  return `report ${index + 1}${shard}`;
}

function checkSameRun(reports: Report[], nameOf: (index: number) => string): void {
  const first = reports[0];

  reports.forEach((report, index) => {
    const differs = (what: string, a: unknown, b: unknown) =>
      new MergeError(
        `${nameOf(index)} has ${what} ${JSON.stringify(b)} where ${nameOf(0)} has ` +
          `${JSON.stringify(a)}: only reports of one run can be merged`,
      );

    if (report.schemaVersion !== first.schemaVersion) {
      throw differs('report schema version', first.schemaVersion, report.schemaVersion);
    }

    if (report.tool.name !== first.tool.name || report.tool.version !== first.tool.version) {
      throw differs(
        'tool',
        `${first.tool.name} ${first.tool.version}`,
        `${report.tool.name} ${report.tool.version}`,
      );
    }

    // Compared with every earlier report, not only the first: without digests, a report that
    // records less (no rules) agrees with the first while a later one may not agree with it.
    for (let earlier = 0; earlier < index; earlier += 1) {
      const difference = policyDifference(reports[earlier], report);

      if (difference) {
        throw new MergeError(
          `${nameOf(index)} has ${difference.what} ${JSON.stringify(difference.b)} where ` +
            `${nameOf(earlier)} has ${JSON.stringify(difference.a)}: only ` +
            'reports of one run can be merged',
        );
      }
    }

    if (report.policy.failOn !== first.policy.failOn) {
      throw differs('fail-on severity', first.policy.failOn, report.policy.failOn);
    }
  });
}

// A missing shard would make the merged verdict silently wrong (its endpoints unchecked), so
// every shard of the matrix must be there, once.
function checkShards(reports: Report[], nameOf: (index: number) => string): void {
  const sharded = reports.filter((report) => report.shard);

  if (sharded.length === 0) {
    return;
  }

  if (sharded.length !== reports.length) {
    const whole = reports.findIndex((report) => !report.shard);
    throw new MergeError(
      `${nameOf(whole)} covers all endpoints while others are shards: merge the shards only`,
    );
  }

  const count = reports[0].shard!.count;
  const seen = new Map<number, number>();

  reports.forEach((report, index) => {
    const shard = report.shard!;

    if (shard.count !== count) {
      throw new MergeError(
        `${nameOf(index)} is shard ${shard.index}/${shard.count} of a matrix of ${shard.count} ` +
          `where ${nameOf(0)} is of ${count}: only shards of one matrix can be merged`,
      );
    }

    const earlier = seen.get(shard.index);

    if (earlier !== undefined) {
      throw new MergeError(
        `${nameOf(index)} and ${nameOf(earlier)} are both shard ${shard.index}/${count}`,
      );
    }

    seen.set(shard.index, index);
  });

  const missing = [];

  for (let index = 1; index <= count; index += 1) {
    if (!seen.has(index)) missing.push(`${index}/${count}`);
  }

  if (missing.length > 0) {
    throw new MergeError(
      `the report of shard ${missing.join(', ')} is missing: without it the merged verdict ` +
        'would leave its endpoints out',
    );
  }
}

// Shards of the same matrix size cut from two different endpoint lists would merge without
// complaint and leave the endpoints of the other list's shards unchecked, so every shard names
// the whole list it was cut from and they must all name the same one.
function checkSameList(reports: Report[], nameOf: (index: number) => string): void {
  const identity = (report: Report) =>
    report.shard?.listDigest === undefined
      ? 'none'
      : `${report.shard.listDigest}/${report.shard.listSize}`;
  const first = identity(reports[0]);

  reports.forEach((report, index) => {
    if (identity(report) !== first) {
      throw new MergeError(
        `${nameOf(index)} and ${nameOf(0)} were cut from different endpoint lists ` +
          `(${describeList(report)} versus ${describeList(reports[0])}): only shards of one ` +
          'run can be merged',
      );
    }
  });
}

function describeList(report: Report): string {
  const shard = report.shard;

  if (shard?.listDigest === undefined) {
    return 'no list digest';
  }

  return `${shard.listSize ?? '?'} endpoints, digest ${shard.listDigest.slice(0, 12)}`;
}

interface Placed {
  result: EndpointResult;
  /** Position of the report, in shard order, and of the endpoint within it. */
  report: number;
  position: number;
}

/**
 * The endpoints of all reports in input order as far as it can be recovered: endpoints with a
 * source line are ordered by file and line, which is the order of the endpoints file. Those
 * without one (named on a command line) come first, as a single run puts them, in shard order
 * and then in their order within the shard; how such endpoints interleaved across shards is
 * not recorded in the reports, so that part of a single run's order cannot be rebuilt.
 */
function mergedEndpoints(reports: Report[], nameOf: (index: number) => string): EndpointResult[] {
  const order = reports
    .map((report, index) => ({ report, index }))
    .sort((a, b) => (a.report.shard?.index ?? 0) - (b.report.shard?.index ?? 0));
  const placed: Placed[] = [];
  const owner = new Map<string, number>();
  const fileRank = new Map<string, number>();

  order.forEach(({ report, index }, rank) => {
    report.endpoints.forEach((result, position) => {
      const key = endpointKey(result.scan.endpoint);
      const earlier = owner.get(key);

      if (earlier !== undefined) {
        throw new MergeError(
          `endpoint ${result.scan.endpoint.input} is in both ${nameOf(earlier)} and ` +
            `${nameOf(index)}: shards must not overlap`,
        );
      }

      owner.set(key, index);

      const file = result.scan.endpoint.source?.file;
      if (file !== undefined && !fileRank.has(file)) fileRank.set(file, fileRank.size);

      placed.push({ result, report: rank, position });
    });
  });

  return placed.sort((a, b) => comparePlacedEndpoints(a, b, fileRank)).map((entry) => entry.result);
}

function comparePlacedEndpoints(a: Placed, b: Placed, fileRank: Map<string, number>): number {
  const sourceA = a.result.scan.endpoint.source;
  const sourceB = b.result.scan.endpoint.source;

  if (sourceA && sourceB) {
    return (
      fileRank.get(sourceA.file)! - fileRank.get(sourceB.file)! ||
      sourceA.line - sourceB.line ||
      a.report - b.report ||
      a.position - b.position
    );
  }

  if (sourceA) return 1;
  if (sourceB) return -1;
  return a.report - b.report || a.position - b.position;
}

function earliest(times: string[]): string {
  return times.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

function latest(times: string[]): string {
  return times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}
