// Runs one scanner as a child process and measures it the same way whoever wrote it: wall time
// from spawn to exit, and peak memory. Peak memory is the larger of two readings: GNU time's
// maximum resident set (exact, but of the largest single process only) and the peak of the
// proportional set sizes of the whole process tree summed, sampled from /proc (it sees a shell
// script and its helpers together, but may miss a peak shorter than the sampling interval). The
// interval is coarse on purpose: reading /proc costs CPU the scanners would otherwise have, on a
// machine with two cores.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const GNU_TIME = '/usr/bin/time';
const SAMPLE_INTERVAL_MS = 200;
const OUTPUT_LIMIT_BYTES = 8 * 1024 * 1024;

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Measurement {
  wallMs: number;
  /** Peak resident memory in KiB (see the module comment); 0 when nothing could be read. */
  peakRssKb: number;
  /** User and system CPU time of the process and its children; NaN without GNU time. */
  cpuMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

let runCounter = 0;

/** Runs `command` with `args` to completion and measures it. Never rejects for a failed run. */
export async function runMeasured(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<Measurement> {
  const useGnuTime = existsSync(GNU_TIME);
  runCounter += 1;
  const timeFile = join(tmpdir(), `wtp-bench-time-${process.pid}-${runCounter}.txt`);
  const [file, argv] = useGnuTime
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]]
    : [command, args];

  const started = performance.now();
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });

  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);

  // GNU time itself is a small process that only waits; it is not the scanner's memory.
  const rootPid = child.pid ?? -1;
  let treePeakKb = 0;
  const sampler = setInterval(() => {
    treePeakKb = Math.max(treePeakKb, treeMemoryKb(rootPid, useGnuTime));
  }, SAMPLE_INTERVAL_MS);

  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    killGroup(rootPid);
  }, options.timeoutMs);

  const { exitCode, signal } = await new Promise<{
    exitCode: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) => {
    child.once('error', () => resolve({ exitCode: null, signal: null }));
    child.once('exit', (code, sig) => resolve({ exitCode: code, signal: sig }));
  });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  clearTimeout(killer);

  // Helpers a scanner left behind would skew the next run's counts.
  killGroup(rootPid);

  const gnuTime = useGnuTime ? readGnuTime(timeFile) : { maxRssKb: 0, cpuMs: Number.NaN };
  rmSync(timeFile, { force: true });

  return {
    wallMs,
    peakRssKb: Math.max(gnuTime.maxRssKb, treePeakKb),
    cpuMs: gnuTime.cpuMs,
    exitCode,
    signal,
    timedOut,
    stdout: await stdout,
    stderr: await stderr,
  };
}

function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  return new Promise((resolve) => {
    if (!stream) {
      resolve('');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size < OUTPUT_LIMIT_BYTES) {
        chunks.push(chunk);
        size += chunk.length;
      }
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function killGroup(pid: number): void {
  if (pid <= 0) {
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

// GNU time writes "Command exited with non-zero status N" before the figures when the command
// fails, so the figures are the last line: maximum resident set in KiB, user and system seconds.
function readGnuTime(path: string): { maxRssKb: number; cpuMs: number } {
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const [maxRss, user, system] = lines[lines.length - 1].split(' ').map(Number);
    return {
      maxRssKb: Number.isFinite(maxRss) ? maxRss : 0,
      cpuMs: (user + system) * 1000,
    };
  } catch {
    return { maxRssKb: 0, cpuMs: Number.NaN };
  }
}

/**
 * The memory of `rootPid` and all its descendants, in KiB: the sum of their proportional set
 * sizes (PSS), which shares the pages forked processes have in common among them instead of
 * counting them once per process, as a sum of resident sets would.
 */
export function treeMemoryKb(rootPid: number, skipRoot = false): number {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }

  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) {
      continue;
    }
    const parent = parentPid(pid);
    if (parent !== null) {
      const siblings = children.get(parent) ?? [];
      siblings.push(pid);
      children.set(parent, siblings);
    }
  }

  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (pid !== rootPid || !skipRoot) {
      total += proportionalKb(pid);
    }
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

// /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so the
// fields are counted from the last closing parenthesis.
function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

function proportionalKb(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
