// The renderings fed by the real policy instead of hand-written findings: every preset's
// evaluation of the fixture scans must give a report that matches the report schema and SARIF
// that matches the SARIF schema, so a finding field the policy adds cannot slip past the schema.

import { describe, expect, it } from 'vitest';
import { evaluate, PRESET_NAMES, presetPolicy } from '../../src/policy/index.js';
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
