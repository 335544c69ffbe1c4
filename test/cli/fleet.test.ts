// Many endpoints in one process: 300 loopback endpoints (ports of Node TLS servers in this test
// process) scanned by the CLI in a child process whose file-descriptor limit is far below what
// an unbounded scan would open. Every endpoint must come back with its own result: a socket
// left open per probe, or concurrency that ignores its limits, ends in EMFILE.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/model.js';
import { issueLeaf, makeRoot, makeTempDir, type TempDir } from '../support/pki.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENDPOINTS = 300;

// Standard streams, the runtime's own descriptors and the global limit of 8 endpoints at once
// with 4 connections each fit well below this; 300 endpoints scanned without limits would not.
const DESCRIPTOR_LIMIT = 128;

let servers: tls.Server[] = [];
let dir: TempDir;

beforeAll(async () => {
  const root = await makeRoot({ keyType: 'p256' });
  const leaf = await issueLeaf(root, { ipAddresses: ['127.0.0.1'], dnsNames: [], keyType: 'p256' });

  servers = await Promise.all(
    Array.from({ length: ENDPOINTS }, async () => {
      const server = tls.createServer({
        cert: leaf.certPem,
        key: leaf.keyPem,
        minVersion: 'TLSv1.2',
      });
      server.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );

  dir = makeTempDir('wtp-fleet-');
  dir.write('ca.pem', root.certPem);
  const lines = servers.map((server) => {
    const { port } = server.address() as { port: number };
    return `127.0.0.1:${port}`;
  });
  dir.write('endpoints.txt', `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await Promise.all(
    servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
  dir?.remove();
});

function runLimited(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const command = `ulimit -n ${DESCRIPTOR_LIMIT} && exec node --import tsx src/cli/main.ts "$@"`;
  const child = spawn('bash', ['-c', command, 'webhook-tls-probe', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('a fleet of 300 endpoints in one process', () => {
  it('scans every endpoint under a low descriptor limit', { timeout: 240_000 }, async () => {
    const output = `${dir.path}/report.json`;
    const run = await runLimited([
      'scan',
      '--endpoints-file',
      `${dir.path}/endpoints.txt`,
      '--ca-file',
      `${dir.path}/ca.pem`,
      '--format',
      'json',
      '--output',
      output,
    ]);

    expect(run.stderr).not.toMatch(/EMFILE|too many open files/i);
    expect(run.status, run.stderr).toBe(0);

    const report = JSON.parse(await readFile(output, 'utf8')) as Report;
    expect(report.endpoints).toHaveLength(ENDPOINTS);
    expect(report.endpoints.every((result) => result.verdict === 'compliant')).toBe(true);
    const versions = report.endpoints.map((result) =>
      result.scan.addresses[0].versions
        .filter((support) => support.accepted)
        .map((support) => support.version)
        .join(','),
    );
    expect(new Set(versions)).toEqual(new Set(['TLSv1.2,TLSv1.3']));
  });
});
