// The benchmark's arithmetic and rendering: medians, summaries per scanner, server and RTT, the
// targets checked against them, and the page and chart made from them.

import { describe, expect, it } from 'vitest';
import { renderChart, renderMarkdown } from '../../bench/render.js';
import {
  type BenchResults,
  checkTargets,
  median,
  OUR_SCANNER,
  type RunRecord,
  summarise,
} from '../../bench/results.js';

const FULL_COVERAGE = {
  versions: true,
  suites: true,
  preference: true,
  groups: true,
  certificate: true,
  sni: true,
};

function run(scanner: string, wallMs: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    scanner,
    server: 'openssl',
    rttMs: 0,
    repetition: 1,
    wallMs,
    peakRssKb: 10_240,
    cpuMs: 100,
    connections: 50,
    peakOpen: 4,
    problem: null,
    ...extra,
  };
}

function results(runs: RunRecord[], overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGb: 4,
      os: 'Linux test',
      node: '20.0.0',
      openssl: 'OpenSSL 3.0',
      loadBefore: 0.5,
      loadAfter: 0.7,
      date: '2026-01-01 00:00 UTC',
    },
    scanners: [
      { name: OUR_SCANNER, version: 'this checkout', command: 'scan', installed: true },
      { name: 'sslscan', version: '2.0', command: 'sslscan', installed: true },
      { name: 'nmap', version: '7.9', command: 'nmap', installed: true },
      { name: 'testssl.sh', version: '', command: 'testssl', installed: false },
    ],
    servers: [{ name: 'openssl', description: 'openssl s_server' }],
    rttsMs: [0],
    repetitions: 3,
    slowAfterMs: 20_000,
    perHostConcurrency: 4,
    startup: { runner: 'bundle', medianWallMs: 80, medianPeakRssKb: 40_000 },
    runs,
    fleet: null,
    durationMs: 60_000,
    ...overrides,
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarise', () => {
  it('groups runs per scanner, server and RTT, leaving failed runs out of the medians', () => {
    const cells = summarise([
      run(OUR_SCANNER, 900),
      run(OUR_SCANNER, 1_100, { repetition: 2, peakOpen: 3 }),
      run(OUR_SCANNER, 100, { repetition: 3, problem: 'timed out', peakOpen: 6 }),
      run('nmap', 3_000, { rttMs: 50 }),
    ]);

    expect(cells).toHaveLength(2);
    const ours = cells.find((cell) => cell.scanner === OUR_SCANNER)!;
    expect(ours.runs).toBe(3);
    expect(ours.failed).toBe(1);
    expect(ours.medianWallMs).toBe(1_000);
    // A failed run still opened its connections: the most at once counts every run.
    expect(ours.maxPeakOpen).toBe(6);
  });
});

describe('checkTargets', () => {
  it("compares with the fastest peer and with every peer's connections", () => {
    const [target] = checkTargets(
      results([
        run(OUR_SCANNER, 1_000, { connections: 40, coverage: FULL_COVERAGE }),
        run('sslscan', 3_000, { connections: 100, peakOpen: 3 }),
        run('nmap', 2_500, { connections: 45, peakOpen: 6 }),
      ]),
    );

    expect(target.fastestPeer).toBe('nmap');
    expect(target.ratioToFastest).toBeCloseTo(0.4);
    expect(target.fewerConnections).toBe(true);
    expect(target.withinConcurrency).toBe(true);
    expect(target.coverage).toBe(true);
  });

  it('reports a miss: more connections than one peer, over the concurrency, missing groups', () => {
    const [target] = checkTargets(
      results([
        run(OUR_SCANNER, 1_000, {
          connections: 60,
          peakOpen: 5,
          coverage: { ...FULL_COVERAGE, groups: false },
        }),
        run('sslscan', 1_500, { connections: 100 }),
        run('nmap', 2_500, { connections: 45 }),
      ]),
    );

    expect(target.ratioToFastest).toBeCloseTo(1_000 / 1_500);
    expect(target.fewerConnections).toBe(false);
    expect(target.withinConcurrency).toBe(false);
    expect(target.coverage).toBe(false);
  });

  it('says nothing can be compared when our scan failed every time', () => {
    const [target] = checkTargets(
      results([run(OUR_SCANNER, 50, { problem: 'no result' }), run('nmap', 2_500)]),
    );

    expect(target.ratioToFastest).toBeNull();
    expect(target.fewerConnections).toBeNull();
  });
});

describe('rendering', () => {
  const sample = results([
    run(OUR_SCANNER, 1_000, { connections: 40, coverage: FULL_COVERAGE }),
    run('sslscan', 3_000, { connections: 100 }),
    run('nmap', 2_500, { connections: 45 }),
  ]);

  it('writes a table row per scanner with the ratio, and says which peer is missing', () => {
    const page = renderMarkdown(sample, 'benchmarks/wall-time.svg');

    expect(page).toContain('| 0 ms | nmap | 2.50 s | 0.40 | 45 | 4 | 10 MB | 0.10 s | 1 |');
    expect(page).toContain('| 0 ms | testssl.sh | not installed |');
    expect(page).toContain('| openssl | 0 ms | yes 0.40 (nmap) | yes | yes | yes |');
    expect(page).toContain('![Median wall time');
  });

  it('says how much of a missed time target our start-up takes, and nothing when met', () => {
    const missed = results(
      [
        run(OUR_SCANNER, 340, { connections: 40, coverage: FULL_COVERAGE }),
        run('sslscan', 600, { connections: 100 }),
      ],
      { startup: { runner: 'bundled', medianWallMs: 150, medianPeakRssKb: 50_000 } },
    );
    const page = renderMarkdown(missed, 'chart.svg');

    expect(page).toContain('| openssl | 0 ms | NO 0.57 (sslscan) |');
    expect(page).toContain(
      "- openssl, 0 ms: half of sslscan's 0.60 s is 0.30 s; starting our scanner alone takes " +
        '0.15 s (the no-scan run below), which leaves 0.15 s for a scan that took 0.19 s.',
    );
    expect(renderMarkdown(sample, 'chart.svg')).not.toContain('Where a time target is missed');

    const slowStart = { ...missed, startup: { ...missed.startup!, medianWallMs: 320 } };
    expect(renderMarkdown(slowStart, 'chart.svg')).toContain(
      'starting our scanner alone takes 0.32 s (the no-scan run below), more than the time ' +
        'allowed; the scan itself took 0.02 s.',
    );
  });

  it('draws one bar per scanner that ran, each longer the slower the scanner', () => {
    const svg = renderChart(sample);
    const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );

    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(widths).toHaveLength(3);
    expect(widths[0]).toBeLessThan(widths[2]);
    expect(widths[2]).toBeLessThan(widths[1]);
  });
});
