// A chain whose intermediate, or private root, expires before its leaf: senders check every
// certificate of the path, so deliveries fail on the earliest notAfter. openssl s_server serves
// each chain; the scan is judged by the webhook policy and rendered as the reports show it.

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointResult, Report } from '../../src/model.js';
import { renderMarkdown, renderText } from '../../src/report/index.js';
import { describeWith } from '../support/binaries.js';
import { judgeServer, serveLeaf } from '../support/judge.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  pemBundle,
} from '../support/pki.js';
import type { RunningServer } from '../support/servers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
// Half a day past whole days, so that the days left do not depend on when the test runs.
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS + DAY_MS / 2);

const running: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

/**
 * Serves `leaf` and its intermediates (or the `sent` certificates after it) with s_server, and
 * scans it as a sender trusting `root` (or every root of a list, in that order).
 */
async function judge(
  leaf: IssuedCertificate,
  root: IssuedCertificate | IssuedCertificate[],
  sent: IssuedCertificate[] = leaf.issuers.slice(0, -1),
) {
  const server = await serveLeaf(leaf, { chainPem: pemBundle(...sent), args: ['-tls1_2'] });
  running.push(server);
  return judgeServer(server, { trusted: [root].flat().map((trusted) => trusted.certPem) });
}

function expiring(result: EndpointResult) {
  return result.findings.filter((finding) => finding.id === 'certificate.expiring-soon');
}

function findingIds(result: EndpointResult): string[] {
  return result.findings.map((finding) => finding.id);
}

/**
 * The premise of a test, by OpenSSL: `openssl verify` at `at` of `leaf` with `untrusted` as the
 * certificates sent and `trusted` as the store, the way a sender built on OpenSSL builds a path.
 */
