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
    // The TLS 1.2 servers cover both AEAD record protections and both PRF hashes, with x25519
    // and P-384: a Finished the server cannot verify gets an alert, not its ChangeCipherSpec.
    const tls12 = ['-tls1_2', '-verify', '1'];
    const required12 = ['-tls1_2', '-Verify', '1'];
    const started = await Promise.all([
      startOpenssl({ ...files, args: ['-Verify', '1'] }),
      startOpenssl({ ...files, args: ['-verify', '1'] }),
      startOpenssl({ ...files, args: ['-Verify', '1', '-tls1_2'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'] }),
      startOpenssl({
        ...files,
        args: [...tls12, '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384', '-groups', 'P-384'],
      }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'AES128-GCM-SHA256'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'AES128-SHA'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'ECDHE-RSA-AES256-SHA384'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'DHE-RSA-AES256-GCM-SHA384'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'CAMELLIA128-SHA'] }),
      startOpenssl({ ...files, args: [...tls12, '-cipher', 'AES128-CCM'] }),
      startOpenssl({
        ...files,
        args: [...tls12, '-serverpref', '-cipher', 'CAMELLIA256-SHA:AES128-SHA'],
      }),
      startOpenssl({ ...files, args: [...required12, '-cipher', 'AES128-GCM-SHA256'] }),
      startOpenssl({ ...files, args: [...required12, '-cipher', 'ECDHE-RSA-AES128-SHA'] }),
      startOpenssl({ ...files, args: ['-Verify', '1', '-tls1_3', '-groups', 'secp384r1'] }),
      startOpenssl(files),
    ]);
    servers.push(...started);
    const names = [
      'required',
      'optional',
      'tls12-required',
      'tls12-aes128',
      'tls12-chacha',
      'tls12-aes256-p384',
      'tls12-rsa-kex',
      'tls12-rsa-cbc-sha1',
      'tls12-ecdhe-cbc-sha384',
      'tls12-dhe',
      'tls12-camellia',
      'tls12-ccm',
      'tls12-camellia-preferred',
      'tls12-rsa-kex-required',
      'tls12-cbc-required',
      'tls13-p384-required',
      'plain',
    ];
    const results = await scanEndpoints(
      servers.map((server) => parseEndpoint(server.endpoint)),
      // A server the finish cannot complete with is read from its silence after the empty
      // Certificate, a whole read timeout: a short one keeps the test short.
      { ...DEFAULT_SCAN_OPTIONS, readTimeoutMs: 2_000, extraCaPem: [rootPem] },
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
    for (const name of ['required', 'optional', 'tls12-required', 'tls12-aes128']) {
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
      version: 'TLSv1.3',
    });
    expect(findingIds('required')).toEqual(['certificate.client-certificate-required']);
  });

  it('is a warning when the server goes on without one (-verify)', () => {
    expect(tried('optional')?.answer).toBe('completed');
    expect(findingIds('optional')).toEqual(['certificate.client-certificate-requested']);
  });

  it('is an error on a TLS 1.2-only server that ends the handshake at the empty Certificate', () => {
    expect(tried('tls12-required')).toEqual({
      answer: 'refused',
      detail: 'the server ends the handshake with a fatal handshake_failure alert',
      version: 'TLSv1.2',
    });
    expect(findingIds('tls12-required')).toEqual(['certificate.client-certificate-required']);
  });

  it('finishes TLS 1.2 handshakes the server verifies: ECDHE, DHE, RSA; GCM, ChaCha20, CBC', () => {
    const names = [
      'tls12-aes128',
      'tls12-chacha',
      'tls12-aes256-p384',
      'tls12-rsa-kex',
      'tls12-rsa-cbc-sha1',
      'tls12-ecdhe-cbc-sha384',
      'tls12-dhe',
      'tls12-ccm',
      // A sender offering both gets AES128-SHA: the finish offers what it can do first, so
      // the server's preference for Camellia does not cost a read timeout.
      'tls12-camellia-preferred',
    ];
    for (const name of names) {
      // openssl sends the NewSessionTicket, and then its ChangeCipherSpec, only once it has
      // checked our Finished.
      expect([name, tried(name)]).toEqual([
        name,
        { answer: 'completed', detail: 'the server sent a NewSessionTicket', version: 'TLSv1.2' },
      ]);
      expect(findingIds(name)).toContain('certificate.client-certificate-requested');
      expect(findingIds(name)).not.toContain('certificate.client-certificate-required');
    }
  });

  it('sends the empty Certificate alone when the suite is not one the finish can do', () => {
    expect(tried('tls12-camellia')).toEqual({
      answer: 'completed',
      detail: 'the server took an empty Certificate and waited for the key exchange',
      version: 'TLSv1.2',
    });
    for (const name of ['tls12-rsa-kex-required', 'tls12-cbc-required']) {
      expect([name, tried(name)?.answer]).toEqual([name, 'refused']);
      expect(findingIds(name)).toContain('certificate.client-certificate-required');
    }
  });

  it('offers a share of every curve in TLS 1.3, so that no HelloRetryRequest hides the answer', () => {
    expect(tried('tls13-p384-required')).toMatchObject({ answer: 'refused', version: 'TLSv1.3' });
    expect(findingIds('tls13-p384-required')).toContain('certificate.client-certificate-required');
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

// gnutls-serv asks for a client certificate unless told not to (-a). Without the extended
// master secret (%NO_SESSION_HASH) the finish takes the master secret of RFC 5246 Section 8.1.
describeWith('gnutls-serv', 'gnutls-serv with TLS 1.2 only and no extended master secret', () => {
  const servers: RunningServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('goes on without a certificate when it asks for an optional one, ends when it requires one', async () => {
    const { root, intermediate, leaf } = await makeChain({ keyType: 'p256' });
    const files = { certPem: leaf.certPem, keyPem: leaf.keyPem, chainPem: intermediate.certPem };
    const priority = 'NORMAL:-VERS-TLS1.3:%NO_SESSION_HASH';
    servers.push(
      await startGnutls({ ...files, priority }),
      await startGnutls({
        ...files,
        priority,
        args: ['--require-client-cert', '--x509cafile', '/dev/null'],
      }),
    );
    const [optional, required] = await scanEndpoints(
      servers.map((server) => parseEndpoint(server.endpoint)),
      { ...DEFAULT_SCAN_OPTIONS, extraCaPem: [root.certPem] },
    );

    expect(optional.addresses[0].certificates.withoutClientCertificate?.answer).toBe('completed');
    expect(required.addresses[0].certificates.withoutClientCertificate).toEqual({
      answer: 'refused',
      detail: 'the server ends the handshake with a fatal decode_error alert',
      version: 'TLSv1.2',
    });
    const ids = evaluate(required, presetPolicy('webhook'), new Date()).findings.map((f) => f.id);
    expect(ids).toContain('certificate.client-certificate-required');
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
