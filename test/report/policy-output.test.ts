// The renderings fed by the real policy instead of hand-written findings: every preset's
// evaluation of the fixture scans must give a report that matches the report schema and SARIF
// that matches the SARIF schema, so a finding field the policy adds cannot slip past the schema.

import { describe, expect, it } from 'vitest';
import {
  evaluate,
  PRESET_NAMES,
  presetPolicy,
  unusedSuppressions,
} from '../../src/policy/index.js';
import {
  buildReport,
  parseReport,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderText,
  reportSchemaErrors,
} from '../../src/report/index.js';
import { mixedResults, NOW } from './fixtures.js';
import { sarifErrors } from './sarif-validator.js';

describe.each(PRESET_NAMES)('reports of the %s preset', (name) => {
  const policy = presetPolicy(name);
  const results = mixedResults().map((result) => evaluate(result.scan, policy, NOW));
  const report = buildReport({ results, policy, startedAt: NOW, finishedAt: NOW });

  it('match the report schema and read back unchanged', () => {
    expect(reportSchemaErrors(JSON.parse(renderJson(report)))).toEqual([]);
    expect(parseReport(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('give SARIF that matches the SARIF schema, one result per endpoint and rule', () => {
    const log = renderSarif(report);
    const pairs = new Set(
      results.flatMap((result) =>
        result.findings.map((finding) => `${result.scan.endpoint.input} ${finding.id}`),
      ),
    );

    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(pairs.size);
  });

  it('render every finding the policy raised', () => {
    const markdown = renderMarkdown(report);
    const text = renderText(report);
    const junit = renderJunit(report);

    for (const result of results) {
      for (const finding of result.findings) {
        expect(markdown).toContain(`\`${finding.id}\``);
        expect(text).toContain(`${finding.id}: ${finding.title}`);
        expect(junit).toContain(`name="${finding.id}"`);
      }
    }

    // The unresolved name reads as not scanned whatever the preset.
    expect(markdown).toContain('not scanned: name does not resolve');
  });
});

describe('a report with a finding about the run', () => {
  // A tester found an unused suppression only in the Action's annotations: the JSON report,
  // SARIF and the job summary lacked it.
  const policy = presetPolicy('webhook');
  policy.suppressions = [
    {
      id: 'sni.required',
      endpoint: '*.nowhere.example',
      reason: 'a typo',
      source: { file: 'policies/hooks.yml', line: 7 },
    },
  ];
  const results = mixedResults().map((result) => evaluate(result.scan, policy, NOW));
  const runFindings = unusedSuppressions(policy, results);
  const report = buildReport({ results, policy, startedAt: NOW, finishedAt: NOW, runFindings });

  it('keeps it in the JSON report, with the line of the policy file', () => {
    expect(reportSchemaErrors(JSON.parse(renderJson(report)))).toEqual([]);
    expect(parseReport(renderJson(report)).runFindings).toEqual([
      expect.objectContaining({
        id: 'policy.unused-suppression',
        endpoint: '*.nowhere.example',
        source: { file: 'policies/hooks.yml', line: 7 },
      }),
    ]);
  });

  it('shows it in the text report and the job summary, and as a SARIF result at that line', () => {
    expect(renderText(report)).toContain('The run:\n  notice   policy.unused-suppression');
    expect(renderMarkdown(report)).toContain('**The run**\n\n- ℹ️ `policy.unused-suppression`');

    const log = renderSarif(report, { root: '/work' });
    expect(sarifErrors(log)).toEqual([]);
    const result = log.runs[0].results.find((r) => r.ruleId === 'policy.unused-suppression');
    expect(result?.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'policies/hooks.yml' },
          region: { startLine: 7 },
        },
      },
    ]);
  });

  it('is left out when the run has none', () => {
    const plain = buildReport({ results, policy, startedAt: NOW, finishedAt: NOW });
    expect(plain.runFindings).toBeUndefined();
    expect(renderText(plain)).not.toContain('The run:');
  });
});
