// Suppressions: by rule and endpoint pattern, with a reason and maybe an expiry date. An active
// one marks its finding suppressed (it no longer fails the run or the verdict); an expired one
// lets the finding back in with its own severity, saying the suppression expired.

import { describe, expect, it } from 'vitest';
import type { EndpointResult, EndpointScan, Finding } from '../../src/model.js';
import {
  endpointPatternMatches,
  evaluate,
  failsPolicy,
  type Policy,
  parsePolicy,
  presetPolicy,
  type Suppression,
  unusedSuppressions,
} from '../../src/policy/index.js';
import { address, code, endpoint, NOW, notScanned, scan } from './fixtures.js';

/** TLS 1.0 accepted next to TLS 1.2: one error, version.legacy-accepted. */
const legacyServer = (): EndpointScan =>
  scan([
    address({
      accepts: {
        'TLSv1.0': [code('TLS_RSA_WITH_AES_128_CBC_SHA')],
        'TLSv1.2': [code('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')],
      },
    }),
  ]);

/** The legacy-version finding; at other clocks the fixture certificate raises its own. */
function legacyFinding(result: EndpointResult): Finding {
  const finding = result.findings.find((candidate) => candidate.id === 'version.legacy-accepted');
  if (!finding) throw new Error('no version.legacy-accepted finding');
  return finding;
}

function withSuppressions(...suppressions: Suppression[]): Policy {
  const policy = presetPolicy('webhook');
  policy.suppressions = suppressions;
  return policy;
}

describe('endpoint patterns', () => {
  const target = endpoint('hooks.example.test', 8443);

  it.each([
    ['*', true],
    ['hooks.example.test', true],
    ['HOOKS.example.test', true],
    ['*.example.test', true],
    ['hooks.example.test:8443', true],
    ['hooks.example.test:443', false],
    ['https://hooks.example.test:8443/hook', true],
    ['https://hooks.example.test:8443/*', true],
    ['hook?.example.test', true],
    ['*.example.org', false],
    ['hooks-example-test', false],
    ['example.test', false],
  ])('%s matches: %s', (pattern, matches) => {
    expect(endpointPatternMatches(pattern, target)).toBe(matches);
  });

  it('brackets IPv6 hosts with a port', () => {
    expect(endpointPatternMatches('[2001:db8::1]:443', endpoint('2001:db8::1'))).toBe(true);
  });
});

