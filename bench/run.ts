// `npm run bench`: our full scan against sslscan, nmap and testssl.sh on the same local servers,
// behind latency proxies that add a set round-trip time and count connections, in turns, several
// times; then a fleet of endpoints scanned by one process. Writes docs/benchmarks.md, its chart
// and the raw figures (docs/benchmarks/results.json).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { hasBinary } from '../test/support/binaries.js';
import type { RunningServer } from '../test/support/servers.js';
import { waitForPort } from '../test/support/servers.js';
import { type Measurement, runMeasured } from './measure.js';
import { findPeers, type Peer, type ScanTarget } from './peers.js';
import { type LatencyProxy, startLatencyProxy } from './proxy.js';
import { renderChart, renderMarkdown } from './render.js';
import {
  type BenchResults,
  checkTargets,
  type FleetResult,
  type FleetRun,
  median,
  OUR_SCANNER,
  type RunRecord,
  type ScanChildOutput,
  type ScanJob,
  type ScannerInfo,
  type StartupCost,
} from './results.js';
import {
  BENCH_SERVERS,
  type BenchPki,
  type FleetKey,
  makeBenchPki,
  startFleet,
} from './servers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Settings {
  repetitions: number;
  rttsMs: number[];
  servers: string[];
  peers: string[];
  fleetSize: number;
  fleetInstances: number;
  fleetKey: FleetKey;
  /** Endpoints the fleet scan takes on at once; null keeps the engine's default. */
  fleetConcurrency: number | null;
  timeoutMs: number;
  /** A peer whose run took longer than this is not run again on that server and RTT. */
  slowAfterMs: number;
  output: string;
  write: boolean;
}

/** One scanner as the benchmark runs it: a command per target, and a check of what it printed. */
interface Scanner {
  name: string;
  run(target: ScanTarget, workDir: string): Promise<{ measurement: Measurement } & Verdict>;
}

interface Verdict {
  problem: string | null;
  coverage?: RunRecord['coverage'];
}

/** How our scan is started: a bundle made for this run, or TypeScript through tsx. */
interface OurScanner {
  runner: string;
  command: string;
  args: string[];
}

// ---------------------------------------------------------------------------------------------

interface CliOptions {
  quick?: boolean;
  repetitions?: number;
  rtt: number[];
  servers: string[];
  peers: string[];
  fleetSize: number;
  fleetInstances: number;
  fleetConcurrency?: number;
  fleetKey: FleetKey;
  timeout: number;
  slowAfter: number;
  output: string;
  write: boolean;
}

function readSettings(argv: string[]): Settings {
  const serverNames = BENCH_SERVERS.map((server) => server.name);
  const peerNames = findPeers().map((peer) => peer.name);

  const options = new Command()
    .name('npm run bench --')
    .description('Benchmark our full scan against sslscan, nmap and testssl.sh')
    .option('--quick', 'one repetition')
    .option('--repetitions <n>', 'runs of each scanner per server and round-trip time', positive)
    .option('--rtt <list>', 'round-trip times in milliseconds, comma-separated', rtts, [0, 50])
    .option(
      '--servers <list>',
      `servers to scan, comma-separated, or none (${serverNames.join(', ')})`,
      (value: string) => names(value, serverNames),
      serverNames,
    )
    .option(
      '--peers <list>',
      `peers to compare with, comma-separated, or none (${peerNames.join(', ')})`,
      (value: string) => names(value.replace(/\btestssl\b(?!\.sh)/, 'testssl.sh'), peerNames),
      peerNames,
    )
    .option('--fleet-size <n>', 'endpoints in the fleet; 0 skips it', nonNegative, 200)
    .option('--fleet-instances <n>', 'nginx processes serving the fleet', positive, 1)
    .option('--fleet-concurrency <n>', 'endpoints scanned at once in the fleet', positive)
    .option('--fleet-key <type>', "key of the fleet's certificate: ecdsa or rsa", fleetKey, 'ecdsa')
    .option('--timeout <seconds>', 'limit of one scanner run', positive, 300)
    .option(
      '--slow-after <seconds>',
      'a peer slower than this runs once per server and RTT; 0 repeats every peer',
      nonNegative,
      20,
    )
    .option('--output <file>', 'the markdown page to write', 'docs/benchmarks.md')
    .option('--no-write', 'print the tables only')
    .parse(argv)
    .opts<CliOptions>();

  return {
    repetitions: options.quick ? 1 : (options.repetitions ?? 3),
    rttsMs: options.rtt,
    servers: options.servers,
    peers: options.peers,
    fleetSize: options.fleetSize,
    fleetInstances: options.fleetInstances,
    fleetKey: options.fleetKey,
    fleetConcurrency: options.fleetConcurrency ?? null,
    timeoutMs: options.timeout * 1000,
    slowAfterMs: options.slowAfter > 0 ? options.slowAfter * 1000 : Number.POSITIVE_INFINITY,
    output: resolve(ROOT, options.output),
    write: options.write,
  };
}

