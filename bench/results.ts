// The benchmark's measurements as data, and the summaries the tables are made of: medians per
// scanner, server and round-trip time, our time as a ratio of each peer's, and the targets met
// or missed. Kept apart from the rendering so the JSON file and the page say the same thing.

import type { EndpointScan } from '../src/model.js';

export const OUR_SCANNER = 'webhook-tls-probe';

// --- What bench/scan-child.ts reads and prints ---

export interface ScanJob {
  endpoints: string[];
  /** A PEM file of trust anchors the local servers' certificates chain to. */
  caPemFile?: string;
  /** Where to write the full scans as JSON; left out, they are only summarised. */
  resultsFile?: string;
  noop?: boolean;
  /** Endpoints scanned at once, when not the engine's default. */
  concurrency?: number;
}

/** What the scan of one endpoint covered: the parts of a full scan that came back filled in. */
export interface ScanCoverage {
  versions: boolean;
  suites: boolean;
  preference: boolean;
  groups: boolean;
  certificate: boolean;
  sni: boolean;
}

export interface EndpointSummary {
  input: string;
  status: EndpointScan['status'];
  notScanned?: string;
  connections: number;
  coverage: ScanCoverage;
}

export interface ScanChildOutput {
  scanMs: number;
  perHostConcurrency: number;
  concurrency: number;
  endpoints: EndpointSummary[];
}

// --- Measurements ---

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  openssl: string;
  /** One-minute load average before and after the run: other work on the machine skews times. */
  loadBefore: number;
  loadAfter: number;
  date: string;
}

export interface ScannerInfo {
  name: string;
  version: string;
  command: string;
  installed: boolean;
}

export interface ServerInfo {
  name: string;
  description: string;
}

/** One scanner's scan of one server at one round-trip time. */
export interface RunRecord {
  scanner: string;
  server: string;
  rttMs: number;
  repetition: number;
  wallMs: number;
  peakRssKb: number;
  /** User and system CPU time, children included. */
  cpuMs: number;
  /** Counted by the latency proxy. */
  connections: number;
  peakOpen: number;
  /** Null for a finished scan; otherwise what went wrong (timeout, exit status, output). */
  problem: string | null;
  /** Our scan only: which parts of a full scan it reported. */
  coverage?: ScanCoverage;
}

export interface CellSummary {
  scanner: string;
  server: string;
  rttMs: number;
  runs: number;
  failed: number;
  medianWallMs: number;
  medianConnections: number;
  /** The most connections open at once in any repetition. */
  maxPeakOpen: number;
  medianPeakRssKb: number;
  medianCpuMs: number;
  coverage?: ScanCoverage;
}

export interface FleetRun {
  wallMs: number;
  scanMs: number;
  peakRssKb: number;
  cpuMs: number;
  scanned: number;
  connections: number;
  problem: string | null;
}

export interface FleetResult {
  endpoints: number;
  servers: string;
  /** Endpoints scanned at once, as the scan reported it. */
  concurrency: number | null;
  runs: FleetRun[];
  medianWallMs: number;
  endpointsPerSecond: number;
  maxPeakRssKb: number;
}

export interface StartupCost {
  runner: string;
  medianWallMs: number;
  medianPeakRssKb: number;
}

export interface BenchResults {
  machine: MachineInfo;
  scanners: ScannerInfo[];
  servers: ServerInfo[];
  rttsMs: number[];
  repetitions: number;
  /** Peers slower than this ran once per server and RTT; null when every peer was repeated. */
  slowAfterMs: number | null;
  perHostConcurrency: number | null;
  startup: StartupCost | null;
  runs: RunRecord[];
  fleet: FleetResult | null;
  durationMs: number;
}

export function median(values: number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Summaries of the finished runs, one per scanner, server and round-trip time. */
export function summarise(runs: RunRecord[]): CellSummary[] {
  const cells = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = `${run.server}\u0000${run.rttMs}\u0000${run.scanner}`;
    cells.set(key, [...(cells.get(key) ?? []), run]);
  }

  return [...cells.values()].map((records) => {
    const finished = records.filter((run) => run.problem === null);
    const first = records[0];
    return {
      scanner: first.scanner,
      server: first.server,
      rttMs: first.rttMs,
      runs: records.length,
      failed: records.length - finished.length,
      medianWallMs: median(finished.map((run) => run.wallMs)),
      medianConnections: median(finished.map((run) => run.connections)),
      maxPeakOpen: Math.max(0, ...records.map((run) => run.peakOpen)),
      medianPeakRssKb: median(finished.map((run) => run.peakRssKb)),
      medianCpuMs: median(finished.map((run) => run.cpuMs)),
      coverage: finished.find((run) => run.coverage)?.coverage,
    };
  });
}

export interface TargetCheck {
  server: string;
  rttMs: number;
  /** Our median time over the fastest peer's; the target is at most 0.5. */
  ratioToFastest: number | null;
  fastestPeer: string | null;
  fewerConnections: boolean | null;
  withinConcurrency: boolean | null;
  coverage: boolean | null;
}

/** The targets, per server and round-trip time; null where nothing could be compared. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const cells = summarise(results.runs);
  const checks: TargetCheck[] = [];

  for (const server of results.servers) {
    for (const rttMs of results.rttsMs) {
      const here = cells.filter((cell) => cell.server === server.name && cell.rttMs === rttMs);
      const ours = here.find((cell) => cell.scanner === OUR_SCANNER);
      const peers = here.filter(
        (cell) => cell.scanner !== OUR_SCANNER && Number.isFinite(cell.medianWallMs),
      );
      const fastest = [...peers].sort((a, b) => a.medianWallMs - b.medianWallMs)[0];
      const oursFinished = ours !== undefined && Number.isFinite(ours.medianWallMs);

      checks.push({
        server: server.name,
        rttMs,
        ratioToFastest: oursFinished && fastest ? ours.medianWallMs / fastest.medianWallMs : null,
        fastestPeer: fastest?.scanner ?? null,
        fewerConnections:
          oursFinished && peers.length > 0
            ? peers.every((peer) => ours.medianConnections < peer.medianConnections)
            : null,
        withinConcurrency:
          ours && results.perHostConcurrency !== null
            ? ours.maxPeakOpen <= results.perHostConcurrency
            : null,
        coverage: ours?.coverage
          ? ours.coverage.preference &&
            ours.coverage.groups &&
            ours.coverage.certificate &&
            ours.coverage.sni
          : null,
      });
    }
  }
  return checks;
}
