// Renders the benchmark's results: the markdown page docs/benchmarks.md (machine, scanners,
// one table per server, the targets, the fleet, the method) and a plain SVG bar chart of the
// median wall times. The SVG is written by hand: a few rectangles and labels need no library.

import {
  type BenchResults,
  type CellSummary,
  checkTargets,
  OUR_SCANNER,
  summarise,
  type TargetCheck,
} from './results.js';

/** The markdown page; `chartPath` is the chart's path relative to the page. */
export function renderMarkdown(results: BenchResults, chartPath: string): string {
  const cells = summarise(results.runs);
  const targets = checkTargets(results);
  const lines: string[] = [];

  lines.push('# Benchmarks');
  lines.push('');
  lines.push(
    'Speed and gentleness of a full scan of one endpoint, side by side with sslscan, nmap and ' +
      'testssl.sh, measured in one run on one machine. Regenerate this page with ' +
      '`npm run bench` (about ten minutes; `npm run bench -- --quick` for one repetition).',
  );
  lines.push('');
  lines.push(`![Median wall time per scanner, server and round-trip time](${chartPath})`);
  lines.push('');

  lines.push(...renderTargets(results, targets));
  lines.push(...renderServerTables(results, cells));
  lines.push(...renderFleet(results));
  lines.push(...renderScanners(results));
  lines.push(...renderMachine(results));
  lines.push(...renderMethod(results));
  lines.push(...renderUsage());

  return `${lines.join('\n')}\n`;
}

function renderTargets(results: BenchResults, targets: TargetCheck[]): string[] {
  const lines = ['## Targets', ''];
  lines.push(
    'Against every peer, on every server and round-trip time: at most half the wall time of ' +
      'the fastest peer, fewer connections than each peer, never more connections open at ' +
      `once than the per-host concurrency (${results.perHostConcurrency ?? 'unknown'}), while ` +
      'reporting preference order, groups, certificate and SNI behaviour.',
  );
  lines.push('');
  lines.push(
    '| server | RTT | our time / fastest peer | fewer connections | within concurrency | ' +
      'preference, groups, certificate, SNI |',
  );
  lines.push('| --- | --: | --- | --- | --- | --- |');
  for (const target of targets) {
    const ratio =
      target.ratioToFastest === null
        ? 'n/a'
        : `${mark(target.ratioToFastest <= 0.5)} ${target.ratioToFastest.toFixed(2)} ` +
          `(${target.fastestPeer})`;
    lines.push(
      `| ${target.server} | ${target.rttMs} ms | ${ratio} | ${markOrNa(target.fewerConnections)} ` +
        `| ${markOrNa(target.withinConcurrency)} | ${markOrNa(target.coverage)} |`,
    );
  }
  lines.push('');
  lines.push(...renderMissedTimes(results, targets));

  if (results.fleet) {
    const fleet = results.fleet;
    const seconds = fleet.medianWallMs / 1000;
    const memoryMb = fleet.maxPeakRssKb / 1024;
    lines.push(
      `Fleet of ${fleet.endpoints} endpoints: ${mark(seconds < 20)} ${seconds.toFixed(1)} s ` +
        `(target under 20 s), ${mark(memoryMb < 150)} ${memoryMb.toFixed(0)} MB peak memory ` +
        '(target under 150 MB).',
    );
    lines.push('');
  }
  return lines;
}

/**
 * For each missed time target, how much of the time allowed our start-up alone takes: at 0 ms
 * a scan is bound by CPU, and starting Node with the X.509 library is a fixed cost a scanner
 * written in C does not pay.
 */
