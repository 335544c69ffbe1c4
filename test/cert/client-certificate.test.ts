// A server that asks the client for a certificate (mutual TLS): webhook senders present none.
// A tester found openssl s_server -Verify and nginx ssl_verify_client on judged compliant with
// nothing said, and later -Verify judged compliant with a warning though every sender fails.
// The probes see the CertificateRequest in the server's flight, in TLS 1.2 in the clear and in
// TLS 1.3 once decrypted, then finish a TLS 1.3 handshake with no certificate and read whether
// the server ends it (RFC 8446 Section 4.4.2.4).

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
  startGnutls,
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
    const started = await Promise.all([
      startOpenssl({ ...files, args: ['-Verify', '1'] }),
      startOpenssl({ ...files, args: ['-verify', '1'] }),
      startOpenssl({ ...files, args: ['-verify', '1', '-tls1_2'] }),
      startOpenssl(files),
    ]);
    servers.push(...started);
    const names = ['required', 'optional', 'tls12', 'plain'];
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

  const tried = (name: string) =>
    scans.get(name)!.addresses[0].certificates.withoutClientCertificate;

  it('is found in TLS 1.3 (decrypted) and TLS 1.2 (in the clear)', () => {
    for (const name of ['required', 'optional', 'tls12']) {
      expect([
        name,
        scans.get(name)!.addresses[0].certificates.primary?.clientCertificateRequested,
      ]).toEqual([name, true]);
    }
  });

  it('is an error when the server ends a handshake finished without one (-Verify)', () => {
    expect(tried('required')).toEqual({
      answer: 'refused',
      detail: 'the server ends the handshake with a fatal certificate_required alert',
    });
    expect(findingIds('required')).toEqual(['certificate.client-certificate-required']);
  });

  it('is a warning when the server goes on without one (-verify)', () => {
    expect(tried('optional')?.answer).toBe('completed');
    expect(findingIds('optional')).toEqual(['certificate.client-certificate-requested']);
  });

  it('is a warning that says it could not be told on a TLS 1.2-only server', () => {
    expect(tried('tls12')?.answer).toBe('unknown');
    const findings = evaluate(scans.get('tls12')!, presetPolicy('webhook'), new Date()).findings;
    expect(findings.map((finding) => [finding.id, finding.severity])).toEqual([
      ['certificate.client-certificate-requested', 'warning'],
    ]);
    expect(findings[0].evidence.observed).toContain('could not be told');
  });

  it('is not said of a server that asks for none', () => {
    expect(
      scans.get('plain')!.addresses[0].certificates.primary?.clientCertificateRequested,
    ).toBeUndefined();
    expect(tried('plain')).toBeUndefined();
    expect(findingIds('plain')).not.toContain('certificate.client-certificate-requested');
  });
});

describeWith('nginx', 'nginx with ssl_verify_client on', () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  // nginx finishes the handshake without a certificate and answers the request with 400 "No
  // required SSL certificate was sent": the TLS handshake cannot tell, so it stays a warning.
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
        directives:
          'ssl_protocols TLSv1.2 TLSv1.3; ' +
          'ssl_client_certificate {{DIR}}/clients.pem; ssl_verify_client on;',
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
    expect(scan.addresses[0].certificates.withoutClientCertificate?.answer).toBe('completed');
  });
});

describeWith('gnutls-serv', 'gnutls-serv with --require-client-cert', () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('ends a TLS 1.3 handshake finished without a certificate: an error', async () => {
    const { root, intermediate, leaf } = await makeChain({ keyType: 'p256' });
    server = await startGnutls({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: intermediate.certPem,
      args: ['--require-client-cert', '--x509cafile', '/dev/null'],
    });
    const [scan] = await scanEndpoints([parseEndpoint(server.endpoint)], {
      ...DEFAULT_SCAN_OPTIONS,
      extraCaPem: [root.certPem],
    });
    const result = evaluate(scan, presetPolicy('webhook'), new Date());

    expect(scan.addresses[0].certificates.withoutClientCertificate?.answer).toBe('refused');
    expect(result.findings.map((finding) => [finding.id, finding.severity])).toContainEqual([
      'certificate.client-certificate-required',
      'error',
    ]);
  });
});
