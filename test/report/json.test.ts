import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import type { Report } from '../../src/model.js';
import {
  buildReport,
  parseReport,
  ReportError,
  readReport,
  renderJson,
  reportSchemaErrors,
  writeFileAtomic,
} from '../../src/report/index.js';
import {
  makeReport,
  manyResults,
  mixedResults,
  NOW,
  POLICY,
  partlyReachableResult,
  plainHttpResult,
} from './fixtures.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'report-json-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the JSON report', () => {
  it('carries the schema version, tool version, policy, times and verdict', () => {
    const report = makeReport();

    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: packageJson.name, version: packageJson.version });
    expect(report.policy.name).toBe('webhook');
    expect(report.policy.listedSuites).toHaveLength(16);
    expect(report.startedAt).toBe('2026-06-01T12:00:00.000Z');
    expect(report.finishedAt).toBe('2026-06-01T12:00:42.000Z');
    // The legacy and TLS 1.3-only endpoints have errors; the unresolved name has the
    // not-scanned finding at error severity.
    expect(report.compliant).toBe(false);
    expect(report.endpoints.map((entry) => entry.verdict)).toEqual([
      'compliant',
      'non-compliant',
      'not-scanned',
      'compliant',
      'non-compliant',
    ]);
  });

  it('is compliant when no finding reaches the fail-on severity', () => {
    const results = mixedResults().filter((entry) => entry.verdict === 'compliant');
    expect(makeReport(results).compliant).toBe(true);

    // The 3DES endpoint has warnings only: it fails once the policy fails on warnings.
    const strict = buildReport({
      results,
      policy: { ...POLICY, failOn: 'warning' },
      startedAt: NOW,
      finishedAt: NOW,
    });
    expect(strict.compliant).toBe(false);

    const never = buildReport({
      results: mixedResults(),
      policy: { ...POLICY, failOn: 'never' },
      startedAt: NOW,
      finishedAt: NOW,
    });
    expect(never.compliant).toBe(true);
  });

  it('validates against schema/report.schema.json, big reports included', () => {
    expect(reportSchemaErrors(JSON.parse(renderJson(makeReport())))).toEqual([]);
    expect(reportSchemaErrors(JSON.parse(renderJson(makeReport(manyResults(200)))))).toEqual([]);
    const reached = makeReport([plainHttpResult(), partlyReachableResult()]);
    expect(reportSchemaErrors(JSON.parse(renderJson(reached)))).toEqual([]);
  });

  it('is rejected by the schema when a field is wrong, unknown or missing', () => {
    const report = JSON.parse(renderJson(makeReport()));

    const badVerdict = structuredClone(report);
    badVerdict.endpoints[1].verdict = 'failed';
    expect(reportSchemaErrors(badVerdict).join('\n')).toMatch(
      /\/endpoints\/1\/verdict must be one of "compliant", "non-compliant", "not-scanned"/,
    );

    const unknown = structuredClone(report);
    unknown.endpoints[0].scan.addresses[0].colour = 'blue';
    expect(reportSchemaErrors(unknown).join('\n')).toMatch(
      /\/endpoints\/0\/scan\/addresses\/0 has an unknown property "colour"/,
    );

    const missing = structuredClone(report);
    delete missing.endpoints[0].findings[0].evidence;
    expect(reportSchemaErrors(missing).join('\n')).toMatch(/evidence/);

    const badOutcome = structuredClone(report);
    badOutcome.endpoints[0].scan.addresses[0].sender.outcome = { kind: 'accepted' };
    expect(reportSchemaErrors(badOutcome).length).toBeGreaterThan(0);
  });

  it('writes keys in the schema order whatever order the objects were built in', () => {
    const report = makeReport();
    const shuffled = reverseKeys(report) as Report;
    const text = renderJson(shuffled);

    expect(text).toBe(renderJson(report));
    expect(Object.keys(JSON.parse(text))).toEqual([
      'schemaVersion',
      'tool',
      'policy',
      'startedAt',
      'finishedAt',
      'compliant',
      'endpoints',
    ]);
    expect(Object.keys(JSON.parse(text).endpoints[0])).toEqual(['scan', 'verdict', 'findings']);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps endpoints in input order and findings in the order the policy gave them', () => {
    const report = parseReport(renderJson(makeReport()));

    expect(report.endpoints.map((entry) => entry.scan.endpoint.input)).toEqual([
      'https://hooks.example.com/github',
      'legacy.example.org:8443',
      'https://gone.example.net/hook',
      '192.0.2.44:8443',
      'tls13only.example.com',
    ]);
    expect(report.endpoints[1].findings.map((entry) => entry.id)).toEqual([
      'version.legacy-accepted',
      'kex.sender-not-forward-secret',
      'certificate.expiring-soon',
      'alerts.improper-refusal',
    ]);
  });
});

describe('readReport', () => {
  it('reads back what renderJson wrote', async () => {
    const report = makeReport();
    const file = path.join(folder, 'report.json');
    await writeFileAtomic(file, renderJson(report));

    expect(await readReport(file)).toEqual(report);
  });

  it('names the file when it is missing, not JSON, of another version or invalid', async () => {
    const missing = path.join(folder, 'nowhere.json');
    await expect(readReport(missing)).rejects.toThrow(`${missing}: cannot read the report`);

    const notJson = path.join(folder, 'not-json.json');
    await writeFile(notJson, '{"schemaVersion": 1,');
    await expect(readReport(notJson)).rejects.toThrow(`${notJson}: not JSON`);

    const other = path.join(folder, 'other.json');
    await writeFile(other, JSON.stringify({ runs: [] }));
    await expect(readReport(other)).rejects.toThrow(`${other}: not a webhook-tls-probe report`);

    const newer = path.join(folder, 'newer.json');
    await writeFile(newer, JSON.stringify({ ...makeReport(), schemaVersion: 2 }));
    await expect(readReport(newer)).rejects.toThrow(
      /newer\.json: report schema version 2 is not the version 1 that webhook-tls-probe/,
    );

    const invalid = path.join(folder, 'invalid.json');
    const broken = JSON.parse(renderJson(makeReport()));
    broken.endpoints[2].scan.status = 'skipped';
    await writeFile(invalid, JSON.stringify(broken));

    const error = await readReport(invalid).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReportError);
    expect((error as ReportError).file).toBe(invalid);
    expect((error as Error).message).toMatch(/invalid\.json: does not match the report schema/);
    expect((error as Error).message).toContain(
      '/endpoints/2/scan/status must be one of "scanned", "not-scanned"',
    );
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file behind', async () => {
    const file = path.join(folder, 'atomic', 'out.txt');
    await rm(path.dirname(file), { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file)));

    await writeFileAtomic(file, 'first\n');
    await writeFileAtomic(file, 'second\n');

    expect(await readFile(file, 'utf8')).toBe('second\n');
    expect(await readdir(path.dirname(file))).toEqual(['out.txt']);
  });

  it('fails without leaving anything when the folder does not exist', async () => {
    const file = path.join(folder, 'no-such-folder', 'out.txt');

    await expect(writeFileAtomic(file, 'text')).rejects.toThrow(/ENOENT/);
    expect((await readdir(folder)).includes('no-such-folder')).toBe(false);
  });

  it('lets concurrent writers each leave a whole file', async () => {
    const file = path.join(folder, 'contended.txt');
    const texts = Array.from({ length: 8 }, (_, i) => `${String(i).repeat(100_000)}\n`);

    await Promise.all(texts.map((text) => writeFileAtomic(file, text)));

    expect(texts).toContain(await readFile(file, 'utf8'));
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;

  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([key, child]) => [key, reverseKeys(child)]));
}
