// The built Action (dist/index.js) end to end, as the runner starts it: INPUT_* variables,
// temporary GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and GITHUB_EVENT_PATH files for push,
// pull_request and schedule events, and GITHUB_API_URL pointing at the local GitHub API fake,
// against real TLS servers on loopback. It checks what a workflow sees: the summary, the
// outputs, the annotations and log groups, the pull request comment created and then updated,
// a fork's 403 turned into a warning, and the tracking issue opened, updated and closed.

import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createDemoCa, type DemoCa } from '../../demo/ca.js';
import { type DemoServer, startDemoServers, stopAll } from '../../demo/servers.js';
import { COMMENT_MARKER_PREFIX } from '../../src/action/comment.js';
import { ISSUE_MARKER_PREFIX } from '../../src/action/tracking-issue.js';
import type { Report } from '../../src/model.js';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.js';
import {
  type DistRun,
  distExists,
  PUSH,
  pullRequest,
  runDist,
  SCHEDULE,
  type WorkflowCommand,
} from './run-dist.js';

const actionYml = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  outputs: Record<string, unknown>;
};

const DAY_MS = 24 * 60 * 60 * 1000;

let github: FakeGitHub;
let ca: DemoCa;
let servers: DemoServer[];
let switchable: SwitchableServer;
let closedEndpoint: string;

const endpointOf = (name: string) => servers.find((server) => server.name === name)!.endpoint;

beforeAll(async () => {
  if (!distExists()) {
    throw new Error('dist/index.js is missing: run `npm run build` first');
  }

  github = await startFakeGitHub();
  ca = await createDemoCa();
  servers = await startDemoServers(ca);
  switchable = await startSwitchableServer(ca);
  closedEndpoint = `127.0.0.1:${await closedPort()}`;
});

afterAll(async () => {
  await Promise.all([github?.stop(), servers && stopAll(servers), switchable?.stop()]);
});

function annotations(run: DistRun, level: 'error' | 'warning' | 'notice'): WorkflowCommand[] {
  return run.commands.filter((command) => command.command === level && command.properties.title);
}

interface SarifLog {
  version: string;
  runs: {
    results: {
      ruleId: string;
      locations: { physicalLocation?: unknown }[];
    }[];
  }[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

describe('the Action on a push (deploy step)', () => {
  let run: DistRun;
  const workflow = [
    'on: push',
    'jobs:',
    '  deploy:',
    '    steps:',
    '      - uses: webhook-tls-probe/webhook-tls-probe@v1',
    '        with:',
    '          endpoints: |',
    '            COMPLIANT',
    '            LEGACY',
  ];

  beforeAll(async () => {
    const compliant = endpointOf('compliant');
    const legacy = endpointOf('tls1.0-only');

    run = await runDist({
      inputs: {
        endpoints: `${compliant}\n${legacy}\n`,
        'endpoints-file': 'hooks/endpoints.txt',
        'ca-file': 'ca.pem',
        comment: 'auto',
        token: 'push-token',
      },
      event: PUSH,
      apiUrl: github.url,
      files: {
        'ca.pem': ca.rootPem,
        'hooks/endpoints.txt': `# receivers that are down\n${closedEndpoint}  # old box\n`,
        '.github/workflows/deploy.yml': workflow
          .join('\n')
          .replace('COMPLIANT', compliant)
          .replace('LEGACY', legacy),
      },
      workflowFile: '.github/workflows/deploy.yml',
    });
  }, 120_000);

  it('fails, saying which endpoints are not compliant and which could not be scanned', () => {
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);

    const failure = run.commands.filter((c) => c.command === 'error' && !c.properties.title);
    expect(failure).toHaveLength(1);
    expect(failure[0].message).toContain(
      `1 endpoint of 3 not compliant with the policy: ${endpointOf('tls1.0-only')}`,
    );
    expect(failure[0].message).toContain(`could not scan 1 endpoint of 3: ${closedEndpoint}`);
  });

  it('sets every output of action.yml', () => {
    expect(Object.keys(run.outputs).sort()).toEqual(Object.keys(actionYml.outputs).sort());
    expect(run.outputs.compliant).toBe('false');
    expect(JSON.parse(run.outputs['failed-endpoints'])).toEqual([
      endpointOf('tls1.0-only'),
      closedEndpoint,
    ]);

    const report = readJson<Report>(run.outputs.report);
    expect(run.outputs.report.startsWith(run.runnerTemp)).toBe(true);
    expect(report.endpoints.map((result) => [result.scan.endpoint.input, result.verdict])).toEqual([
      [endpointOf('compliant'), 'compliant'],
      [endpointOf('tls1.0-only'), 'non-compliant'],
      [closedEndpoint, 'not-scanned'],
    ]);

    const sarif = readJson<SarifLog>(run.outputs.sarif);
    expect(sarif.version).toBe('2.1.0');
    const legacy = sarif.runs[0].results.find((r) => r.ruleId === 'version.legacy-accepted');
    expect(legacy?.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: '.github/workflows/deploy.yml' },
      region: { startLine: workflow.indexOf('            LEGACY') + 1 },
    });
  });

