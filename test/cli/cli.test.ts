// The command line against real TLS servers on loopback (the demo's four, behind its private
// CA): exit statuses (0 compliant, 1 not compliant, 2 could not scan or bad usage), every
// report format, --output, --only-failures, --shard and merge, the baseline, the progress bar
// on a terminal only, and the committed bin/ command.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoCa } from '../../demo/ca.js';
import { type DemoServer, startDemoServers, stopAll } from '../../demo/servers.js';
import { type CliIo, runCli } from '../../src/cli/program.js';
import type { Report } from '../../src/model.js';
import { sarifErrors } from '../report/sarif-validator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let servers: DemoServer[];
let directory: string;
let caFile: string;
let closedEndpoint: string;

const endpointOf = (name: string) => servers.find((server) => server.name === name)!.endpoint;

beforeAll(async () => {
  const ca = await createDemoCa();
  servers = await startDemoServers(ca);
  directory = await mkdtemp(path.join(os.tmpdir(), 'wtp-cli-'));
  caFile = path.join(directory, 'ca.pem');
  await writeFile(caFile, ca.rootPem);

  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedEndpoint = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await stopAll(servers ?? []);
  await rm(directory, { recursive: true, force: true });
});

interface Captured {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured streams; `tty` makes stderr a terminal. */
async function cli(args: string[], options: { tty?: boolean } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty, columns: 100 },
    cwd: directory,
    env: {},
  };

  const status = await runCli(args, io);
  return { status, stdout, stderr };
}

