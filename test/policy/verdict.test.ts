// The endpoint's verdict follows the policy's fail-on threshold, so the verdict a report prints
// and the exit the run ends with never contradict each other.

import { describe, expect, it } from 'vitest';
import type { FailOn } from '../../src/policy/index.js';
import { evaluate, failsPolicy, presetPolicy } from '../../src/policy/index.js';
import { address, code, NOW, scan } from './fixtures.js';

const RSA_3DES = code('TLS_RSA_WITH_3DES_EDE_CBC_SHA');
const TLS13_128 = code('TLS_AES_128_GCM_SHA256');

function judged(failOn: FailOn, server: Parameters<typeof address>[0]) {
  const policy = { ...presetPolicy('webhook'), failOn };
  return evaluate(scan([address(server)]), policy, NOW);
}

const WARNINGS_ONLY = { accepts: { 'TLSv1.2': [RSA_3DES] } };
const NOTICES_ONLY = { observations: [{ id: 'x', detail: 'y' }] };
const ERRORS = { accepts: { 'TLSv1.3': [TLS13_128] } };

describe('the verdict', () => {
  it.each([
    ['error', ['compliant', 'compliant', 'non-compliant']],
    ['warning', ['non-compliant', 'compliant', 'non-compliant']],
    ['notice', ['non-compliant', 'non-compliant', 'non-compliant']],
    // Errors always make the verdict; fail-on never only keeps them from failing the run.
    ['never', ['compliant', 'compliant', 'non-compliant']],
  ] as const)('with fail-on %s', (failOn, expected) => {
    const results = [WARNINGS_ONLY, NOTICES_ONLY, ERRORS].map((server) => judged(failOn, server));
    expect(results.map((result) => result.verdict)).toEqual(expected);
  });

  it.each(['error', 'warning', 'notice'] as const)(
    'is non-compliant exactly when the endpoint fails the run with fail-on %s',
    (failOn) => {
      for (const server of [WARNINGS_ONLY, NOTICES_ONLY, ERRORS]) {
        const result = judged(failOn, server);
        expect(result.verdict === 'non-compliant').toBe(failsPolicy(result, failOn));
      }
    },
  );

  it('ignores suppressed warnings under fail-on warning', () => {
    const policy = {
      ...presetPolicy('webhook'),
      failOn: 'warning' as const,
      suppressions: [
        { id: 'suites.64-bit-block-cipher', endpoint: '*', reason: 'legacy' },
        { id: 'kex.sender-not-forward-secret', endpoint: '*', reason: 'legacy' },
      ] as never,
    };
    const result = evaluate(scan([address(WARNINGS_ONLY)]), policy, NOW);
    expect(result.findings.filter((finding) => !finding.suppressed)).toEqual([]);
    expect(result.verdict).toBe('compliant');
  });
});
