// The command line: `scan` probes endpoints and `merge` joins the reports of sharded runs, both
// ending in one report rendered as text, JSON, SARIF, JUnit or markdown. The exit status says
// how the run ended: 0 compliant, 1 not compliant, 2 could not scan or bad usage.

import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { Report } from '../model.js';
import {
  baselineMismatch,
  comparableBaseline,
  DEFAULT_SARIF_LOCATION,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderText,
  TOOL,
  writeFileAtomic,
} from '../report/index.js';
import {
  type AuditOutcome,
  collectEndpoints,
  describeOutcome,
  mergeReportFiles,
  messageOf,
  outcomeOf,
  readBaseline,
  runAudit,
} from './audit.js';
import { createProgress } from './progress.js';
import {
  FAIL_ON_VALUES,
  type FailOn,
  parseFailOn,
  parseShard,
  parseWholeNumber,
  type Shard,
  UsageError,
} from './values.js';

export const EXIT_COMPLIANT = 0;
export const EXIT_NOT_COMPLIANT = 1;
export const EXIT_COULD_NOT_SCAN = 2;

export const FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** Where the CLI writes and what it knows of its terminal; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The clock for certificate dates; tests set it. */
  now?: Date;
}

interface OutputOptions {
  format: Format;
  json?: boolean;
  output?: string;
  onlyFailures?: boolean;
  baseline?: string;
  sarifLocation?: string;
}

interface ScanOptions extends OutputOptions {
  endpointsFile?: string;
  policy?: string;
  failOn?: FailOn;
  caFile?: string;
  timeout?: number;
  concurrency?: number;
  perHostConcurrency?: number;
  rateLimit?: number;
  shard?: Shard;
}

/** Runs the CLI with arguments after the program name; resolves to the exit status. */
export async function runCli(args: string[], io: CliIo = processIo()): Promise<number> {
  let status = EXIT_COMPLIANT;
  const program = buildProgram(io, (code) => {
    status = code;
  });

  try {
    await program.parseAsync(args, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; everything else commander refuses is usage.
      return error.exitCode === 0 ? EXIT_COMPLIANT : EXIT_COULD_NOT_SCAN;
    }

    const prefix = error instanceof UsageError ? 'error' : 'could not scan';
    io.stderr.write(`webhook-tls-probe: ${prefix}: ${messageOf(error)}\n`);
    return EXIT_COULD_NOT_SCAN;
  }
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

function buildProgram(io: CliIo, setStatus: (code: number) => void): Command {
  const program = new Command('webhook-tls-probe')
    .description(
      'Probes HTTPS webhook endpoints the way a webhook sender connects, and checks them ' +
        'against a TLS policy.',
    )
    .version(TOOL.version)
    .addHelpText(
      'after',
      '\nExit status: 0 compliant; 1 some endpoint not compliant (a port that answers without ' +
        'TLS is one;\nalso when others could not be scanned: a definite failure wins); 2 could ' +
        'not scan some endpoint\nand none is not compliant, or bad usage.',
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const scan = program
    .command('scan')
    .description('probe endpoints and check them against the policy')
    .argument('[endpoints...]', 'endpoints: https://host[:port]/path, host:port or host')
    .option('--endpoints-file <file>', 'file of endpoints, one per line, # comments')
    .option('--policy <policy>', 'preset (webhook, mozilla-modern, mozilla-intermediate) or file')
    .option(
      '--fail-on <severity>',
      `lowest finding severity that fails the run: ${FAIL_ON_VALUES.join(', ')}`,
      (text) => parseFailOn('--fail-on', text),
    )
    .option('--ca-file <file>', 'PEM file of extra trusted root certificates')
    .option('--timeout <ms>', 'connect and read timeout of each probe, in milliseconds', (text) =>
      parseWholeNumber('--timeout', text, 100, 120_000),
    )
    .option('--concurrency <n>', 'endpoints probed at once', (text) =>
      parseWholeNumber('--concurrency', text, 1, 64),
    )
    .option('--per-host-concurrency <n>', 'connections open at once to one host', (text) =>
      parseWholeNumber('--per-host-concurrency', text, 1, 16),
    )
    .option(
      '--rate-limit <n>',
      'new connections a second, all endpoints together (no limit when absent)',
      (text) => parseWholeNumber('--rate-limit', text, 1, 1000),
    )
    .option('--shard <i/n>', 'probe only shard i of n of the endpoints', (text) =>
      parseShard('--shard', text),
    );
  addOutputOptions(scan).action(async (endpoints: string[], options: ScanOptions) => {
    setStatus(await scanCommand(endpoints, options, io));
  });

  const merge = program
    .command('merge')
    .description('merge the JSON reports of sharded scans into one report')
    .argument('<reports...>', 'JSON report files or glob patterns');
  addOutputOptions(merge).action(async (reports: string[], options: OutputOptions) => {
    setStatus(await mergeCommand(reports, options, io));
  });

  for (const command of [scan, merge]) {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  }

  return program;
}

function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'report format').choices(FORMATS).default('text'))
    .option('--json', 'the same as --format json')
    .option('--output <file>', 'write the report to a file (the terminal gets the text report)')
    .option('--only-failures', 'text report: show only endpoints that fail')
    .option('--baseline <file>', 'earlier JSON report: show what is new, fixed and changed')
    .option(
      '--sarif-location <file>',
      'SARIF: the file results point at for endpoints not read from --endpoints-file ' +
        `(default ${DEFAULT_SARIF_LOCATION})`,
    );
}

