// The Action run from its TypeScript source, as the runner starts it (INPUT_* variables,
// GITHUB_* files, GITHUB_API_URL at the local GitHub API fake), against the demo's TLS servers
// on loopback: what a workflow sees of src/action, tested before dist/index.js is rebuilt from
// it (dist.test.ts checks the bundle).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoCa, type DemoCa } from '../../demo/ca.js';
import { type DemoServer, startDemoServers, stopAll } from '../../demo/servers.js';
import { COMMENT_MARKER_PREFIX } from '../../src/action/comment.js';
import { API_TIMEOUT_VARIABLE } from '../../src/action/github.js';
import { ISSUE_MARKER_PREFIX, issueMarker } from '../../src/action/tracking-issue.js';
import type { EndpointResult, Report } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { selectShard } from '../../src/report/index.js';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.js';
import { freePort } from '../support/ports.js';
import {
  DISPATCH,
  type DistRun,
  type DistRunOptions,
  JOB,
  PUSH,
  pullRequest,
  runDist,
  SCHEDULE,
  WORKFLOW,
  type WorkflowCommand,
} from './run-dist.js';

let github: FakeGitHub;
let ca: DemoCa;
let servers: DemoServer[];
let closedEndpoint: string;

const endpointOf = (name: string) => servers.find((server) => server.name === name)!.endpoint;

beforeAll(async () => {
  github = await startFakeGitHub();
  ca = await createDemoCa();
  servers = await startDemoServers(ca);
  closedEndpoint = `127.0.0.1:${await freePort(['127.0.0.1'])}`;
});

afterAll(async () => {
  await Promise.all([github?.stop(), servers && stopAll(servers)]);
});

beforeEach(() => {
  github.requests.length = 0;
  github.comments.length = 0;
  github.issues.length = 0;
  github.forbidWrites = false;
  github.answerDelayMs = 0;
});

/** Runs src/action with the demo CA trusted, unless the test says otherwise. */
function action(options: Omit<DistRunOptions, 'apiUrl' | 'entry'>): Promise<DistRun> {
  return runDist({
    ...options,
    files: { 'ca.pem': ca.rootPem, ...options.files },
    apiUrl: github.url,
    entry: 'source',
  });
}

function messages(run: DistRun, level: 'error' | 'warning' | 'notice'): string[] {
  return run.commands.filter((c) => c.command === level).map((c) => c.message);
}

function annotations(run: DistRun, level: 'error' | 'warning' | 'notice'): WorkflowCommand[] {
  return run.commands.filter((c) => c.command === level && c.properties.title);
}

/** The step's failure message: the one error without a title. */
function failure(run: DistRun): string[] {
  return run.commands
    .filter((c) => c.command === 'error' && !c.properties.title)
    .map((c) => c.message);
}

/** `text` matched literally inside a regular expression. */
function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function trackingIssues() {
  return github.issues.filter((issue) => issue.body.includes(ISSUE_MARKER_PREFIX));
}

describe('each rendering is written on its own', () => {
  it.each([
    ['is empty', ''],
    ['points into a missing directory', path.join(os.tmpdir(), 'wtp-no-such-dir', 'summary.md')],
  ])('when GITHUB_STEP_SUMMARY %s, warns and writes everything else', async (_, summaryFile) => {
    const run = await action({
      inputs: {
        endpoints: `${endpointOf('compliant')}\n${closedEndpoint}`,
        'ca-file': 'ca.pem',
        comment: 'always',
        issue: 'on-failure',
        token: 't',
      },
      event: pullRequest(5),
      env: { GITHUB_STEP_SUMMARY: summaryFile },
    });

    expect(messages(run, 'warning')).toEqual([
      expect.stringMatching(/^Could not write the job summary: /),
    ]);
    expect(Object.keys(run.outputs).sort()).toEqual(
      ['compliant', 'failed-endpoints', 'report', 'sarif', 'summary'].sort(),
    );
    expect(JSON.parse(run.outputs['failed-endpoints'])).toEqual([closedEndpoint]);
    expect(annotations(run, 'error').map((a) => a.properties.title)).toEqual([
      `${closedEndpoint}: endpoint.not-scanned`,
    ]);
    expect(github.comments.filter((c) => c.body.includes(COMMENT_MARKER_PREFIX))).toHaveLength(1);
    expect(trackingIssues()).toHaveLength(1);

    // The exit status is still the scan's: an endpoint could not be scanned.
    expect(run.exitCode).toBe(1);
    expect(failure(run)).toEqual([expect.stringContaining(`could not scan 1 endpoint`)]);
  });

  it('fails the step when the outputs cannot be written, after writing the rest', async () => {
    const run = await action({
      inputs: { endpoints: endpointOf('compliant'), 'ca-file': 'ca.pem', comment: 'never' },
      event: PUSH,
      env: { GITHUB_OUTPUT: path.join(os.tmpdir(), 'wtp-no-such-dir', 'output.txt') },
    });

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toEqual([expect.stringMatching(/^Could not write the outputs: /)]);
    expect(run.summary).toContain('| Endpoint | Verdict |');
    expect(run.stdout).toContain('webhook-tls-report.json');
  });
});

