// Isolation: one failing endpoint never stops or hides the others. A run over a list that mixes
// a good server with every kind of broken one reports each endpoint, in order, with its own
// outcome; an internal error inside one probe becomes an inconclusive result that carries the
// error; a probe that never returns costs its endpoint, not the run.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/program.js';
import type { EndpointScan, Report, ScanOptions } from '../../src/model.js';
import { probeHello } from '../../src/probe/connection.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import type { ProbeFunction } from '../../src/probe/prober.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { renderJunit, renderMarkdown, renderSarif, renderText } from '../../src/report/index.js';
import {
  type IssuedCertificate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  type TempDir,
} from '../support/pki.js';
import { type ScriptedServer, startScriptedServer } from '../support/scripted.js';
import { type RunningNodeServer, startNodeTls } from '../support/servers.js';

const FAST: ScanOptions = {
  ...DEFAULT_SCAN_OPTIONS,
  connectTimeoutMs: 500,
  readTimeoutMs: 500,
  endpointDeadlineMs: 20_000,
};

let root: IssuedCertificate;
let good: RunningNodeServer;
let dir: TempDir;
const scripted: ScriptedServer[] = [];

async function script(...args: Parameters<typeof startScriptedServer>): Promise<ScriptedServer> {
  const server = await startScriptedServer(...args);
  scripted.push(server);
  return server;
}

async function closedPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  root = await makeRoot();
  const leaf = await issueLeaf(root, { dnsNames: ['localhost'], keyType: 'p256' });
  good = await startNodeTls({ cert: leaf.certPem, key: leaf.keyPem, http: false });
  dir = makeTempDir('wtp-isolation-');
});

afterAll(async () => {
  await Promise.all([good?.stop(), ...scripted.map((server) => server.stop())]);
  dir?.remove();
});

describe('a run over good and broken endpoints together', () => {
  it('reports every endpoint, in order, each with its own outcome', async () => {
    const silent = await script(() => ({ kind: 'silence' }));
    const http = await script(() => ({ kind: 'plaintext_http' }));
    const resets = await script(() => ({ kind: 'reset' }));
    // A plaintext reply written to reach the report: markup, a link, a terminal escape.
    const injector = await script(() => ({
      kind: 'reply',
      bytes: new TextEncoder().encode('<b>hi</b> [x](http://e.test) \u001b[31mred\r\n'),
      after: 'close',
    }));
    const closed = await closedPort();
    const endpoints = [
      `https://localhost:${good.port}/hook`,
      `127.0.0.1:${closed}`,
      silent.endpoint,
      'https://hooks.nowhere.invalid/in',
      http.endpoint,
      resets.endpoint,
      injector.endpoint,
    ];
    const caFile = dir.write('root.pem', root.certPem);

    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: dir.path,
      env: {},
    };
    const started = Date.now();
    const status = await runCli(
      [
        'scan',
        ...endpoints,
        '--ca-file',
        caFile,
        '--timeout',
        '400',
        '--json',
        '--output',
        'report.json',
      ],
      io,
    );
    const elapsed = Date.now() - started;

    // Not compliant or could not scan, as the endpoints call for: never a crash.
    expect([1, 2], stderr).toContain(status);
    expect(stderr).not.toMatch(/internal error|TypeError|at .*\.ts:\d+/);
    const report = JSON.parse(readFileSync(path.join(dir.path, 'report.json'), 'utf8')) as Report;

    expect(report.endpoints.map((result) => result.scan.endpoint.input)).toEqual(endpoints);
    const byInput = new Map(report.endpoints.map((result) => [result.scan.endpoint.input, result]));
    const scanOf = (input: string): EndpointScan => byInput.get(input)!.scan;

    expect(scanOf(endpoints[0]).status).toBe('scanned');
    expect(scanOf(endpoints[0]).addresses[0].certificates.primary?.trusted).toBe(true);
    expect(scanOf(endpoints[1]).notScanned?.reason).toBe('refused');
    expect(scanOf(endpoints[2]).notScanned?.reason).toBe('timeout');
    expect(scanOf(endpoints[3]).notScanned?.reason).toBe('dns');
    expect(scanOf(endpoints[4]).notScanned?.reason).toBe('not-tls');
    expect(scanOf(endpoints[5]).status).toBe('scanned');
    expect(scanOf(endpoints[6]).notScanned?.reason).toBe('not-tls');

    // Every not-scanned endpoint is named on stderr with its reason.
    for (const input of [endpoints[1], endpoints[2], endpoints[3], endpoints[4], endpoints[6]]) {
      expect(stderr).toContain(input);
    }

    // Every rendering takes the whole report; the server's bytes reach none of them raw.
    const renderings = [
      stdout,
      renderText(report, { color: true }),
      renderMarkdown(report),
      JSON.stringify(renderSarif(report)),
      renderJunit(report),
    ];
    for (const text of renderings) {
      expect(text.length).toBeGreaterThan(100);
      expect(text).not.toContain('\u001b[31mred');
    }
    expect(renderMarkdown(report)).not.toContain('<b>hi</b>');

    // The silent endpoint costs its own timeouts, not the run's patience.
    expect(elapsed).toBeLessThan(15_000);
  });
});