describe('webhook-tls-probe scan', () => {
  it('exits 0 for a compliant endpoint, with the text report on stdout', async () => {
    const run = await cli(['scan', endpointOf('compliant'), '--ca-file', caFile]);

    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(endpointOf('compliant'));
    expect(run.stdout).toMatch(/compliant/);
    expect(run.stderr).toBe('1 endpoint scanned, all compliant with the policy\n');
  });

  it('exits 1 when an endpoint is not compliant, and JSON holds the whole report', async () => {
    const run = await cli([
      'scan',
      endpointOf('compliant'),
      endpointOf('tls1.0-only'),
      '--ca-file',
      caFile,
      '--json',
    ]);
    const report = JSON.parse(run.stdout) as Report;

    expect(run.status).toBe(1);
    expect(report.compliant).toBe(false);
    expect(report.endpoints.map((result) => result.verdict)).toEqual([
      'compliant',
      'non-compliant',
    ]);
    expect(report.endpoints[1].findings.map((finding) => finding.id)).toContain(
      'version.legacy-accepted',
    );
    expect(run.stderr).toContain(
      `1 endpoint of 2 not compliant with the policy: ${endpointOf('tls1.0-only')}`,
    );
  });

  it('exits 0 under --fail-on never, and still says which endpoint is not compliant', async () => {
    const endpoint = endpointOf('tls1.0-only');
    const run = await cli(['scan', endpoint, '--ca-file', caFile, '--fail-on', 'never']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^! Webhook TLS: 1 of 1 endpoint non-compliant/);
    expect(run.stderr).toBe(
      'no endpoint fails the run (fail-on: never), but 1 endpoint of 1 is not compliant or ' +
        `not scanned: ${endpoint}\n`,
    );
  });

  it('names the fail-on threshold, not the policy, when fail-on is below error', async () => {
    // The TLS 1.0 endpoint's errors lowered to warnings: the policy passes it, fail-on warning
    // does not.
    const policy = path.join(directory, 'legacy-warns.yml');
    await writeFile(
      policy,
      'rules:\n' +
        '  version.legacy-accepted: warning\n' +
        '  version.none-supported: warning\n' +
        '  suites.none-listed: warning\n',
    );
    const legacy = endpointOf('tls1.0-only');
    const expired = endpointOf('expired-certificate');
    const args = ['scan', legacy, expired, '--ca-file', caFile, '--policy', policy];

    const atError = await cli(args);
    const atWarning = await cli([...args, '--fail-on', 'warning']);

    expect(atError.status).toBe(1);
    expect(atError.stderr).toBe(`1 endpoint of 2 not compliant with the policy: ${expired}\n`);
    expect(atWarning.status).toBe(1);
    expect(atWarning.stderr).toBe(
      `2 endpoints of 2 fail at fail-on warning: ${legacy}, ${expired}\n`,
    );
  });

  it('exits 2 when an endpoint could not be scanned, and says so', async () => {
    const run = await cli(['scan', closedEndpoint, '--timeout', '2000']);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^could not scan 1 endpoint of 1: ${closedEndpoint}`));
  });

  it('exits 1, not 2, when one endpoint fails the policy and another could not be scanned', async () => {
    const run = await cli(['scan', endpointOf('expired-certificate'), closedEndpoint]);

    expect(run.status).toBe(1);
    // Each part once: a line that led with both counts and then repeated them read twice.
    expect(run.stderr).toMatch(
      new RegExp(
        `^1 endpoint of 2 not compliant with the policy: ${endpointOf('expired-certificate')}; ` +
          `could not scan 1 endpoint of 2: ${closedEndpoint} \\(`,
      ),
    );
    expect(run.stderr.match(/not compliant/g)).toHaveLength(1);
    expect(run.stderr.match(/could not scan/g)).toHaveLength(1);

    const help = await cli(['--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '1 some endpoint not compliant (a port that answers without TLS is one;',
    );
  });

  it('says when a suppression of the policy file matched nothing in the run', async () => {
    const policyFile = path.join(directory, 'typo-policy.yml');
    await writeFile(
      policyFile,
      [
        'extends: webhook',
        'suppressions:',
        '  - id: certificate.expired',
        '    endpoint: "expired-certificat.example"',
        '    reason: renewed next week',
        '',
      ].join('\n'),
    );
    const run = await cli([
      'scan',
      endpointOf('compliant'),
      endpointOf('expired-certificate'),
      '--ca-file',
      caFile,
      '--policy',
      policyFile,
    ]);

    expect(run.status, run.stderr).toBe(1);
    // In the report itself, after the endpoints, naming the line of the policy file.
    expect(run.stdout).toMatch(
      /^The run:\n {2}notice {3}policy\.unused-suppression: .*\n.*'expired-certificat\.example' \(.*typo-policy\.yml:3\)/m,
    );
  });

  it('writes each format to --output, and the text report to the terminal', async () => {
    const target = endpointOf('no-listed-suite');
    const formats = {
      sarif: (text: string) => expect(JSON.parse(text).version).toBe('2.1.0'),
      junit: (text: string) =>
        expect(text).toMatch(/^<\?xml[\s\S]*<testsuite[\s\S]*suites\.none-listed/),
      markdown: (text: string) => expect(text).toContain('| Endpoint | Verdict |'),
      json: (text: string) => expect(JSON.parse(text).endpoints).toHaveLength(1),
    };

    for (const [format, check] of Object.entries(formats)) {
      // A relative --output is relative to the working directory the CLI was started in.
      const output = `report.${format}`;
      const run = await cli([
        'scan',
        target,
        '--ca-file',
        caFile,
        '--format',
        format,
        '--output',
        output,
      ]);

      expect(run.status).toBe(1);
      check(await readFile(path.join(directory, output), 'utf8'));
      expect(run.stdout).toContain('suites.none-listed');
      expect(run.stdout).not.toMatch(/^[{<]/);
    }
  });

  it('refuses an --output it cannot write, with exit 2', async () => {
    const run = await cli(['scan', endpointOf('compliant'), '--output', 'no/such/dir/r.txt']);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^webhook-tls-probe: error: --output: cannot write .*r\.txt/);
  });

  it('leaves compliant endpoints out with --only-failures', async () => {
    const run = await cli([
      'scan',
      endpointOf('compliant'),
      endpointOf('expired-certificate'),
      '--ca-file',
      caFile,
      '--only-failures',
    ]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain(endpointOf('expired-certificate'));
    expect(run.stdout).not.toContain(endpointOf('compliant'));
    expect(run.stdout).toContain('1 compliant endpoint not shown');
  });

  it('reads --endpoints-file with comments, and names the line of a bad endpoint', async () => {
    const good = path.join(directory, 'endpoints.txt');
    await writeFile(good, `# demo\n${endpointOf('compliant')}   # the good one\n`);
    const bad = path.join(directory, 'bad.txt');
    await writeFile(bad, `${endpointOf('compliant')}\nhttp://plain.example.com\n`);

    const ok = await cli(['scan', '--endpoints-file', good, '--ca-file', caFile, '--json']);
    const refused = await cli(['scan', '--endpoints-file', bad]);

    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as Report).endpoints[0].scan.endpoint.source).toEqual({
      file: good,
      line: 2,
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^webhook-tls-probe: error: --endpoints-file: .*bad\.txt:2: /);

    const comments = path.join(directory, 'comments.txt');
    await writeFile(comments, '# nothing yet\n\n');
    const empty = await cli(['scan', '--endpoints-file', comments]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('comments.txt holds only comments and blank lines');
  });

  it('shows the changes since --baseline', async () => {
    const baseline = path.join(directory, 'baseline.json');
    const first = await cli(['scan', endpointOf('compliant'), '--ca-file', caFile, '--json']);
    const earlier = JSON.parse(first.stdout) as Report;

    // Scanned again without trusting the demo CA: as if the chain had broken since.
    await writeFile(baseline, JSON.stringify(earlier));
    const run = await cli(['scan', endpointOf('compliant'), '--baseline', baseline]);

    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Regressions since the baseline (1)');
    expect(run.stdout).toMatch(
      new RegExp(`${endpointOf('compliant')}: compliant → non-compliant; new: certificate\\.`),
    );
  });

  it('does not compare with a baseline made under another policy, and says so', async () => {
    const baseline = path.join(directory, 'baseline-modern.json');
    const args = ['scan', endpointOf('compliant'), '--ca-file', caFile];
    const modern = await cli([...args, '--policy', 'mozilla-modern', '--json']);
    await writeFile(baseline, modern.stdout);

    const run = await cli([...args, '--baseline', baseline]);

    expect(run.stderr).toContain(
      '--baseline: not compared: the baseline was made under the policy mozilla-modern and ' +
        'this run uses webhook',
    );
    expect(run.stdout).not.toMatch(/since the baseline/i);
    expect(run.stdout).toContain(endpointOf('compliant'));
  });

  it('does not compare an undigested baseline with a file named like the preset', async () => {
    // A tester saw a rule the policy file turns off reported as fixed: the baseline, of a
    // version that wrote no digest, was made under the preset of the same name.
    const baseline = path.join(directory, 'baseline-no-digest.json');
    const policyFile = path.join(directory, 'pol_named_webhook.yml');
    const args = ['scan', endpointOf('compliant'), '--ca-file', caFile];
    const preset = JSON.parse((await cli([...args, '--json'])).stdout) as Report;
    const { digest: _digest, ...earlier } = preset.policy;
    await writeFile(baseline, JSON.stringify({ ...preset, policy: earlier }));
    await writeFile(
      policyFile,
      'name: webhook\nrules:\n  certificate.client-certificate-requested: off\n',
    );

    const run = await cli([...args, '--policy', policyFile, '--baseline', baseline]);

    expect(run.stderr).toContain(
      '--baseline: not compared: the baseline was made under a policy also named webhook that ' +
        "checks other rules than this run's (policy rule " +
        'certificate.client-certificate-requested checked in the baseline, off in this run)',
    );
    expect(run.stdout).not.toMatch(/since the baseline/i);
  });

  it('refuses a shard report as the baseline of a whole run, and names a bad one once', async () => {
    // A tester found a shard's report taken as the baseline of a whole run: every endpoint of
    // the other shards read as new.
    const first = await cli(['scan', endpointOf('compliant'), '--ca-file', caFile, '--json']);
    const shardReport = { ...(JSON.parse(first.stdout) as Report), shard: { index: 1, count: 2 } };
    const shardFile = path.join(directory, 'baseline-of-a-shard.json');
    await writeFile(shardFile, JSON.stringify(shardReport));
    const broken = path.join(directory, 'broken-baseline.json');
    await writeFile(broken, '{"schemaVersion":');

    const refused = await cli(['scan', endpointOf('compliant'), '--baseline', shardFile]);
    const unreadable = await cli(['scan', endpointOf('compliant'), '--baseline', broken]);

    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      '--baseline: the baseline is the report of shard 1/2 only and this run is not',
    );
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr.split(broken).length - 1).toBe(1);
  });

  it('prints help and the version with exit 0', async () => {
    const help = await cli(['--help']);
    const version = await cli(['--version']);

    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit status: 0 compliant; 1 some endpoint not compliant');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses bad usage with exit 2, naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['scan', 'a.example.com', '--timeout', 'soon'], /--timeout must be a whole number/],
      [['scan', 'a.example.com', '--fail-on', 'critical'], /--fail-on must be one of error/],
      [['scan', 'a.example.com', '--shard', '3/2'], /--shard must be written i\/n/],
      [['scan', 'a.example.com', '--format', 'pdf'], /argument 'pdf' is invalid/],
      [['scan', 'a.example.com', '--policy', 'strictest'], /--policy: /],
      [['scan', 'a.example.com', '--ca-file', 'missing.pem'], /--ca-file: cannot read/],
      [['merge', 'nowhere/*.json'], /merge: no report matches/],
      [['scan', 'ftp://a.example.com'], /argument 1: /],
      [['scan'], /no endpoint to scan/],
      [['scan', 'a.example.com', '--frobnicate'], /unknown option '--frobnicate'/],
      [['probe'], /unknown command 'probe'/],
    ];

    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('shows a progress bar on a terminal for several endpoints, and never otherwise', async () => {
    const endpoints = [endpointOf('compliant'), endpointOf('no-listed-suite')];
    const onTerminal = await cli(['scan', ...endpoints, '--ca-file', caFile], { tty: true });
    const piped = await cli(['scan', ...endpoints, '--ca-file', caFile]);
    const single = await cli(['scan', endpoints[0], '--ca-file', caFile], { tty: true });

    expect(onTerminal.stderr).toMatch(/scanning .* \d\/2 endpoints/);
    expect(piped.stderr).not.toContain('scanning');
    expect(single.stderr).not.toContain('scanning');
    expect(onTerminal.stdout).not.toContain('scanning');
  });
});