describe('a GitHub API that never answers', () => {
  it('gives up on each request after the timeout, with a warning that says so', async () => {
    github.answerDelayMs = 60_000;
    const started = Date.now();

    const run = await action({
      inputs: {
        endpoints: endpointOf('compliant'),
        'ca-file': 'ca.pem',
        comment: 'always',
        issue: 'on-failure',
        token: 't',
      },
      event: pullRequest(6),
      env: { [API_TIMEOUT_VARIABLE]: '300' },
      timeoutMs: 30_000,
    });

    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(messages(run, 'warning')).toEqual([
      expect.stringMatching(
        /^Could not write the pull request comment: GET \S+ timed out after 0\.3 seconds/,
      ),
      expect.stringMatching(/^Could not update the tracking issue: GET \S+ timed out after 0\.3/),
    ]);
  }, 40_000);
});

describe('the tracking issue and failed-endpoints with fail-on never', () => {
  it('keeps the issue open while an endpoint fails the policy, and lists it', async () => {
    github.issues.push({
      number: 1,
      title: 'Webhook TLS audit: 1 endpoint failing',
      body: `${issueMarker(`${WORKFLOW} / ${JOB}`)}\nearlier failures`,
      state: 'open',
      labels: [],
      isPullRequest: false,
    });

    const run = await action({
      inputs: {
        endpoints: `${endpointOf('tls1.0-only')}\n${closedEndpoint}`,
        'ca-file': 'ca.pem',
        'fail-on': 'never',
        issue: 'on-failure',
        comment: 'never',
        token: 't',
      },
      event: SCHEDULE,
    });

    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.compliant).toBe('true');
    expect(JSON.parse(run.outputs['failed-endpoints'])).toEqual([
      endpointOf('tls1.0-only'),
      closedEndpoint,
    ]);

    expect(trackingIssues()).toHaveLength(1);
    expect(trackingIssues()[0].state).toBe('open');
    expect(trackingIssues()[0].body).toContain(endpointOf('tls1.0-only'));
    expect(trackingIssues()[0].body).toContain(closedEndpoint);
    expect(github.comments).toEqual([]);

    // Closed only once every endpoint is compliant, with a comment that says so.
    await action({
      inputs: {
        endpoints: endpointOf('compliant'),
        'ca-file': 'ca.pem',
        'fail-on': 'never',
        issue: 'on-failure',
        token: 't',
      },
      event: SCHEDULE,
    });

    expect(trackingIssues()[0].state).toBe('closed');
    expect(github.comments.map((c) => c.body)).toEqual([
      expect.not.stringMatching(/not compliant|not scanned/),
    ]);
    expect(github.comments[0].body).toMatch(
      new RegExp(
        '^Every endpoint passes again: 1 endpoint scanned, all compliant with the policy\\. ' +
          `Seen by the scheduled webhook TLS audit \\(${WORKFLOW} / ${JOB}\\), finished \\S+ ` +
          '\\(\\[run\\]\\(https://github\\.com/acme/hooks/actions/runs/4242\\)\\)\\. Closing\\.$',
      ),
    );
  });
});

