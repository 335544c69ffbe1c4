// The engine against Node's own TLS servers: one stuck on TLS 1.0 (case 4), and a default one
// whose count of accepted TCP connections checks the scan's own count.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointScan } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { makeSelfSigned } from '../support/pki.js';
import { type RunningNodeServer, startNodeTls } from '../support/servers.js';

const servers: RunningNodeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

async function scanOf(server: RunningNodeServer): Promise<EndpointScan> {
  const [scan] = await scanEndpoints([parseEndpoint(server.endpoint)], { ...DEFAULT_SCAN_OPTIONS });
  return scan;
}

describe('a Node server stuck on TLS 1.0 (case 4)', () => {
  let scan: EndpointScan;

  beforeAll(async () => {
    const key = await makeSelfSigned({ keyType: 'rsa2048' });
    const server = await startNodeTls({
      key: key.keyPem,
      cert: key.certPem,
      secureProtocol: 'TLSv1_method',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    servers.push(server);
    scan = await scanOf(server);
  });

  it('accepts TLS 1.0 and neither TLS 1.2 nor TLS 1.3', () => {
    const state = Object.fromEntries(
      scan.addresses[0].versions.map((support) => [support.version, support.accepted]),
    );

    expect(scan.status).toBe('scanned');
    expect(state).toMatchObject({ 'TLSv1.0': true, 'TLSv1.2': false, 'TLSv1.3': false });
    const tls10 = scan.addresses[0].suites.find((suites) => suites.version === 'TLSv1.0');
    expect(tls10?.accepted.length).toBeGreaterThan(0);
    expect(scan.addresses[0].sender.outcome.kind).not.toBe('accepted');
  });
});

describe('the connection count', () => {
  it('is the number of TCP connections the server accepted', async () => {
    const key = await makeSelfSigned({ keyType: 'rsa2048' });
    const server = await startNodeTls({ key: key.keyPem, cert: key.certPem });
    servers.push(server);

    const scan = await scanOf(server);

    expect(scan.status).toBe('scanned');
    expect(scan.addresses[0].connections).toBe(server.connections());
    expect(scan.addresses[0].connections).toBeLessThan(60);
  });
});
