// The real-world cases end to end: a real server set up as the case says, scanned by the engine
// (scanEndpoints), then judged by the webhook policy. The rule tables test the policy on hand-
// built scans; these check that the scans the engine really produces lead to the same findings.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointResult } from '../../src/model.js';
import { binaryPath, describeWith } from '../support/binaries.js';
import { judgeServer } from '../support/judge.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  servedChainPem,
  type TempDir,
  writeCertificateFiles,
} from '../support/pki.js';
import { nginxTlsServer, type RunningServer, startGnutls, startNginx } from '../support/servers.js';

let root: IssuedCertificate;
let rsaLeaf: IssuedCertificate;
let ecdsaLeaf: IssuedCertificate;
let files: TempDir;
const running: RunningServer[] = [];

beforeAll(async () => {
  root = await makeRoot();
  const intermediate = await issueIntermediate(root);
  const names = { dnsNames: ['example.test', 'localhost'], ipAddresses: ['127.0.0.1'] };
  rsaLeaf = await issueLeaf(intermediate, { ...names, keyType: 'rsa2048' });
  ecdsaLeaf = await issueLeaf(intermediate, { ...names, keyType: 'p256' });
  files = makeTempDir('wtp-cases-');
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  files?.remove();
});

/** Scans `host:port` (resolved to the server's address) and evaluates it under `webhook`. */
async function judge(server: RunningServer, host = '127.0.0.1'): Promise<EndpointResult> {
  return (await judgeServer(server, { trusted: [root.certPem], host })).result;
}

function ids(result: EndpointResult): string[] {
  return result.findings.map((finding) => finding.id);
}

function finding(result: EndpointResult, id: string) {
  const found = result.findings.find((candidate) => candidate.id === id);
  expect(found, `${id} in ${JSON.stringify(ids(result))}`).toBeDefined();
  return found!;
}

async function nginx(leaf: IssuedCertificate, directives: string): Promise<RunningServer> {
  const { certFile, keyFile } = writeCertificateFiles(files, `leaf-${running.length}`, leaf);
  const server = await startNginx({
    serverBlocks: nginxTlsServer({ certFile, keyFile, serverName: 'example.test', directives }),
  });
  running.push(server);
  return server;
}

describeWith('nginx', 'real-world cases under the webhook policy (nginx)', () => {
  it('a modern configuration is compliant', async () => {
    const result = await judge(await nginx(rsaLeaf, 'ssl_protocols TLSv1.2 TLSv1.3;'));
    expect(result.verdict).toBe('compliant');
    expect(result.findings.filter((entry) => entry.severity !== 'notice')).toEqual([]);
  });

  it('case 1: TLS 1.3 only fails the list, not the version rule', async () => {
    const result = await judge(await nginx(rsaLeaf, 'ssl_protocols TLSv1.3;'));
    expect(finding(result, 'suites.none-listed').evidence.observed).toContain(
      'senders limited to TLS 1.2 cannot connect',
    );
    expect(ids(result)).not.toContain('version.none-supported');
    expect(ids(result)).not.toContain('version.legacy-accepted');
    expect(result.verdict).toBe('non-compliant');
  });

  it('case 5: an ECDSA certificate with only ECDHE-RSA suites', async () => {
    const result = await judge(
      await nginx(
        ecdsaLeaf,
        'ssl_protocols TLSv1.2;\n' +
          '  ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;',
      ),
    );
    expect(finding(result, 'suites.certificate-key-mismatch').severity).toBe('error');
    expect(finding(result, 'suites.none-listed').severity).toBe('error');
    expect(ids(result)).not.toContain('version.none-supported');
    expect(result.verdict).toBe('non-compliant');
  });

  it('case 13: a name the certificate does not cover', async () => {
    const server = await nginx(rsaLeaf, 'ssl_protocols TLSv1.2 TLSv1.3;');
    const result = await judge(server, 'www.example.test');
    const mismatch = finding(result, 'certificate.name-mismatch');
    expect(mismatch.evidence.observed).toContain('not www.example.test');
    expect(mismatch.evidence.observed).toContain('example.test');
    expect(mismatch.evidence.observed).toMatch(/\d+ days left/);
    expect(ids(result)).toEqual(['certificate.name-mismatch']);
  });

  it('case 18: RSA key exchange only passes the list and warns about forward secrecy', async () => {
    const result = await judge(
      await nginx(
        rsaLeaf,
        'ssl_protocols TLSv1.2;\n' +
          '  ssl_ciphers AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA;',
      ),
    );
    const fs = finding(result, 'kex.sender-not-forward-secret');
    expect(fs.severity).toBe('warning');
    expect(fs.evidence.observed).toContain('accepts no suite with ECDHE or DHE key exchange');
    expect(ids(result)).not.toContain('suites.none-listed');
    expect(result.verdict).toBe('compliant');
  });

  it('case 19: a DHE-only server has no suite in common with the list', async () => {
    const dhparam = `${files.path}/ffdhe2048.pem`;
    execFileSync(binaryPath('openssl') as string, [
      'genpkey',
      '-genparam',
      '-algorithm',
      'DH',
      '-pkeyopt',
      'group:ffdhe2048',
      '-out',
      dhparam,
    ]);
    const result = await judge(
      await nginx(
        rsaLeaf,
        'ssl_protocols TLSv1.2;\n  ssl_ciphers DHE-RSA-AES256-GCM-SHA384;\n' +
          `  ssl_dhparam ${dhparam};`,
      ),
    );
    const none = finding(result, 'suites.none-listed');
    expect(none.evidence.observed).toContain('no suite in common with the required list');
    expect(none.evidence.observed).toContain('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384');
  });
});

describeWith('gnutls-serv', 'real-world cases under the webhook policy (gnutls-serv)', () => {
  it('case 8: 3DES only passes the list, with weak-cipher and no-FS warnings', async () => {
    const server = await startGnutls({
      certPem: rsaLeaf.certPem,
      keyPem: rsaLeaf.keyPem,
      chainPem: servedChainPem(rsaLeaf).replace(rsaLeaf.certPem.trim(), '').trim(),
      priority: 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL',
    });
    running.push(server);
    const result = await judge(server);
    expect(finding(result, 'suites.64-bit-block-cipher').evidence.observed).toContain(
      'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
    );
    expect(finding(result, 'kex.sender-not-forward-secret').severity).toBe('warning');
    expect(ids(result)).not.toContain('suites.none-listed');
    expect(result.verdict).toBe('compliant');
  });
});
