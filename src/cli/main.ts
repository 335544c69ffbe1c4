// The entry point of the webhook-tls-probe command: runs the CLI on the process arguments and
// exits with the status it returns (0 compliant, 1 not compliant, 2 could not scan or usage).

import { runCli } from './program.js';

runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
