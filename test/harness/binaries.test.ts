// The binary helpers: PATH lookup, testssl under either name, and describeWith skipping on a
// developer's machine but failing under CI=true (checked by running vitest on a small file).

import { spawnSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinary, hasBinary, isCi, testsslBinary } from '../support/binaries.js';
import { makeTempDir } from '../support/pki.js';

const repository = resolve(import.meta.dirname, '../..');
const vitestCli = join(repository, 'node_modules/vitest/vitest.mjs');

describe('hasBinary and findBinary', () => {
  it('finds a program every POSIX system has', () => {
    expect(hasBinary('sh')).toBe(true);
    expect(findBinary('sh')).toMatch(/\/sh$/);
  });

  it('reports a program that does not exist as missing', () => {
    expect(hasBinary('no-such-program-wtp-7f3a')).toBe(false);
    expect(findBinary('no-such-program-wtp-7f3a')).toBeNull();
  });

  it('finds testssl.sh under its Debian name or its own', () => {
    const path = testsslBinary();
    const onPath = findBinary('testssl') ?? findBinary('testssl.sh');
    expect(path).toBe(onPath);
    if (path) {
      expect(['testssl', 'testssl.sh']).toContain(basename(path));
      expect(hasBinary('testssl')).toBe(true);
      expect(hasBinary('testssl.sh')).toBe(true);
    }
  });

  it('reads CI=true as CI', () => {
    const saved = process.env.CI;
    try {
      process.env.CI = 'true';
      expect(isCi()).toBe(true);
      process.env.CI = '';
      expect(isCi()).toBe(false);
    } finally {
      process.env.CI = saved;
    }
  });
});

describe('describeWith', () => {
  const dir = makeTempDir('wtp-describe-with-');
  afterAll(() => dir.remove());

  // A test file of its own, run by a nested vitest, so the real registration is what is checked.
  const binariesModule = join(repository, 'test/support/binaries.ts');
  dir.write(
    'gate.test.ts',
    `import { expect, it } from 'vitest';
import { describeWith } from ${JSON.stringify(binariesModule)};
describeWith('no-such-program-wtp-7f3a', 'needs a missing program', () => {
  it('would run', () => { expect(1).toBe(1); });
});
describeWith('sh', 'needs sh', () => {
  it('runs', () => { expect(1).toBe(1); });
});
`,
  );

  function runNested(ci: string): { status: number | null; output: string } {
    const result = spawnSync(
      process.execPath,
      [vitestCli, 'run', '--root', dir.path, '--reporter', 'verbose', '--no-color'],
      {
        cwd: repository,
        env: { ...process.env, CI: ci, VITEST_POOL_ID: '', FORCE_COLOR: '0' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  }

  it('skips with the reason in the title outside CI', () => {
    const { status, output } = runNested('');
    expect(output).toContain('no-such-program-wtp-7f3a is not installed');
    expect(output).toMatch(/1 passed/);
    expect(output).toMatch(/1 skipped/);
    expect(status).toBe(0);
  });

  it('fails, naming the program, under CI=true', () => {
    const { status, output } = runNested('true');
    expect(output).toContain('needs no-such-program-wtp-7f3a');
    expect(output).toContain('CI must install it');
    expect(output).toMatch(/1 failed/);
    expect(status).not.toBe(0);
  });
});