  it('writes the markdown report to the job summary and the summary output', () => {
    expect(run.summary).toContain('Webhook TLS');
    expect(run.summary).toContain('| Endpoint | Verdict |');
    expect(run.summary).toContain(endpointOf('tls1.0-only'));
    expect(run.summary.trim()).toBe(run.outputs.summary.trim());
  });

  it('annotates each finding on the line that names its endpoint', () => {
    const errors = annotations(run, 'error');
    const legacy = errors.find(
      (a) => a.properties.title === `${endpointOf('tls1.0-only')}: version.legacy-accepted`,
    );
    expect(legacy?.properties).toMatchObject({
      file: '.github/workflows/deploy.yml',
      line: String(workflow.indexOf('            LEGACY') + 1),
    });
    expect(legacy?.message).toMatch(/Legacy protocol versions accepted\. Observed: .*TLS 1\.0/);

    const down = errors.find(
      (a) => a.properties.title === `${closedEndpoint}: endpoint.not-scanned`,
    );
    expect(down?.properties).toMatchObject({ file: 'hooks/endpoints.txt', line: '2' });

    // The compliant endpoint raises no error annotation.
    expect(errors.some((a) => a.properties.title.startsWith(endpointOf('compliant')))).toBe(false);
  });

  it('groups the log per endpoint and keeps raw probe data out of it', () => {
    const groups = run.commands.filter((c) => c.command === 'group').map((c) => c.message);
    expect(groups).toEqual([
      expect.stringMatching(new RegExp(`^${endpointOf('compliant')}: compliant`)),
      expect.stringMatching(new RegExp(`^${endpointOf('tls1.0-only')}: non-compliant`)),
      expect.stringMatching(new RegExp(`^${closedEndpoint}: not-scanned`)),
    ]);
    expect(run.commands.filter((c) => c.command === 'endgroup')).toHaveLength(3);
    expect(run.commands.some((c) => c.command === 'debug')).toBe(false);
  });

  it('writes no comment on a push: there is no pull request', () => {
    expect(github.requests).toEqual([]);
    expect(run.stdout).toContain('No pull request comment: no pull request in a push event.');
  });
});