function renderMissedTimes(results: BenchResults, targets: TargetCheck[]): string[] {
  const startup = results.startup;
  const cells = summarise(results.runs);
  const wallMs = (scanner: string | null, target: TargetCheck) =>
    cells.find(
      (cell) =>
        cell.scanner === scanner && cell.server === target.server && cell.rttMs === target.rttMs,
    )?.medianWallMs;

  const lines: string[] = [];
  for (const target of targets) {
    const ours = wallMs(OUR_SCANNER, target);
    const fastest = wallMs(target.fastestPeer, target);
    if (!startup || target.ratioToFastest === null || target.ratioToFastest <= 0.5) continue;
    if (ours === undefined || fastest === undefined) continue;

    const allowed = fastest / 2;
    const left = allowed - startup.medianWallMs;
    const rest =
      left > 0
        ? `which leaves ${formatSeconds(left)} for a scan that took `
        : 'more than the time allowed; the scan itself took ';
    lines.push(
      `- ${target.server}, ${target.rttMs} ms: half of ${target.fastestPeer}'s ` +
        `${formatSeconds(fastest)} is ${formatSeconds(allowed)}; starting our scanner alone ` +
        `takes ${formatSeconds(startup.medianWallMs)} (the no-scan run below), ${rest}` +
        `${formatSeconds(ours - startup.medianWallMs)}.`,
    );
  }
  if (lines.length === 0) {
    return [];
  }
  return [
    'Where a time target is missed, how much of the time allowed start-up takes:',
    '',
    ...lines,
    '',
    'Start-up is the X.509 library running its schema set-up, not Node compiling it: on Node 20 ' +
      'neither a V8 start-up snapshot holding the library (`node --build-snapshot`) nor a V8 code ' +
      'cache of the bundle started it faster. This stays open until a runtime or a target lets ' +
      'it close.',
    '',
  ];
}

function renderServerTables(results: BenchResults, cells: CellSummary[]): string[] {
  const lines = ['## Per server', ''];
  lines.push(
    'Medians over the repetitions; "open at once" is the most in any repetition. ' +
      '"Ours / theirs" is our median wall time over that scanner\'s: below 1 we are faster. ' +
      'CPU time is user and system time of the scanner and the processes it started.',
  );
  lines.push('');

  for (const server of results.servers) {
    lines.push(`### ${server.name}`);
    lines.push('');
    lines.push(server.description);
    lines.push('');
    lines.push(
      '| RTT | scanner | wall time | ours / theirs | connections | open at once | peak memory ' +
        '| CPU time | runs |',
    );
    lines.push('| --: | --- | --: | --: | --: | --: | --: | --: | --- |');

    for (const rttMs of results.rttsMs) {
      const here = cells.filter((cell) => cell.server === server.name && cell.rttMs === rttMs);
      const ours = here.find((cell) => cell.scanner === OUR_SCANNER);
      for (const scanner of results.scanners) {
        const cell = here.find((candidate) => candidate.scanner === scanner.name);
        if (!scanner.installed) {
          lines.push(`| ${rttMs} ms | ${scanner.name} | not installed | | | | | | |`);
          continue;
        }
        if (!cell) {
          continue;
        }
        const ratio =
          scanner.name === OUR_SCANNER || !ours
            ? ''
            : formatRatio(ours.medianWallMs / cell.medianWallMs);
        const runs = cell.failed > 0 ? `${cell.runs} (${cell.failed} failed)` : `${cell.runs}`;
        lines.push(
          `| ${rttMs} ms | ${scanner.name} | ${formatSeconds(cell.medianWallMs)} | ${ratio} | ` +
            `${formatCount(cell.medianConnections)} | ${cell.maxPeakOpen} | ` +
            `${formatMegabytes(cell.medianPeakRssKb)} | ${formatSeconds(cell.medianCpuMs)} | ` +
            `${runs} |`,
        );
      }
    }
    lines.push('');

    const problems = results.runs.filter((run) => run.server === server.name && run.problem);
    for (const run of problems) {
      lines.push(`- ${run.scanner}, ${run.rttMs} ms, repetition ${run.repetition}: ${run.problem}`);
    }
    if (problems.length > 0) {
      lines.push('');
    }
  }
  return lines;
}