async function scanCommand(args: string[], options: ScanOptions, io: CliIo): Promise<number> {
  const endpoints = await collectEndpoints({
    listed: args.map((text, index) => ({ text, setting: `argument ${index + 1}` })),
    file: options.endpointsFile
      ? { path: options.endpointsFile, setting: '--endpoints-file' }
      : undefined,
    cwd: io.cwd,
  });

  if (endpoints.length === 0) {
    throw new UsageError(
      'endpoints',
      options.endpointsFile && args.length === 0
        ? `no endpoint to scan: ${options.endpointsFile} holds only comments and blank lines`
        : 'no endpoint to scan: name some, or use --endpoints-file',
    );
  }

  const baseline = options.baseline
    ? baselineFor(await readBaseline(options.baseline, io.cwd, '--baseline'), options.shard)
    : undefined;
  const progress = createProgress(io.stderr);

  try {
    const report = await runAudit(
      {
        endpoints,
        policy: options.policy,
        failOn: options.failOn,
        caFile: options.caFile,
        timeoutMs: options.timeout,
        concurrency: options.concurrency,
        perHostConcurrency: options.perHostConcurrency,
        rateLimit: options.rateLimit,
        shard: options.shard,
        cwd: io.cwd,
        now: io.now,
        names: { policy: '--policy', caFile: '--ca-file' },
      },
      {
        onStart: (count) => progress.start(count),
        onEndpointDone: (result) => progress.advance(result.scan.endpoint.input),
      },
    );
    progress.stop();

    return await emit(report, baseline, options, io);
  } finally {
    progress.stop();
  }
}

async function mergeCommand(
  patterns: string[],
  options: OutputOptions,
  io: CliIo,
): Promise<number> {
  const baseline = options.baseline
    ? baselineFor(await readBaseline(options.baseline, io.cwd, '--baseline'), undefined)
    : undefined;
  const report = await mergeReportFiles(patterns, io.cwd);

  return emit(report, baseline, options, io);
}

/** The part of a --baseline report this run compares with (shards: report/shard.ts). */
function baselineFor(baseline: Report, shard: Shard | undefined): Report {
  try {
    return comparableBaseline(baseline, shard, 'the baseline');
  } catch (error) {
    throw new UsageError('--baseline', `--baseline: ${messageOf(error)}`);
  }
}

/** Writes the report where it was asked for, and returns the exit status it calls for. */
async function emit(
  report: Report,
  baseline: Report | undefined,
  options: OutputOptions,
  io: CliIo,
): Promise<number> {
  const format: Format = options.json ? 'json' : options.format;
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const mismatch = baseline && baselineMismatch(baseline, report);

  if (mismatch) {
    // As in the Action: the scan stands, only the comparison is left out.
    io.stderr.write(`webhook-tls-probe: --baseline: not compared: ${mismatch}\n`);
    baseline = undefined;
  }

  const rendered = render(report, format, baseline, { color: false, options, cwd: io.cwd });

  if (options.output) {
    const file = path.resolve(io.cwd, options.output);
    await writeFileAtomic(file, rendered).catch((error: unknown) => {
      throw new UsageError('--output', `--output: cannot write ${file}: ${messageOf(error)}`);
    });
    io.stdout.write(render(report, 'text', baseline, { color, options, cwd: io.cwd }));
  } else {
    io.stdout.write(
      format === 'text'
        ? render(report, 'text', baseline, { color, options, cwd: io.cwd })
        : rendered,
    );
  }

  const outcome = outcomeOf(report);
  io.stderr.write(`${describeOutcome(outcome, report.endpoints.length)}\n`);

  return exitStatusOf(outcome);
}

function render(
  report: Report,
  format: Format,
  baseline: Report | undefined,
  style: { color: boolean; options: OutputOptions; cwd: string },
): string {
  const text = (() => {
    switch (format) {
      case 'text':
        return renderText(report, {
          color: style.color,
          onlyFailures: style.options.onlyFailures,
          baseline,
        });
      case 'json':
        return JSON.stringify(report, null, 2);
      case 'sarif':
        return JSON.stringify(
          renderSarif(report, { root: style.cwd, fallbackFile: style.options.sarifLocation }),
          null,
          2,
        );
      case 'junit':
        return renderJunit(report);
      case 'markdown':
        return renderMarkdown(report, { baseline });
    }
  })();

  return text.endsWith('\n') ? text : `${text}\n`;
}

/** A definite policy failure outranks an endpoint that could not be scanned. */
export function exitStatusOf(outcome: AuditOutcome): number {
  if (outcome.nonCompliant.length > 0) {
    return EXIT_NOT_COMPLIANT;
  }

  return outcome.notScanned.length > 0 ? EXIT_COULD_NOT_SCAN : EXIT_COMPLIANT;
}
