// Bad input: endpoints typed by people (any string at all, Unicode, duplicates, none, very
// many), invalid policy files, unreadable CA files and bad settings. Each is a clear error
// that names the input, raised before any probe is sent, and leaves no file half-written.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/action/settings.js';
import { collectEndpoints } from '../../src/cli/audit.js';
import { type CliIo, runCli } from '../../src/cli/program.js';
import { UsageError } from '../../src/cli/values.js';
import { EndpointError, parseEndpoint, parseEndpointList } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { writeFileAtomic } from '../../src/report/index.js';
import { makeTempDir, type TempDir } from '../support/pki.js';
import { type ScriptedServer, startScriptedServer } from '../support/scripted.js';

let dir: TempDir;
let server: ScriptedServer;

beforeAll(async () => {
  dir = makeTempDir('wtp-input-');
  // Any probe that gets through would reach this server: the tests check it never does.
  server = await startScriptedServer(() => ({ kind: 'alert', description: 40 }));
});

afterAll(async () => {
  await server?.stop();
  dir?.remove();
});

async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: dir.path,
    env: {},
  };
  const status = await runCli(args, io);
  return { status, stdout, stderr };
}

/** Files in the directory, temporary ones of an atomic write included. */
function filesIn(folder: string): string[] {
  return readdirSync(folder).sort();
}

describe('endpoints as typed', () => {
  it('parses any string to a sound endpoint or refuses it naming the input', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc
        .tuple(
          fc.constantFrom('https://', 'http://', '', 'HTTPS://', 'ftp://', '//'),
          fc.string({ maxLength: 20 }),
          fc.constantFrom('', ':443', ':0', ':65536', ':x', ':'),
          fc.constantFrom('', '/', '/hook', '/a b', '?q=1', '#frag'),
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        let endpoint: ReturnType<typeof parseEndpoint>;
        try {
          endpoint = parseEndpoint(input);
        } catch (error) {
          expect(error).toBeInstanceOf(EndpointError);
          expect((error as Error).message).toContain(`"${input.trim()}"`);
          return;
        }
        expect(endpoint.input).toBe(input.trim());
        expect(Number.isInteger(endpoint.port)).toBe(true);
        expect(endpoint.port).toBeGreaterThanOrEqual(1);
        expect(endpoint.port).toBeLessThanOrEqual(65535);
        // What goes into DNS and SNI is plain lower-case ASCII, or an IP literal.
        if (endpoint.hostIsIp) expect(endpoint.host).toMatch(/^[0-9a-f.:]+$/);
        else expect(endpoint.host).toMatch(/^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$/);
        expect(endpoint.host.length).toBeLessThanOrEqual(253);
      }),
      { numRuns: 2000 },
    );
  });

  it('turns Unicode names into punycode, whatever dots and case they use', () => {
    const cases: [string, string][] = [
      ['https://BÜCHER.example:8443/x', 'xn--bcher-kva.example'],
      ['例え。テスト', 'xn--r8jz45g.xn--zckzah'],
      ['ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'],
      ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ];
    for (const [input, host] of cases) {
      expect(parseEndpoint(input).host, input).toBe(host);
    }
  });

  it('sends the punycode name as SNI, as a sender would', async () => {
    const before = server.hellos.length;
    const [scan] = await scanEndpoints(
      [parseEndpoint(`https://Bücher.test:${server.port}/hook`)],
      { ...DEFAULT_SCAN_OPTIONS, connectTimeoutMs: 500, readTimeoutMs: 500 },
      {},
      { resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
    );

    expect(scan.endpoint.host).toBe('xn--bcher-kva.test');
    const names = server.hellos.slice(before).map((hello) => hello.clientHello?.serverName);
    expect(names).toContain('xn--bcher-kva.test');
    expect(names.every((name) => name === null || /^[\x21-\x7e]+$/.test(name ?? ''))).toBe(true);
  });

  it('refuses hostile or invisible characters, naming the input', () => {
    const cases = [
      'https://a.example\u0000/x',
      'a.example\u202e',
      'https://user%40evil@a.example',
      `${'a'.repeat(64)}.example`,
      `${'abcdefgh.'.repeat(30)}example`,
      'xn--zz.example',
    ];
    for (const input of cases) {
      expect(() => parseEndpoint(input), JSON.stringify(input)).toThrow(EndpointError);
    }
    // The trailing newline is trimmed away: not an error, the same endpoint.
    expect(parseEndpoint('a.example\n').host).toBe('a.example');
  });

  it('refuses duplicates across the command line and the file, naming both places', async () => {
    const file = dir.write('dupes.txt', '# receivers\nhooks.example:443\n');
    const error = await collectEndpoints({
      listed: [{ text: 'HOOKS.example', setting: 'argument 1' }],
      file: { path: file, setting: '--endpoints-file' },
      cwd: dir.path,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /--endpoints-file line 2: "hooks.example:443" repeats the endpoint of argument 1/,
    );
  });

  it('reads a list of 20,000 endpoints quickly, and names the bad line in it', () => {
    const lines = Array.from(
      { length: 20_000 },
      (_, index) => `host-${index}.example:${1 + (index % 65535)}`,
    );
    const started = performance.now();
    const endpoints = parseEndpointList(lines.join('\n'), 'many.txt');
    expect(endpoints).toHaveLength(20_000);
    expect(performance.now() - started).toBeLessThan(3000);

    lines[15_000] = 'http://plain.example';
    expect(() => parseEndpointList(lines.join('\n'), 'many.txt')).toThrow(
      /^many\.txt:15001: "http:\/\/plain\.example" is not a usable endpoint: the scheme http/,
    );
  });
});

