// Annotations: one per finding, placed on the line that names the endpoint, and within
// GitHub's display limit of 10 per kind per step, the rest folded into the tenth.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Annotation,
  annotationsOf,
  createLocator,
  findingLimits,
  foldAnnotations,
} from '../../src/action/annotations.js';
import type { EndpointResult, Finding, Report, Severity } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';

function finding(id: string, severity: Severity, suppressed = false): Finding {
  return {
    id,
    title: `Title of ${id}`,
    severity,
    endpoint: 'x',
    evidence: { observed: 'what was seen', expected: 'what was wanted' },
    remediation: { summary: 'Do the fix.' },
    ...(suppressed ? { suppressed: { reason: 'accepted risk' } } : {}),
  };
}

function result(input: string, findings: Finding[], source?: { file: string; line: number }) {
  const endpoint = parseEndpoint(input, source);
  const scan = { endpoint, status: 'scanned', addresses: [], startedAt: '', durationMs: 0 };
  return { scan, verdict: 'non-compliant', findings } as unknown as EndpointResult;
}

function report(results: EndpointResult[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'webhook-tls-probe', version: '0' },
    policy: { name: 'webhook', failOn: 'error' },
    startedAt: '',
    finishedAt: '',
    compliant: false,
    endpoints: results,
  };
}

describe('annotationsOf', () => {
  it('gives each unsuppressed finding a title naming the endpoint and the rule', () => {
    const annotations = annotationsOf(
      report([
        result('a.example.com', [
          finding('version.legacy-accepted', 'error'),
          finding('certificate.expiring-soon', 'warning', true),
        ]),
        result('b.example.com:8443', [finding('sni.required', 'notice')], {
          file: 'hooks.txt',
          line: 4,
        }),
      ]),
      (endpoint) => endpoint.source,
      '/ws',
    );

    expect(annotations).toEqual([
      {
        level: 'error',
        title: 'a.example.com: version.legacy-accepted',
        message:
          'Title of version.legacy-accepted. Observed: what was seen. Expected: what was ' +
          'wanted. Fix: Do the fix.',
      },
      {
        level: 'notice',
        title: 'b.example.com:8443: sni.required',
        message: expect.stringMatching(/^Title of sni\.required\./),
        file: 'hooks.txt',
        line: 4,
      },
    ]);
  });
});

describe('annotationsOf with findings about the run', () => {
  const unused: Finding = {
    ...finding('policy.unused-suppression', 'notice'),
    endpoint: '*.staging.example.com',
    source: { file: 'policies/sup2.yml', line: 3 },
  };

  it('puts an unused suppression on its line of the policy file', () => {
    const absolute = { ...unused, source: { file: '/ws/p.yml', line: 9 } };
    const annotations = annotationsOf(
      { ...report([]), runFindings: [unused, absolute] },
      () => undefined,
      '/ws',
    );

    expect(annotations).toEqual([
      {
        level: 'notice',
        title: '*.staging.example.com: policy.unused-suppression',
        message: expect.stringMatching(/^Title of policy\.unused-suppression\. Observed: /),
        file: 'policies/sup2.yml',
        line: 3,
      },
      expect.objectContaining({ file: 'p.yml', line: 9 }),
    ]);
  });

  it('counts it in the notices GitHub shows, folding the rest into the tenth', () => {
    const notices = Array.from({ length: 10 }, (_, i) =>
      result(`n${i + 1}.example.com`, [finding('sni.required', 'notice')]),
    );
    const folded = foldAnnotations(
      annotationsOf({ ...report(notices), runFindings: [unused] }, () => undefined, '/ws'),
    );

    expect(folded).toHaveLength(10);
    expect(folded.at(-1)?.title).toBe('2 more notices');
    expect(folded.at(-1)?.message).toContain('- *.staging.example.com: policy.unused-suppression');
  });
});

describe('findingLimits', () => {
  it('keeps one error for the failure message and leaves the findings what the step left', () => {
    const none = findingLimits({ error: 0, warning: 0, notice: 0 });
    expect(none).toEqual({ error: 9, warning: 10, notice: 10 });

    // A refused comment and a refused tracking issue: 8 warnings are left for the findings.
    const refused = findingLimits({ error: 0, warning: 2, notice: 0 });
    expect(refused.warning).toBe(8);

    const folded = foldAnnotations(
      Array.from({ length: 9 }, (_, i) => ({
        level: 'warning' as const,
        title: `warning ${i + 1}`,
        message: 'm',
      })),
      refused,
    );
    expect(folded).toHaveLength(8);
    expect(folded.at(-1)?.title).toBe('2 more warnings');
  });
});

describe('foldAnnotations', () => {
  const many = (level: Severity, count: number): Annotation[] =>
    Array.from({ length: count }, (_, i) => ({ level, title: `${level} ${i + 1}`, message: 'm' }));

  it('keeps 9 errors, 9 warnings and 10 notices as they are', () => {
    const input = [...many('error', 9), ...many('warning', 9), ...many('notice', 10)];
    expect(foldAnnotations(input)).toEqual(input);
  });

  it('folds the rest of a kind into one that lists them, leaving room for the failure', () => {
    const folded = foldAnnotations([...many('warning', 2), ...many('error', 14)]);
    const errors = folded.filter((annotation) => annotation.level === 'error');

    // With the step's own failure message, GitHub shows exactly 10 errors.
    expect(errors).toHaveLength(9);
    expect(errors.slice(0, 8).map((a) => a.title)).toEqual(many('error', 8).map((a) => a.title));
    expect(errors[8].title).toBe('6 more errors');
    expect(errors[8].message.split('\n').slice(1)).toEqual([
      '- error 9',
      '- error 10',
      '- error 11',
      '- error 12',
      '- error 13',
      '- error 14',
    ]);
    expect(folded.filter((annotation) => annotation.level === 'warning')).toHaveLength(2);
  });

  it('folds at the limit it is given', () => {
    const folded = foldAnnotations(many('notice', 11), { error: 10, warning: 10, notice: 10 });
    expect(folded.map((a) => a.title).slice(-2)).toEqual(['notice 9', '2 more notices']);
  });
});

describe('createLocator', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'wtp-locate-'));
    await mkdir(path.join(workspace, '.github', 'workflows'), { recursive: true });
    await writeFile(
      path.join(workspace, '.github', 'workflows', 'audit.yml'),
      'jobs:\n  a:\n    with:\n      endpoints: |\n        aa.example.com:8443\n        a.example.com\n' +
        '        b.example.com:8443\n',
    );
  });

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('finds input endpoints in the workflow file and file endpoints on their line', () => {
    const locate = createLocator(
      { GITHUB_WORKFLOW_REF: 'acme/hooks/.github/workflows/audit.yml@refs/pull/3/merge' },
      workspace,
    );

    expect(locate(parseEndpoint('b.example.com:8443'))).toEqual({
      file: '.github/workflows/audit.yml',
      line: 7,
    });
    expect(locate(parseEndpoint('a.example.com'))?.line).toBe(6);
    expect(locate(parseEndpoint('c.example.com'))).toBeUndefined();
    expect(
      locate(parseEndpoint('c.example.com', { file: path.join(workspace, 'x', 'e.txt'), line: 2 })),
    ).toEqual({ file: 'x/e.txt', line: 2 });
  });

  it('finds nothing without a workflow reference', () => {
    expect(createLocator({}, workspace)(parseEndpoint('a.example.com'))).toBeUndefined();
  });
});