function rtts(value: string): number[] {
  return value.split(',').map((item) => nonNegative(item.trim()));
}

/** A comma-separated list of known names; `none` is the empty list. */
function names(value: string, known: string[]): string[] {
  const chosen = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '' && item !== 'none');
  const unknown = chosen.filter((item) => !known.includes(item));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown ${unknown.join(', ')}`);
  }
  return chosen;
}

function positive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1');
  }
  return number;
}

function fleetKey(value: string): FleetKey {
  if (value !== 'ecdsa' && value !== 'rsa') {
    throw new InvalidArgumentError('expected ecdsa or rsa');
  }
  return value;
}

function nonNegative(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError('expected a whole number of at least 0');
  }
  return number;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Our scan

/**
 * Bundles bench/scan-child.ts with ncc so our scan starts like a shipped CLI, with plain node
 * and no TypeScript compiler in the way; falls back to tsx when bundling fails.
 */
function prepareOurScanner(workDir: string): OurScanner {
  const ncc = join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
  const outDir = join(workDir, 'scan-child');
  const bundled = existsSync(ncc)
    ? spawnSync(
        process.execPath,
        [ncc, 'build', join(ROOT, 'bench/scan-child.ts'), '-o', outDir, '-q', '-t'],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      )
    : null;

  if (bundled?.status === 0 && existsSync(join(outDir, 'index.js'))) {
    return {
      runner: 'bundled with ncc, run by node',
      command: process.execPath,
      args: [join(outDir, 'index.js')],
    };
  }

  log(`could not bundle our scan (${bundled?.stderr?.trim() || 'ncc missing'}); using tsx`);
  return {
    runner: 'TypeScript run by node --import tsx',
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'bench/scan-child.ts')],
  };
}

async function runOurScan(
  ours: OurScanner,
  job: ScanJob,
  workDir: string,
  timeoutMs: number,
): Promise<{ measurement: Measurement; output: ScanChildOutput | null; problem: string | null }> {
  const jobFile = join(workDir, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const measurement = await runMeasured(ours.command, [...ours.args, jobFile], {
    timeoutMs,
    cwd: ROOT,
  });

  if (measurement.timedOut) {
    return { measurement, output: null, problem: `timed out after ${timeoutMs / 1000} s` };
  }

  const line = measurement.stdout.trim().split('\n').pop() ?? '';
  let output: ScanChildOutput | null = null;
  try {
    output = JSON.parse(line) as ScanChildOutput;
  } catch {
    const reason = errorLine(measurement.stderr) || `exit status ${measurement.exitCode}`;
    return { measurement, output: null, problem: `no result: ${reason}` };
  }

  const notScanned = output.endpoints.filter((endpoint) => endpoint.status !== 'scanned');
  const problem =
    notScanned.length > 0
      ? `${notScanned.length} endpoint(s) not scanned, first: ${notScanned[0].notScanned}`
      : null;
  return { measurement, output, problem };
}

function ourScanner(ours: OurScanner, pki: BenchPki, timeoutMs: number): Scanner {
  return {
    name: OUR_SCANNER,
    run: async (target, workDir) => {
      const job: ScanJob = {
        endpoints: [`${target.address}:${target.port}`],
        caPemFile: pki.rootFile,
      };
      const { measurement, output, problem } = await runOurScan(ours, job, workDir, timeoutMs);
      return { measurement, problem, coverage: output?.endpoints[0]?.coverage };
    },
  };
}

function peerScanner(peer: Peer, timeoutMs: number): Scanner {
  return {
    name: peer.name,
    run: async (target, workDir) => {
      const { command, args } = peer.command(target, workDir);
      const measurement = await runMeasured(command, args, { timeoutMs, cwd: workDir });
      if (measurement.timedOut) {
        return { measurement, problem: `timed out after ${timeoutMs / 1000} s` };
      }
      const wrong = peer.checkOutput(measurement.stdout, workDir);
      const problem = wrong ? `${wrong} (exit status ${measurement.exitCode})` : null;
      return { measurement, problem };
    },
  };
}

// Node prints the error somewhere above its own version line; the line naming the error says
// more than the last one.
function errorLine(text: string): string {
  const lines = text.trim().split('\n');
  const named = lines.find((line) => /\b\w*Error\b/.test(line));
  return (named ?? lines[lines.length - 1] ?? '').trim().slice(0, 300);
}

// ---------------------------------------------------------------------------------------------
// The comparison

async function settle(proxy: LatencyProxy): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (proxy.stats().open > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Runs each scanner in turn on one server, adding to `records` as it goes. The order rotates
 * each repetition so no scanner always goes first. A peer that takes longer than `slowAfterMs`
 * (testssl.sh, tens of seconds) is not repeated on that server and RTT: its repetitions would
 * double the benchmark's length, and a difference of ten times does not need a median to show.
 */
async function compareOn(
  serverName: string,
  server: RunningServer,
  scanners: Scanner[],
  settings: Settings,
  workRoot: string,
  records: RunRecord[],
): Promise<void> {
  for (const rttMs of settings.rttsMs) {
    const proxy = await startLatencyProxy({
      target: { address: server.address, port: server.port },
      rttMs,
    });
    const slow = new Set<string>();
    try {
      for (let repetition = 1; repetition <= settings.repetitions; repetition++) {
        const shift = (repetition - 1) % scanners.length;
        const order = [...scanners.slice(shift), ...scanners.slice(0, shift)];

        for (const scanner of order.filter((candidate) => !slow.has(candidate.name))) {
          await waitForPort(server.address, server.port, Date.now() + 5_000).catch(() => {
            throw new Error(`${serverName} stopped accepting connections:\n${server.output()}`);
          });
          await settle(proxy);
          proxy.reset();

          const workDir = mkdtempSync(join(workRoot, `${scanner.name}-`));
          const target = { address: proxy.address, port: proxy.port };
          const { measurement, problem, coverage } = await scanner.run(target, workDir);
          await settle(proxy);
          const counted = proxy.stats();
          rmSync(workDir, { recursive: true, force: true });

          const record: RunRecord = {
            scanner: scanner.name,
            server: serverName,
            rttMs,
            repetition,
            wallMs: measurement.wallMs,
            peakRssKb: measurement.peakRssKb,
            cpuMs: measurement.cpuMs,
            connections: counted.connections,
            peakOpen: counted.peakOpen,
            problem,
            coverage,
          };
          records.push(record);
          if (scanner.name !== OUR_SCANNER && record.wallMs > settings.slowAfterMs) {
            slow.add(scanner.name);
          }
          log(
            `  ${serverName} ${rttMs} ms #${repetition} ${scanner.name}: ` +
              `${(record.wallMs / 1000).toFixed(2)} s, ${record.connections} connections, ` +
              `${record.peakOpen} at once, ${(record.peakRssKb / 1024).toFixed(0)} MB, ` +
              `${(record.cpuMs / 1000).toFixed(1)} s CPU` +
              (problem ? ` [${problem}]` : ''),
          );
        }
      }
    } finally {
      await proxy.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Start-up and fleet

async function measureStartup(
  ours: OurScanner,
  repetitions: number,
  workRoot: string,
  timeoutMs: number,
): Promise<StartupCost> {
  const walls: number[] = [];
  const memories: number[] = [];
  for (let i = 0; i < Math.max(3, repetitions); i++) {
    const { measurement } = await runOurScan(
      ours,
      { endpoints: [], noop: true },
      workRoot,
      timeoutMs,
    );
    walls.push(measurement.wallMs);
    memories.push(measurement.peakRssKb);
  }
  return { runner: ours.runner, medianWallMs: median(walls), medianPeakRssKb: median(memories) };
}

async function runFleet(
  ours: OurScanner,
  pki: BenchPki,
  settings: Settings,
  workRoot: string,
): Promise<FleetResult> {
  const fleet = await startFleet(
    pki,
    settings.fleetSize,
    settings.fleetInstances,
    settings.fleetKey,
  );
  const runs: FleetRun[] = [];
  let concurrency: number | null = null;
  try {
    for (let repetition = 1; repetition <= settings.repetitions; repetition++) {
      const job: ScanJob = {
        endpoints: fleet.endpoints,
        caPemFile: pki.rootFile,
        concurrency: settings.fleetConcurrency ?? undefined,
      };
      const { measurement, output, problem } = await runOurScan(
        ours,
        job,
        workRoot,
        settings.timeoutMs,
      );
      const run: FleetRun = {
        wallMs: measurement.wallMs,
        scanMs: output?.scanMs ?? Number.NaN,
        peakRssKb: measurement.peakRssKb,
        cpuMs: measurement.cpuMs,
        scanned: output?.endpoints.filter((e) => e.status === 'scanned').length ?? 0,
        connections: output?.endpoints.reduce((sum, e) => sum + e.connections, 0) ?? 0,
        problem,
      };
      runs.push(run);
      concurrency = output?.concurrency ?? concurrency;
      log(
        `  fleet #${repetition}: ${(run.wallMs / 1000).toFixed(2)} s, ${run.scanned} scanned, ` +
          `${(run.peakRssKb / 1024).toFixed(0)} MB, ${(run.cpuMs / 1000).toFixed(1)} s CPU` +
          (problem ? ` [${problem}]` : ''),
      );
    }
  } finally {
    await fleet.stop();
  }

  const medianWallMs = median(runs.map((run) => run.wallMs));
  return {
    endpoints: fleet.endpoints.length,
    servers: fleet.description,
    concurrency,
    runs,
    medianWallMs,
    endpointsPerSecond: fleet.endpoints.length / (medianWallMs / 1000),
    maxPeakRssKb: Math.max(...runs.map((run) => run.peakRssKb)),
  };
}

// ---------------------------------------------------------------------------------------------

function machineInfo(loadBefore: number): BenchResults['machine'] {
  let openssl = 'openssl unknown';
  try {
    openssl = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGb: totalmem() / 1024 ** 3,
    os: `${type()} ${release()}`,
    node: process.versions.node,
    openssl,
    loadBefore,
    loadAfter: loadavg()[0],
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv);
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const workRoot = mkdtempSync(join(tmpdir(), 'wtp-bench-'));

  const peers = findPeers().filter((peer) => settings.peers.includes(peer.name));
  for (const peer of peers.filter((p) => !p.binary)) {
    log(`${peer.name} is not installed: left out of the comparison`);
  }

  log('bundling our scan ...');
  const ours = prepareOurScanner(workRoot);
  const pki = await makeBenchPki();

  const scanners: Scanner[] = [
    ourScanner(ours, pki, settings.timeoutMs),
    ...peers.filter((peer) => peer.binary).map((peer) => peerScanner(peer, settings.timeoutMs)),
  ];
  const scannerInfo: ScannerInfo[] = [
    {
      name: OUR_SCANNER,
      version: 'this checkout',
      command: 'scanEndpoints with DEFAULT_SCAN_OPTIONS (bench/scan-child.ts)',
      installed: true,
    },
    ...peers.map((peer) => ({
      name: peer.name,
      version: peer.version,
      command: peer.equivalent,
      installed: peer.binary !== null,
    })),
  ];

  const results: BenchResults = {
    machine: machineInfo(loadBefore),
    scanners: scannerInfo,
    servers: [],
    rttsMs: settings.rttsMs,
    repetitions: settings.repetitions,
    slowAfterMs: Number.isFinite(settings.slowAfterMs) ? settings.slowAfterMs : null,
    perHostConcurrency: null,
    startup: null,
    runs: [],
    fleet: null,
    durationMs: 0,
  };

  try {
    log('measuring start-up ...');
    results.startup = await measureStartup(
      ours,
      settings.repetitions,
      workRoot,
      settings.timeoutMs,
    );

    for (const definition of BENCH_SERVERS.filter((s) => settings.servers.includes(s.name))) {
      if (!hasBinary(definition.binary)) {
        log(`${definition.binary} is not installed: server ${definition.name} left out`);
        continue;
      }
      log(`${definition.name}: ${definition.description}`);
      const info = { name: definition.name, description: definition.description };
      results.servers.push(info);

      // A server that fails to start or dies mid-way ends its own comparison, not the others'.
      let server: RunningServer | null = null;
      try {
        server = await definition.start(pki);
        await compareOn(definition.name, server, scanners, settings, workRoot, results.runs);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        log(`${definition.name}: ${reason}`);
        info.description += ` **Comparison cut short: ${reason}**`;
      } finally {
        await server?.stop();
      }
    }

    if (settings.fleetSize > 0 && hasBinary('nginx')) {
      log(`fleet of ${settings.fleetSize} endpoints ...`);
      results.fleet = await runFleet(ours, pki, settings, workRoot);
    }

    results.perHostConcurrency = await ourConcurrency(ours, workRoot, settings.timeoutMs);
  } finally {
    pki.dir.remove();
    rmSync(workRoot, { recursive: true, force: true });
  }

  results.machine.loadAfter = loadavg()[0];
  results.durationMs = performance.now() - started;
  publish(results, settings);
}

/** The per-host concurrency our scan ran with, as the child reports its options. */
async function ourConcurrency(
  ours: OurScanner,
  workRoot: string,
  timeoutMs: number,
): Promise<number | null> {
  const { output } = await runOurScan(ours, { endpoints: [], noop: true }, workRoot, timeoutMs);
  return output?.perHostConcurrency ?? null;
}

function publish(results: BenchResults, settings: Settings): void {
  const chartFile = join(dirname(settings.output), 'benchmarks', 'wall-time.svg');
  const markdown = renderMarkdown(results, relative(dirname(settings.output), chartFile));

  if (settings.write) {
    mkdirSync(dirname(chartFile), { recursive: true });
    writeFileSync(settings.output, markdown);
    writeFileSync(chartFile, renderChart(results));
    writeFileSync(
      join(dirname(chartFile), 'results.json'),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    log(`wrote ${relative(ROOT, settings.output)} and ${relative(ROOT, dirname(chartFile))}/`);
  }

  process.stdout.write(markdown);

  const missed = checkTargets(results).filter(
    (target) =>
      (target.ratioToFastest !== null && target.ratioToFastest > 0.5) ||
      target.fewerConnections === false ||
      target.withinConcurrency === false,
  );
  if (missed.length > 0) {
    log(`targets missed on ${missed.length} server and round-trip time pair(s)`);
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
