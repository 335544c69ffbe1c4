// The Action run from its TypeScript source, as the runner starts it (INPUT_* variables,
// GITHUB_* files, GITHUB_API_URL at the local GitHub API fake), against the demo's TLS servers
// on loopback: what a workflow sees of src/action, tested before dist/index.js is rebuilt from
// it (dist.test.ts checks the bundle).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoCa, type DemoCa } from '../../demo/ca.js';
import { type DemoServer, startDemoServers, stopAll } from '../../demo/servers.js';
import { API_TIMEOUT_VARIABLE } from '../../src/action/github.js';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.js';
import { type DistRun, type DistRunOptions, runDist, type WorkflowCommand } from './run-dist.js';

let github: FakeGitHub;
let ca: DemoCa;
let servers: DemoServer[];

const endpointOf = (name: string) => servers.find((server) => server.name === name)!.endpoint;

beforeAll(async () => {
  github = await startFakeGitHub();
  ca = await createDemoCa();
  servers = await startDemoServers(ca);
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

const PUSH = { name: 'push', payload: { ref: 'refs/heads/main' } };

function pullRequest(number: number, headRepository = 'acme/hooks') {
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: { number, head: { repo: { full_name: headRepository } } },
      repository: { full_name: 'acme/hooks' },
    },
  };
}

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
function _failure(run: DistRun): string[] {
  return run.commands
    .filter((c) => c.command === 'error' && !c.properties.title)
    .map((c) => c.message);
}

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
});
