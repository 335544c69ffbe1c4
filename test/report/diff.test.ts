import { describe, expect, it } from 'vitest';
import type { EndpointResult, Report } from '../../src/model.js';
import { type Policy, parsePolicy, policyDigest, presetPolicy } from '../../src/policy/index.js';
import {
  baselineMismatch,
  buildReport,
  changePhrases,
  diffReports,
  isEmptyDiff,
} from '../../src/report/index.js';
import {
  certificate,
  code,
  compliantResult,
  legacyResult,
  makeReport,
  mixedResults,
  NOW,
  tls13OnlyResult,
  tripleDesResult,
  unresolvedResult,
} from './fixtures.js';

describe('baselineMismatch', () => {
  it('refuses a baseline of another policy, naming both, and takes one of the same', () => {
    const current = makeReport();
    const modern = { ...current, policy: { ...current.policy, name: 'mozilla-modern' } };

    expect(baselineMismatch(makeReport([compliantResult()]), current)).toBeUndefined();
    expect(baselineMismatch(modern, current)).toBe(
      `the baseline was made under the policy mozilla-modern and this run uses ` +
        `${current.policy.name}, so its findings cannot be compared: give a baseline made ` +
        `under ${current.policy.name}`,
    );
  });
});

describe('baselineMismatch by the policy’s content', () => {
  const withPolicy = (name: string, digest?: string) => {
    const report = makeReport();
    return { ...report, policy: { ...report.policy, name, ...(digest ? { digest } : {}) } };
  };

  it('refuses a policy file named like the preset but checking other rules', () => {
    const preset = policyDigest(presetPolicy('webhook'));
    const file = policyDigest(
      parsePolicy('extends: mozilla-intermediate\nname: webhook\n', 'polm.yml'),
    );

    expect(baselineMismatch(withPolicy('webhook', file), withPolicy('webhook', preset))).toBe(
      'the baseline was made under a policy also named webhook that checks other rules than ' +
        "this run's, so its findings cannot be compared: give a baseline made under webhook",
    );
  });

  it('takes the same rules under another name, and a file preset-equal to its preset', () => {
    const file = policyDigest(parsePolicy('extends: webhook\nname: hooks\n', 'pol.yml'));

    expect(file).toBe(policyDigest(presetPolicy('webhook')));
    expect(baselineMismatch(withPolicy('pol.yml', file), withPolicy('hooks', file))).toBe(
      undefined,
    );
  });

  it('matches reports without a digest by name, however a path is spelt', () => {
    const digest = policyDigest(presetPolicy('webhook'));

    expect(baselineMismatch(withPolicy('pol.yml'), withPolicy('./pol.yml', digest))).toBe(
      undefined,
    );
    expect(baselineMismatch(withPolicy('./policies/../pol.yml'), withPolicy('pol.yml'))).toBe(
      undefined,
    );
    expect(baselineMismatch(withPolicy('other.yml'), withPolicy('pol.yml'))).toMatch(
      /^the baseline was made under the policy other\.yml and this run uses pol\.yml/,
    );
  });
});

