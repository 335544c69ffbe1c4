import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointResult, Report } from '../../src/model.js';
import { parsePolicy, policyDigest, presetPolicy } from '../../src/policy/index.js';
import { endpointKey } from '../../src/probe/endpoint.js';
import {
  MergeError,
  mergeReports,
  readReport,
  renderJson,
  renderSarif,
  selectShard,
  writeFileAtomic,
} from '../../src/report/index.js';
import {
  compliantResult,
  legacyResult,
  makeReport,
  manyResults,
  NOW,
  tls13OnlyResult,
} from './fixtures.js';

const byEndpoint = (result: EndpointResult) => endpointKey(result.scan.endpoint);
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'report-merge-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Shard reports of `results` as a matrix of `count` jobs would write them. */
function shardReports(results: EndpointResult[], count: number): Report[] {
  return Array.from({ length: count }, (_, index) =>
    makeReport(selectShard(results, index, count, byEndpoint), {
      shard: { index: index + 1, count },
      // The jobs start and end at different times; the first starts with the run, the last
      // ends with it.
      startedAt: at(index),
      finishedAt: at(60 - (count - 1 - index)),
    }),
  );
}

describe('mergeReports', () => {
  it('gives the report of a single run over all endpoints', async () => {
    const results = manyResults(120);
    const single = makeReport(results, { startedAt: at(0), finishedAt: at(60) });
    const shards = shardReports(results, 4);

    // Through files, as downloaded artifacts, and in no particular order.
    const files: string[] = [];
    for (const [index, shard] of shards.entries()) {
      const file = path.join(folder, `shard-${index + 1}.json`);
      await writeFileAtomic(file, renderJson(shard));
      files.push(file);
    }
    const read = await Promise.all([files[2], files[0], files[3], files[1]].map(readReport));
    const merged = mergeReports(read);

    expect(merged).toEqual(single);
    expect(renderJson(merged)).toBe(renderJson(single));
    expect(renderSarif(merged)).toEqual(renderSarif(single));
    expect(merged.shard).toBeUndefined();
  });

  it('gives the same verdict as a single run, compliant or not', () => {
    const good = Array.from({ length: 12 }, (_, i) =>
      compliantResult(`https://ok-${i}.example.com/h`, i + 1),
    );
    expect(mergeReports(shardReports(good, 3)).compliant).toBe(true);

    const oneBad = [...good, legacyResult('legacy.example.org:8443', 13)];
    expect(makeReport(oneBad).compliant).toBe(false);
    expect(mergeReports(shardReports(oneBad, 3)).compliant).toBe(false);
  });

  it('puts endpoints named on the command line first, then the file in line order', () => {
    const fromFile = manyResults(10);
    const named = [tls13OnlyResult('a.example.com'), tls13OnlyResult('b.example.com')];
    const merged = mergeReports(shardReports([...named, ...fromFile], 3));
    const inputs = merged.endpoints.map((result) => result.scan.endpoint.input);

    expect(inputs.slice(2)).toEqual(fromFile.map((result) => result.scan.endpoint.input));
    expect(inputs.slice(0, 2).sort()).toEqual(['a.example.com', 'b.example.com']);
  });

  it('merges a single report into itself', () => {
    const report = makeReport(manyResults(6));
    expect(mergeReports([report])).toEqual(report);
  });

  it('merges shards of one policy file named by two spellings of its path', () => {
    const [a, b] = shardReports(manyResults(4), 2);
    const digest = policyDigest(parsePolicy('extends: webhook\n', 'pol.yml'));
    const spelt = (report: Report, name: string, withDigest: boolean): Report => ({
      ...report,
      policy: { ...report.policy, name, ...(withDigest ? { digest } : {}) },
    });

    // With digests, as reports are written now; without, as earlier versions wrote them.
    for (const withDigest of [true, false]) {
      const merged = mergeReports([
        spelt(a, 'pol.yml', withDigest),
        spelt(b, './pol.yml', withDigest),
      ]);
      expect(merged.endpoints).toHaveLength(4);
      expect(merged.policy.digest).toBe(withDigest ? digest : undefined);
    }
  });

  describe('refuses reports that are not of one run', () => {
    const results = manyResults(20);

    const refusal = (reports: Report[], names?: string[]) => {
      try {
        mergeReports(reports, names);
      } catch (error) {
        expect(error).toBeInstanceOf(MergeError);
        return (error as Error).message;
      }
      throw new Error('mergeReports did not refuse');
    };

    it('no reports at all', () => {
      expect(refusal([])).toBe('no reports to merge');
    });

    it('another schema version', () => {
      const [a, b] = shardReports(results, 2);
      const other = { ...b, schemaVersion: 2 } as unknown as Report;

      expect(refusal([a, other], ['a.json', 'b.json'])).toBe(
        'b.json has report schema version 2 where a.json has 1: only reports of one run can be ' +
          'merged',
      );
    });

    it('another policy, fail-on severity, suite list or tool version', () => {
      const [a, b] = shardReports(results, 2);

      expect(refusal([a, { ...b, policy: { ...b.policy, name: 'mozilla-modern' } }])).toMatch(
        /^report 2 \(shard 2\/2\) has policy "mozilla-modern" where report 1 \(shard 1\/2\)/,
      );
      expect(refusal([a, { ...b, policy: { ...b.policy, failOn: 'warning' } }])).toMatch(
        /has fail-on severity "warning" where .* has "error"/,
      );
      expect(refusal([a, { ...b, policy: { ...b.policy, listedSuites: [0xc02f] } }])).toMatch(
        /has policy listed suites "49199" where/,
      );
      expect(refusal([a, { ...b, tool: { ...b.tool, version: '9.9.9' } }])).toMatch(
        /has tool "webhook-tls-probe 9.9.9" where .* has "webhook-tls-probe 0.1.0"/,
      );
    });

    it('a policy file that takes a preset name and checks other rules', () => {
      const [a, b] = shardReports(results, 2);
      const preset = policyDigest(presetPolicy('webhook'));
      const file = policyDigest(
        parsePolicy('extends: mozilla-intermediate\nname: webhook\n', 'polm.yml'),
      );
      const named = (report: Report, digest: string): Report => ({
        ...report,
        policy: { ...report.policy, name: 'webhook', digest },
      });

      expect(refusal([named(a, preset), named(b, file)])).toMatch(
        new RegExp(
          `^report 2 \\(shard 2/2\\) has policy rules \\(digest\\) "${file.slice(0, 12)}" ` +
            `where report 1 \\(shard 1/2\\) has "${preset.slice(0, 12)}"`,
        ),
      );
    });

    describe('a shard without a digest', () => {
      // Reports of an earlier version record the rules checked but no digest. The policy is
      // the preset with the rules the fixtures raise findings of, at their severities.
      const raised = results.flatMap((result) => result.findings);
      const webhook = presetPolicy('webhook');
      const preset = {
        ...webhook,
        severities: {
          ...webhook.severities,
          ...Object.fromEntries(raised.map((finding) => [finding.id, finding.severity])),
        },
      };
      const checked = (policy: typeof preset) =>
        Object.entries(policy.severities)
          .filter(([, severity]) => severity !== undefined && severity !== 'off')
          .map(([id]) => id);
      // A file named like the preset that checks one rule less: the tester's pol_named_webhook.yml.
      const namedWebhook = {
        ...preset,
        severities: { ...preset.severities, 'certificate.client-certificate-requested': 'off' },
      } as typeof preset;
      const under = (report: Report, policy: typeof preset, digest: boolean): Report => ({
        ...report,
        policy: {
          ...report.policy,
          name: 'webhook',
          rules: checked(policy),
          ...(digest ? { digest: policyDigest(policy) } : {}),
        },
      });

      it('of the same name and other rules', () => {
        const [a, b] = shardReports(results, 2);
        const expected = new RegExp(
          '^report 2 \\(shard 2/2\\) has policy rule certificate\\.client-certificate-requested ' +
            '"off" where report 1 \\(shard 1/2\\) has "checked"',
        );

        expect(refusal([under(a, preset, false), under(b, namedWebhook, false)])).toMatch(expected);
        expect(refusal([under(a, preset, false), under(b, namedWebhook, true)])).toMatch(expected);
      });

      it('with a digest for one shard: merged, keeping no digest', () => {
        const [a, b, c] = shardReports(results, 3);
        const merged = mergeReports([
          under(a, preset, true),
          under(b, preset, false),
          under(c, preset, true),
        ]);

        expect(merged.endpoints).toHaveLength(results.length);
        expect(merged.policy.digest).toBeUndefined();
        expect(merged.policy.rules).toEqual(checked(preset));
      });

      it('that records no rules, between shards that record other ones', () => {
        // The first agrees with each of the others, which do not agree with each other.
        const [a, b, c] = shardReports(results, 3);

        expect(
          refusal([a, under(b, preset, false), under(c, namedWebhook, false)], ['a', 'b', 'c']),
        ).toMatch(/^c has policy rule certificate\.client-certificate-requested "off" where b has/);
      });
    });

    it('a missing or repeated shard', () => {
      const [a, b, c] = shardReports(results, 3);

      expect(refusal([a, c])).toBe(
        'the report of shard 2/3 is missing: without it the merged verdict would leave its ' +
          'endpoints out',
      );
      expect(refusal([a, b, b, c], ['1.json', '2.json', 'again.json', '3.json'])).toBe(
        'again.json and 2.json are both shard 2/3',
      );
      const [x, y] = shardReports(results, 2);
      expect(refusal([a, b, c, x, y])).toMatch(/is shard 1\/2 of a matrix of 2 where .* is of 3/);
    });

    it('overlapping endpoints, or a whole report among shards', () => {
      const whole = makeReport(results);
      const [a, b] = shardReports(results, 2);

      expect(refusal([whole, whole], ['first.json', 'second.json'])).toMatch(
        /^endpoint \S+ is in both first\.json and second\.json: shards must not overlap$/,
      );
      expect(refusal([a, b, whole])).toMatch(
        /^report 3 covers all endpoints while others are shards/,
      );
    });
  });
});