function renderFleet(results: BenchResults): string[] {
  const fleet = results.fleet;
  if (!fleet) {
    return [];
  }

  const lines = ['## Fleet', ''];
  lines.push(
    `${fleet.endpoints} endpoints (${fleet.servers}) scanned by one process, no added latency, ` +
      `${fleet.concurrency ?? 'an unknown number of'} endpoints at once.`,
  );
  lines.push('');
  lines.push(
    '| run | wall time | scan time | endpoints/s | scanned | connections | peak memory | CPU time |',
  );
  lines.push('| --: | --: | --: | --: | --: | --: | --: | --: |');
  fleet.runs.forEach((run, index) => {
    const rate = run.problem ? run.problem : (fleet.endpoints / (run.wallMs / 1000)).toFixed(1);
    lines.push(
      `| ${index + 1} | ${formatSeconds(run.wallMs)} | ${formatSeconds(run.scanMs)} | ${rate} | ` +
        `${run.scanned} | ${run.connections} | ${formatMegabytes(run.peakRssKb)} | ` +
        `${formatSeconds(run.cpuMs)} |`,
    );
  });
  lines.push('');
  lines.push(
    `Median: ${formatSeconds(fleet.medianWallMs)}, ${fleet.endpointsPerSecond.toFixed(1)} ` +
      `endpoints per second; peak memory at most ${formatMegabytes(fleet.maxPeakRssKb)}.`,
  );
  lines.push('');
  return lines;
}

function renderScanners(results: BenchResults): string[] {
  const lines = ['## Scanners', ''];
  lines.push('| scanner | version | command |');
  lines.push('| --- | --- | --- |');
  for (const scanner of results.scanners) {
    const version = scanner.installed ? scanner.version : 'not installed';
    lines.push(`| ${scanner.name} | ${version} | \`${scanner.command}\` |`);
  }
  lines.push('');
  if (results.startup) {
    lines.push(
      `Our wall times include starting the scanner (${results.startup.runner}): ` +
        `${formatSeconds(results.startup.medianWallMs)} and ` +
        `${formatMegabytes(results.startup.medianPeakRssKb)} for a run that loads everything ` +
        "and scans nothing. The peers' times include their own start-up likewise.",
    );
    lines.push('');
  }
  return lines;
}

function renderMachine(results: BenchResults): string[] {
  const machine = results.machine;
  return [
    '## Machine',
    '',
    `- ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(0)} GB memory`,
    `- ${machine.os}; Node ${machine.node}; ${machine.openssl}`,
    `- load average (1 min) ${machine.loadBefore.toFixed(2)} before the run and ` +
      `${machine.loadAfter.toFixed(2)} after: other work on the machine lengthens every ` +
      "scanner's times",
    `- run on ${machine.date}, ${results.repetitions} repetition(s), ` +
      `${(results.durationMs / 60_000).toFixed(1)} minutes in all`,
    '',
  ];
}

function renderMethod(results: BenchResults): string[] {
  return [
    '## Method',
    '',
    '- Each server listens on loopback behind a latency proxy (bench/proxy.ts) per round-trip ' +
      `time (${results.rttsMs.join(' and ')} ms). The proxy delays each direction by half the ` +
      "round-trip time and holds a client's first bytes until the TCP handshake would have " +
      'finished, so a hello is answered two round trips after connect, as over a real path. ' +
      'It counts every connection a scanner opens and the most it holds open at once.',
    '- Every scanner runs as a child process, ours included, under GNU time; wall time runs ' +
      "from spawn to exit. Peak memory is the larger of GNU time's maximum resident set and " +
      'the peak summed proportional set size of the process tree (testssl.sh is a shell ' +
      'script that starts many helpers).',
    '- The scanners take turns: in each repetition every scanner scans the server once, in an ' +
      'order that rotates between repetitions, so a slow spell of the machine does not fall ' +
      'on one scanner only.' +
      (results.slowAfterMs === null
        ? ''
        : ` A peer whose run took longer than ${results.slowAfterMs / 1000} s was not ` +
          'repeated on that server and round-trip time (the "runs" column says how often each ' +
          "ran): repeating it would double the benchmark's length, and a tenfold difference " +
          'needs no median to show.'),
    "- Our scan is the engine's scanEndpoints with its default options (bench/scan-child.ts), " +
      "trusting the benchmark's private root, as a sender trusting the server would.",
    '- The fleet is one nginx listening on many ports, scanned in one process.',
    '',
  ];
}