describe('baselineMismatch when a report has no digest', () => {
  // A file named like the preset that checks one rule less: the tester's pol_named_webhook.yml.
  const namedWebhook = parsePolicy(
    'extends: webhook\nname: webhook\nrules:\n  certificate.client-certificate-requested: off\n',
    'pol_named_webhook.yml',
  );
  /** A report as this version writes it, or (`digest` false) as an earlier one did. */
  const madeUnder = (policy: Policy, digest: boolean, results = [compliantResult()]): Report =>
    buildReport({
      results,
      policy: digest ? { ...policy, digest: policyDigest(policy) } : policy,
      startedAt: NOW,
      finishedAt: NOW,
    });
  const withoutRules = (report: Report): Report => {
    const { rules: _rules, ...policy } = report.policy;
    return { ...report, policy };
  };

  it('refuses a baseline of the same name whose recorded rules differ', () => {
    const baseline = madeUnder(presetPolicy('webhook'), false);

    expect(baselineMismatch(baseline, madeUnder(namedWebhook, true))).toBe(
      'the baseline was made under a policy also named webhook that checks other rules than ' +
        "this run's (policy rule certificate.client-certificate-requested checked in the " +
        'baseline, off in this run), so its findings cannot be compared: give a baseline made ' +
        'under webhook',
    );
    // Neither side with a digest, as two reports of an earlier version.
    expect(baselineMismatch(baseline, madeUnder(namedWebhook, false))).toMatch(
      /also named webhook that checks other rules/,
    );
    expect(baselineMismatch(baseline, madeUnder(presetPolicy('webhook'), true))).toBeUndefined();
  });

  it('refuses a baseline whose findings come from a rule this run does not check', () => {
    // The earliest reports record no rules: their findings still say which rules were checked.
    const result = tripleDesResult();
    const rule = result.findings[0].id;
    const preset = presetPolicy('webhook');
    const without = { ...preset, severities: { ...preset.severities, [rule]: 'off' as const } };
    const baseline = withoutRules(madeUnder(preset, false, [result]));
    // Under the rule set to off, the same endpoint raises every finding but that rule's.
    const unchecked = {
      ...result,
      findings: result.findings.filter((finding) => finding.id !== rule),
    };

    expect(baseline.policy.rules).toBeUndefined();
    expect(baselineMismatch(baseline, madeUnder(without, true, [unchecked]))).toContain(
      `(policy rule ${rule} ${result.findings[0].severity} in the baseline, off in this run)`,
    );
  });

  it('refuses a baseline whose findings of a rule have another severity', () => {
    const result = tripleDesResult();
    const louder = (entry: EndpointResult): EndpointResult => ({
      ...entry,
      findings: entry.findings.map((finding) => ({ ...finding, severity: 'error' as const })),
    });
    const baseline = madeUnder(presetPolicy('webhook'), false, [result]);

    expect(result.findings[0].severity).not.toBe('error');
    expect(
      baselineMismatch(baseline, madeUnder(presetPolicy('webhook'), true, [louder(result)])),
    ).toMatch(/checks other rules than this run's \(policy rule \S+ \w+ in the baseline, error/);
  });

  it('matches a policy file by its base name however the folder is spelt', () => {
    const file = parsePolicy('extends: webhook\n', './pol.yml');
    const current = madeUnder(file, true);
    const earlier = (name: string) => {
      const report = madeUnder(file, false);
      return { ...report, policy: { ...report.policy, name } };
    };

    expect(baselineMismatch(earlier('/abs/pol.yml'), current)).toBeUndefined();
    expect(baselineMismatch(earlier('../bl/pol.yml'), current)).toBeUndefined();
    expect(baselineMismatch(earlier('../bl/other.yml'), current)).toMatch(
      /^the baseline was made under the policy \.\.\/bl\/other\.yml and this run uses/,
    );
  });
});

describe('diffReports', () => {
  it('calls nothing fixed on an endpoint that could not be scanned', () => {
    // Compliant with warnings, then unreachable: its warnings were not checked, not fixed.
    const before = tripleDesResult();
    const after = unresolvedResult(before.scan.endpoint.input);
    const [change] = diffReports(makeReport([before]), makeReport([after])).changed;

    expect(before.findings.length).toBeGreaterThan(0);
    expect(change.fixedFindings).toEqual([]);
    expect(change.newFindings.map((entry) => entry.id)).toEqual(['endpoint.not-scanned']);
    expect(changePhrases(change)).toEqual([
      'compliant → not scanned',
      'new: endpoint.not-scanned Endpoint not scanned (error)',
    ]);
  });

  it('finds nothing between a report and itself, whatever the order', () => {
    const diff = diffReports(makeReport(), makeReport(mixedResults().reverse()));

    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff).toEqual({ added: [], removed: [], changed: [], regressions: [] });
  });

  it('lists endpoints added and removed, matched by host, port and path', () => {
    const baseline = makeReport([compliantResult(), legacyResult()]);
    // The same endpoint written another way is the same endpoint.
    const current = makeReport([
      compliantResult('HTTPS://HOOKS.EXAMPLE.COM:443/github'),
      tls13OnlyResult(),
    ]);
    const diff = diffReports(baseline, current);

    expect(diff.added).toEqual(['tls13only.example.com']);
    expect(diff.removed).toEqual(['legacy.example.org:8443']);
    expect(diff.changed).toEqual([]);
  });

  it('finds new and fixed findings and a worse verdict, and calls it a regression', () => {
    const baseline = makeReport([compliantResult(), legacyResult()]);
    const worse = compliantResult();
    worse.verdict = 'non-compliant';
    worse.findings.push(legacyResult('https://hooks.example.com/github').findings[0]);
    const better = legacyResult();
    better.findings = better.findings.filter((entry) => entry.id !== 'certificate.expiring-soon');

    const diff = diffReports(baseline, makeReport([worse, better]));
    const [first, second] = diff.changed;

    expect(diff.changed).toHaveLength(2);
    expect(first.endpoint).toBe('https://hooks.example.com/github');
    expect(first.verdict).toEqual({ before: 'compliant', after: 'non-compliant' });
    expect(first.newFindings.map((entry) => entry.id)).toEqual(['version.legacy-accepted']);
    expect(first.fixedFindings).toEqual([]);
    expect(first.regression).toBe(true);

    expect(second.endpoint).toBe('legacy.example.org:8443');
    expect(second.verdict).toBeUndefined();
    expect(second.fixedFindings.map((entry) => entry.id)).toEqual(['certificate.expiring-soon']);
    expect(second.regression).toBe(false);
    expect(diff.regressions).toEqual([first]);

    expect(changePhrases(first)).toEqual([
      'compliant → non-compliant',
      'new: version.legacy-accepted Legacy protocol versions accepted (error)',
    ]);
  });

  it('does not call a new suppressed finding a regression', () => {
    const baseline = makeReport([compliantResult()]);
    const current = compliantResult();
    current.findings.push({
      ...legacyResult().findings[0],
      suppressed: { reason: 'migration in progress' },
    });
    const [change] = diffReports(baseline, makeReport([current])).changed;

    expect(change.newFindings).toHaveLength(1);
    expect(change.regression).toBe(false);
  });

  it('ignores which address a finding was seen on', () => {
    const baseline = makeReport([legacyResult()]);
    const moved = legacyResult();
    for (const entry of moved.findings) entry.address = '198.51.100.200';

    expect(isEmptyDiff(diffReports(baseline, makeReport([moved])))).toBe(true);
  });

  it('finds changes in versions, suites, the sender suite and the certificate', () => {
    const baseline = makeReport([compliantResult()]);
    const changed = compliantResult();
    const cbc = 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA';
    const renewed = certificate({
      subject: 'CN=hooks.example.com',
      dnsNames: ['hooks.example.com'],
      daysLeft: 89,
      keyType: 'RSA',
      serial: '0123456789ABCDEF',
    });

    for (const address of changed.scan.addresses) {
      address.versions = address.versions.map((entry) =>
        entry.version === 'TLSv1.3'
          ? {
              ...entry,
              accepted: false,
              outcome: { kind: 'alert', alert: 70, alertName: 'protocol_version' },
            }
          : entry.version === 'TLSv1.1'
            ? {
                ...entry,
                accepted: true,
                outcome: { kind: 'accepted', version: 'TLSv1.1', suite: code(cbc) },
              }
            : entry,
      );
      address.suites = address.suites
        .filter((entry) => entry.version !== 'TLSv1.3')
        .map((entry) => ({ ...entry, accepted: [{ code: code(cbc), name: cbc }] }));
      address.sender = {
        outcome: { kind: 'accepted', version: 'TLSv1.2', suite: code(cbc) },
        forwardSecret: true,
      };
      address.certificates.primary!.served[0] = renewed;
    }

    const [change] = diffReports(baseline, makeReport([changed])).changed;

    expect(change.versions).toEqual({ added: ['TLSv1.1'], removed: ['TLSv1.3'] });
    expect(change.suites).toEqual({
      added: [cbc],
      removed: [
        'TLS_AES_128_GCM_SHA256',
        'TLS_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      ],
    });
    expect(change.senderSuite).toEqual({
      before: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      after: cbc,
    });
    expect(change.certificate?.before[0].notAfter).toBe('2026-08-01T12:00:00.000Z');
    expect(change.certificate?.after).toEqual([
      {
        subject: 'CN=hooks.example.com',
        fingerprintSha256: renewed.fingerprintSha256,
        notAfter: renewed.notAfter,
      },
    ]);
    expect(change.regression).toBe(false);

    const phrases = changePhrases(change).join('; ');
    expect(phrases).toContain('versions +TLS 1.1 −TLS 1.3');
    expect(phrases).toContain(`sender suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 → ${cbc}`);
    const leaf = (until: string) => `CN=hooks\\.example\\.com \\([0-9A-F:]{11}…, until ${until}\\)`;
    expect(phrases).toMatch(
      new RegExp(`certificate ${leaf('2026-08-01')} → ${leaf('2026-08-29')}`),
    );
  });

  it('compares only verdict and findings when one side could not be scanned', () => {
    const baseline = makeReport([compliantResult('https://gone.example.net/hook', 5)]);
    const [change] = diffReports(baseline, makeReport([unresolvedResult()])).changed;

    expect(change.verdict).toEqual({ before: 'compliant', after: 'not-scanned' });
    expect(change.newFindings.map((entry) => entry.id)).toEqual(['endpoint.not-scanned']);
    // Its certificate.no-ocsp-staple went unchecked, not fixed.
    expect(change.fixedFindings).toEqual([]);
    expect(change.versions).toBeUndefined();
    expect(change.certificate).toBeUndefined();
    expect(change.regression).toBe(true);
  });
});
