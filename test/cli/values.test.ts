// The setting parsers shared by the CLI and the Action, and the glob expansion of `merge`.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandPatterns, globToRegExp } from '../../src/cli/glob.js';
import {
  parseChoice,
  parseFailOn,
  parseShard,
  parseWholeNumber,
  UsageError,
} from '../../src/cli/values.js';

describe('setting parsers', () => {
  it('reads whole numbers within range and names the setting otherwise', () => {
    expect(parseWholeNumber('timeout', ' 2500 ', 100, 120_000)).toBe(2500);

    for (const bad of ['', '1.5', '-3', '5s', '99', '120001', '1e3']) {
      expect(() => parseWholeNumber('timeout', bad, 100, 120_000)).toThrow(
        /^timeout must be a whole number from 100 to 120000; got/,
      );
    }
  });

  it('reads choices without regard to case and lists them otherwise', () => {
    expect(parseChoice('comment', 'On-Failure', ['auto', 'on-failure'] as const)).toBe(
      'on-failure',
    );
    expect(() => parseFailOn('fail-on', 'critical')).toThrow(
      'fail-on must be one of error, warning, notice, never; got "critical"',
    );
    try {
      parseFailOn('--fail-on', 'x');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).setting).toBe('--fail-on');
    }
  });

  it('reads shards written i/n, 1-based', () => {
    expect(parseShard('shard', '2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('shard', ' 1 / 1 ')).toEqual({ index: 1, count: 1 });

    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '1/257', '-1/2']) {
      expect(() => parseShard('shard', bad)).toThrow(/^shard must be written i\/n/);
    }
  });
});

describe('merge patterns', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'wtp-glob-'));
    await mkdir(path.join(directory, 'a', 'b'), { recursive: true });
    for (const file of ['shard-1.json', 'shard-2.json', 'other.txt', 'a/shard-3.json']) {
      await writeFile(path.join(directory, file), '{}');
    }
    await writeFile(path.join(directory, 'a', 'b', 'report.json'), '{}');
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('turns * ? and ** into anchored expressions', () => {
    expect(globToRegExp('shard-*.json').test('shard-12.json')).toBe(true);
    expect(globToRegExp('shard-*.json').test('a/shard-1.json')).toBe(false);
    expect(globToRegExp('shard-?.json').test('shard-12.json')).toBe(false);
    expect(globToRegExp('**/report.json').test('report.json')).toBe(true);
    expect(globToRegExp('**/report.json').test('a/b/report.json')).toBe(true);
    expect(globToRegExp('a.json').test('abjson')).toBe(false);
  });

  it('expands patterns against the directory, and keeps plain paths as given', async () => {
    const found = await expandPatterns(
      ['shard-*.json', '**/report.json', 'missing.json'],
      directory,
    );
    const relative = found.map((file) => path.relative(directory, file).split(path.sep).join('/'));

    expect(relative).toEqual(['shard-1.json', 'shard-2.json', 'a/b/report.json', 'missing.json']);
    expect(await expandPatterns(['nowhere/*.json'], directory)).toEqual([]);
  });
});