describe('an internal error inside a probe', () => {
  it('becomes an inconclusive outcome carrying the error, and the other probes go on', async () => {
    // Every TLS 1.0 hello to this server fails inside the probe, as a bug would.
    const probe: ProbeFunction = (target, hello, timeouts, options) => {
      if (hello.version === 'TLSv1.0') {
        throw new TypeError('boom: cannot read properties of undefined');
      }
      return probeHello(target, hello, timeouts, options);
    };
    const [scan] = await scanEndpoints(
      [parseEndpoint(`localhost:${good.port}`)],
      { ...FAST, extraCaPem: [root.certPem] },
      {},
      { probe },
    );

    expect(scan.status).toBe('scanned');
    const address = scan.addresses[0];
    const tls10 = address.versions.find((support) => support.version === 'TLSv1.0')!;
    expect(tls10.accepted).toBeNull();
    expect(tls10.outcome).toEqual({
      kind: 'error',
      detail: 'internal error in the probe: boom: cannot read properties of undefined',
    });
    const tls12 = address.versions.find((support) => support.version === 'TLSv1.2')!;
    expect(tls12.accepted).toBe(true);
    expect(address.observations.map((o) => o.id)).toContain('probe-error');
  });

  it('fails only its endpoint when every probe of it fails', async () => {
    const probe: ProbeFunction = (target, hello, timeouts, options) => {
      if (target.port === good.port && hello.serverName === 'localhost') {
        return Promise.reject(new RangeError('offset out of range'));
      }
      return probeHello(target, hello, timeouts, options);
    };
    const scans = await scanEndpoints(
      [parseEndpoint(`localhost:${good.port}`), parseEndpoint(`127.0.0.1:${good.port}`)],
      { ...FAST, extraCaPem: [root.certPem] },
      {},
      { probe, resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
    );

    expect(scans[0].status).toBe('not-scanned');
    expect(scans[0].notScanned?.reason).toBe('error');
    expect(scans[0].notScanned?.detail).toMatch(/internal error in the probe: offset out of range/);
    expect(scans[1].status).toBe('scanned');
  });

  it('costs only its endpoint when it never returns', async () => {
    const done: string[] = [];
    const probe: ProbeFunction = (target, hello, timeouts, options) => {
      if (hello.serverName === 'stuck.test') {
        return new Promise(() => {});
      }
      return probeHello(target, hello, timeouts, options);
    };
    const started = Date.now();
    const scans = await scanEndpoints(
      [parseEndpoint(`stuck.test:${good.port}`), parseEndpoint(`localhost:${good.port}`)],
      { ...FAST, endpointDeadlineMs: 1500, extraCaPem: [root.certPem] },
      { onEndpointDone: (scan) => done.push(scan.endpoint.host) },
      { probe, resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
    );
    const elapsed = Date.now() - started;

    expect(scans.map((scan) => scan.endpoint.host)).toEqual(['stuck.test', 'localhost']);
    expect(scans[0].notScanned).toEqual({
      reason: 'timeout',
      detail: 'the scan did not finish within its deadline',
    });
    expect(scans[1].status).toBe('scanned');
    // The working endpoint is reported first, as soon as it is done.
    expect(done).toEqual(['localhost', 'stuck.test']);
    // Deadline, then the grace of one connect and one read timeout and a second.
    expect(elapsed).toBeLessThan(1500 + 500 + 500 + 1000 + 1000);
  });

  it('keeps every result when a progress hook throws', async () => {
    const port = await closedPort();
    const scans = await scanEndpoints(
      [parseEndpoint(`127.0.0.1:${port}`), parseEndpoint(`localhost:${good.port}`)],
      { ...FAST, extraCaPem: [root.certPem] },
      {
        onEndpointDone: () => {
          throw new Error('progress bar broke');
        },
      },
    );

    expect(scans.map((scan) => scan.status)).toEqual(['not-scanned', 'scanned']);
  });
});
