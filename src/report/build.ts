// Builds the report: the one data structure that the JSON file, the job summary, the PR comment,
// the terminal output, SARIF and JUnit are all renderings of. Endpoints keep the order they were
// given in and findings the order the policy raised them in, so two runs over the same input
// give reports that differ only where the servers do.

import packageJson from '../../package.json' with { type: 'json' };
import type { EndpointResult, Finding, Report, Severity } from '../model.js';
import { REPORT_SCHEMA_VERSION } from '../model.js';
import { failsPolicy } from '../policy/index.js';

/** The tool that writes reports: its name and the version in package.json. */
export const TOOL = { name: packageJson.name, version: packageJson.version } as const;

/** What buildReport needs of the policy; a full Policy fits. */
export interface ReportPolicy {
  name: string;
  failOn: Severity | 'never';
  listedSuites?: number[];
  /** Each rule's severity, `off` for a rule the policy does not check. */
  severities?: Partial<Record<string, Severity | 'off'>>;
  /** The digest of what the policy checks (policyDigest), to match reports by policy. */
  digest?: string;
}

export interface BuildReportInput {
  results: EndpointResult[];
  policy: ReportPolicy;
  startedAt: Date;
  finishedAt: Date;
  /** The shard of a job matrix this run covered; `index` counts from 1, as in `shard: 2/8`. */
  shard?: { index: number; count: number; listDigest?: string; listSize?: number };
  /** Findings about the run as a whole (policy.unused-suppression). */
  runFindings?: Finding[];
}

export function buildReport(input: BuildReportInput): Report {
  const { policy, shard } = input;

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    policy: {
      name: policy.name,
      failOn: policy.failOn,
      ...(policy.digest ? { digest: policy.digest } : {}),
      ...(policy.listedSuites ? { listedSuites: [...policy.listedSuites] } : {}),
      ...(policy.severities
        ? {
            rules: Object.entries(policy.severities)
              .filter(([, severity]) => severity !== undefined && severity !== 'off')
              .map(([id]) => id),
          }
        : {}),
    },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    compliant: input.results.every((result) => !failsPolicy(result, policy.failOn)),
    ...(shard ? { shard: { ...shard } } : {}),
    endpoints: input.results,
    ...(input.runFindings && input.runFindings.length > 0
      ? { runFindings: input.runFindings }
      : {}),
  };
}
