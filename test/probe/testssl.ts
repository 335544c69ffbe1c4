// Runs testssl.sh against a test server and reads its JSON findings: which protocols it found
// offered, which suites per protocol, and whether the server imposes its suite order. The
// engine's results are compared with these; testssl.sh is slow (about a minute per server), so
// each test file runs it once per server, in parallel with its own scans.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AddressScan, TlsVersion } from '../../src/model.js';
import { testsslBinary } from '../support/binaries.js';

export interface TestsslView {
  /** true offered, false not offered, absent when testssl could not tell. */
  versions: Map<TlsVersion, boolean>;
  /** Suite codes per protocol, as testssl listed them. */
  suites: Map<TlsVersion, number[]>;
  /** From `cipher_order`: true when testssl says the server imposes its order. */
  serverOrder: boolean | null;
  /** Every finding, for failure messages. */
  findings: { id: string; finding: string }[];
}

const PROTOCOL_IDS: Record<string, TlsVersion> = {
  SSLv3: 'SSLv3',
  TLS1: 'TLSv1.0',
  TLS1_1: 'TLSv1.1',
  TLS1_2: 'TLSv1.2',
  TLS1_3: 'TLSv1.3',
};

const CIPHER_PROTOCOLS: Record<string, TlsVersion> = {
  ssl3: 'SSLv3',
  tls1: 'TLSv1.0',
  tls1_1: 'TLSv1.1',
  tls1_2: 'TLSv1.2',
  tls1_3: 'TLSv1.3',
};

/** testssl.sh -p -E -P against host:port, with its JSON read back. */
export async function runTestssl(address: string, port: number): Promise<TestsslView> {
  const binary = testsslBinary();
  if (!binary) {
    throw new Error('testssl.sh is not installed');
  }

  const dir = mkdtempSync(join(tmpdir(), 'wtp-testssl-'));
  const jsonFile = join(dir, 'testssl.json');
  const target = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  const args = [
    '--quiet',
    '--warnings',
    'off',
    '--color',
    '0',
    '--jsonfile',
    jsonFile,
    '-p',
    '-E',
    '-P',
    target,
  ];

  try {
    const output = await run(binary, args, 240_000);
    let findings: { id: string; finding: string }[];
    try {
      findings = JSON.parse(readFileSync(jsonFile, 'utf8'));
    } catch (error) {
      throw new Error(`testssl wrote no readable JSON (${error}); its output:\n${output}`);
    }
    return readFindings(findings);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The view of testssl's JSON findings. */
export function readFindings(findings: { id: string; finding: string }[]): TestsslView {
  const view: TestsslView = { versions: new Map(), suites: new Map(), serverOrder: null, findings };

  for (const { id, finding } of findings) {
    const protocol = PROTOCOL_IDS[id];
    if (protocol) {
      if (/^not offered/.test(finding)) view.versions.set(protocol, false);
      else if (/^offered/.test(finding)) view.versions.set(protocol, true);
      continue;
    }

    const cipher = /^cipher-(ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/i.exec(id);
    if (cipher) {
      const version = CIPHER_PROTOCOLS[cipher[1]];
      const list = view.suites.get(version) ?? [];
      list.push(Number.parseInt(cipher[2], 16));
      view.suites.set(version, list);
      continue;
    }

    if (id === 'cipher_order') {
      if (/^NOT a cipher order/i.test(finding)) view.serverOrder = false;
      else if (/^server/i.test(finding)) view.serverOrder = true;
    }
  }
  return view;
}

function run(binary: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`testssl took more than ${timeoutMs} ms; its output:\n${output}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // testssl's exit status counts findings; only the JSON file matters.
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

const sorted = (codes: number[]) => [...codes].sort((a, b) => a - b);

/**
 * Our scan of an address agrees with testssl.sh's on the same server: each version testssl.sh
 * judged is accepted or refused alike, and each accepted version has the same suites.
 */
export function expectSameAsTestssl(scan: AddressScan, view: TestsslView): void {
  for (const support of scan.versions) {
    const offered = view.versions.get(support.version);
    if (offered !== undefined) {
      expect([support.version, support.accepted]).toEqual([support.version, offered]);
    }
  }

  const accepted = scan.versions.filter((support) => support.accepted);
  for (const { version } of accepted) {
    const found = scan.suites.find((suites) => suites.version === version);
    expect([version, sorted(found?.accepted.map((suite) => suite.code) ?? [])]).toEqual([
      version,
      sorted(view.suites.get(version) ?? []),
    ]);
  }
}
