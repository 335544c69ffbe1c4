// The words of the name findings on real servers that testers found misleading: a certificate
// with a subject CN and no subjectAltName, a default certificate stated as a fact (or guessed
// for a certificate whose CN is the endpoint's name), and a fix that reissued a certificate
// that already covered the name the server refused. openssl s_server or nginx serves each
// case; the scan is judged by the webhook policy.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointResult } from '../../src/model.js';
import { describeWith } from '../support/binaries.js';
import { judgeServer, serveLeaf } from '../support/judge.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  writeCertificateFiles,
} from '../support/pki.js';
import {
  nginxTlsServer,
  type OpensslOptions,
  type RunningServer,
  startNginx,
} from '../support/servers.js';

const running: RunningServer[] = [];
let root: IssuedCertificate;
let issuer: IssuedCertificate;

beforeAll(async () => {
  root = await makeRoot({ subject: 'Name Test Root' });
  issuer = await issueIntermediate(root, { subject: 'Name Test CA' });
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

/** Serves `leaf` with s_server and judges `host:port`, the host resolving to the server. */
async function judge(
  leaf: IssuedCertificate,
  host: string,
  options: Partial<OpensslOptions> = {},
): Promise<EndpointResult> {
  const server = await serveLeaf(leaf, options);
  running.push(server);
  return judgeRunning(server, host);
}

/** Judges `host:port` of a running server, the host resolving to the server. */
async function judgeRunning(server: RunningServer, host: string): Promise<EndpointResult> {
  return (await judgeServer(server, { trusted: [root.certPem], host })).result;
}

function finding(result: EndpointResult, id: string) {
  const found = result.findings.find((candidate) => candidate.id === id);
  const ids = result.findings.map((candidate) => candidate.id);
  expect(found, `${id} in ${JSON.stringify(ids)}`).toBeDefined();
  return found!;
}

describeWith('openssl', 'the words of name findings on real servers', () => {
  it('says a certificate with a subject CN and no subjectAltName covers no name', async () => {
    const cnOnly = await issueLeaf(issuer, { subject: 'localhost', dnsNames: [], ipAddresses: [] });
    const result = await judge(cnOnly, 'localhost');
    const observed = finding(result, 'certificate.name-mismatch').evidence.observed;

    expect(observed).toMatch(/^the certificate has no subjectAltName, only the subject CN=localh/);
    expect(observed).toContain(
      'Go and the browsers ignore a subject CN (RFC 9525 dropped the fallback of RFC 6125, ' +
        'Section 6.4.4), so for senders built on them it covers no name, not localhost either ' +
        '(Node and Java still read the CN)',
    );
    expect(observed).not.toContain('covers no subjectAltName names');
    expect(result.verdict).toBe('non-compliant');
  });

  it('hedges that a certificate sent for every name is probably the default one', async () => {
    const otherSite = await issueLeaf(issuer, { dnsNames: ['other.example.test'] });
    const result = await judge(otherSite, 'localhost');
    const observed = finding(result, 'certificate.name-mismatch').evidence.observed;

    expect(observed).toContain(
      'the server sends it alike for this name, for no name and for a name it cannot know, so ' +
        'it is probably its default certificate and no site may be set up for this name',
    );
    expect(observed).not.toContain(': its default certificate, with no site set up');
  });

  it('tells a server that refuses a name its certificate covers to accept the name', async () => {
    const covering = await issueLeaf(issuer);
    const result = await judge(covering, 'localhost', {
      sniCert: { certPem: covering.certPem, keyPem: covering.keyPem, serverName: 'example.test' },
      args: ['-servername_fatal'],
    });
    const refused = finding(result, 'sni.name-refused');

    expect(refused.evidence.observed).toContain(
      'the server does not accept this name, though the certificate it sends without SNI ' +
        'covers localhost',
    );
    expect(refused.remediation.summary).toMatch(/^Set localhost up on the server as a name it/);
    expect(refused.remediation.summary).toContain('the certificate it sends already covers');
    expect(refused.remediation.summary).not.toContain('reissue');
  });
});

describeWith('nginx', 'the words of name findings on nginx', () => {
  it('asks only for a subjectAltName when the subject CN already names the host', async () => {
    const cnOnly = await issueLeaf(issuer, { subject: 'localhost', dnsNames: [], ipAddresses: [] });
    const files = makeTempDir('wtp-names-');
    try {
      const { certFile, keyFile } = writeCertificateFiles(files, 'cn-only', cnOnly);
      const server = await startNginx({ serverBlocks: nginxTlsServer({ certFile, keyFile }) });
      running.push(server);

      const result = await judgeRunning(server, 'localhost');
      const mismatch = finding(result, 'certificate.name-mismatch');

      // nginx with one site sends the certificate for every name, the sign the hedge reads.
      expect(result.scan.addresses[0].certificates.sni.honoured).toBe(false);
      expect(mismatch.evidence.observed).toMatch(/^the certificate has no subjectAltName, only /);
      expect(mismatch.evidence.observed).not.toContain('default certificate');
      expect(mismatch.evidence.observed).not.toContain('no site may be set up');
      expect(mismatch.remediation).toEqual({
        summary: 'Reissue the certificate with a subjectAltName for localhost.',
      });
    } finally {
      files.remove();
    }
  });

  it('still hedges about a default certificate that names another host', async () => {
    const otherSite = await issueLeaf(issuer, {
      subject: 'other.example.test',
      dnsNames: [],
      ipAddresses: [],
    });
    const files = makeTempDir('wtp-names-');
    try {
      const { certFile, keyFile } = writeCertificateFiles(files, 'other', otherSite);
      const server = await startNginx({ serverBlocks: nginxTlsServer({ certFile, keyFile }) });
      running.push(server);

      const mismatch = finding(
        await judgeRunning(server, 'localhost'),
        'certificate.name-mismatch',
      );

      expect(mismatch.evidence.observed).toContain('it is probably its default certificate');
      expect(mismatch.remediation.summary).toMatch(/^Serve a certificate whose subjectAltName/);
      expect(mismatch.remediation.snippets?.map((snippet) => snippet.server)).toContain('nginx');
    } finally {
      files.remove();
    }
  });
});
