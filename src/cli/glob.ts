// Expands the report paths given to `merge` (the CLI command and the Action input): plain paths
// and glob patterns with `*`, `?` and `**` (no `[...]` classes), as a shell would, so
// `shard-*.json` and `reports/**/report.json` work the same on every platform and in the
// Action, where no shell expands them. Node 20 has no fs.glob, and no glob library is among
// the dependencies.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const GLOB_CHARACTERS = /[*?]/;

/** Paths matching the patterns, each pattern's matches sorted, without duplicates. */
export async function expandPatterns(patterns: string[], cwd: string): Promise<string[]> {
  const found = new Set<string>();

  for (const pattern of patterns) {
    const matches = GLOB_CHARACTERS.test(pattern)
      ? await expandGlob(pattern, cwd)
      : [path.resolve(cwd, pattern)];

    for (const match of matches) {
      found.add(match);
    }
  }

  return [...found];
}

/** Absolute paths of the files that match one pattern, sorted. */
async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = path.resolve(cwd, pattern).split(path.sep).join('/');
  const segments = absolute.split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_CHARACTERS.test(segment));
  const root = segments.slice(0, firstGlob).join('/') || '/';
  const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
  const files = await listFiles(root);

  return files
    .filter((file) => matcher.test(path.relative(root, file).split(path.sep).join('/')))
    .sort();
}

/** Every file under a directory, following no symbolic links; none when it does not exist. */
async function listFiles(directory: string): Promise<string[]> {
  const exists = await stat(directory).catch(() => null);

  if (!exists?.isDirectory()) {
    return [];
  }

  const entries = await readdir(directory, { recursive: true, withFileTypes: true });

  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** `**` crosses directories; `*` and `?` stay within one name. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';

  for (let i = 0; i < pattern.length; i++) {
    const character = pattern[i];

    if (character === '*' && pattern[i + 1] === '*') {
      const swallowsSlash = pattern[i + 2] === '/';
      source += swallowsSlash ? '(?:.*/)?' : '.*';
      i += swallowsSlash ? 2 : 1;
    } else if (character === '*') {
      source += '[^/]*';
    } else if (character === '?') {
      source += '[^/]';
    } else {
      source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }

  return new RegExp(`^${source}$`);
}
