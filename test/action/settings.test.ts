// The Action's settings: every input of action.yml is read (and nothing else), defaults agree
// with action.yml, and each bad value is refused with an error naming the input and what it
// accepts.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OUTPUT_NAMES } from '../../src/action/main.js';
import { INPUT_NAMES, readSettings } from '../../src/action/settings.js';
import { UsageError } from '../../src/cli/values.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const actionYml = parse(
  readFileSync(new URL('../../action.yml', import.meta.url), 'utf8'),
) as ActionYml;

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'wtp-settings-'));
  await writeFile(
    path.join(workspace, 'endpoints.txt'),
    '# receivers\n\nhooks.example.com:8443  # legacy\nhttps://b.example.com/in\n',
  );
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** An input reader over a map that records every name asked for. */
function inputs(values: Record<string, string>) {
  const asked = new Set<string>();
  const reader = (name: string) => {
    asked.add(name);
    return values[name] ?? '';
  };
  return { reader, asked };
}

async function refusal(values: Record<string, string>): Promise<UsageError> {
  const error = await readSettings(inputs(values).reader, workspace).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('action.yml', () => {
  it('describes every input and output and runs dist/index.js on node24', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });

    for (const [name, input] of Object.entries(actionYml.inputs)) {
      expect(input.description, name).toMatch(/\w{3,}.*\w{3,}/);
    }
    for (const [name, output] of Object.entries(actionYml.outputs)) {
      expect(output.description, name).toMatch(/\w{3,}.*\w{3,}/);
    }
  });

  it('lists exactly the inputs the settings read, and the outputs the run sets', async () => {
    const { reader, asked } = inputs({ endpoints: 'a.example.com' });
    await readSettings(reader, workspace);

    expect([...asked].sort()).toEqual(Object.keys(actionYml.inputs).sort());
    expect([...INPUT_NAMES].sort()).toEqual(Object.keys(actionYml.inputs).sort());
    expect([...OUTPUT_NAMES].sort()).toEqual(Object.keys(actionYml.outputs).sort());
  });

  it('reads every input in merge mode too', async () => {
    const { reader, asked } = inputs({ merge: 'reports/*.json' });
    const settings = await readSettings(reader, workspace);

    expect(settings.merge).toEqual(['reports/*.json']);
    expect([...asked].sort()).toEqual(Object.keys(actionYml.inputs).sort());
  });

  it('has the defaults the settings fall back to when an input is empty', async () => {
    const defaults: Record<string, string> = { endpoints: 'a.example.com' };
    for (const [name, input] of Object.entries(actionYml.inputs)) {
      if (input.default && name !== 'token') {
        defaults[name] = input.default;
      }
    }

    const fromDefaults = await readSettings(inputs(defaults).reader, workspace);
    const fromEmpty = await readSettings(inputs({ endpoints: 'a.example.com' }).reader, workspace);

    expect(fromDefaults).toEqual(fromEmpty);
    // A workflow expression, not a JavaScript template.
    expect(actionYml.inputs.token.default).toBe(['$', '{{ github.token }}'].join(''));
  });
});

