// The other scanners the benchmark compares with, and for each the command closest to our full
// scan of an endpoint: versions, every suite of every version, the server's preference order and
// the certificate. A peer missing from PATH is reported as not installed, never as a failure.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath } from '../test/support/binaries.js';

export interface ScanTarget {
  address: string;
  port: number;
}

export interface PeerCommand {
  command: string;
  args: string[];
}

export interface Peer {
  name: string;
  /** What the command asks for, in the words of the peer's own options. */
  equivalent: string;
  /** Absolute path, or null when the peer is not installed. */
  binary: string | null;
  version: string;
  /** The command scanning `target`; `workDir` is an empty directory for the peer's files. */
  command(target: ScanTarget, workDir: string): PeerCommand;
  /** Null when the output shows a finished scan, otherwise what is wrong with it. */
  checkOutput(stdout: string, workDir: string): string | null;
}

/** The peers of the benchmark, in the order of the tables, installed or not. */
export function findPeers(): Peer[] {
  return [sslscan(), nmap(), testssl()];
}

function sslscan(): Peer {
  const binary = binaryPath('sslscan');
  return {
    name: 'sslscan',
    // sslscan's default scan already covers versions, every suite, the preferred suite, key
    // exchange groups and a certificate summary; --show-certificate adds the full certificate.
    equivalent: 'sslscan --no-colour --show-certificate ADDRESS:PORT',
    binary,
    version: binary ? firstMatch(run(binary, ['--version']), /(\d+\.\d+\.\d+)/) : '',
    command: (target) => ({
      command: binary!,
      args: ['--no-colour', '--show-certificate', `${target.address}:${target.port}`],
    }),
    checkOutput: (stdout) =>
      /Supported Server Cipher/.test(stdout) ? null : 'no cipher list in the output',
  };
}

function nmap(): Peer {
  const binary = binaryPath('nmap');
  return {
    name: 'nmap',
    // The "+" runs the scripts on any port: without it, nmap runs them only on ports it knows as
    // TLS ports or after service detection, which opens connections of its own.
    equivalent: 'nmap -Pn -n -p PORT --script +ssl-enum-ciphers,+ssl-cert ADDRESS',
    binary,
    version: binary ? firstMatch(run(binary, ['--version']), /Nmap version (\S+)/) : '',
    command: (target) => ({
      command: binary!,
      args: [
        '-Pn',
        '-n',
        '-p',
        String(target.port),
        '--script',
        '+ssl-enum-ciphers,+ssl-cert',
        target.address,
      ],
    }),
    checkOutput: (stdout) =>
      /ssl-enum-ciphers:/.test(stdout) ? null : 'no ssl-enum-ciphers result in the output',
  };
}

function testssl(): Peer {
  const binary = binaryPath('testssl');
  return {
    name: 'testssl.sh',
    // -p protocols, -E every suite per protocol, -P server preference, -S server defaults (the
    // certificate, its chain of trust and SNI). DNS lookups are kept to the minimum: none of the
    // scanners here looks up CAA records, and the machine may have no resolver.
    equivalent: 'testssl -p -E -P -S --nodns min --jsonfile FILE ADDRESS:PORT',
    binary,
    version: binary ? firstMatch(run(binary, ['--version']), /testssl\S*\s+(\d[\w.-]*)/) : '',
    command: (target, workDir) => ({
      command: binary!,
      args: [
        '--quiet',
        '--color',
        '0',
        '--warnings',
        'off',
        '--nodns',
        'min',
        '--jsonfile',
        join(workDir, 'testssl.json'),
        '-p',
        '-E',
        '-P',
        '-S',
        `${target.address}:${target.port}`,
      ],
    }),
    checkOutput: (_stdout, workDir) => {
      const file = join(workDir, 'testssl.json');
      if (!existsSync(file)) {
        return 'no JSON file written';
      }
      const text = readFileSync(file, 'utf8');
      return /"id"\s*:\s*"cert_commonName"/.test(text) ? null : 'no certificate in the JSON file';
    },
  };
}

function run(binary: string, args: string[]): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', timeout: 20_000, stdio: 'pipe' });
  } catch (error) {
    // Some peers print their version and exit non-zero; the output is still the answer.
    const output = error as { stdout?: string };
    return output.stdout ?? '';
  }
}

function firstMatch(text: string, pattern: RegExp): string {
  // Colour escapes (sslscan prints them even for --version) would split the numbers.
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  return pattern.exec(plain)?.[1] ?? 'unknown';
}
