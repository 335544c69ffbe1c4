// probeHello against GnuTLS and nginx, whose ClientHello parsers are stricter or different from
// openssl s_server's: our hellos of every version must read as well-formed to them.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ProbeTarget, probeHello } from '../../src/probe/connection.js';
import { Group } from '../../src/wire/groups.js';
import { describeWith } from '../support/binaries.js';
import { type IssuedCertificate, makeChain, pemBundle } from '../support/pki.js';
import { nginxTlsServer, type RunningServer, startGnutls, startNginx } from '../support/servers.js';

const TIMEOUTS = { connectMs: 5000, readMs: 5000 };
const LISTED = [
  0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d,
  0x002f, 0x0035, 0xc012, 0x000a,
];

let leaf: IssuedCertificate;
const servers: RunningServer[] = [];

beforeAll(async () => {
  ({ leaf } = await makeChain({ keyType: 'rsa2048', ipAddresses: ['127.0.0.1'] }));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

function targetOf(server: RunningServer): ProbeTarget {
  servers.push(server);
  return { address: server.address, port: server.port };
}

describeWith('gnutls-serv', 'probeHello against gnutls-serv', () => {
  it('accepts 3DES as the only suite (case 8) and TLS 1.3 with the chain', async () => {
    const target = targetOf(
      await startGnutls({
        certPem: leaf.certPem,
        chainPem: leaf.issuers[0].certPem,
        keyPem: leaf.keyPem,
        priority: 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL',
      }),
    );
    const result = await probeHello(target, { version: 'TLSv1.2', suites: LISTED }, TIMEOUTS);
    expect(result.outcome).toEqual({ kind: 'accepted', version: 'TLSv1.2', suite: 0x000a });
    expect(result.certificates[0]).toEqual(leaf.certDer);
  });

  it('reads default gnutls-serv in TLS 1.2 and 1.3, without SNI for an IP (case 14)', async () => {
    const target = targetOf(
      await startGnutls({
        certPem: leaf.certPem,
        chainPem: leaf.issuers[0].certPem,
        keyPem: leaf.keyPem,
      }),
    );
    const tls12 = await probeHello(
      target,
      { version: 'TLSv1.2', suites: LISTED, serverName: '127.0.0.1' },
      TIMEOUTS,
    );
    expect(tls12.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.2' });

    const tls13 = await probeHello(
      target,
      { version: 'TLSv1.3', suites: [0x1301, 0x1302, 0x1303], serverName: '127.0.0.1' },
      TIMEOUTS,
    );
    expect(tls13.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.3' });
    expect(tls13.certificates).toEqual([leaf.certDer, leaf.issuers[0].certDer]);
  });
});

describeWith('nginx', 'probeHello against nginx', () => {
  it('reads TLS 1.2 and TLS 1.3 flights of nginx and its protocol_version refusal', async () => {
    const target = targetOf(
      await startNginx({
        serverBlocks: nginxTlsServer({
          certFile: '{{DIR}}/chain.pem',
          keyFile: '{{DIR}}/key.pem',
          directives: 'ssl_protocols TLSv1.2 TLSv1.3;',
        }),
        files: { 'chain.pem': pemBundle(leaf, leaf.issuers[0]), 'key.pem': leaf.keyPem },
      }),
    );
    const tls13 = await probeHello(
      target,
      { version: 'TLSv1.3', suites: [0x1301, 0x1302, 0x1303], serverName: 'localhost' },
      TIMEOUTS,
    );
    expect(tls13.outcome).toMatchObject({
      kind: 'accepted',
      version: 'TLSv1.3',
      group: Group.x25519,
    });
    expect(tls13.certificates).toEqual([leaf.certDer, leaf.issuers[0].certDer]);

    const tls12 = await probeHello(
      target,
      { version: 'TLSv1.2', suites: LISTED, serverName: 'localhost' },
      TIMEOUTS,
    );
    expect(tls12.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.2' });
    expect(tls12.certificates).toEqual([leaf.certDer, leaf.issuers[0].certDer]);

    const tls11 = await probeHello(
      target,
      { version: 'TLSv1.1', suites: LISTED, serverName: 'localhost' },
      TIMEOUTS,
    );
    expect(tls11.outcome).toMatchObject({ kind: 'alert', alert: 70 });
  });
});
