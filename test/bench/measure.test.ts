// Measuring a scanner as a child process: the wall time, the peak memory of the process and of a
// tree of processes (testssl.sh is a shell script with helpers), and the limit on a run.

import { describe, expect, it } from 'vitest';
import { runMeasured } from '../../bench/measure.js';

const MB = 1024;

// Holds `megabytes` of touched memory for `ms`, then exits.
function holder(megabytes: number, ms: number): string[] {
  return ['-e', `const b = Buffer.alloc(${megabytes} * 1048576, 1); setTimeout(() => {}, ${ms});`];
}

describe('runMeasured', () => {
  it('measures the wall time and peak memory of one process', async () => {
    const measured = await runMeasured(process.execPath, holder(120, 400), { timeoutMs: 20_000 });

    expect(measured.exitCode).toBe(0);
    expect(measured.timedOut).toBe(false);
    expect(measured.wallMs).toBeGreaterThanOrEqual(400);
    expect(measured.peakRssKb).toBeGreaterThan(120 * MB);
    expect(measured.peakRssKb).toBeLessThan(400 * MB);
  });

  it('adds up a process tree whose processes hold memory at the same time', async () => {
    const child = `"${process.execPath}" ${holder(80, 1_500)
      .map((arg) => `'${arg}'`)
      .join(' ')}`;
    const measured = await runMeasured('bash', ['-c', `${child} & ${child} & wait`], {
      timeoutMs: 20_000,
    });

    expect(measured.exitCode).toBe(0);
    // Each process alone holds a little over 80 MB; only the tree holds over 160 MB.
    expect(measured.peakRssKb).toBeGreaterThan(160 * MB);
  });

  it('stops a run at its limit, with every process it started', async () => {
    const measured = await runMeasured('bash', ['-c', 'sleep 30 & sleep 30; wait'], {
      timeoutMs: 300,
    });

    expect(measured.timedOut).toBe(true);
    expect(measured.wallMs).toBeLessThan(5_000);
  });

  it('keeps what the process printed and how it exited', async () => {
    const measured = await runMeasured('bash', ['-c', 'echo out; echo err >&2; exit 3'], {
      timeoutMs: 10_000,
    });

    expect(measured.stdout).toBe('out\n');
    expect(measured.stderr).toBe('err\n');
    expect(measured.exitCode).toBe(3);
  });
});
