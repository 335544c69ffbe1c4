// probeHello against real openssl s_server processes: TLS 1.2 accepted with the chain as served,
// a refused suite as an alert, TLS 1.0 at security level 0 (which Node itself cannot reach), and
// TLS 1.3 decrypted up to the Certificate, with and without a HelloRetryRequest.

import * as tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ProbeTarget, probeHello } from '../../src/probe/connection.js';
import { Group } from '../../src/wire/groups.js';
import type { HelloOptions } from '../../src/wire/hello.js';
import { describeWith } from '../support/binaries.js';
import { type IssuedCertificate, makeChain } from '../support/pki.js';
import { type RunningServer, startOpenssl } from '../support/servers.js';

const TIMEOUTS = { connectMs: 5000, readMs: 5000 };
const TLS12_SUITES = [0xc02f, 0xc030, 0xcca8, 0xc013, 0xc014, 0x009c, 0x002f, 0x0035, 0x000a];
const TLS13_SUITES = [0x1301, 0x1302, 0x1303];

describeWith('openssl', 'probeHello against openssl s_server', () => {
  let leaf: IssuedCertificate;
  const servers: RunningServer[] = [];

  async function start(args: string[]): Promise<ProbeTarget> {
    const server = await startOpenssl({
      certPem: leaf.certPem,
      chainPem: leaf.issuers[0].certPem,
      keyPem: leaf.keyPem,
      www: false,
      args,
    });
    servers.push(server);
    return { address: server.address, port: server.port };
  }

  function probe(target: ProbeTarget, hello: HelloOptions, options = {}) {
    return probeHello(target, { serverName: 'localhost', ...hello }, TIMEOUTS, options);
  }

  beforeAll(async () => {
    ({ leaf } = await makeChain({ keyType: 'rsa2048' }));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('accepts TLS 1.2 and returns the chain as served, with the ECDHE group', async () => {
    const target = await start(['-tls1_2']);
    const result = await probe(target, { version: 'TLSv1.2', suites: TLS12_SUITES });

    expect(result.outcome).toEqual({
      kind: 'accepted',
      version: 'TLSv1.2',
      suite: 0xc02f,
      group: Group.x25519,
    });
    expect(result.flightComplete).toBe(true);
    expect(result.certificates).toEqual([leaf.certDer, leaf.issuers[0].certDer]);
  });

  it('reports the DHE prime size', async () => {
    const target = await start(['-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256']);
    const result = await probe(target, { version: 'TLSv1.2', suites: [0x009e] });
    expect(result.outcome).toMatchObject({ kind: 'accepted', suite: 0x009e });
    if (result.outcome.kind === 'accepted') {
      expect(result.outcome.dhBits).toBeGreaterThanOrEqual(2048);
    }
  });

  it('gets an alert for a suite the server does not have', async () => {
    const target = await start(['-tls1_2', '-cipher', 'AES256-SHA']);
    const result = await probe(target, { version: 'TLSv1.2', suites: [0xc02f, 0x009c] });
    expect(result.outcome).toEqual({ kind: 'alert', alert: 40, alertName: 'handshake_failure' });
  });

  it('gets protocol_version from a TLS 1.3-only server for a TLS 1.2 hello', async () => {
    const target = await start(['-tls1_3']);
    const result = await probe(target, { version: 'TLSv1.2', suites: TLS12_SUITES });
    expect(result.outcome).toEqual({ kind: 'alert', alert: 70, alertName: 'protocol_version' });
  });

  it('finds TLS 1.0 at security level 0 although Node cannot connect', async () => {
    const target = await start(['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
    const result = await probe(target, { version: 'TLSv1.0', suites: TLS12_SUITES });
    expect(result.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.0', suite: 0xc013 });
    expect(result.certificates[0]).toEqual(leaf.certDer);

    // Node's own client refuses before the server ever could (its minimum version is TLS 1.2).
    const nodeError = await new Promise<Error | null>((resolve) => {
      const socket = tls.connect({
        host: target.address,
        port: target.port,
        rejectUnauthorized: false,
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', (error) => {
        socket.destroy();
        resolve(error);
      });
    });
    expect(nodeError).not.toBeNull();
  });

  it('decrypts a TLS 1.3 flight to the chain exactly as served', async () => {
    const target = await start(['-tls1_3']);
    const result = await probe(target, { version: 'TLSv1.3', suites: TLS13_SUITES });
    expect(result.outcome).toEqual({
      kind: 'accepted',
      version: 'TLSv1.3',
      suite: 0x1301,
      group: Group.x25519,
    });
    expect(result.flightComplete).toBe(true);
    expect(result.decryptError).toBeUndefined();
    expect(result.certificates).toEqual([leaf.certDer, leaf.issuers[0].certDer]);
  });

  it('decrypts ChaCha20-Poly1305 and AES-256-GCM flights with a P-256 or P-384 share', async () => {
    const chacha = await start([
      '-tls1_3',
      '-ciphersuites',
      'TLS_CHACHA20_POLY1305_SHA256',
      '-groups',
      'P-256',
    ]);
    const first = await probe(chacha, {
      version: 'TLSv1.3',
      suites: TLS13_SUITES,
      groups: [Group.secp256r1],
    });
    expect(first.outcome).toMatchObject({ suite: 0x1303, group: Group.secp256r1 });
    expect(first.certificates[0]).toEqual(leaf.certDer);

    const aes256 = await start(['-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384']);
    const second = await probe(aes256, {
      version: 'TLSv1.3',
      suites: TLS13_SUITES,
      groups: [Group.secp384r1],
    });
    expect(second.outcome).toMatchObject({ suite: 0x1302, group: Group.secp384r1 });
    expect(second.certificates[0]).toEqual(leaf.certDer);
  });

  it('returns a HelloRetryRequest as its suite and group asked for, or follows it', async () => {
    const target = await start(['-tls1_3', '-groups', 'P-384']);
    const hello: HelloOptions = {
      version: 'TLSv1.3',
      suites: TLS13_SUITES,
      groups: [Group.x25519, Group.secp384r1],
    };

    const retry = await probe(target, hello);
    expect(retry.helloRetryRequest).toBe(true);
    expect(retry.outcome).toEqual({
      kind: 'accepted',
      version: 'TLSv1.3',
      suite: 0x1301,
      group: Group.secp384r1,
    });
    expect(retry.certificates).toEqual([]);

    const followed = await probe(target, hello, { followHelloRetry: true });
    expect(followed.helloRetryRequest).toBe(true);
    expect(followed.outcome).toMatchObject({ kind: 'accepted', group: Group.secp384r1 });
    expect(followed.certificates).toEqual([leaf.certDer, leaf.issuers[0].certDer]);
  });

  it('stops at the ServerHello when asked not to decrypt', async () => {
    const target = await start(['-tls1_3']);
    const result = await probe(
      target,
      { version: 'TLSv1.3', suites: TLS13_SUITES },
      { decryptTls13: false },
    );
    expect(result.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.3' });
    expect(result.certificates).toEqual([]);
  });
});
