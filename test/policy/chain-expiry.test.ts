// A chain whose intermediate, or private root, expires before its leaf: senders check every
// certificate of the path, so deliveries fail on the earliest notAfter. openssl s_server serves
// each chain; the scan is judged by the webhook policy and rendered as the reports show it.

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointResult, Report } from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { buildReport, renderMarkdown, renderText } from '../../src/report/index.js';
import { describeWith } from '../support/binaries.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  pemBundle,
} from '../support/pki.js';
import { type RunningServer, startOpenssl } from '../support/servers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
// Half a day past whole days, so that the days left do not depend on when the test runs.
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS + DAY_MS / 2);

const running: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

/**
 * Serves `leaf` and its intermediates (or the `sent` certificates after it) with s_server, and
 * scans it as a sender trusting `root`.
 */
async function judge(
  leaf: IssuedCertificate,
  root: IssuedCertificate,
  sent: IssuedCertificate[] = leaf.issuers.slice(0, -1),
) {
  const server = await startOpenssl({
    certPem: leaf.certPem,
    keyPem: leaf.keyPem,
    chainPem: pemBundle(...sent),
    args: ['-tls1_2'],
  });
  running.push(server);

  const now = new Date();
  const policy = presetPolicy('webhook');
  const [scan] = await scanEndpoints([parseEndpoint(server.endpoint)], {
    ...DEFAULT_SCAN_OPTIONS,
    connectTimeoutMs: 3_000,
    readTimeoutMs: 5_000,
    endpointDeadlineMs: 50_000,
    listedSuites: policy.listedSuites,
    extraCaPem: [root.certPem],
    now,
  });
  const result = evaluate(scan, policy, now);
  const report = buildReport({ results: [result], policy, startedAt: now, finishedAt: now });
  return { result, report };
}

function expiring(result: EndpointResult) {
  return result.findings.filter((finding) => finding.id === 'certificate.expiring-soon');
}

function overviewCell(report: Report): string {
  const line = renderMarkdown(report)
    .split('\n')
    .find((text) => text.startsWith(`| ${report.endpoints[0].scan.endpoint.input} |`));
  return line?.split(' | ')[5] ?? '';
}

describeWith('openssl', 'the expiry of a chain is its earliest notAfter', () => {
  let root: IssuedCertificate;

  beforeAll(async () => {
    root = await makeRoot({ subject: 'Expiry Test Root' });
  });

  it('warns of an intermediate that expires in 4 days under a leaf with 19 left', async () => {
    const intermediate = await issueIntermediate(root, {
      subject: 'Expiry Test CA',
      notAfter: inDays(4),
    });
    const leaf = await issueLeaf(intermediate, { notAfter: inDays(19) });
    const { result, report } = await judge(leaf, root);

    const [warning] = expiring(result);
    expect(expiring(result)).toHaveLength(1);
    expect(warning.evidence.observed).toMatch(
      /^the 2nd certificate sent \(CN=Expiry Test CA\) expires on \S+, in 4 days, before the leaf/,
    );
    expect(warning.remediation.summary).toMatch(/^Replace the certificate that expires first/);
    expect(result.verdict).toBe('compliant');

    expect(overviewCell(report)).toBe('4 days (2nd certificate sent)');
    expect(renderText(report, { color: false })).toContain('4 days (2nd certificate sent)');
  });

  it('warns of a private root given as a ca-file that expires before the leaf', async () => {
    const shortRoot = await makeRoot({ subject: 'Short Root', notAfter: inDays(6) });
    const intermediate = await issueIntermediate(shortRoot, { subject: 'Short CA' });
    const leaf = await issueLeaf(intermediate, { notAfter: inDays(19) });
    const { result, report } = await judge(leaf, shortRoot);

    const [warning] = expiring(result);
    expect(warning?.evidence.observed).toMatch(
      /^the trust anchor \(CN=Short Root\) expires on \S+, in 6 days, before the leaf/,
    );
    expect(overviewCell(report)).toBe('6 days (trust anchor)');
  });

  it('counts the renewed root a sender holds, not the old copy the server sends', async () => {
    const oldRoot = await makeRoot({ subject: 'Renewed Root', notAfter: inDays(8) });
    const renewedRoot = await makeRoot({
      subject: 'Renewed Root',
      keys: oldRoot.keys,
      notAfter: inDays(3650),
    });
    const intermediate = await issueIntermediate(oldRoot, { subject: 'Renewed CA' });
    const leaf = await issueLeaf(intermediate, { notAfter: inDays(60) });

    // The premise, by OpenSSL: after the old root's notAfter the chain still verifies against
    // the renewed root, the old one sent along being ignored.
    const files = makeTempDir();
    try {
      const verify = spawnSync('openssl', [
        'verify',
        '-attime',
        String(Math.floor(inDays(20).getTime() / 1000)),
        '-CAfile',
        files.write('renewed.pem', renewedRoot.certPem),
        '-untrusted',
        files.write('sent.pem', pemBundle(intermediate, oldRoot)),
        files.write('leaf.pem', leaf.certPem),
      ]);
      expect(`${verify.stdout}${verify.stderr}`).toMatch(/: OK\s*$/);
    } finally {
      files.remove();
    }

    const { result, report } = await judge(leaf, renewedRoot, [intermediate, oldRoot]);
    const chain = result.scan.addresses[0].certificates.primary;

    expect(expiring(result)).toEqual([]);
    expect(chain?.built).toEqual([0, 1, 'anchor']);
    expect(chain?.anchor?.notAfter).toBe(renewedRoot.certificate.notAfter.toISOString());
    expect(result.findings.map((finding) => finding.id)).toContain('certificate.root-sent');
    expect(result.verdict).toBe('compliant');
    expect(overviewCell(report)).toBe('60 days');
  });

  it('still names the leaf when it expires first', async () => {
    const intermediate = await issueIntermediate(root, { notAfter: inDays(200) });
    const leaf = await issueLeaf(intermediate, { notAfter: inDays(19) });
    const { result, report } = await judge(leaf, root);

    expect(expiring(result).map((finding) => finding.evidence.observed)).toEqual([
      expect.stringMatching(/^the certificate expires on \S+, in 19 days$/),
    ]);
    expect(overviewCell(report)).toBe('19 days');
  });

  it('names the leaf, not a CA made just before it, when both expire the same day', async () => {
    const intermediate = await issueIntermediate(root, { notAfter: inDays(19) });
    const leaf = await issueLeaf(intermediate, { notAfter: new Date(Date.now() + 19.9 * DAY_MS) });
    const { result, report } = await judge(leaf, root);

    expect(expiring(result)[0]?.evidence.observed).toMatch(/^the certificate expires on /);
    expect(overviewCell(report)).toBe('19 days');
  });
});
