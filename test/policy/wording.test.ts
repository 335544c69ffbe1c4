// The words of findings that real servers showed to be wrong or misleading: listed suites that
// work only over TLS 1.0, refusals by closing the connection, and the inconclusive summary.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { accepted, address, code, NOW, scan } from './fixtures.js';

const RSA_128_CBC = code('TLS_RSA_WITH_AES_128_CBC_SHA');

function observed(findings: Finding[], id: string): string {
  const finding = findings.find((entry) => entry.id === id);
  expect(finding, `${id} raised`).toBeDefined();
  return finding?.evidence.observed ?? '';
}

describe('suites.none-listed for a server stuck on TLS 1.0 (cases 2 and 4)', () => {
  it('says the listed suites work only over TLS 1.0, as Node negotiates down', () => {
    const server = address({
      accepts: { 'TLSv1.0': [RSA_128_CBC] },
      versionOutcomes: {
        'TLSv1.2': accepted('TLSv1.0', RSA_128_CBC),
        'TLSv1.3': accepted('TLSv1.0', RSA_128_CBC),
      },
    });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const text = observed(findings, 'suites.none-listed');

    expect(text).toContain(
      'listed suites are accepted only over TLS 1.0, which senders refuse ' +
        '(TLS_RSA_WITH_AES_128_CBC_SHA (TLS 1.0))',
    );
    expect(text).toContain('TLS 1.2 not accepted (a hello offering it was answered with TLS 1.0)');
    expect(text).not.toContain('no listed suite is accepted');
    expect(text).not.toMatch(/TLS 1\.[23] accepted/);
  });

  it('says the same when TLS 1.2 is refused with an alert', () => {
    const server = address({ accepts: { 'TLSv1.0': [RSA_128_CBC], 'TLSv1.1': [RSA_128_CBC] } });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    expect(observed(findings, 'suites.none-listed')).toContain(
      'listed suites are accepted only over TLS 1.0 or TLS 1.1, which senders refuse',
    );
  });

  it('still says no listed suite is accepted when none is, at any version', () => {
    const server = address({ accepts: { 'TLSv1.0': [code('TLS_RSA_WITH_RC4_128_SHA')] } });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    expect(observed(findings, 'suites.none-listed')).toMatch(/^no listed suite is accepted: /);
  });
});