describe('the tracking issue and failed-endpoints follow the policy, not fail-on', () => {
  it('fail on warnings with fail-on warning, yet list and open for errors only', async () => {
    const report = await manyWarnings(1);
    const [legacy, warned] = report.endpoints.map((result) => result.scan.endpoint.input);
    const merge = (endpoints: EndpointResult[], failOn: string) =>
      action({
        inputs: {
          merge: 'reports/run.json',
          'fail-on': failOn,
          issue: 'on-failure',
          comment: 'never',
          token: 't',
        },
        event: SCHEDULE,
        files: { 'reports/run.json': JSON.stringify({ ...report, endpoints }) },
      });

    // Only a warning: the step fails as fail-on asks, but nothing fails the policy.
    const warnings = await merge(report.endpoints.slice(1), 'warning');

    expect(warnings.exitCode).toBe(1);
    expect(warnings.outputs.compliant).toBe('false');
    expect(JSON.parse(warnings.outputs['failed-endpoints'])).toEqual([]);
    // The failure names the threshold: the policy itself fails nothing here.
    expect(failure(warnings)).toEqual([`1 endpoint of 1 fails at fail-on warning: ${warned}`]);
    expect(trackingIssues()).toEqual([]);

    // An error too: the issue lists it, and not the endpoint with only a warning.
    const both = await merge(report.endpoints, 'warning');

    expect(JSON.parse(both.outputs['failed-endpoints'])).toEqual([legacy]);
    expect(failure(both)).toEqual([
      `2 endpoints of 2 fail at fail-on warning: ${legacy}, ${warned}`,
    ]);
    expect(trackingIssues()).toHaveLength(1);
    expect(trackingIssues()[0].title).toMatch(/: 1 endpoint failing$/);
    expect(trackingIssues()[0].body).toContain(legacy);
    expect(trackingIssues()[0].body).not.toContain(warned);

    // fail-on never passes the step; the error still fails the policy, so the issue stays.
    const never = await merge(report.endpoints, 'never');

    expect(never.exitCode, never.stdout).toBe(0);
    expect(JSON.parse(never.outputs['failed-endpoints'])).toEqual([legacy]);
    expect(trackingIssues()[0].state).toBe('open');
  });
});

describe('the tracking issue', () => {
  it('says what ran, and keeps the title a user gave it', async () => {
    const failing = () =>
      action({
        inputs: {
          endpoints: endpointOf('expired-certificate'),
          'ca-file': 'ca.pem',
          issue: 'on-failure',
          token: 't',
        },
        event: DISPATCH,
      });

    await failing();
    expect(trackingIssues()).toHaveLength(1);
    expect(trackingIssues()[0].body).toMatch(
      new RegExp(
        `^${ISSUE_MARKER_PREFIX} [^\n]+\nThe webhook TLS audit started by hand ` +
          `\\(workflow_dispatch\\) \\(${WORKFLOW} / ${JOB}\\)`,
      ),
    );
    expect(trackingIssues()[0].body).not.toContain('scheduled');

    trackingIssues()[0].title = 'Payments webhooks: TLS';
    await failing();

    expect(trackingIssues()).toHaveLength(1);
    expect(trackingIssues()[0].title).toBe('Payments webhooks: TLS');
  });
});

describe('the tracking issue body', () => {
  it('opens with a sentence for endpoints not compliant, not scanned, or both', async () => {
    const audit = (endpoints: string[]) =>
      action({
        inputs: {
          endpoints: endpoints.join('\n'),
          'ca-file': 'ca.pem',
          issue: 'on-failure',
          comment: 'never',
          token: 't',
        },
        event: SCHEDULE,
      });
    // The body's line after the marker: the run, then what it found.
    const opening = () => trackingIssues()[0].body.split('\n')[1];
    const ran = `^The scheduled webhook TLS audit \\(${WORKFLOW} / ${JOB}\\), finished [^,]+`;
    const expired = escaped(endpointOf('expired-certificate'));
    const closed = escaped(closedEndpoint);

    await audit([endpointOf('expired-certificate')]);
    expect(opening()).toMatch(
      new RegExp(`${ran}, found 1 endpoint of 1 not compliant with the policy: ${expired}\\.$`),
    );

    await audit([closedEndpoint]);
    expect(opening()).toMatch(
      new RegExp(`${ran}, could not scan 1 endpoint of 1: ${closed} \\(.+\\)\\.$`),
    );

    await audit([endpointOf('expired-certificate'), closedEndpoint]);
    expect(opening()).toMatch(
      new RegExp(
        `${ran}, found 1 endpoint of 2 not compliant with the policy: ${expired}\\. ` +
          `It could not scan 1 endpoint of 2: ${closed} \\(.+\\)\\.$`,
      ),
    );
    expect(trackingIssues()).toHaveLength(1);
  });
});