describe('suppressions', () => {
  it('mark the finding suppressed, and it no longer fails the endpoint', () => {
    const policy = withSuppressions({
      id: 'version.legacy-accepted',
      endpoint: '*.example.test',
      reason: 'legacy clients until the migration',
      expires: '2026-03-01',
    });
    const result = evaluate(legacyServer(), policy, NOW);

    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      id: 'version.legacy-accepted',
      severity: 'error',
      suppressed: { reason: 'legacy clients until the migration', expires: '2026-03-01' },
    });
    expect(result.verdict).toBe('compliant');
    expect(failsPolicy(result, 'notice')).toBe(false);
  });

  it('without an expiry date apply forever', () => {
    const policy = withSuppressions({ id: 'version.legacy-accepted', endpoint: '*', reason: 'r' });
    const result = evaluate(legacyServer(), policy, new Date('2099-01-01T00:00:00Z'));
    expect(legacyFinding(result).suppressed).toEqual({ reason: 'r' });
  });

  it('leave other rules and other endpoints alone', () => {
    const otherRule = evaluate(
      legacyServer(),
      withSuppressions({ id: 'suites.none-listed', endpoint: '*', reason: 'r' }),
      NOW,
    );
    const otherEndpoint = evaluate(
      legacyServer(),
      withSuppressions({ id: 'version.legacy-accepted', endpoint: 'api.example.org', reason: 'r' }),
      NOW,
    );
    for (const result of [otherRule, otherEndpoint]) {
      expect(result.findings[0].suppressed).toBeUndefined();
      expect(result.verdict).toBe('non-compliant');
      expect(failsPolicy(result, 'error')).toBe(true);
    }
  });

  it('hold until the end of their expiry day', () => {
    const policy = withSuppressions({
      id: 'version.legacy-accepted',
      endpoint: '*',
      reason: 'r',
      expires: '2026-03-01',
    });
    const lastMoment = new Date('2026-03-01T23:59:59Z');
    const nextDay = new Date('2026-03-02T00:00:00Z');
    expect(legacyFinding(evaluate(legacyServer(), policy, lastMoment)).suppressed).toBeDefined();
    expect(legacyFinding(evaluate(legacyServer(), policy, nextDay)).suppressed).toBeUndefined();
  });

  it('with a date-time expire at that instant', () => {
    const policy = withSuppressions({
      id: 'version.legacy-accepted',
      endpoint: '*',
      reason: 'r',
      expires: '2026-03-01T12:00:00Z',
    });
    const before = new Date('2026-03-01T11:59:59Z');
    expect(legacyFinding(evaluate(legacyServer(), policy, before)).suppressed).toBeDefined();
    expect(evaluate(legacyServer(), policy, NOW).findings[0].suppressed).toBeUndefined();
  });

  it('once expired let the finding back with its own severity, saying so', () => {
    const policy = withSuppressions({
      id: 'version.legacy-accepted',
      endpoint: '*',
      reason: 'legacy clients until the migration',
      expires: '2026-02-01',
      source: { file: 'policy.yml', line: 7 },
    });
    const result = evaluate(legacyServer(), policy, NOW);
    const [finding] = result.findings;

    expect(finding.suppressed).toBeUndefined();
    expect(finding.severity).toBe('error');
    expect(finding.evidence.observed).toContain('TLS 1.0');
    expect(finding.evidence.observed).toContain(
      'suppression expired on 2026-02-01 (policy.yml:7); its reason was: legacy clients',
    );
    expect(finding.remediation.summary).toContain('renew the suppression');
    // No more lenient than no suppression at all.
    const unsuppressed = evaluate(legacyServer(), withSuppressions(), NOW);
    expect(result.verdict).toBe('non-compliant');
    expect(result.verdict).toBe(unsuppressed.verdict);
    expect(failsPolicy(result, 'error')).toBe(true);
  });

  it('prefer an active suppression over an expired one for the same finding', () => {
    const policy = withSuppressions(
      { id: 'version.legacy-accepted', endpoint: '*', reason: 'old', expires: '2026-01-01' },
      {
        id: 'version.legacy-accepted',
        endpoint: '*.example.test',
        reason: 'renewed',
        expires: '2026-06-01',
      },
    );
    expect(evaluate(legacyServer(), policy, NOW).findings[0].suppressed).toEqual({
      reason: 'renewed',
      expires: '2026-06-01',
    });
  });

  it('keep an expired notice a notice', () => {
    const policy = withSuppressions({
      id: 'probe.observation',
      endpoint: '*',
      reason: 'r',
      expires: '2026-01-01',
    });
    const result = evaluate(
      scan([address({ observations: [{ id: 'a', detail: 'b' }] })]),
      policy,
      NOW,
    );
    expect(result.findings[0].severity).toBe('notice');
    expect(result.findings[0].evidence.observed).toContain('suppression expired on 2026-01-01');
  });

  it('can let an unreachable endpoint pass, and the verdict still says not scanned', () => {
    const policy = withSuppressions({
      id: 'endpoint.not-scanned',
      endpoint: 'hooks.*',
      reason: 'decommissioned',
    });
    const result = evaluate(notScanned('dns', 'ENOTFOUND hooks.example.test'), policy, NOW);
    expect(result.verdict).toBe('not-scanned');
    expect(result.findings[0].suppressed?.reason).toBe('decommissioned');
    expect(failsPolicy(result, 'error')).toBe(false);
  });

  it('come from a policy file with their line', () => {
    const policy = parsePolicy(
      [
        'extends: webhook',
        'suppressions:',
        '  - id: version.legacy-accepted',
        '    endpoint: "*.example.test"',
        '    reason: migration ends in June',
        '    expires: 2026-02-15',
      ].join('\n'),
      'policy.yml',
    );
    expect(policy.suppressions[0].source).toEqual({ file: 'policy.yml', line: 3 });

    const [finding] = evaluate(legacyServer(), policy, NOW).findings;
    expect(finding.severity).toBe('error');
    expect(finding.evidence.observed).toContain('suppression expired on 2026-02-15 (policy.yml:3)');

    const before = legacyFinding(
      evaluate(legacyServer(), policy, new Date('2026-02-10T00:00:00Z')),
    );
    expect(before.suppressed).toEqual({ reason: 'migration ends in June', expires: '2026-02-15' });
  });
});

describe('unusedSuppressions', () => {
  const legacy = (pattern: string, line = 7): Suppression => ({
    id: 'version.legacy-accepted',
    endpoint: pattern,
    reason: 'old clients',
    source: { file: 'policy.yml', line },
  });

  function unused(policy: Policy) {
    const results = [evaluate(legacyServer(), policy, NOW)];
    return unusedSuppressions(policy, results);
  }

  it('reports a pattern that matches no endpoint, so a typo is seen', () => {
    const findings = unused(withSuppressions(legacy('hooks.exmaple.test'), legacy('hooks.*', 9)));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'policy.unused-suppression',
      severity: 'notice',
      endpoint: 'hooks.exmaple.test',
    });
    expect(findings[0].evidence.observed).toBe(
      "the suppression of version.legacy-accepted for 'hooks.exmaple.test' (policy.yml:7) " +
        'matches no endpoint of this run',
    );
    expect(findings[0].remediation.summary).toMatch(/^Correct the endpoint pattern/);
  });

  it('reports a rule the endpoints it matches did not raise', () => {
    const policy = withSuppressions({ ...legacy('*'), id: 'sni.required' });
    const [finding] = unused(policy);
    expect(finding.evidence.observed).toContain('matches one endpoint, none of which raised');
  });

  it('counts an expired suppression that matched its finding as used', () => {
    expect(unused(withSuppressions({ ...legacy('*'), expires: '2020-01-01' }))).toEqual([]);
  });

  it('says nothing when the policy turns the rule off', () => {
    const policy = withSuppressions(legacy('nowhere.test'));
    policy.severities['policy.unused-suppression'] = 'off';
    expect(unused(policy)).toEqual([]);
  });
});
