// One running server scanned the way a webhook sender connects and judged by the webhook policy,
// with timeouts short enough for loopback: what the tests of findings, and of their words, on
// real servers need.

import type { EndpointResult, EndpointScan, Report } from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { buildReport } from '../../src/report/index.js';
import { type IssuedCertificate, pemBundle } from './pki.js';
import { type OpensslOptions, type RunningServer, startOpenssl } from './servers.js';

export interface Judged {
  scan: EndpointScan;
  result: EndpointResult;
  report: Report;
}

/**
 * Scans the server as a sender trusting `trusted` (PEM roots) and judges it. With `host`, the
 * endpoint is `host:port` and the host resolves to the server's address.
 */
export async function judgeServer(
  server: RunningServer,
  options: { trusted: string[]; host?: string },
): Promise<Judged> {
  const endpoint = options.host === undefined ? server.endpoint : `${options.host}:${server.port}`;
  const family = server.address.includes(':') ? 6 : 4;
  const now = new Date();
  const policy = presetPolicy('webhook');
  const [scan] = await scanEndpoints(
    [parseEndpoint(endpoint)],
    {
      ...DEFAULT_SCAN_OPTIONS,
      connectTimeoutMs: 3_000,
      readTimeoutMs: 5_000,
      endpointDeadlineMs: 50_000,
      listedSuites: policy.listedSuites,
      extraCaPem: options.trusted,
      now,
    },
    {},
    { resolve: async () => [{ address: server.address, family }] },
  );
  const result = evaluate(scan, policy, now);
  const report = buildReport({ results: [result], policy, startedAt: now, finishedAt: now });
  return { scan, result, report };
}

/** openssl s_server with `leaf` and its intermediates, unless `options` says otherwise. */
export function serveLeaf(
  leaf: IssuedCertificate,
  options: Partial<OpensslOptions> = {},
): Promise<RunningServer> {
  return startOpenssl({
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    chainPem: pemBundle(...leaf.issuers.slice(0, -1)),
    ...options,
  });
}