describe('the pull request comment', () => {
  it('links the run whose job summary has the rest, when the runner names the run', async () => {
    const comment = async (env: Record<string, string | undefined>) => {
      github.comments.length = 0;
      await action({
        inputs: {
          endpoints: endpointOf('compliant'),
          'ca-file': 'ca.pem',
          comment: 'always',
          token: 't',
        },
        event: pullRequest(45),
        env,
      });
      return github.comments.map((c) => c.body).join('\n');
    };

    expect(await comment({})).toContain(
      '_The [job summary of the run](https://github.com/acme/hooks/actions/runs/4242) has ' +
        'the suites, chains and fixes._',
    );
    expect(await comment({ GITHUB_RUN_ID: undefined })).toContain(
      '_The job summary of the run has the suites, chains and fixes._',
    );
  });
});

describe('two audits of one repository', () => {
  const audit = (endpoint: string, env: Record<string, string>, inputs = {}) =>
    action({
      inputs: {
        endpoints: endpoint,
        'ca-file': 'ca.pem',
        issue: 'on-failure',
        comment: 'always',
        token: 't',
        ...inputs,
      },
      event: pullRequest(44),
      env,
    });

  it('keep an issue and a comment each, by workflow and job', async () => {
    await audit(closedEndpoint, { GITHUB_JOB: 'staging' });
    await audit(endpointOf('compliant'), { GITHUB_JOB: 'production' });

    expect(trackingIssues().map((issue) => [issue.title, issue.state])).toEqual([
      [`Webhook TLS audit (${WORKFLOW} / staging): 1 endpoint failing`, 'open'],
    ]);
    const comments = github.comments.filter((c) => c.body.includes(COMMENT_MARKER_PREFIX));
    expect(comments.map((c) => c.body.match(/_Audit: (.*)\._/)?.[1])).toEqual([
      `${WORKFLOW} / staging`,
      `${WORKFLOW} / production`,
    ]);
  });

  it('keep one each in one job when audit-name names them', async () => {
    await audit(closedEndpoint, {}, { 'audit-name': 'staging' });
    await audit(endpointOf('compliant'), {}, { 'audit-name': 'production' });
    await audit(closedEndpoint, {}, { 'audit-name': 'staging' });

    expect(trackingIssues()).toHaveLength(1);
    expect(trackingIssues()[0].state).toBe('open');
    expect(trackingIssues()[0].body.startsWith(`${issueMarker('staging')}\n`)).toBe(true);
    expect(github.comments.filter((c) => c.body.includes(COMMENT_MARKER_PREFIX))).toHaveLength(2);
  });
});

describe('annotations', () => {
  it('puts an unused suppression on its line of the policy file', async () => {
    const run = await action({
      inputs: {
        endpoints: endpointOf('compliant'),
        'ca-file': 'ca.pem',
        policy: 'policies/sup2.yml',
        comment: 'never',
      },
      event: PUSH,
      files: {
        'policies/sup2.yml':
          'extends: webhook\nsuppressions:\n  - id: certificate.expiring-soon\n' +
          '    endpoint: nothing.example.com\n    reason: staging certificates\n',
      },
    });

    expect(run.exitCode, run.stdout).toBe(0);
    const unused = annotations(run, 'notice').filter((a) =>
      a.properties.title.endsWith('policy.unused-suppression'),
    );
    expect(unused.map((a) => a.properties)).toEqual([
      {
        title: 'nothing.example.com: policy.unused-suppression',
        file: 'policies/sup2.yml',
        line: '3',
      },
    ]);
  });

  it('keeps every refusal of the comment and the issue within the 10 warnings shown', async () => {
    github.forbidWrites = true;
    const run = await action({
      inputs: {
        merge: 'reports/run.json',
        comment: 'always',
        issue: 'on-failure',
        token: 'read-only',
      },
      event: pullRequest(31, 'forker/hooks'),
      files: { 'reports/run.json': JSON.stringify(await manyWarnings(12)) },
    });

    const warnings = messages(run, 'warning');
    expect(warnings).toHaveLength(10);
    expect(warnings).toContainEqual(expect.stringMatching(/HTTP 403.*comes from a fork/));
    expect(warnings).toContainEqual(expect.stringMatching(/issues: write permission/));
    expect(annotations(run, 'warning').at(-1)?.properties.title).toMatch(/^\d+ more warnings$/);
  });
});