describe('readSettings', () => {
  it('reads endpoints from the input and the file, with the file lines', async () => {
    const settings = await readSettings(
      inputs({
        endpoints: 'https://a.example.com/hook\n\n  c.example.com  \n',
        'endpoints-file': 'endpoints.txt',
        timeout: '2500',
        'fail-on': 'Warning',
        comment: 'on-failure',
        issue: 'on-failure',
        concurrency: '8',
        'per-host-concurrency': '1',
        token: 'secret',
      }).reader,
      workspace,
    );

    expect(settings.endpoints.map((endpoint) => endpoint.input)).toEqual([
      'https://a.example.com/hook',
      'c.example.com',
      'hooks.example.com:8443',
      'https://b.example.com/in',
    ]);
    expect(settings.endpoints[2].source).toEqual({ file: 'endpoints.txt', line: 3 });
    expect(settings.endpoints[0].source).toBeUndefined();
    expect(settings).toMatchObject({
      timeoutMs: 2500,
      failOn: 'warning',
      comment: 'on-failure',
      issue: 'on-failure',
      concurrency: 8,
      perHostConcurrency: 1,
      token: 'secret',
      policy: 'webhook',
      merge: [],
    });
  });

  it.each([
    [{ timeout: 'soon' }, 'timeout', /timeout must be a whole number from 100 to 120000/],
    [{ concurrency: '0' }, 'concurrency', /concurrency must be a whole number from 1 to 64/],
    [{ 'per-host-concurrency': '99' }, 'per-host-concurrency', /from 1 to 16/],
    [{ comment: 'sometimes' }, 'comment', /one of auto, always, on-failure, never/],
    [{ issue: 'always' }, 'issue', /issue must be one of never, on-failure; got "always"/],
    [{ 'fail-on': 'critical' }, 'fail-on', /one of error, warning, notice, never/],
    [{ shard: '5/4' }, 'shard', /shard must be written i\/n/],
  ])('refuses %o naming %s', async (values, setting, message) => {
    const error = await refusal({ endpoints: 'a.example.com', ...values });

    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(message);
  });

  it('reads a shard', async () => {
    const settings = await readSettings(
      inputs({ endpoints: 'a.example.com', shard: '2/3' }).reader,
      workspace,
    );

    expect(settings.shard).toEqual({ index: 2, count: 3 });
  });

  it('skips blank lines and # comments in the endpoints input, as in an endpoints file', async () => {
    const settings = await readSettings(
      inputs({
        endpoints: '# prod receivers\na.example.com\n\n  #prod\nhttps://b.example.com/in\nftp://c',
      }).reader,
      workspace,
    ).catch((error: unknown) => error as UsageError);

    // The comments are skipped, and the lines keep their numbers in errors.
    expect(settings).toBeInstanceOf(UsageError);
    expect((settings as UsageError).message).toMatch(/^endpoints line 6: "ftp:\/\/c"/);

    const fine = await readSettings(
      inputs({
        endpoints:
          '# prod receivers\na.example.com  # the old one\n#prod\nhttps://b.example.com/in',
      }).reader,
      workspace,
    );
    expect(fine.endpoints.map((endpoint) => endpoint.input)).toEqual([
      'a.example.com',
      'https://b.example.com/in',
    ]);
  });

  it('reads preset names in any case, as it does the other named values', async () => {
    const read = (policy: string) =>
      readSettings(inputs({ endpoints: 'a.example.com', policy }).reader, workspace);

    expect((await read('Webhook')).policy).toBe('webhook');
    expect((await read('MOZILLA-Modern')).policy).toBe('mozilla-modern');
    // Anything else is a policy file's path, kept as written.
    expect((await read('Policies/Webhook.yml')).policy).toBe('Policies/Webhook.yml');
  });

  it('leaves the comment and the tracking issue to the merge job in a shard job', async () => {
    const issue = await refusal({ endpoints: 'a.example.com', shard: '1/2', issue: 'on-failure' });
    expect(issue.setting).toBe('issue');
    expect(issue.message).toMatch(/^issue: a shard job cannot keep the tracking issue/);

    const comment = await refusal({ endpoints: 'a.example.com', shard: '1/2', comment: 'always' });
    expect(comment.setting).toBe('comment');
    expect(comment.message).toMatch(/set comment: always on the job that merges the shard/);

    // auto (the default) and never are accepted: a shard job then writes no comment.
    for (const mode of ['auto', 'never']) {
      const settings = await readSettings(
        inputs({ endpoints: 'a.example.com', shard: '1/2', comment: mode }).reader,
        workspace,
      );
      expect(settings.comment).toBe(mode);
    }
  });

  it('refuses a policy and the probe inputs with merge, and keeps fail-on', async () => {
    const policy = await refusal({ merge: 'reports/*.json', policy: 'mozilla-modern' });
    expect(policy.setting).toBe('policy');
    expect(policy.message).toMatch(
      /^policy: a merge keeps the policy the shards ran with, .*set policy on the shard jobs/,
    );

    const probing = await refusal({ merge: 'reports/*.json', 'ca-file': 'ca.pem', timeout: '900' });
    expect(probing.setting).toBe('merge');
    expect(probing.message).toMatch(/\(set here: ca-file, timeout\)$/);

    const settings = await readSettings(
      inputs({ merge: 'reports/*.json', policy: 'Webhook', 'fail-on': 'never' }).reader,
      workspace,
    );
    expect(settings.failOn).toBe('never');
  });

  it('names the input line of an unusable endpoint', async () => {
    const error = await refusal({ endpoints: 'a.example.com\nftp://b.example.com' });

    expect(error.message).toMatch(/^endpoints line 2: .*ftp:\/\/b\.example\.com/);
  });

  it('names the endpoints file when it is missing', async () => {
    const error = await refusal({ 'endpoints-file': 'nowhere.txt' });

    expect(error.setting).toBe('endpoints-file');
    expect(error.message).toMatch(/cannot read .*nowhere\.txt/);
  });

  it('refuses an endpoint named in the input and again in the file, naming both', async () => {
    const error = await refusal({
      endpoints: 'hooks.example.com:8443',
      'endpoints-file': 'endpoints.txt',
    });

    expect(error.message).toBe(
      'endpoints-file line 3: "hooks.example.com:8443" repeats the endpoint of endpoints line 1',
    );
  });

  it('refuses a run with no endpoint, and merge combined with endpoints', async () => {
    expect((await refusal({})).message).toMatch(/no endpoint to probe/);
    expect((await refusal({ merge: 'a.json', endpoints: 'a.example.com' })).setting).toBe('merge');
  });
});
