// Finding the external programs some tests need (nginx, gnutls-serv, testssl, ...), and a
// describe() that skips on a developer's machine without them but fails loudly in CI, where a
// missing program means .ci/run forgot to install it and the tests would pass vacuously.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

// Daemons such as nginx live in sbin, which is not on every user's PATH.
const EXTRA_DIRECTORIES = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

const lookups = new Map<string, string | null>();

/** The absolute path of an executable named `name`, from PATH or sbin, or null. */
export function findBinary(name: string): string | null {
  const cached = lookups.get(name);
  if (cached !== undefined) {
    return cached;
  }

  const pathDirectories = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  let found: string | null = null;
  for (const directory of [...pathDirectories, ...EXTRA_DIRECTORIES]) {
    const candidate = join(directory, name);
    if (isExecutableFile(candidate)) {
      found = candidate;
      break;
    }
  }

  lookups.set(name, found);
  return found;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) {
      return false;
    }
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of testssl.sh, which Debian installs as `testssl`; null when neither exists. */
export function testsslBinary(): string | null {
  return findBinary('testssl.sh') ?? findBinary('testssl');
}

/**
 * The path of a program, where `testssl` and `testssl.sh` both mean testssl.sh under whichever
 * name it was installed.
 */
export function binaryPath(name: string): string | null {
  if (name === 'testssl' || name === 'testssl.sh') {
    return testsslBinary();
  }
  return findBinary(name);
}

/** True when the program can be run. */
export function hasBinary(name: string): boolean {
  return binaryPath(name) !== null;
}

/** True when running in CI, where a missing program is a failure instead of a skip. */
export function isCi(): boolean {
  const value = (process.env.CI ?? '').toLowerCase();
  return value === 'true' || value === '1';
}

/**
 * describe() for tests that need external programs (one name or several). When one is missing
 * the block is skipped with the reason in its title, except in CI, where a single failing test
 * takes its place and says what is missing.
 */
export function describeWith(binary: string | string[], title: string, fn: () => void): void {
  const missing = (Array.isArray(binary) ? binary : [binary]).filter((name) => !hasBinary(name));
  if (missing.length === 0) {
    describe(title, fn);
    return;
  }

  const reason = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed`;
  if (isCi()) {
    describe(title, () => {
      it(`needs ${missing.join(', ')}`, () => {
        throw new Error(`${reason}: CI must install it (see .ci/run)`);
      });
    });
    return;
  }

  describe.skip(`${title} (skipped: ${reason})`, fn);
}