describe('merge', () => {
  it('applies the merge job’s fail-on to the merged report', async () => {
    const run = await action({
      inputs: { merge: 'reports/*.json', 'fail-on': 'never', comment: 'never' },
      event: PUSH,
      files: { 'reports/run.json': JSON.stringify(await manyWarnings(2)) },
    });

    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.compliant).toBe('true');
    const report = JSON.parse(readFileSync(run.outputs.report, 'utf8')) as Report;
    expect(report.policy.failOn).toBe('never');
    expect(JSON.parse(run.outputs['failed-endpoints'])).toEqual([endpointOf('tls1.0-only')]);
  });

  it('refuses a policy, which the shards’ reports already fix', async () => {
    const run = await action({
      inputs: { merge: 'reports/*.json', policy: 'mozilla-modern' },
      event: PUSH,
    });

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toEqual([
      expect.stringMatching(/^Invalid input: policy: a merge keeps the policy the shards ran with/),
    ]);
  });
});

describe('baselines and shards', () => {
  const listed = () =>
    [
      endpointOf('compliant'),
      endpointOf('tls1.0-only'),
      endpointOf('no-listed-suite'),
      endpointOf('expired-certificate'),
      closedEndpoint,
    ].join('\n');
  let whole: string;

  beforeAll(async () => {
    const run = await action({
      inputs: { endpoints: listed(), 'ca-file': 'ca.pem', comment: 'never' },
      event: PUSH,
    });
    whole = readFileSync(run.outputs.report, 'utf8');
  });

  it('compares a shard with its own endpoints only, and writes no comment', async () => {
    // The shard with fewer endpoints: the whole baseline has endpoints of the other one.
    const endpoints = listed()
      .split('\n')
      .map((text) => parseEndpoint(text));
    const index = selectShard(endpoints, 0, 2).length <= 2 ? 1 : 2;

    const run = await action({
      inputs: {
        endpoints: listed(),
        'ca-file': 'ca.pem',
        shard: `${index}/2`,
        baseline: 'baseline.json',
        token: 't',
      },
      event: pullRequest(40),
      files: { 'baseline.json': whole },
    });

    expect(run.summary).not.toContain('Endpoints no longer scanned');
    expect(run.summary).not.toContain('New endpoints');
    expect(github.comments).toEqual([]);
    expect(run.stdout).toContain('No pull request comment from a shard');
  });

  it('refuses a shard baseline for a run over every endpoint', async () => {
    const shard = await action({
      inputs: { endpoints: listed(), 'ca-file': 'ca.pem', shard: '1/2', comment: 'never' },
      event: PUSH,
    });
    const run = await action({
      inputs: { endpoints: listed(), 'ca-file': 'ca.pem', baseline: 'baseline.json' },
      event: PUSH,
      files: { 'baseline.json': readFileSync(shard.outputs.report, 'utf8') },
    });

    expect(run.exitCode).toBe(1);
    expect(failure(run)).toEqual([
      expect.stringMatching(
        /^Invalid input: baseline: baseline\.json is the report of shard 1\/2 only/,
      ),
    ]);
    expect(run.outputs).toEqual({});
  });

  it('does not compare with a baseline made under another policy, and warns', async () => {
    const modern = await action({
      inputs: { endpoints: listed(), 'ca-file': 'ca.pem', policy: 'mozilla-modern' },
      event: PUSH,
    });
    const run = await action({
      inputs: {
        endpoints: listed(),
        'ca-file': 'ca.pem',
        baseline: 'baseline.json',
        comment: 'always',
        token: 't',
      },
      event: pullRequest(42),
      files: { 'baseline.json': readFileSync(modern.outputs.report, 'utf8') },
    });

    expect(messages(run, 'warning')).toContain(
      'Not compared with the baseline baseline.json: the baseline was made under the policy ' +
        'mozilla-modern and this run uses webhook, so its findings cannot be compared: give a ' +
        'baseline made under webhook.',
    );
    // The scan's own results stand; nothing reads as new or fixed.
    expect(run.summary).not.toMatch(/since the baseline/i);
    expect(run.summary).toContain(endpointOf('tls1.0-only'));
    expect(github.comments.map((c) => c.body)).toEqual([
      expect.not.stringMatching(/since the baseline/i),
    ]);
  });

  it('does not compare with a baseline of a policy file named like the preset', async () => {
    // A tester saw the findings only mozilla-intermediate raises called fixed: the policy file
    // is named webhook, like the preset this run uses, yet checks other rules.
    const files = { 'polm.yml': 'extends: mozilla-intermediate\nname: webhook\n' };
    const intermediate = await action({
      inputs: { endpoints: endpointOf('compliant'), 'ca-file': 'ca.pem', policy: 'polm.yml' },
      event: PUSH,
      files,
    });
    const run = await action({
      inputs: {
        endpoints: endpointOf('compliant'),
        'ca-file': 'ca.pem',
        baseline: 'baseline.json',
        comment: 'never',
      },
      event: PUSH,
      files: { 'baseline.json': readFileSync(intermediate.outputs.report, 'utf8') },
    });

    expect(JSON.parse(readFileSync(intermediate.outputs.report, 'utf8')).policy.name).toBe(
      'webhook',
    );
    expect(messages(run, 'warning')).toContain(
      'Not compared with the baseline baseline.json: the baseline was made under a policy ' +
        "also named webhook that checks other rules than this run's, so its findings cannot " +
        'be compared: give a baseline made under webhook.',
    );
    expect(run.summary).not.toMatch(/since the baseline/i);
  });

  it('compares a baseline of the same policy file however its path is spelt', async () => {
    const files = { 'pol.yml': 'extends: webhook\n' };
    const earlier = await action({
      inputs: { endpoints: endpointOf('compliant'), 'ca-file': 'ca.pem', policy: 'pol.yml' },
      event: PUSH,
      files,
    });
    const run = await action({
      inputs: {
        endpoints: [endpointOf('compliant'), endpointOf('tls1.0-only')].join('\n'),
        'ca-file': 'ca.pem',
        policy: './pol.yml',
        baseline: 'baseline.json',
        comment: 'never',
      },
      event: PUSH,
      files: { ...files, 'baseline.json': readFileSync(earlier.outputs.report, 'utf8') },
    });

    expect(messages(run, 'warning')).not.toContainEqual(expect.stringMatching(/Not compared/));
    expect(run.summary).toContain('New endpoints');
    expect(run.summary).toContain(endpointOf('tls1.0-only'));
  });

  it('names a baseline it cannot read once', async () => {
    const run = await action({
      inputs: { endpoints: closedEndpoint, baseline: 'missing-baseline.json' },
      event: PUSH,
    });

    expect(failure(run)).toHaveLength(1);
    expect(failure(run)[0]).toMatch(/^Invalid input: baseline: /);
    expect(failure(run)[0].split('missing-baseline.json')).toHaveLength(2);
  });
});

