// A server that asks the client for a certificate (mutual TLS): webhook senders present none.
// A tester found openssl s_server -Verify and nginx ssl_verify_client on judged compliant with
// nothing said. The probes see the CertificateRequest in the server's flight, in TLS 1.2 in the
// clear and in TLS 1.3 once decrypted.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointScan } from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { describeWith } from '../support/binaries.js';
import { makeChain, servedChainPem } from '../support/pki.js';
import {
  nginxTlsServer,
  type RunningServer,
  startNginx,
  startOpenssl,
} from '../support/servers.js';

describeWith('openssl', 'a server that asks for a client certificate', () => {
  const servers: RunningServer[] = [];
  const scans = new Map<string, EndpointScan>();
  let rootPem = '';

  beforeAll(async () => {
    const { root, intermediate, leaf } = await makeChain({ keyType: 'rsa2048' });
    rootPem = root.certPem;
    const files = { certPem: leaf.certPem, keyPem: leaf.keyPem, chainPem: intermediate.certPem };
    const [required, tls12, plain] = await Promise.all([
      startOpenssl({ ...files, args: ['-Verify', '1'] }),
      startOpenssl({ ...files, args: ['-verify', '1', '-tls1_2'] }),
      startOpenssl(files),
    ]);
    servers.push(required, tls12, plain);
    const names = ['required', 'tls12', 'plain'];
    const results = await scanEndpoints(
      servers.map((server) => parseEndpoint(server.endpoint)),
      { ...DEFAULT_SCAN_OPTIONS, extraCaPem: [rootPem] },
    );
    for (const [index, name] of names.entries()) scans.set(name, results[index]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  const findingIds = (name: string) =>
    evaluate(scans.get(name)!, presetPolicy('webhook'), new Date()).findings.map((f) => f.id);

  it('is found in TLS 1.3 (decrypted) and TLS 1.2 (in the clear), and said', () => {
    for (const name of ['required', 'tls12']) {
      expect([
        name,
        scans.get(name)!.addresses[0].certificates.primary?.clientCertificateRequested,
      ]).toEqual([name, true]);
      expect([name, findingIds(name)]).toEqual([
        name,
        ['certificate.client-certificate-requested'],
      ]);
    }
  });

  it('is not said of a server that asks for none', () => {
    expect(
      scans.get('plain')!.addresses[0].certificates.primary?.clientCertificateRequested,
    ).toBeUndefined();
    expect(findingIds('plain')).not.toContain('certificate.client-certificate-requested');
  });
});

describeWith('nginx', 'nginx with ssl_verify_client on', () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('asks for a client certificate, and the finding says so', async () => {
    const { root, leaf } = await makeChain({ keyType: 'rsa2048' });
    server = await startNginx({
      files: {
        'leaf.crt': servedChainPem(leaf),
        'leaf.key': leaf.keyPem,
        'clients.pem': root.certPem,
      },
      serverBlocks: nginxTlsServer({
        certFile: '{{DIR}}/leaf.crt',
        keyFile: '{{DIR}}/leaf.key',
        directives: 'ssl_client_certificate {{DIR}}/clients.pem; ssl_verify_client on;',
      }),
    });
    const [scan] = await scanEndpoints([parseEndpoint(server.endpoint)], {
      ...DEFAULT_SCAN_OPTIONS,
      extraCaPem: [root.certPem],
    });
    const result = evaluate(scan, presetPolicy('webhook'), new Date());

    expect(result.findings.map((finding) => [finding.id, finding.severity])).toContainEqual([
      'certificate.client-certificate-requested',
      'warning',
    ]);
  });
});
