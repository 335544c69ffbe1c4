// Loading policies: presets by name, YAML and JSON files that extend them, and errors that
// name the file, the line and the key, with a hint where the user probably misspelt something.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadPolicy,
  PolicyError,
  parsePolicy,
  presetPolicy,
  WEBHOOK_LISTED_SUITES,
} from '../../src/policy/index.js';
import { requiredSuiteNames } from '../support/requirements.js';
import { code } from './fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'wtp-policy-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(directory, name), text);
  return name;
}

function problemOf(text: string, file = 'policy.yml'): PolicyError {
  try {
    parsePolicy(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('the policy was accepted');
}

describe('presets', () => {
  it('loads webhook by default', async () => {
    const policy = await loadPolicy();
    expect(policy.name).toBe('webhook');
    expect(policy.minVersion).toBe('TLSv1.2');
    expect(policy.failOn).toBe('error');
    expect(policy.listedSuites).toEqual([...WEBHOOK_LISTED_SUITES]);
    expect(policy.listedSuites).toHaveLength(16);
  });

  it('states the 16 suites of the requirements in their order', () => {
    const required = requiredSuiteNames().map(code);

    expect(required).toHaveLength(16);
    expect(presetPolicy('webhook').listedSuites).toEqual(required);
  });

  it('encodes Mozilla Modern and Intermediate', async () => {
    const modern = await loadPolicy('mozilla-modern');
    expect(modern.minVersion).toBe('TLSv1.3');
    expect(modern.allowedSuites).toEqual(
      ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'].map(
        code,
      ),
    );
    expect(modern.certificate.keyTypes).toEqual(['EC']);
    expect(modern.certificate.maxLifespanDays).toBe(90);
    expect(modern.allowedGroups).toEqual([4588, 29, 23, 24]);

    const intermediate = await loadPolicy('mozilla-intermediate');
    expect(intermediate.minVersion).toBe('TLSv1.2');
    expect(intermediate.allowedSuites).toHaveLength(9);
    expect(intermediate.certificate.keyTypes).toEqual(['EC', 'RSA']);
    expect(intermediate.certificate.curves).toEqual(['P-256', 'P-384']);
    expect(intermediate.certificate.minRsaBits).toBe(2048);
    expect(intermediate.certificate.maxLifespanDays).toBe(366);
    expect(intermediate.minDhBits).toBe(2048);
  });

  it('lets the caller override fail-on', async () => {
    expect((await loadPolicy('webhook', { failOn: 'warning' })).failOn).toBe('warning');
  });

  it('returns a fresh copy each time', async () => {
    const first = await loadPolicy('webhook');
    first.severities['sni.required'] = 'error';
    expect((await loadPolicy('webhook')).severities['sni.required']).toBe('notice');
  });

  it('names a preset in any case, as fail-on values are', async () => {
    expect((await loadPolicy('Webhook', { cwd: directory })).name).toBe('webhook');
    expect((await loadPolicy('MOZILLA-MODERN', { cwd: directory })).name).toBe('mozilla-modern');
  });

  it('refuses an unknown name with a hint', async () => {
    await expect(loadPolicy('mozila-modern', { cwd: directory })).rejects.toThrow(
      /mozila-modern: not a preset .* no such file; did you mean 'mozilla-modern'\?/,
    );
  });
});

describe('policy files', () => {
  it('extend a preset and change severities, suites, minimum version, expiry', async () => {
    const file = write(
      'strict.yml',
      [
        'extends: mozilla-intermediate',
        'name: payments',
        'fail-on: warning',
        'min-version: TLSv1.2',
        'expiry-warning-days: 14',
        'suites:',
        '  add: [TLS_RSA_WITH_AES_128_GCM_SHA256, 0xC013]',
        '  remove:',
        '    - ECDHE-ECDSA-CHACHA20-POLY1305',
        'rules:',
        '  sni.not-honoured: off',
        '  kex.sender-not-forward-secret: error',
        '',
      ].join('\n'),
    );
    const policy = await loadPolicy(file, { cwd: directory });
    expect(policy.name).toBe('payments');
    expect(policy.preset).toBe('mozilla-intermediate');
    expect(policy.file).toBe('strict.yml');
    expect(policy.failOn).toBe('warning');
    expect(policy.expiryWarningDays).toBe(14);
    expect(policy.listedSuites).toContain(code('TLS_RSA_WITH_AES_128_GCM_SHA256'));
    expect(policy.listedSuites).toContain(0xc013);
    expect(policy.listedSuites).not.toContain(
      code('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'),
    );
    expect(policy.allowedSuites).toEqual(policy.listedSuites);
    expect(policy.severities['sni.not-honoured']).toBe('off');
    expect(policy.severities['kex.sender-not-forward-secret']).toBe('error');
  });

  it('replace the suite list with a list, and the command line still wins on fail-on', async () => {
    const file = write(
      'list.yaml',
      'suites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n  - 49200\n',
    );
    const policy = await loadPolicy(join(directory, file), { failOn: 'never' });
    expect(policy.preset).toBe('webhook');
    expect(policy.listedSuites).toEqual([0xc02f, 0xc030]);
    expect(policy.allowedSuites).toBeNull();
    expect(policy.failOn).toBe('never');
  });

  it('may be JSON', async () => {
    const file = write(
      'policy.json',
      JSON.stringify(
        {
          extends: 'webhook',
          rules: { 'certificate.expiring-soon': 'error' },
          suppressions: [{ id: 'sni.required', endpoint: '*.example.test', reason: 'internal' }],
        },
        null,
        2,
      ),
    );
    const policy = await loadPolicy(file, { cwd: directory });
    expect(policy.severities['certificate.expiring-soon']).toBe('error');
    expect(policy.suppressions).toEqual([
      {
        id: 'sni.required',
        endpoint: '*.example.test',
        reason: 'internal',
        source: { file: 'policy.json', line: 7 },
      },
    ]);
  });
});

interface ErrorRow {
  name: string;
  text: string;
  file?: string;
  line: number;
  key?: string;
  message: RegExp;
}

const ERROR_ROWS: ErrorRow[] = [
  {
    name: 'an unknown top-level key, with the right spelling',
    text: 'extends: webhook\nfailOn: warning\n',
    line: 2,
    key: 'failOn',
    message: /unknown key 'failOn'; did you mean 'fail-on'\?/,
  },
  {
    name: 'an unknown key nobody could guess lists the known ones',
    text: 'colour: blue\n',
    line: 1,
    key: 'colour',
    message: /unknown key 'colour'; known keys: extends, name, fail-on/,
  },
  {
    name: 'a misspelt rule',
    text: 'rules:\n  sni.not-honoured: warning\n  sni.not-honored: off\n',
    line: 3,
    key: "rules['sni.not-honored']",
    message: /unknown rule 'sni.not-honored'; did you mean 'sni.not-honoured'\?/,
  },
  {
    name: 'a severity that does not exist',
    text: 'rules:\n  certificate.expired: fatal\n',
    line: 2,
    key: "rules['certificate.expired']",
    message: /'fatal' is not allowed \(allowed: error, warning, notice, off\)/,
  },
  {
    name: 'an unknown preset',
    text: '# comment\nextends: mozilla-intermedate\n',
    line: 2,
    key: 'extends',
    message: /did you mean 'mozilla-intermediate'\?/,
  },
  {
    name: 'a fail-on value',
    text: 'fail-on: errors\n',
    line: 1,
    key: 'fail-on',
    message: /did you mean 'error'\?/,
  },
  {
    name: 'a minimum version written as a number',
    text: 'min-version: 1.2\n',
    line: 1,
    key: 'min-version',
    message: /'1.2' is not allowed; did you mean 'TLSv1.2'\?/,
  },
  {
    name: 'an unknown suite, pointed at its list entry',
    text:
      'suites:\n  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n' +
      '  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265\n',
    line: 3,
    key: 'suites[1]',
    message: /unknown suite '\w+_SHA265'; did you mean 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'\?/,
  },
  {
    name: 'removing a suite the preset does not list',
    text: 'suites:\n  remove:\n    - TLS_DHE_RSA_WITH_AES_128_GCM_SHA256\n',
    line: 3,
    key: 'suites.remove[0]',
    message: /TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 is not in the webhook list/,
  },
  {
    name: 'suites as a string',
    text: 'suites: ECDHE-RSA-AES128-GCM-SHA256\n',
    line: 1,
    key: 'suites',
    message: /must be a list of suites, or a map with add and remove lists/,
  },
  {
    name: 'a minimum version no listed suite can meet',
    text: 'extends: webhook\nmin-version: TLSv1.3\n',
    line: 2,
    key: 'min-version',
    message: /no listed suite can be used with TLS 1.3 or newer/,
  },
  {
    name: 'a suppression without a reason',
    text: 'suppressions:\n  - id: sni.required\n    endpoint: "*"\n',
    line: 2,
    key: 'suppressions[0]',
    message: /missing key 'reason'/,
  },
  {
    name: 'a suppression with an empty reason',
    text: 'suppressions:\n  - id: sni.required\n    endpoint: "*"\n    reason: "  "\n',
    line: 4,
    key: 'suppressions[0].reason',
    message: /must not be empty/,
  },
  {
    name: 'a suppression of an unknown rule',
    text: 'suppressions:\n  - id: certificate.expiring\n    endpoint: "*"\n    reason: r\n',
    line: 2,
    key: 'suppressions[0].id',
    message: /unknown rule 'certificate.expiring'; did you mean 'certificate.expired'\?/,
  },
  {
    name: 'a suppression with a bad date',
    text:
      'suppressions:\n  - id: sni.required\n    endpoint: "*"\n    reason: r\n' +
      '    expires: 2026-13-01\n',
    line: 5,
    key: 'suppressions[0].expires',
    message: /must be a date \(YYYY-MM-DD\) or an ISO date-time, not '2026-13-01'/,
  },
  {
    name: 'expiry warning days that are not a number',
    text: 'expiry-warning-days: soon\n',
    line: 1,
    key: 'expiry-warning-days',
    message: /must be a whole number/,
  },
  {
    name: 'broken YAML',
    text: 'rules:\n  a: [1,\n',
    line: 3,
    message: /not valid YAML or JSON/,
  },
  {
    name: 'duplicate keys',
    text: 'fail-on: error\nfail-on: warning\n',
    line: 2,
    message: /not valid YAML or JSON: Map keys must be unique/,
  },
  {
    name: 'an empty file',
    text: '# nothing\n',
    line: 1,
    message: /the policy file is empty/,
  },
  {
    name: 'a file that is a list',
    text: '- webhook\n',
    line: 1,
    message: /must be a map of keys and values/,
  },
  {
    name: 'JSON with an unknown key',
    file: 'policy.json',
    text: '{\n  "extends": "webhook",\n  "rulez": {}\n}\n',
    line: 3,
    key: 'rulez',
    message: /unknown key 'rulez'; did you mean 'rules'\?/,
  },
  {
    name: 'JSON with a wrong value deep inside',
    file: 'policy.json',
    text: [
      '{',
      '  "suppressions": [',
      '    {',
      '      "id": "sni.required",',
      '      "endpoint": 5,',
      '      "reason": "x"',
      '    }',
      '  ]',
      '}',
    ].join('\n'),
    line: 5,
    key: 'suppressions[0].endpoint',
    message: /must be a string/,
  },
];

describe('policy file errors name the file, the line and the key', () => {
  it.each(ERROR_ROWS)('$name', (row) => {
    const file = row.file ?? 'policy.yml';
    const error = problemOf(row.text, file);
    expect(error.file).toBe(file);
    expect(error.line).toBe(row.line);
    if (row.key) {
      expect(error.key).toBe(row.key);
      expect(error.message).toContain(`${file}:${row.line}:`);
      expect(error.message).toContain(`: ${row.key}: `);
    }
    expect(error.message).toMatch(row.message);
  });

  it('reports every problem of a file, in line order', () => {
    const error = problemOf('rules:\n  nope: off\nfail-on: sometimes\ncolour: red\n');
    expect(error.problems.map((problem) => [problem.line, problem.key])).toEqual([
      [2, 'rules.nope'],
      [3, 'fail-on'],
      [4, 'colour'],
    ]);
    expect(error.message.split('\n')).toHaveLength(3);
  });

  it('reports problems of shape and of meaning in one run', () => {
    const error = problemOf(
      'rules:\n  nope: off\nsuites:\n  add: [0xZZZZ]\n  remove: [TLS_RSA_WITH_RC4_128_SHA]\n',
    );
    expect(error.problems.map((problem) => [problem.line, problem.key])).toEqual([
      [2, 'rules.nope'],
      [4, 'suites.add[0]'],
      [5, 'suites.remove[0]'],
    ]);
    expect(error.message).toMatch(/unknown suite '0xZZZZ'/);
    expect(error.message).toMatch(/TLS_RSA_WITH_RC4_128_SHA is not in the webhook list/);
  });

  it('through loadPolicy too, with the path as given', async () => {
    const file = write('bad.yml', 'extends: webhook\n\nrules:\n  tls.old: off\n');
    await expect(loadPolicy(file, { cwd: directory })).rejects.toThrow(
      /^bad\.yml:4:3: rules\['tls\.old'\]: unknown rule 'tls\.old'/,
    );
  });
});

describe('hostile files', () => {
  it('refuses a YAML alias bomb instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level <= 8; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const error = problemOf(lines.join('\n'));
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/cannot be read/);
  });
});
