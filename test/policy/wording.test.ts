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

describe('a server that breaks the protocol (case 6)', () => {
  const detail = 'server chose suite 0x0005, not offered';
  const violation = { kind: 'violation', detail } as const;

  it('is told to correct its TLS configuration or software, not to scan again', () => {
    const server = address({
      accepts: {},
      versionOutcomes: {
        'TLSv1.0': violation,
        'TLSv1.1': violation,
        'TLSv1.2': violation,
        'TLSv1.3': violation,
      },
      listedSuites: violation,
      sender: violation,
    });
    const scanned = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const notScanned = evaluate(
      {
        ...scan([]),
        status: 'not-scanned',
        notScanned: { reason: 'error', detail: `the server breaks the protocol: ${detail}` },
      },
      presetPolicy('webhook'),
      NOW,
    );

    for (const result of [scanned, notScanned]) {
      expect(result.verdict).toBe('non-compliant');
      const [finding] = result.findings;
      expect(finding.id).toBe('endpoint.protocol-violation');
      expect(finding.remediation.summary).toMatch(/^Correct the server's TLS configuration/);
      expect(finding.remediation.summary).not.toMatch(/^Scan again/);
      expect(finding.evidence.expected).not.toContain('accepts connections');
    }
  });

  it('leaves other not-scanned errors as connection problems', () => {
    const result = evaluate(
      {
        ...scan([]),
        status: 'not-scanned',
        notScanned: { reason: 'error', detail: 'the address is unreachable: EHOSTUNREACH' },
      },
      presetPolicy('webhook'),
      NOW,
    );
    expect(result.verdict).toBe('not-scanned');
    expect(result.findings.map((finding) => finding.id)).toEqual(['endpoint.not-scanned']);
  });
});

describe('advice on forward secrecy', () => {
  const DHE_RSA_256 = code('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384');
  const RSA_128_GCM = code('TLS_RSA_WITH_AES_128_GCM_SHA256');
  const ECDHE_RSA_128 = code('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');

  function advice(accepts: number[]): string {
    const server = address({ accepts: { 'TLSv1.2': accepts }, preference: 'server' });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const finding = findings.find((entry) => entry.id === 'kex.sender-not-forward-secret');
    return finding?.remediation.summary ?? '';
  }

  it('says to enable ECDHE suites when no listed forward-secret suite is accepted', () => {
    const text = advice([DHE_RSA_256, RSA_128_GCM]);
    expect(text).toMatch(/^Enable the listed ECDHE suites/);
    expect(text).not.toMatch(/rank them first|list them first/);
  });

  it('says to rank the listed ECDHE suites first when they are accepted but lose', () => {
    expect(advice([RSA_128_GCM, ECDHE_RSA_128])).toMatch(/rank them first/);
  });
});

describe('refusals by closing the connection', () => {
  it('are not called closing without an alert: close_notify is an alert', () => {
    const server = address({
      versionRefusal: { kind: 'closed' },
      suiteRefusal: { kind: 'closed' },
    });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const text = observed(findings, 'alerts.improper-refusal');
    expect(text).toContain(
      'the TLS 1.0 hello was refused by closing the connection without a fatal alert',
    );
    expect(text).toContain('unwanted TLS 1.2 suites got a close without a fatal alert');
    expect(text).not.toMatch(/without an alert/);
  });
});

describe('probe.inconclusive advice', () => {
  it("keeps the engine's reasons apart from what could not be determined", () => {
    const server = address({
      incomplete: ['TLSv1.2'],
      observations: [
        { id: 'incomplete', detail: 'some TLSv1.2 probes were inconclusive' },
        { id: 'deadline-reached', detail: 'the endpoint deadline passed' },
      ],
    });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    expect(observed(findings, 'probe.inconclusive')).toBe(
      'the scan noted: some TLSv1.2 probes were inconclusive; the endpoint deadline passed',
    );
  });

  it('says once what could not be determined, then why', () => {
    const server = address({
      versionOutcomes: { 'TLSv1.0': { kind: 'timeout', phase: 'read' } },
      observations: [{ id: 'deadline-reached', detail: 'the endpoint deadline passed' }],
    });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const text = observed(findings, 'probe.inconclusive');
    expect(text).toMatch(/^could not determine whether TLS 1\.0 is refused \(.*\)\. /);
    expect(text).toMatch(/\. The scan noted: the endpoint deadline passed$/);
    expect(text.match(/could not determine|everything/g)).toEqual(['could not determine']);
  });
});

describe('kex.server-prefers-non-forward-secret advice', () => {
  const DHE_RSA_256 = code('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384');
  const RSA_128_GCM = code('TLS_RSA_WITH_AES_128_GCM_SHA256');
  const ECDHE_RSA_128 = code('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');

  function advice(accepts: number[]): string {
    const server = address({ accepts: { 'TLSv1.2': accepts }, preference: 'server' });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const finding = findings.find((entry) => entry.id === 'kex.server-prefers-non-forward-secret');
    expect(finding).toBeDefined();
    return finding?.remediation.summary ?? '';
  }

  it('says to enable ECDHE suites when only unlisted DHE suites are forward secret', () => {
    expect(advice([RSA_128_GCM, DHE_RSA_256])).toMatch(/^Enable the listed ECDHE suites/);
  });

  it('says to reorder when a listed ECDHE suite is enabled', () => {
    expect(advice([RSA_128_GCM, ECDHE_RSA_128])).toMatch(/^List ECDHE suites before the others/);
  });
});

describe('probe.inconclusive', () => {
  const advice = (observations: { id: string; detail: string }[]) => {
    const server = address({ incomplete: ['TLSv1.2'], observations });
    const { findings } = evaluate(scan([server]), presetPolicy('webhook'), NOW);
    const finding = findings.find((entry) => entry.id === 'probe.inconclusive');
    expect(finding, 'probe.inconclusive raised').toBeDefined();
    return finding?.remediation.summary ?? '';
  };

  it('asks for another scan only when no protocol violation left the questions open', () => {
    expect(advice([])).toMatch(/^Scan again, with longer timeouts/);
    expect(
      advice([{ id: 'suite-not-offered', detail: 'ServerHello chose 0x0005, not offered' }]),
    ).toMatch(/^The protocol violations reported for this endpoint left these questions open/);
  });
});

describe('suites.none-listed with a one-suite list', () => {
  it('says "the listed suite" and proposes no suite outside the list', () => {
    const policy = presetPolicy('webhook');
    policy.listedSuites = [code('TLS_AES_128_GCM_SHA256')];
    const server = address({ accepts: { 'TLSv1.2': [RSA_128_CBC] } });
    const { findings } = evaluate(scan([server]), policy, NOW);
    const finding = findings.find((entry) => entry.id === 'suites.none-listed');

    expect(finding?.evidence.expected).toBe('the listed suite accepted with TLS 1.3');
    expect(finding?.remediation.summary).toBe(
      'Add suites of the required list, below, to the server configuration.',
    );
    expect(JSON.stringify(finding?.remediation)).not.toContain('ECDHE');
  });
});
