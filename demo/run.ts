// `npm run demo`: runs the demo on this terminal and exits 0 when every server got the verdict
// it was set up for, 1 otherwise.

import { runDemo } from './demo.js';

const started = Date.now();
const result = await runDemo({
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});

process.stdout.write(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
process.exitCode = result.asExpected ? 0 : 1;