function renderUsage(): string[] {
  return [
    '## Running it',
    '',
    '```sh',
    'npm run bench                      # 3 repetitions, RTT 0 and 50 ms, fleet of 200',
    'npm run bench -- --quick           # 1 repetition',
    'npm run bench -- --rtt 0,20,100 --servers openssl,nginx --peers nmap --fleet-size 0',
    '```',
    '',
    'Further options: `--repetitions N`, `--slow-after SECONDS` (0 repeats every peer), ' +
      '`--timeout SECONDS` per run, `--fleet-size N`, `--fleet-concurrency N`, ' +
      '`--fleet-key ecdsa|rsa`, `--fleet-instances N`, `--output FILE`, `--no-write` ' +
      '(print only). It needs `openssl`, `gnutls-serv` and `nginx` for the servers; a peer ' +
      'or server that is not installed is left out and said so. The raw figures of the last ' +
      'run are in [benchmarks/results.json](benchmarks/results.json).',
    '',
  ];
}

/** A horizontal bar chart of median wall times on a logarithmic scale, as SVG text. */
export function renderChart(results: BenchResults): string {
  const cells = summarise(results.runs).filter((cell) => Number.isFinite(cell.medianWallMs));
  const scanners = results.scanners.filter((scanner) => scanner.installed).map((s) => s.name);
  const colours = ['#1b7f3b', '#3b6fb6', '#c77c11', '#8a3fb0', '#777777'];

  const rowHeight = 16;
  const groupGap = 14;
  const labelWidth = 150;
  const plotWidth = 520;
  const top = 44;
  const minMs = 100;
  const maxMs = Math.max(1000, ...cells.map((cell) => cell.medianWallMs)) * 1.2;
  const x = (ms: number) =>
    labelWidth +
    (plotWidth * (Math.log10(Math.max(ms, minMs)) - Math.log10(minMs))) /
      (Math.log10(maxMs) - Math.log10(minMs));

  const parts: string[] = [];
  let y = top;
  for (const server of results.servers) {
    for (const rttMs of results.rttsMs) {
      parts.push(text(8, y + 12, `${server.name}, ${rttMs} ms RTT`, { weight: 'bold' }));
      y += rowHeight;
      for (const [index, scanner] of scanners.entries()) {
        const cell = cells.find(
          (c) => c.server === server.name && c.rttMs === rttMs && c.scanner === scanner,
        );
        const barY = y + index * rowHeight;
        parts.push(text(labelWidth - 6, barY + rowHeight - 4, scanner, { anchor: 'end' }));
        if (cell) {
          const width = Math.max(1, x(cell.medianWallMs) - labelWidth);
          parts.push(
            `<rect x="${labelWidth}" y="${barY + 2}" width="${width.toFixed(1)}" ` +
              `height="${rowHeight - 4}" fill="${colours[index % colours.length]}"/>`,
          );
          parts.push(
            text(labelWidth + width + 4, barY + rowHeight - 4, formatSeconds(cell.medianWallMs)),
          );
        }
      }
      y += scanners.length * rowHeight + groupGap;
    }
  }

  const height = y + 10;
  const ticks: string[] = [];
  for (let ms = minMs; ms <= maxMs; ms *= 10) {
    const tickX = x(ms).toFixed(1);
    ticks.push(
      `<line x1="${tickX}" y1="${top - 6}" x2="${tickX}" y2="${y}" stroke="#dddddd"/>`,
      text(Number(tickX), top - 10, formatSeconds(ms), { anchor: 'middle' }),
    );
  }

  const width = labelWidth + plotWidth + 80;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(8, 16, 'Median wall time of a full scan (logarithmic scale)', { weight: 'bold' }),
    ...ticks,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function text(
  x: number,
  y: number,
  content: string,
  style: { weight?: 'bold'; anchor?: 'end' | 'middle' } = {},
): string {
  const escaped = content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const bold = style.weight ? ` font-weight="${style.weight}"` : '';
  const anchor = style.anchor ? ` text-anchor="${style.anchor}"` : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${bold}${anchor}>${escaped}</text>`;
}

function mark(ok: boolean): string {
  return ok ? 'yes' : 'NO';
}

function markOrNa(ok: boolean | null): string {
  return ok === null ? 'n/a' : mark(ok);
}

export function formatSeconds(ms: number): string {
  if (!Number.isFinite(ms)) {
    return 'n/a';
  }
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function formatMegabytes(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a';
}

function formatCount(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value)) : 'n/a';
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a';
}
