// A report of a real scan: a Node TLS server on loopback and a port nobody listens on are
// probed, evaluated under the webhook policy and rendered. The hand-built fixtures cannot drift
// from the schema unnoticed, but the engine can; this checks what it really writes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import {
  buildReport,
  parseReport,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderText,
  reportSchemaErrors,
} from '../../src/report/index.js';
import { makeChain, servedChainPem } from '../support/pki.js';
import { freePort } from '../support/ports.js';
import { type RunningNodeServer, startNodeTls } from '../support/servers.js';
import { sarifErrors } from './sarif-validator.js';

let server: RunningNodeServer;
let report: Report;

beforeAll(async () => {
  const { root, leaf } = await makeChain({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  server = await startNodeTls({ cert: servedChainPem(leaf), key: leaf.keyPem, http: false });

  const closedPort = await freePort(['127.0.0.1']);
  const endpoints = [
    parseEndpoint(`127.0.0.1:${server.port}`, { file: 'endpoints.txt', line: 1 }),
    parseEndpoint(`127.0.0.1:${closedPort}`, { file: 'endpoints.txt', line: 2 }),
  ];
  const policy = presetPolicy('webhook');
  const now = new Date();
  const startedAt = new Date();
  const scans = await scanEndpoints(endpoints, {
    ...DEFAULT_SCAN_OPTIONS,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 4_000,
    endpointDeadlineMs: 50_000,
    listedSuites: policy.listedSuites,
    extraCaPem: [root.certPem],
    now,
  });

  report = buildReport({
    results: scans.map((scan) => evaluate(scan, policy, now)),
    policy,
    startedAt,
    finishedAt: new Date(),
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('the report of a real scan', () => {
  it('matches the report schema and reads back unchanged', () => {
    expect(reportSchemaErrors(JSON.parse(renderJson(report)))).toEqual([]);
    expect(parseReport(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('holds the probe results, the certificate and the verdicts', () => {
    const [served, closed] = report.endpoints;
    const address = served.scan.addresses[0];

    expect(served.scan.status).toBe('scanned');
    expect(address.versions.find((entry) => entry.version === 'TLSv1.2')?.accepted).toBe(true);
    expect(address.certificates.primary?.served[0].ipAddresses).toContain('127.0.0.1');
    expect(served.verdict).toBe('compliant');

    expect(closed.verdict).toBe('not-scanned');
    expect(closed.scan.notScanned?.reason).toBe('refused');
    expect(report.compliant).toBe(false);
  });

  it('renders as valid SARIF, a summary, text and JUnit with the same verdict words', () => {
    expect(sarifErrors(renderSarif(report))).toEqual([]);

    const closedInput = report.endpoints[1].scan.endpoint.input;
    expect(renderMarkdown(report)).toContain(
      `| ${closedInput} | ⚠️ not scanned: connection refused`,
    );
    expect(renderText(report)).toContain(`${closedInput}: not scanned: connection refused`);
    expect(renderJunit(report)).toContain('<skipped message="not scanned: connection refused');
  });
});