function opensslVerifies(options: {
  trusted: IssuedCertificate[];
  untrusted: IssuedCertificate[];
  leaf: IssuedCertificate;
  at: Date;
}): string {
  const files = makeTempDir();
  try {
    const verify = spawnSync('openssl', [
      'verify',
      '-attime',
      String(Math.floor(options.at.getTime() / 1000)),
      '-CAfile',
      files.write('trusted.pem', pemBundle(...options.trusted)),
      '-untrusted',
      files.write('sent.pem', pemBundle(...options.untrusted)),
      files.write('leaf.pem', options.leaf.certPem),
    ]);
    return `${verify.stdout}${verify.stderr}`;
  } finally {
    files.remove();
  }
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
    const verified = opensslVerifies({
      trusted: [renewedRoot],
      untrusted: [intermediate, oldRoot],
      leaf,
      at: inDays(20),
    });
    expect(verified).toMatch(/: OK\s*$/);

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

// Path building (RFC 4158) picks, among issuers with the right subject and key, one valid now:
// a copy beside that path, sent or in the store, neither breaks the chain nor dates it.
describeWith('openssl', 'copies of a CA with the same subject and key', () => {
  const expired = { notBefore: new Date(Date.now() - 800 * DAY_MS), notAfter: inDays(-3) };

  it('ignores an expired old root sent along when the store has the renewed one', async () => {
    const oldRoot = await makeRoot({ subject: 'Copies Root', ...expired });
    const renewedRoot = await makeRoot({
      subject: 'Copies Root',
      keys: oldRoot.keys,
      notAfter: inDays(3650),
    });
    const intermediate = await issueIntermediate(renewedRoot, { subject: 'Copies CA' });
    const leaf = await issueLeaf(intermediate, { notAfter: inDays(60) });
    const sent = [intermediate, oldRoot];
    expect(
      opensslVerifies({ trusted: [renewedRoot], untrusted: sent, leaf, at: new Date() }),
    ).toMatch(/: OK\s*$/);

    const { result, report } = await judge(leaf, renewedRoot, sent);
    const chain = result.scan.addresses[0].certificates.primary;

    expect(findingIds(result)).not.toContain('certificate.expired-in-chain');
    expect(findingIds(result)).toContain('certificate.root-sent');
    expect(chain?.built).toEqual([0, 1, 'anchor']);
    expect(result.verdict).toBe('compliant');
    expect(overviewCell(report)).toBe('60 days');
  });

  it('takes the current intermediate, not the expired copy sent before it', async () => {
    const root = await makeRoot({ subject: 'Copies Root 2' });
    const oldCa = await issueIntermediate(root, { subject: 'Copies CA 2', ...expired });
    const currentCa = await issueIntermediate(root, {
      subject: 'Copies CA 2',
      keys: oldCa.keys,
      notAfter: inDays(400),
    });
    const leaf = await issueLeaf(currentCa, { notAfter: inDays(60) });
    const sent = [oldCa, currentCa];
    expect(opensslVerifies({ trusted: [root], untrusted: sent, leaf, at: new Date() })).toMatch(
      /: OK\s*$/,
    );

    const { result } = await judge(leaf, root, sent);
    const chain = result.scan.addresses[0].certificates.primary;

    expect(chain?.built).toEqual([0, 2, 'anchor']);
    expect(findingIds(result)).not.toContain('certificate.expired-in-chain');
    expect(findingIds(result)).not.toContain('certificate.chain-order');
    const unused = result.findings.filter(
      (finding) => finding.id === 'certificate.unused-certificate',
    );
    expect(unused).toHaveLength(1);
    expect(unused[0].severity).toBe('notice');
    expect(unused[0].evidence.observed).toMatch(
      new RegExp(
        '^the 2nd certificate sent \\(CN=Copies CA 2\\) was sent but is not on the path ' +
          'senders build: it is another copy of the 3rd certificate sent \\(the same subject ' +
          'and key\\), expired on ',
      ),
    );
    expect(unused[0].evidence.observed).not.toContain('issues none');
    expect(result.verdict).toBe('compliant');
  });

  it('dates the chain by the intermediate copy valid longest, not the one sent first', async () => {
    const root = await makeRoot({ subject: 'Copies Root 3' });
    const shortCa = await issueIntermediate(root, { subject: 'Copies CA 3', notAfter: inDays(10) });
    const longCa = await issueIntermediate(root, {
      subject: 'Copies CA 3',
      keys: shortCa.keys,
      notAfter: inDays(3650),
    });
    const leaf = await issueLeaf(shortCa, { notAfter: inDays(60) });
    const sent = [shortCa, longCa];
    // Once the short copy has lapsed, OpenSSL builds the path through the long one.
    expect(opensslVerifies({ trusted: [root], untrusted: sent, leaf, at: inDays(20) })).toMatch(
      /: OK\s*$/,
    );

    const { result, report } = await judge(leaf, root, sent);
    const chain = result.scan.addresses[0].certificates.primary;

    expect(expiring(result)).toEqual([]);
    expect(chain?.built).toEqual([0, 2, 'anchor']);
    expect(findingIds(result)).not.toContain('certificate.chain-order');
    expect(result.verdict).toBe('compliant');
    expect(overviewCell(report)).toBe('60 days');
  });

  it('dates the chain by the root copy in the store valid longest', async () => {
    const shortRoot = await makeRoot({ subject: 'Copies Root 4', notAfter: inDays(5) });
    const longRoot = await makeRoot({
      subject: 'Copies Root 4',
      keys: shortRoot.keys,
      notAfter: inDays(3650),
    });
    const intermediate = await issueIntermediate(shortRoot, { subject: 'Copies CA 4' });
    const leaf = await issueLeaf(intermediate, { notAfter: inDays(60) });
    const trusted = [shortRoot, longRoot];
    expect(opensslVerifies({ trusted, untrusted: [intermediate], leaf, at: inDays(20) })).toMatch(
      /: OK\s*$/,
    );

    const { result, report } = await judge(leaf, trusted);
    const chain = result.scan.addresses[0].certificates.primary;

    expect(expiring(result)).toEqual([]);
    expect(chain?.built).toEqual([0, 1, 'anchor']);
    expect(chain?.anchor?.notAfter).toBe(longRoot.certificate.notAfter.toISOString());
    expect(result.verdict).toBe('compliant');
    expect(overviewCell(report)).toBe('60 days');
  });
});
