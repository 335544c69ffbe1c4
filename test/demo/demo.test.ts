// `npm run demo` end to end: the demo runs as a child process, as a user would start it, and
// each of its four servers must get the verdict it was set up for, failing on the right rule.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runDemo(): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // What `npm run demo` runs (tsx demo/run.ts), without npm in between.
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo took over a minute\n${stdout}\n${stderr}`));
    }, 60_000);

    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('gives each of the four servers its verdict and reason, in under a minute', async () => {
    const started = Date.now();
    const { status, stdout, stderr } = await runDemo();
    const elapsed = Date.now() - started;

    expect(status, `${stdout}\n${stderr}`).toBe(0);
    expect(elapsed).toBeLessThan(60_000);

    // The demo's own table: server, expected verdict, verdict got, failing rules.
    const row = (name: string) => {
      const line = stdout.split('\n').find((text) => text.startsWith(`${name} `));
      expect(line, `no row for ${name}\n${stdout}`).toBeDefined();
      return line!.split(/[\s,]+/).filter(Boolean);
    };

    expect(row('compliant').slice(0, 4)).toEqual(['compliant', 'compliant', 'compliant', '-']);

    const tls10 = row('tls1.0-only');
    expect(tls10.slice(1, 3)).toEqual(['non-compliant', 'non-compliant']);
    expect(tls10.join(' ')).toContain('version.legacy-accepted');

    const noListed = row('no-listed-suite');
    expect(noListed.slice(1, 3)).toEqual(['non-compliant', 'non-compliant']);
    expect(noListed.join(' ')).toContain('suites.none-listed');
    expect(noListed.join(' ')).not.toContain('version.');

    const expired = row('expired-certificate');
    expect(expired.slice(1, 3)).toEqual(['non-compliant', 'non-compliant']);
    expect(expired.join(' ')).toContain('certificate.expired');
    expect(expired.join(' ')).not.toMatch(/version\.|suites\./);

    // The reports themselves were printed: the text report names each reason.
    expect(stdout).toContain('Legacy protocol versions accepted');
    expect(stdout).toContain('no suite in common with the required list');
    expect(stdout).toMatch(/certificate expired on \d{4}-\d{2}-\d{2}/);
    expect(stdout).toContain('Every server got the verdict it was set up for.');
    expect(stdout).not.toContain('unexpected');
  });
});
