#!/usr/bin/env node
// The webhook-tls-probe command. It runs the committed bundle of the command line
// (dist/cli/index.js, built with ncc from src/cli/main.ts), so it works right after `npm ci`
// with no build step; `npm run cli -- ...` runs the same code from the sources.

import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/index.js', import.meta.url);

if (!existsSync(bundle)) {
  process.stderr.write(
    'webhook-tls-probe: dist/cli/index.js is missing; build it with\n' +
      '  npx ncc build src/cli/main.ts -o dist/cli --license licenses.txt --target es2022\n' +
      'or run the sources with `npm run cli -- scan ...`.\n',
  );
  process.exit(2);
}

await import(bundle.href);
