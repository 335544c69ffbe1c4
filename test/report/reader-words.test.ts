// What a reader sees of real servers that testers found misleading: how certificates are
// counted, what the overview says of a certificate that fails, and the version table of a
// server that answers a newer hello with an older version. openssl s_server serves each case;
// the scans are judged by the webhook policy and rendered.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/model.js';
import { renderMarkdown } from '../../src/report/index.js';
import { describeWith } from '../support/binaries.js';
import { judgeServer, serveLeaf } from '../support/judge.js';
import { type IssuedCertificate, issueIntermediate, issueLeaf, makeRoot } from '../support/pki.js';
import type { OpensslOptions, RunningServer } from '../support/servers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const running: RunningServer[] = [];
let root: IssuedCertificate;

beforeAll(async () => {
  root = await makeRoot({ subject: 'Reader Test Root' });
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

/** Serves `leaf` with its intermediates, scans `host:port` and renders the job summary. */
async function scanned(leaf: IssuedCertificate, options: Partial<OpensslOptions> = {}) {
  const server = await serveLeaf(leaf, options);
  running.push(server);
  const { report } = await judgeServer(server, { trusted: [root.certPem] });
  return { report, markdown: renderMarkdown(report) };
}

/** The overview's cells of the report's one endpoint. */
function overviewRow(report: Report, markdown: string): string[] {
  const input = report.endpoints[0].scan.endpoint.input;
  const line = markdown.split('\n').find((text) => text.startsWith(`| ${input} |`)) ?? '';
  return line.split(' | ');
}

describeWith('openssl', 'what a reader sees of real servers', () => {
  it('counts the certificates of a problem from 1, as the chain table does', async () => {
    const lapsed = await issueIntermediate(root, {
      subject: 'Lapsed CA',
      notBefore: new Date(Date.now() - 100 * DAY_MS),
      notAfter: new Date(Date.now() - 2 * DAY_MS),
    });
    const leaf = await issueLeaf(lapsed, { notAfter: new Date(Date.now() - DAY_MS) });
    const { markdown } = await scanned(leaf);

    expect(markdown).toMatch(/^\| 2 \| CN=Lapsed CA \|/m);
    expect(markdown).toContain('- `expired` (#1): the leaf (CN=localhost) expired');
    expect(markdown).toContain('- `expired-in-chain` (#2): the 2nd certificate sent');
    expect(markdown).not.toMatch(/\(#0\)/);
  });

  it('says in the overview that a certificate fails on its name or chain', async () => {
    const issuer = await issueIntermediate(root, { subject: 'Reader Test CA' });
    const otherName = await issueLeaf(issuer, { dnsNames: ['other.example.test'] });
    const byName = await scanned(otherName);
    expect(overviewRow(byName.report, byName.markdown)[5]).toBe('fails: name');

    const covered = await issueLeaf(issuer);
    const byChain = await scanned(covered, { chainPem: undefined });
    expect(overviewRow(byChain.report, byChain.markdown)[5]).toBe('fails: chain');

    const sound = await scanned(covered);
    expect(overviewRow(sound.report, sound.markdown)[5]).toMatch(/^36[45] days$/);
  });

  it('says that TLS 1.3 was not accepted when a TLS 1.2-only server answers it', async () => {
    const issuer = await issueIntermediate(root);
    const { markdown } = await scanned(await issueLeaf(issuer), { args: ['-tls1_2'] });

    expect(markdown).toMatch(
      /^\| TLS 1\.3 \| not accepted: the server answered with TLS 1\.2 TLS[\\\w]+ \|$/m,
    );
    expect(markdown).toMatch(/^\| TLS 1\.2 \| accepted \(TLS 1\.2 TLS[\\\w]+\) \|$/m);
  });
});
