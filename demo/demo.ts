// The demo: a private CA in memory, four local servers (one compliant, three broken the ways
// webhook receivers break), one scan of all four through the command line's own code path,
// the reports printed, and the servers stopped. It needs nothing but Node.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type CliIo, runCli } from '../src/cli/program.js';
import type { Report } from '../src/model.js';
import { createDemoCa } from './ca.js';
import { type DemoServer, startDemoServers, stopAll } from './servers.js';

export interface DemoResult {
  report: Report;
  servers: Pick<DemoServer, 'name' | 'endpoint' | 'expected'>[];
  /** Every server got the verdict, and failed on the rule, it was set up to show. */
  asExpected: boolean;
}

export async function runDemo(io: CliIo): Promise<DemoResult> {
  const say = (text: string) => io.stdout.write(`${text}\n`);
  const directory = await mkdtemp(path.join(os.tmpdir(), 'webhook-tls-probe-demo-'));
  let servers: DemoServer[] = [];

  try {
    say('Making a private CA in memory and starting four TLS servers on 127.0.0.1 ...');
    const ca = await createDemoCa();
    const caFile = path.join(directory, 'demo-root.pem');
    await writeFile(caFile, ca.rootPem);
    servers = await startDemoServers(ca);

    for (const server of servers) {
      say(`  ${server.endpoint.padEnd(16)} ${server.name.padEnd(20)} ${server.setUp}`);
    }

    const reportFile = path.join(directory, 'report.json');
    const args = ['scan', ...servers.map((server) => server.endpoint)];
    args.push('--ca-file', caFile, '--format', 'json', '--output', reportFile);
    say(`\n$ webhook-tls-probe scan ${servers.map((s) => s.endpoint).join(' ')} --ca-file ...\n`);

    const status = await runCli(args, io);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    say(`\nexit status ${status} (0 compliant, 1 not compliant, 2 could not scan)\n`);

    const asExpected = printVerdicts(report, servers, say);

    return {
      report,
      servers: servers.map(({ name, endpoint, expected }) => ({ name, endpoint, expected })),
      asExpected,
    };
  } finally {
    await stopAll(servers);
    await rm(directory, { recursive: true, force: true });
  }
}

/** One line per server: what it was set up to show, the verdict, and the failing rules. */
function printVerdicts(
  report: Report,
  servers: DemoServer[],
  say: (text: string) => void,
): boolean {
  let allExpected = true;
  say('server               expected        got             failing rules');

  for (const server of servers) {
    const result = report.endpoints.find((entry) => entry.scan.endpoint.input === server.endpoint);
    const errors = (result?.findings ?? []).filter(
      (finding) => finding.severity === 'error' && !finding.suppressed,
    );
    const rule = server.expected.failsOn;
    const failsAsExpected = !rule || errors.some((finding) => finding.id === rule);
    const matches = result?.verdict === server.expected.verdict && failsAsExpected;
    const rules = errors.map((finding) => finding.id).join(', ') || '-';
    allExpected &&= matches;

    say(
      `${server.name.padEnd(20)} ${server.expected.verdict.padEnd(15)} ` +
        `${(result?.verdict ?? 'missing').padEnd(15)} ${rules}${matches ? '' : '   <- unexpected'}`,
    );
  }

  say(allExpected ? '\nEvery server got the verdict it was set up for.' : '\nUnexpected verdicts.');
  return allExpected;
}