describe('the token', () => {
  it('is not asked for when nothing would be written', async () => {
    const run = await action({
      inputs: { endpoints: endpointOf('compliant'), 'ca-file': 'ca.pem', token: '' },
      event: PUSH,
    });

    expect(run.exitCode, run.stdout).toBe(0);
    expect(messages(run, 'warning')).toEqual([]);
  });

  it('is asked for when a pull request would get the comment', async () => {
    const run = await action({
      inputs: { endpoints: endpointOf('compliant'), 'ca-file': 'ca.pem', token: '' },
      event: pullRequest(41),
    });

    expect(messages(run, 'warning')).toEqual([
      'The token input is empty: no pull request comment.',
    ]);
  });
});

/**
 * A report of one non-compliant endpoint (the demo's TLS 1.0 server, scanned for real) and
 * `count` endpoints with one warning each, as a run over that many endpoints would give.
 */
async function manyWarnings(count: number): Promise<Report> {
  const run = await action({
    inputs: { endpoints: endpointOf('tls1.0-only'), 'ca-file': 'ca.pem', comment: 'never' },
    event: PUSH,
  });
  const report = JSON.parse(readFileSync(run.outputs.report, 'utf8')) as Report;
  const [legacy] = report.endpoints;
  const warning = { ...legacy.findings[0], severity: 'warning' as const };

  const warned = Array.from({ length: count }, (_, i): EndpointResult => {
    const input = `w${i + 1}.example.com`;
    return {
      scan: { ...legacy.scan, endpoint: parseEndpoint(input) },
      verdict: 'compliant',
      findings: [{ ...warning, endpoint: input }],
    };
  });

  return { ...report, endpoints: [legacy, ...warned] };
}