describe('webhook-tls-probe scan --shard and merge', () => {
  it('splits the endpoints among shards and merges the reports back into one', async () => {
    const endpoints = servers.map((server) => server.endpoint);
    const files: string[] = [];

    for (const index of [1, 2, 3]) {
      const output = path.join(directory, `shard-${index}.json`);
      const args = ['scan', ...endpoints, '--ca-file', caFile, '--shard', `${index}/3`];
      await cli([...args, '--format', 'json', '--output', output]);
      files.push(output);
    }

    const shards = await Promise.all(
      files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as Report),
    );
    const scanned = shards.flatMap((report) => report.endpoints.map((r) => r.scan.endpoint.input));
    expect(scanned.sort()).toEqual([...endpoints].sort());

    const merged = await cli(['merge', path.join(directory, 'shard-*.json'), '--json']);
    const report = JSON.parse(merged.stdout) as Report;

    expect(merged.status).toBe(1);
    expect(report.shard).toBeUndefined();
    expect(report.endpoints.map((result) => result.scan.endpoint.input).sort()).toEqual(
      [...endpoints].sort(),
    );

    const incomplete = await cli(['merge', files[0], files[1]]);
    expect(incomplete.status).toBe(2);
    expect(incomplete.stderr).toMatch(/shard/);

    const nothing = await cli(['merge', path.join(directory, 'none-*.json')]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain('no report matches');
  });
});

