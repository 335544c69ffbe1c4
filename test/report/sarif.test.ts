import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/policy/rules.js';
import { FINGERPRINT_KEY, renderSarif } from '../../src/report/index.js';
import {
  endpoint,
  finding,
  legacyResult,
  makeReport,
  manyResults,
  mixedResults,
} from './fixtures.js';
import { sarifErrors } from './sarif-validator.js';

type Result = {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: { name: string; fullyQualifiedName: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
};

function resultsOf(log: ReturnType<typeof renderSarif>): Result[] {
  return log.runs[0].results as unknown as Result[];
}

describe('SARIF output', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    expect(sarifErrors(renderSarif(makeReport()))).toEqual([]);
    expect(sarifErrors(renderSarif(makeReport(manyResults(100))))).toEqual([]);
    expect(
      sarifErrors(renderSarif(makeReport(), { workflowFile: '.github/workflows/tls.yml' })),
    ).toEqual([]);
  });

  it('is checked by a validator that does reject broken SARIF', () => {
    const log = renderSarif(makeReport()) as unknown as {
      runs: { results: { level: string; locations: unknown[] }[] }[];
    };
    log.runs[0].results[0].level = 'fatal';
    expect(sarifErrors(log).join('\n')).toMatch(/level/);

    const noMessage = renderSarif(makeReport()) as unknown as {
      runs: { results: Record<string, unknown>[] }[];
    };
    delete noMessage.runs[0].results[0].message;
    expect(sarifErrors(noMessage).join('\n')).toMatch(/message/);
  });

  it('has one rule per rule of the catalogue, with help text and a level', () => {
    const driver = renderSarif(makeReport()).runs[0].tool.driver as {
      name: string;
      version: string;
      rules: { id: string; help: { text: string }; defaultConfiguration: { level: string } }[];
    };

    expect(driver.name).toBe('webhook-tls-probe');
    expect(driver.rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.id));
    expect(new Set(driver.rules.map((rule) => rule.id)).size).toBe(driver.rules.length);

    for (const rule of driver.rules) {
      expect(rule.help.text.length).toBeGreaterThan(20);
    }

    const legacy = driver.rules.find((rule) => rule.id === 'version.legacy-accepted');
    expect(legacy?.defaultConfiguration.level).toBe('error');
    const staple = driver.rules.find((rule) => rule.id === 'certificate.no-ocsp-staple');
    expect(staple?.defaultConfiguration.level).toBe('note');
  });

  it('adds a rule for a finding the catalogue does not know', () => {
    const result = legacyResult();
    result.findings.push(
      finding(
        'experimental.new-check',
        'A check newer than the catalogue',
        'warning',
        result.scan.endpoint,
      ),
    );
    const log = renderSarif(makeReport([result]));
    const rules = log.runs[0].tool.driver.rules as { id: string }[];
    const added = resultsOf(log).find((entry) => entry.ruleId === 'experimental.new-check');

    expect(rules.at(-1)?.id).toBe('experimental.new-check');
    expect(added?.ruleIndex).toBe(rules.length - 1);
    expect(sarifErrors(log)).toEqual([]);
  });

  it("carries the first server's configuration lines in the message, and only when there are", () => {
    const results = resultsOf(renderSarif(makeReport()));
    const legacy = results.find((entry) => entry.ruleId === 'version.legacy-accepted');
    const other = results.find((entry) => entry.ruleId === 'certificate.expiring-soon');

    expect(legacy?.message.text).toContain(
      'Fix: Allow only TLS 1.2 and TLS 1.3. Configuration for nginx: ' +
        'ssl_protocols TLSv1.2 TLSv1.3; (other servers: see the text report or the job summary).',
    );
    expect(other?.message.text).not.toContain('Configuration for');
  });

  it('places each result on the line of the endpoints file that names the endpoint', () => {
    const results = resultsOf(renderSarif(makeReport()));
    const legacy = results.filter((entry) => entry.message.text.startsWith('legacy.example.org'));

    expect(legacy.map((entry) => entry.ruleId)).toEqual([
      'version.legacy-accepted',
      'kex.sender-not-forward-secret',
      'certificate.expiring-soon',
      'alerts.improper-refusal',
    ]);

    for (const entry of legacy) {
      expect(entry.locations[0].physicalLocation).toEqual({
        artifactLocation: { uri: 'webhooks/endpoints.txt' },
        region: { startLine: 4 },
      });
      expect(entry.locations[0].logicalLocations[0]).toMatchObject({
        name: 'legacy.example.org:8443',
        fullyQualifiedName: 'legacy.example.org:8443',
      });
    }
  });

  it('places endpoints without a line at the workflow file, or else at the fallback file', () => {
    const withoutWorkflow = resultsOf(renderSarif(makeReport()));
    const tls13 = withoutWorkflow.find((entry) => entry.ruleId === 'suites.none-listed');
    expect(tls13?.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: '.github/workflows' },
      region: { startLine: 1 },
    });
    expect(tls13?.locations[0].logicalLocations[0].name).toBe('tls13only.example.com');

    const named = resultsOf(renderSarif(makeReport(), { fallbackFile: 'ops/webhooks.yml' }));
    expect(
      named.find((entry) => entry.ruleId === 'suites.none-listed')?.locations[0].physicalLocation,
    ).toEqual({ artifactLocation: { uri: 'ops/webhooks.yml' }, region: { startLine: 1 } });

    for (const entry of [...withoutWorkflow, ...named]) {
      expect(entry.locations[0].physicalLocation?.artifactLocation.uri).toBeTruthy();
    }

    const withWorkflow = resultsOf(
      renderSarif(makeReport(), { workflowFile: '.github/workflows/webhook tls.yml' }),
    );
    const placed = withWorkflow.find((entry) => entry.ruleId === 'suites.none-listed');
    expect(placed?.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: '.github/workflows/webhook%20tls.yml' },
      region: { startLine: 1 },
    });

    const located = resultsOf(
      renderSarif(makeReport(), {
        workflowFile: '.github/workflows/tls.yml',
        locate: (named) =>
          named.input === 'tls13only.example.com'
            ? { file: '.github/workflows/tls.yml', line: 17 }
            : undefined,
      }),
    );
    expect(
      located.find((entry) => entry.ruleId === 'suites.none-listed')?.locations[0].physicalLocation
        ?.region.startLine,
    ).toBe(17);
  });

  it('maps severities to levels and suppressed findings to suppressions', () => {
    const results = resultsOf(renderSarif(makeReport()));
    const level = (id: string) => results.find((entry) => entry.ruleId === id)?.level;

    expect(level('version.legacy-accepted')).toBe('error');
    expect(level('kex.sender-not-forward-secret')).toBe('warning');
    expect(level('certificate.no-ocsp-staple')).toBe('note');

    const suppressed = results.find((entry) => entry.ruleId === 'alerts.improper-refusal');
    expect(suppressed?.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'load balancer resets by design' },
    ]);
    expect(
      results.find((entry) => entry.ruleId === 'version.legacy-accepted')?.suppressions,
    ).toBeUndefined();
  });

  it('reports an endpoint that could not be scanned with its own rule', () => {
    const results = resultsOf(renderSarif(makeReport()));
    const gone = results.find((entry) => entry.ruleId === 'endpoint.not-scanned');

    expect(gone?.level).toBe('error');
    expect(gone?.message.text).toMatch(/^https:\/\/gone\.example\.net\/hook: Endpoint not scanned/);
    expect(gone?.message.text).toMatch(/ENOTFOUND/);
  });

  it('gives one result per endpoint and rule, naming each address', () => {
    const result = legacyResult();
    const [legacy] = result.findings;
    result.findings.splice(1, 0, {
      ...legacy,
      address: '198.51.100.8',
      evidence: { ...legacy.evidence, observed: 'TLS 1.1 accepted' },
    });
    const results = resultsOf(renderSarif(makeReport([result])));
    const merged = results.filter((entry) => entry.ruleId === 'version.legacy-accepted');

    expect(merged).toHaveLength(1);
    expect(merged[0].message.text).toContain('On 198.51.100.7: TLS 1.0 accepted.');
    expect(merged[0].message.text).toContain('On 198.51.100.8: TLS 1.1 accepted.');
  });

  it('keeps fingerprints stable per endpoint and rule, and distinct otherwise', () => {
    const first = resultsOf(renderSarif(makeReport()));
    const again = resultsOf(renderSarif(makeReport(mixedResults().reverse())));
    const key = (entry: Result) => `${entry.message.text.split(':')[0]} ${entry.ruleId}`;
    const byKey = new Map(again.map((entry) => [key(entry), entry]));

    for (const entry of first) {
      expect(entry.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}$/);
      expect(byKey.get(key(entry))?.partialFingerprints).toEqual(entry.partialFingerprints);
    }

    const all = first.map((entry) => entry.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(all).size).toBe(all.length);

    // Another address or a reworded line for the same endpoint keeps the alert's identity.
    const moved = legacyResult('legacy.example.org:8443', 40);
    moved.findings[0].address = '198.51.100.99';
    const movedResult = resultsOf(renderSarif(makeReport([moved])))[0];
    expect(movedResult.partialFingerprints).toEqual(first[1].partialFingerprints);

    const otherPort = legacyResult('legacy.example.org:9443');
    expect(resultsOf(renderSarif(makeReport([otherPort])))[0].partialFingerprints).not.toEqual(
      first[1].partialFingerprints,
    );
  });

  it('makes absolute source paths relative to the root', () => {
    const result = legacyResult();
    result.scan.endpoint = {
      ...endpoint('legacy.example.org:8443'),
      source: { file: '/repo/config/hooks list.txt', line: 9 },
    };
    const [first] = resultsOf(renderSarif(makeReport([result]), { root: '/repo' }));

    expect(first.locations[0].physicalLocation?.artifactLocation.uri).toBe(
      'config/hooks%20list.txt',
    );
  });
});