describe('the CLI on bad input', () => {
  it('refuses an empty list, in arguments or in a file of comments only', async () => {
    dir.write('empty.txt', '# nothing yet\n\n   \n');
    for (const args of [['scan'], ['scan', '--endpoints-file', 'empty.txt']]) {
      const run = await cli(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/no endpoint to scan/);
    }
  });

  it('refuses an invalid policy file before any probe, naming file, line and key', async () => {
    const before = server.connections();
    const cases: [string, string, RegExp][] = [
      ['syntax.yml', 'extends: webhook\nrules: [unclosed\n', /syntax\.yml:\d+/],
      ['unknown.yml', 'extends: webhook\nfail-onn: error\n', /unknown\.yml:2:\d+.*fail-onn/],
      ['wrong.yml', 'extends: webhook\nfail-on: 42\n', /wrong\.yml:2:\d+.*fail-on/],
      ['empty.yml', '', /empty\.yml.*empty/],
      ['binary.yml', '\u0000\u0001\u0002\u00ff', /binary\.yml/],
    ];
    for (const [name, content, message] of cases) {
      dir.write(name, content);
      const run = await cli(['scan', server.endpoint, '--policy', name, '--output', 'out.json']);
      expect(run.status, name).toBe(2);
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr.split('\n')[0], name).toMatch(/^webhook-tls-probe: error: --policy: /);
    }
    const missing = await cli(['scan', server.endpoint, '--policy', 'missing.yml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing\.yml/);

    expect(server.connections()).toBe(before);
    expect(existsSync(path.join(dir.path, 'out.json'))).toBe(false);
  });

  it('refuses an unreadable or useless CA file before any probe, naming it', async () => {
    const before = server.connections();
    dir.write('not-pem.pem', 'hello\n');
    dir.write(
      'junk.pem',
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    );
    const cases: [string, RegExp][] = [
      ['missing.pem', /--ca-file: cannot read .*missing\.pem/],
      ['.', /--ca-file: cannot read /],
      ['not-pem.pem', /--ca-file: .*not-pem\.pem holds no PEM certificate/],
      ['junk.pem', /--ca-file: certificate 1 in .*junk\.pem is not a readable X\.509/],
    ];
    for (const [file, message] of cases) {
      const run = await cli(['scan', server.endpoint, '--ca-file', file]);
      expect(run.status, file).toBe(2);
      expect(run.stderr, file).toMatch(message);
    }
    expect(server.connections()).toBe(before);
  });

  it('refuses a bad --rate-limit, naming it', async () => {
    for (const value of ['0', '-5', 'fast', '1.5', '100000']) {
      const run = await cli(['scan', server.endpoint, '--rate-limit', value]);
      expect(run.status, value).toBe(2);
      expect(run.stderr, value).toMatch(/--rate-limit must be a whole number from 1 to 1000/);
    }
  });

  it('leaves an existing report untouched when the run fails, and no temporary file', async () => {
    writeFileSync(path.join(dir.path, 'kept.json'), '{"earlier": true}\n');
    const before = filesIn(dir.path);

    const run = await cli([
      'scan',
      server.endpoint,
      '--policy',
      'syntax.yml',
      '--output',
      'kept.json',
    ]);
    expect(run.status).toBe(2);

    expect(readFileSync(path.join(dir.path, 'kept.json'), 'utf8')).toBe('{"earlier": true}\n');
    expect(filesIn(dir.path)).toEqual(before);
  });
});

describe('atomic report writes', () => {
  it('replaces a report whole, and leaves no temporary file when the write fails', async () => {
    const folder = makeTempDir('wtp-atomic-');
    try {
      const target = path.join(folder.path, 'report.json');
      await writeFileAtomic(target, 'first\n');
      await writeFileAtomic(target, 'second\n');
      expect(readFileSync(target, 'utf8')).toBe('second\n');
      expect(filesIn(folder.path)).toEqual(['report.json']);

      // A directory where the report should go: the rename fails, the temporary file goes.
      const blocked = path.join(folder.path, 'blocked');
      folder.write('blocked-marker', '');
      (await import('node:fs')).mkdirSync(blocked);
      await expect(writeFileAtomic(blocked, 'third\n')).rejects.toThrow();
      expect(filesIn(folder.path)).toEqual(['blocked', 'blocked-marker', 'report.json']);
      expect(filesIn(blocked)).toEqual([]);

      await expect(
        writeFileAtomic(path.join(folder.path, 'no', 'such', 'r.json'), 'x'),
      ).rejects.toThrow(/ENOENT/);
    } finally {
      folder.remove();
    }
  });
});

describe('the Action on bad input', () => {
  const read = (values: Record<string, string>) =>
    readSettings((name) => values[name] ?? '', dir.path);

  it('reads rate-limit, and refuses a bad one naming the input', async () => {
    expect((await read({ endpoints: 'a.example', 'rate-limit': ' 30 ' })).rateLimit).toBe(30);
    expect((await read({ endpoints: 'a.example' })).rateLimit).toBeUndefined();

    for (const value of ['0', 'fast', '2000']) {
      const error = await read({ endpoints: 'a.example', 'rate-limit': value }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).setting).toBe('rate-limit');
      expect((error as Error).message).toMatch(/^rate-limit must be a whole number from 1 to 1000/);
    }
  });

  it('names the line of a bad or repeated endpoint in the endpoints input', async () => {
    const bad = await read({ endpoints: 'a.example\n\nhttps://user:pw@b.example\n' }).catch(
      (caught: unknown) => caught,
    );
    expect((bad as Error).message).toMatch(/^endpoints line 3: .*credentials/);

    const repeated = await read({ endpoints: 'a.example\nA.EXAMPLE:443\n' }).catch(
      (caught: unknown) => caught,
    );
    expect((repeated as Error).message).toMatch(/endpoints line 2: .*repeats .*endpoints line 1/);
  });
});