describe('webhook-tls-probe scan --format sarif', () => {
  it('gives every result a physical location, also to endpoints named as arguments', async () => {
    const args = ['scan', endpointOf('tls1.0-only'), '--ca-file', caFile, '--format', 'sarif'];
    const plain = await cli(args);
    const named = await cli([...args, '--sarif-location', 'ops/webhooks.txt']);

    for (const [run, uri] of [
      [plain, '.github/workflows'],
      [named, 'ops/webhooks.txt'],
    ] as const) {
      const log = JSON.parse(run.stdout);
      const results = log.runs[0].results as {
        locations: { physicalLocation?: { artifactLocation: { uri: string } } }[];
      }[];

      expect(sarifErrors(log)).toEqual([]);
      expect(results.length).toBeGreaterThan(0);

      for (const result of results) {
        expect(result.locations[0].physicalLocation?.artifactLocation.uri).toBe(uri);
      }
    }
  });
});

describe('webhook-tls-probe scan of a port that answers in plain HTTP', () => {
  let server: http.Server;
  let target: string;

  beforeAll(async () => {
    server = http.createServer((_request, response) => response.end('plain\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('counts and words it as non-compliant, as its verdict is, in every rendering', async () => {
    const json = await cli(['scan', target, '--timeout', '2000', '--json']);
    const report = JSON.parse(json.stdout) as Report;
    const [result] = report.endpoints;

    expect(json.status).toBe(1);
    expect(result.verdict).toBe('non-compliant');
    expect(result.scan.notScanned?.reason).toBe('not-tls');
    expect(result.findings.map((finding) => finding.id)).toContain('endpoint.not-tls');

    const text = await cli(['scan', target, '--timeout', '2000']);
    const markdown = await cli(['scan', target, '--timeout', '2000', '--format', 'markdown']);

    for (const run of [text, markdown]) {
      expect(run.stdout).toContain('0 compliant, 1 non-compliant, 0 not scanned');
      expect(run.stdout).toContain('non-compliant: port does not speak TLS (plaintext HTTP');
      expect(run.stdout.replace('0 not scanned', '')).not.toMatch(/not scanned/i);
      expect(run.stdout).not.toMatch(/port does not speak TLS \(this port does not speak TLS/);
    }

    // The JSON keeps the scan's own status; the schema says how it differs from the verdict.
    const schema = JSON.parse(
      await readFile(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8'),
    );
    const status = schema.$defs.endpointScan.properties.status;
    expect(status.enum).toContain(result.scan.status);
    expect(status.description).toMatch(/plain HTTP.*not-tls.*verdict non-compliant/);
  });
});

describe('webhook-tls-probe merge of shards from different lists', () => {
  it('refuses shards cut from another endpoint list, naming the files', async () => {
    const endpoints = servers.map((server) => server.endpoint);
    const other = [endpoints[0], closedEndpoint];
    const run = async (list: string[], index: number, name: string) => {
      const output = path.join(directory, name);
      const args = ['scan', ...list, '--ca-file', caFile, '--shard', `${index}/3`];
      await cli([...args, '--timeout', '500', '--format', 'json', '--output', output]);
      return output;
    };

    const foreign = await run(other, 1, 'other-1.json');
    const second = await run(endpoints, 2, 'real-2.json');
    const third = await run(endpoints, 3, 'real-3.json');
    const shard = (JSON.parse(await readFile(second, 'utf8')) as Report).shard!;

    expect(shard.listSize).toBe(endpoints.length);
    expect(shard.listDigest).toMatch(/^[0-9a-f]{64}$/);

    const mixed = await cli(['merge', foreign, second, third]);

    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain('different endpoint lists');
    expect(mixed.stderr).toContain('other-1.json');
    expect(mixed.stdout).not.toContain('compliant');

    // A shard of the right list that lost an endpoint is refused by the list's size. Which
    // shard holds endpoints depends on the servers' ports, so the fullest one loses one.
    const real = [await run(endpoints, 1, 'real-1.json'), second, third];
    const reports = await Promise.all(
      real.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as Report),
    );
    const fullest = reports.reduce(
      (best, report, index) =>
        report.endpoints.length > reports[best].endpoints.length ? index : best,
      0,
    );
    const cut = reports[fullest];
    const truncated = path.join(directory, 'cut.json');
    await writeFile(truncated, JSON.stringify({ ...cut, endpoints: cut.endpoints.slice(1) }));
    const whole = await cli(['merge', ...real, '--json']);
    const short = await cli([
      'merge',
      ...real.map((file, i) => (i === fullest ? truncated : file)),
    ]);

    expect(cut.endpoints.length).toBeGreaterThan(0);
    expect(whole.status).not.toBe(2);
    expect((JSON.parse(whole.stdout) as Report).endpoints).toHaveLength(endpoints.length);
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/hold \d+ endpoints where the list .* has \d+/);
  });
});

describe('bin/webhook-tls-probe.js', () => {
  const bundle = path.join(ROOT, 'dist', 'cli', 'index.js');

  it('runs the committed bundle with no build step', async () => {
    expect(existsSync(bundle), 'dist/cli/index.js is committed').toBe(true);

    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'webhook-tls-probe.js'), 'scan', endpointOf('tls1.0-only')],
      {
        env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(status, stderr).toBe(1);
    expect(stdout).toContain('version.legacy-accepted');
    expect(stderr).toContain('not compliant with the policy');
  });
});
