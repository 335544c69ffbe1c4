// Observations that named a wrong cause on real servers: a server that refuses hellos for the
// name they carry was said to have a certificate that suits none of its suites, and a server
// that stops after its ServerHello was said to name a curve it was not offered.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointScan } from '../../src/model.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { OBSERVATION } from '../../src/probe/observations.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { encodeFlight, encodeServerHello } from '../../src/wire/server.js';
import { describeWith } from '../support/binaries.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  pemBundle,
  type TempDir,
  writeCertificateFiles,
} from '../support/pki.js';
import { startScriptedServer } from '../support/scripted.js';
import { nginxTlsServer, startNginx, startOpenssl } from '../support/servers.js';

const running: { stop(): Promise<void> }[] = [];
let root: IssuedCertificate;
let leaf: IssuedCertificate;
let files: TempDir;

beforeAll(async () => {
  root = await makeRoot({ subject: 'Observation Test Root' });
  leaf = await issueLeaf(await issueIntermediate(root));
  files = makeTempDir('wtp-observations-');
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  files?.remove();
});

/** Scans `host:port`, the host resolving to the server's address. */
async function scan(
  server: { address: string; port: number },
  host: string,
  readMs = 5_000,
): Promise<EndpointScan> {
  const [result] = await scanEndpoints(
    [parseEndpoint(`${host}:${server.port}`)],
    {
      ...DEFAULT_SCAN_OPTIONS,
      connectTimeoutMs: 3_000,
      readTimeoutMs: readMs,
      endpointDeadlineMs: 40_000,
      extraCaPem: [root.certPem],
      now: new Date(),
    },
    {},
    { resolve: async () => [{ address: server.address, family: 4 }] },
  );
  return result;
}

function observationIds(result: EndpointScan): string[] {
  return result.addresses.flatMap((address) => address.observations.map((entry) => entry.id));
}

describeWith('openssl', 'a server that refuses the name (openssl s_server)', () => {
  it('is not said to have a certificate that suits none of its suites', async () => {
    const server = await startOpenssl({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: pemBundle(...leaf.issuers.slice(0, -1)),
      sniCert: { certPem: leaf.certPem, keyPem: leaf.keyPem, serverName: 'example.test' },
      args: ['-servername_fatal'],
    });
    running.push(server);

    const result = await scan(server, 'localhost');
    const tls12 = result.addresses[0].versions.find((entry) => entry.version === 'TLSv1.2');
    expect(tls12?.outcome).toMatchObject({ kind: 'alert', alert: 112 });
    expect(observationIds(result)).not.toContain(OBSERVATION.noUsableSuite);
  });
});

describeWith('nginx', 'a server that refuses the name (nginx ssl_reject_handshake)', () => {
  it('is not said to have a certificate that suits none of its suites', async () => {
    const { certFile, keyFile } = writeCertificateFiles(files, 'named', leaf);
    const server = await startNginx({
      serverBlocks: [
        'server {\n  listen 127.0.0.1:{{PORT}} ssl default_server;\n' +
          '  ssl_reject_handshake on;\n}',
        nginxTlsServer({ certFile, keyFile, serverName: 'example.test' }),
      ],
    });
    running.push(server);

    const result = await scan(server, '127.0.0.1');
    const tls12 = result.addresses[0].versions.find((entry) => entry.version === 'TLSv1.2');
    expect(tls12?.outcome).toMatchObject({ kind: 'alert', alert: 112 });
    expect(observationIds(result)).not.toContain(OBSERVATION.noUsableSuite);
  });
});

it('a server that stops after its ServerHello is not said to name a curve', async () => {
  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 from any hello that offers it, then nothing: no
  // ServerKeyExchange, so no curve.
  const suite = 0xc02f;
  const stalling = await startScriptedServer((hello) => {
    if (hello.clientHello?.suites.includes(suite) !== true) {
      return { kind: 'alert', description: 40 };
    }
    const serverHello = encodeServerHello({ version: 'TLSv1.2', suite });
    return { kind: 'reply', bytes: encodeFlight(0x0303, [serverHello]), after: 'wait' };
  });
  running.push(stalling);

  const result = await scan(stalling, '127.0.0.1', 500);
  const details = result.addresses.flatMap((address) =>
    address.observations.map((entry) => entry.detail),
  );
  expect(result.addresses[0].certificates.stalledAfterServerHello).toBe(true);
  expect(details.join('\n')).not.toContain('named a curve that was not offered');
  expect(details).toContain(
    'the TLSv1.2 curves may be incomplete: no ServerKeyExchange came, so the server named no curve',
  );
});