describe('the Action on a pull request', () => {
  let first: DistRun;
  let second: DistRun;

  beforeAll(async () => {
    switchable.serve('compliant');
    first = await runDist({
      inputs: {
        endpoints: switchable.endpoint,
        'ca-file': 'ca.pem',
        comment: 'always',
        token: 'pr-token',
      },
      event: pullRequest(12, 'acme/hooks'),
      apiUrl: github.url,
      files: { 'ca.pem': ca.rootPem },
      debug: true,
    });

    // The same endpoint, reconfigured to accept TLS 1.0: a regression against the first run.
    switchable.serve('tls1.0');
    second = await runDist({
      inputs: {
        endpoints: switchable.endpoint,
        'ca-file': 'ca.pem',
        baseline: 'baseline.json',
        comment: 'auto',
        token: 'pr-token',
      },
      event: pullRequest(12, 'acme/hooks'),
      apiUrl: github.url,
      files: { 'ca.pem': ca.rootPem, 'baseline.json': readFileSync(first.outputs.report, 'utf8') },
    });
  }, 120_000);

  it('creates one comment on the first run and updates it in place on the second', () => {
    expect(first.exitCode, first.stdout).toBe(0);
    expect(second.exitCode, second.stdout).toBe(1);

    const writes = github.writes().filter((request) => request.path.includes('/issues/'));
    expect(writes.map((request) => request.method)).toEqual(['POST', 'PATCH']);
    expect(writes[0].path).toBe('/repos/acme/hooks/issues/12/comments');

    const ours = github.comments.filter((comment) => comment.body.includes(COMMENT_MARKER_PREFIX));
    expect(ours).toHaveLength(1);
    expect(writes[1].path).toBe(`/repos/acme/hooks/issues/comments/${ours[0].id}`);
    expect(ours[0].body.length).toBeLessThan(65_536);
  });

  it('leads the updated comment with the regression', () => {
    const body = github.comments.find((comment) =>
      comment.body.includes(COMMENT_MARKER_PREFIX),
    )!.body;
    const regressions = body.indexOf('Regressions since the baseline');
    const table = body.indexOf('| Endpoint |');

    expect(body.startsWith(COMMENT_MARKER_PREFIX)).toBe(true);
    expect(regressions).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(regressions);
    expect(body.slice(regressions, table)).toContain(switchable.endpoint);
    expect(body.slice(regressions, table)).toContain('version.legacy-accepted');
    expect(second.summary.indexOf('Regressions since the baseline')).toBeGreaterThan(0);
  });

  it('logs the raw probe data only at debug level', () => {
    const debug = first.commands.filter((c) => c.command === 'debug').map((c) => c.message);
    expect(debug).toContain(`Raw probe data of ${switchable.endpoint}:`);
    expect(debug.some((line) => line.includes('"addresses"'))).toBe(true);
  });
});

describe('the Action on a pull request from a fork', () => {
  it('turns the refused comment into a warning, never a failure', async () => {
    github.forbidWrites = true;

    try {
      const before = github.comments.length;
      const run = await runDist({
        inputs: {
          endpoints: endpointOf('compliant'),
          'ca-file': 'ca.pem',
          comment: 'always',
          token: 'read-only-token',
        },
        event: pullRequest(31, 'forker/hooks'),
        apiUrl: github.url,
        files: { 'ca.pem': ca.rootPem },
      });

      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs.compliant).toBe('true');
      const warnings = run.commands.filter((c) => c.command === 'warning').map((c) => c.message);
      expect(warnings).toEqual([
        expect.stringMatching(/HTTP 403.*comes from a fork.*read-only token/),
      ]);
      expect(github.comments.length).toBe(before);
      expect(
        github.requests.some((r) => r.method === 'POST' && r.path.endsWith('/31/comments')),
      ).toBe(true);
    } finally {
      github.forbidWrites = false;
    }
  }, 60_000);
});

describe('the Action on a schedule with a tracking issue', () => {
  it('opens the issue, updates it, and closes it with a comment once all passes', async () => {
    const scheduled = (endpoints: string) =>
      runDist({
        inputs: { endpoints, 'ca-file': 'ca.pem', issue: 'on-failure', token: 'audit-token' },
        event: SCHEDULE,
        apiUrl: github.url,
        files: { 'ca.pem': ca.rootPem },
      });
    const tracking = () =>
      github.issues.filter(
        (issue) => issue.body.includes(ISSUE_MARKER_PREFIX) && !issue.isPullRequest,
      );

    const failing = `${endpointOf('compliant')}\n${endpointOf('expired-certificate')}`;
    const firstRequest = github.requests.length;
    const opened = await scheduled(failing);

    expect(opened.exitCode).toBe(1);
    expect(tracking()).toHaveLength(1);
    expect(tracking()[0]).toMatchObject({
      state: 'open',
      title: 'Webhook TLS audit (Webhook TLS / probe): 1 endpoint failing',
    });
    expect(tracking()[0].body).toContain('certificate.expired');
    expect(tracking()[0].body).toContain('https://github.com/acme/hooks/actions/runs/4242');

    const updated = await scheduled(`${failing}\n${endpointOf('no-listed-suite')}`);

    expect(updated.exitCode).toBe(1);
    expect(tracking()).toHaveLength(1);
    // Not the title: it stays as written when the issue was opened, which run.test.ts checks
    // against the source, while a bundle built before that change rewrites it.
    expect(tracking()[0].state).toBe('open');
    expect(tracking()[0].body).toContain('suites.none-listed');

    const closed = await scheduled(endpointOf('compliant'));

    expect(closed.exitCode).toBe(0);
    expect(tracking()).toHaveLength(1);
    expect(tracking()[0].state).toBe('closed');
    const closing = github.comments.filter((c) => c.issueNumber === tracking()[0].number);
    expect(closing).toHaveLength(1);
    expect(closing[0].body).toMatch(/^Every endpoint passes again/);

    const requests = github.requests.slice(firstRequest);
    expect(new Set(requests.map((r) => r.authorization))).toEqual(new Set(['token audit-token']));
    // Only the issues list and the tracking issue itself were touched.
    expect(
      requests.every((r) => /^\/repos\/acme\/hooks\/issues(\/\d+(\/comments)?)?$/.test(r.path)),
    ).toBe(true);
  }, 120_000);
});

