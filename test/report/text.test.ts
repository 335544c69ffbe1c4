import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/index.js';
import { suitesFix } from '../../src/policy/remediation.js';
import { renderMarkdown, renderText } from '../../src/report/index.js';
import { compliantResult, finding, legacyResult, makeReport } from './fixtures.js';

// The escape character that starts every ANSI colour sequence.
const ESC = String.fromCharCode(27);

describe('the terminal output', () => {
  const report = makeReport();

  it('has no colour unless asked for, and colour when asked', () => {
    expect(renderText(report)).not.toContain(ESC);
    expect(renderText(report, { color: false })).not.toContain(ESC);
    expect(renderText(report, { color: true })).toContain(`${ESC}[31m`);
  });

  it('uses the job summary’s headline, verdict words and findings', () => {
    const text = renderText(report);
    const markdown = renderMarkdown(report);
    const headline = '2 of 5 endpoints non-compliant, could not scan 1 of 5 endpoints';

    expect(text.split('\n')[0]).toBe(`✖ Webhook TLS: ${headline}`);
    expect(markdown.split('\n')[0]).toContain(headline);

    for (const words of [
      'legacy.example.org:8443: non-compliant',
      'https://gone.example.net/hook: not scanned: name does not resolve',
      'error    version.legacy-accepted: Legacy protocol versions accepted (on 198.51.100.7)',
      'observed: TLS 1.0 accepted',
      'fix: Allow only TLS 1.2 and TLS 1.3.',
      '(suppressed: load balancer resets by design, until 2026-12-31)',
    ]) {
      expect(text).toContain(words);
    }

    expect(markdown).toContain('Legacy protocol versions accepted (on 198.51.100.7)');
  });

  it('draws the overview as a table with one row per endpoint', () => {
    const lines = renderText(report).split('\n');
    const header = lines.find((line) => line.startsWith('│ Endpoint'));
    const legacyRow = lines.find((line) => line.startsWith('│ legacy.example.org:8443'));

    expect(header).toMatch(/│ Verdict +│ Versions +│ Suite a sender gets +│/);
    expect(legacyRow?.split('│').map((cellText) => cellText.trim())).toEqual([
      '',
      'legacy.example.org:8443',
      'non-compliant',
      'TLS 1.0, TLS 1.2',
      'TLS_RSA_WITH_AES_128_GCM_SHA256',
      'no',
      '9 days',
      'honoured',
      '',
    ]);
    expect(lines.filter((line) => line.startsWith('┌'))).toHaveLength(1);
  });

  it('shows only failing endpoints with --only-failures', () => {
    const text = renderText(report, { onlyFailures: true });

    expect(text).toContain('2 compliant endpoints not shown.');
    expect(text).not.toContain('https://hooks.example.com/github');
    expect(text).toContain('legacy.example.org:8443');
    expect(text).toContain('tls13only.example.com');
  });

  it('starts with the changes when given a baseline', () => {
    const baseline = makeReport([compliantResult(), legacyResult()]);
    const better = legacyResult();
    better.findings = better.findings.filter((entry) => entry.id !== 'version.legacy-accepted');
    const text = renderText(makeReport([compliantResult(), better]), { baseline });

    expect(text).toContain('Fixed since the baseline (1)');
    expect(text).toContain(
      '  legacy.example.org:8443: fixed: version.legacy-accepted Legacy protocol versions accepted',
    );
    expect(text.indexOf('Fixed since')).toBeLessThan(text.indexOf('│ Endpoint'));
  });
});

describe('the fixes in the terminal output', () => {
  it('shows the configuration a fix refers to as "below", once per endpoint', async () => {
    const policy = await loadPolicy('webhook');
    const fix = suitesFix(policy, 'Configure an explicit list of strong suites, as below.');
    const base = legacyResult();
    const at = base.scan.endpoint;
    const result = {
      ...base,
      findings: ['198.51.100.7', '198.51.100.8'].map((address) =>
        finding('suites.weak-accepted', 'Weak suites accepted', 'error', at, {
          address,
          remediation: fix,
        }),
      ),
    };
    const lines = renderText(makeReport([result])).split('\n');
    const fixAt = lines.findIndex((line) => line.includes('fix: Configure an explicit list'));
    const nginx = fix.snippets?.find((snippet) => snippet.server === 'nginx');

    expect(fixAt).toBeGreaterThan(0);
    expect(nginx).toBeDefined();
    expect(lines[fixAt + 1].trim()).toBe(`${fix.snippets?.[0].server}:`);

    const text = lines.join('\n');
    for (const line of nginx!.config.trim().split('\n')) {
      expect(text).toContain(line);
    }
    expect(text.split(nginx!.config.trim().split('\n')[0]).length).toBe(2);
    // The second address's fix repeats every snippet: one line stands for them all.
    expect(text).toContain('configuration: as above');
    expect(text).not.toContain('nginx: as above');
  });
});
