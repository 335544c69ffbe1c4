// Our full scan as a child process of the benchmark, so that its wall time and memory are
// measured exactly as the peers' are. It reads a job file (endpoints, an extra trust anchor),
// runs the engine's scanEndpoints on all endpoints in this one process, and prints one line of
// JSON: what each scan found, the connections it says it opened, and the options it ran with.
// With `noop: true` it loads everything a scan loads, the X.509 library too, and scans
// nothing, which measures start-up alone.

import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadCertificateParser } from '../src/cert/index.js';
import type { EndpointScan } from '../src/model.js';
import { parseEndpoint } from '../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../src/probe/scan.js';
import type { EndpointSummary, ScanChildOutput, ScanJob } from './results.js';

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ScanJob;
  const extraCaPem = job.caPemFile ? [readFileSync(job.caPemFile, 'utf8')] : [];
  const options = { ...DEFAULT_SCAN_OPTIONS, extraCaPem, now: new Date() };
  if (job.concurrency !== undefined) {
    options.concurrency = job.concurrency;
  }

  const started = performance.now();
  // A scan loads the X.509 library while its first hellos are out; the no-scan run loads it
  // here, so that start-up counts it too.
  const scans = job.noop
    ? await loadCertificateParser().then(() => [])
    : await scanEndpoints(
        job.endpoints.map((e) => parseEndpoint(e)),
        options,
      );
  const scanMs = performance.now() - started;

  if (job.resultsFile) {
    writeFileSync(job.resultsFile, JSON.stringify(scans));
  }

  const output: ScanChildOutput = {
    scanMs,
    perHostConcurrency: options.perHostConcurrency,
    concurrency: options.concurrency,
    endpoints: scans.map(summarise),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

function summarise(scan: EndpointScan): EndpointSummary {
  const addresses = scan.addresses;
  const some = (test: (address: EndpointScan['addresses'][number]) => boolean) =>
    addresses.length > 0 && addresses.some(test);

  return {
    input: scan.endpoint.input,
    status: scan.status,
    notScanned: scan.notScanned
      ? `${scan.notScanned.reason}: ${scan.notScanned.detail}`
      : undefined,
    connections: addresses.reduce((sum, address) => sum + address.connections, 0),
    coverage: {
      versions: some((a) => a.versions.some((v) => v.accepted !== null)),
      suites: some((a) => a.suites.some((s) => s.accepted.length > 0)),
      preference: some((a) => a.suites.some((s) => s.preference !== 'unknown')),
      groups: some((a) => a.groups.some((g) => g.groups.length > 0)),
      certificate: some((a) => a.certificates.primary !== null),
      sni: some((a) => Object.values(a.certificates.sni).some((value) => value !== null)),
    },
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