describe('the Action over a job matrix', () => {
  it('probes each shard, then merges the shard reports into one', async () => {
    const endpoints = [
      endpointOf('compliant'),
      endpointOf('tls1.0-only'),
      endpointOf('no-listed-suite'),
      endpointOf('expired-certificate'),
    ].join('\n');
    const shard = (index: number) =>
      runDist({
        inputs: { endpoints, 'ca-file': 'ca.pem', shard: `${index}/2`, comment: 'never' },
        event: PUSH,
        apiUrl: github.url,
        files: { 'ca.pem': ca.rootPem },
      });

    const shards = [await shard(1), await shard(2)];
    const reports = shards.map((run) => readJson<Report>(run.outputs.report));

    expect(shards[0].outputs.report).toMatch(/webhook-tls-report-1-of-2\.json$/);
    // Both shards carry the identity of the whole list they were cut from, so a merge can
    // refuse shards of another run.
    const digest = reports[0].shard?.listDigest;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(reports.map((report) => report.shard)).toEqual([
      { index: 1, count: 2, listDigest: digest, listSize: 4 },
      { index: 2, count: 2, listDigest: digest, listSize: 4 },
    ]);
    expect(reports[0].endpoints.length + reports[1].endpoints.length).toBe(4);

    const merged = await runDist({
      inputs: { merge: 'reports/**/*.json', comment: 'never' },
      event: PUSH,
      apiUrl: github.url,
      files: {
        'reports/shard-1/report.json': readFileSync(shards[0].outputs.report, 'utf8'),
        'reports/shard-2/report.json': readFileSync(shards[1].outputs.report, 'utf8'),
      },
    });
    const report = readJson<Report>(merged.outputs.report);

    expect(merged.exitCode).toBe(1);
    expect(report.shard).toBeUndefined();
    expect(report.endpoints).toHaveLength(4);
    expect(JSON.parse(merged.outputs['failed-endpoints'])).toHaveLength(3);
  }, 120_000);
});

describe('the Action with a bad input', () => {
  it('fails before any probe, naming the input and what it accepts', async () => {
    const run = await runDist({
      inputs: { endpoints: '127.0.0.1:1', timeout: 'soon' },
      event: PUSH,
      apiUrl: github.url,
    });

    expect(run.exitCode).toBe(1);
    expect(run.commands.filter((c) => c.command === 'error').map((c) => c.message)).toEqual([
      'Invalid input: timeout must be a whole number from 100 to 120000; got "soon"',
    ]);
    expect(run.outputs).toEqual({});
    expect(run.summary).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------

interface SwitchableServer {
  endpoint: string;
  /** Reconfigures the server for the next connections, on the same port. */
  serve(mode: 'compliant' | 'tls1.0'): void;
  stop(): Promise<void>;
}

/** One Node tls server whose configuration changes between runs, as a real one does. */
async function startSwitchableServer(authority: DemoCa): Promise<SwitchableServer> {
  const leaf = await authority.issue('127.0.0.1', {
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
  });
  const modes = {
    compliant: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
    'tls1.0': { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' },
  } as const;

  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem, ...modes.compliant });
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (socket) => socket.end());
  server.on('tlsClientError', () => {});
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(mode) {
      server.setSecureContext({ cert: leaf.certPem, key: leaf.keyPem, ...modes[mode] });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
