// The real servers of the harness: each starts on its own loopback port, accepts TLS from
// node:tls with the test PKI's root, survives abandoned handshakes, and is gone after stop().

import { once } from 'node:events';
import { connect as connectTcp, createServer } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../support/binaries.js';
import { type IssuedCertificate, issueLeaf, makeChain, servedChainPem } from '../support/pki.js';
import { freePort, isPortFree } from '../support/ports.js';
import {
  nginxTlsServer,
  type RunningServer,
  startGnutls,
  startNginx,
  startNodeTls,
  startOpenssl,
} from '../support/servers.js';

interface Handshake {
  protocol: string | null;
  cipher: string;
  authorized: boolean;
  authorizationError: string | null;
  subject: string;
  chainLength: number;
  keyType: string | undefined;
}

function handshake(
  server: { address: string; port: number },
  root: IssuedCertificate,
  options: tls.ConnectionOptions = {},
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: server.address,
      port: server.port,
      ca: root.certPem,
      servername: 'localhost',
      rejectUnauthorized: false,
      ...options,
    });
    const timer = setTimeout(() => socket.destroy(new Error('handshake timed out')), 10_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(true);
      let chainLength = 0;
      for (let link = peer; link?.raw; link = link.issuerCertificate) {
        chainLength += 1;
        if (link.issuerCertificate === link) break;
      }
      resolve({
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
        subject: String(peer.subject?.CN ?? ''),
        chainLength,
        keyType: peer.pubkey ? (peer.asn1Curve ? 'ec' : 'rsa') : undefined,
      });
      socket.destroy();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// Connections that send half a ClientHello, garbage or nothing, then leave: what a scan does.
async function abandonHandshakes(server: RunningServer, count: number): Promise<void> {
  const payloads = [
    Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]),
    Buffer.from('GET / HTTP/1.0\r\n\r\n'),
    Buffer.alloc(0),
  ];
  for (let index = 0; index < count; index += 1) {
    await new Promise<void>((resolve) => {
      const socket = connectTcp({ host: server.address, port: server.port });
      socket.once('connect', () => {
        socket.end(payloads[index % payloads.length]);
        setTimeout(() => socket.destroy(), 5);
      });
      socket.once('close', () => resolve());
      socket.once('error', () => resolve());
    });
  }
}

async function refusesConnections(server: { address: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: server.address, port: server.port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

// A plain TCP listener holding a port, as another process on the machine might.
async function squat(): Promise<{ port: number; close(): Promise<void> }> {
  const port = await freePort(['127.0.0.1']);
  const squatter = createServer((socket) => socket.destroy());
  squatter.listen({ host: '127.0.0.1', port });
  await once(squatter, 'listening');
  return { port, close: () => new Promise((resolve) => squatter.close(() => resolve())) };
}

let pki: Awaited<ReturnType<typeof makeChain>>;
let ecdsaLeaf: IssuedCertificate;

beforeAll(async () => {
  pki = await makeChain();
  ecdsaLeaf = await issueLeaf(pki.intermediate, { keyType: 'p256' });
});

describe('freePort', () => {
  it('hands out distinct ports that are free on both loopback addresses', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
      expect(await isPortFree(port, ['127.0.0.1'])).toBe(true);
    }
  });
});

describeWith('openssl', 'startOpenssl', () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it('serves the leaf and intermediate on 127.0.0.1, trusted through the root', async () => {
    const server = await startOpenssl({
      certPem: pki.leaf.certPem,
      keyPem: pki.leaf.keyPem,
      chainPem: pki.intermediate.certPem,
    });
    servers.push(server);

    const result = await handshake(server, pki.root);
    expect(server.address).toBe('127.0.0.1');
    expect(server.endpoint).toBe(`127.0.0.1:${server.port}`);
    expect(result.authorized).toBe(true);
    expect(result.subject).toBe('localhost');
    expect(result.chainLength).toBeGreaterThanOrEqual(2);
  });

  it('keeps serving after many abandoned handshakes', async () => {
    const server = await startOpenssl({ certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem });
    servers.push(server);

    await abandonHandshakes(server, 30);
    const result = await handshake(server, pki.root, {
      ca: [pki.root.certPem, pki.intermediate.certPem],
    });
    expect(result.authorized).toBe(true);
  });

  it('passes arguments through (TLS 1.2 and one suite only)', async () => {
    const server = await startOpenssl({
      certPem: ecdsaLeaf.certPem,
      keyPem: ecdsaLeaf.keyPem,
      chainPem: pki.intermediate.certPem,
      args: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    });
    servers.push(server);

    const result = await handshake(server, pki.root);
    expect(result.protocol).toBe('TLSv1.2');
    expect(result.cipher).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
    await expect(
      handshake(server, pki.root, {
        maxVersion: 'TLSv1.2',
        ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      }),
    ).rejects.toThrow(/handshake failure|alert/i);
  });

  it('serves an RSA and an ECDSA certificate side by side', async () => {
    const server = await startOpenssl({
      certPem: pki.leaf.certPem,
      keyPem: pki.leaf.keyPem,
      chainPem: pki.intermediate.certPem,
      secondCert: {
        certPem: ecdsaLeaf.certPem,
        keyPem: ecdsaLeaf.keyPem,
        chainPem: pki.intermediate.certPem,
      },
      args: ['-tls1_2'],
    });
    servers.push(server);

    const rsa = await handshake(server, pki.root, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    const ecdsa = await handshake(server, pki.root, { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(rsa.keyType).toBe('rsa');
    expect(ecdsa.keyType).toBe('ec');
    expect(rsa.authorized && ecdsa.authorized).toBe(true);
  });

  it('serves another certificate to one SNI name', async () => {
    const other = await issueLeaf(pki.intermediate, {
      subject: 'other.test',
      dnsNames: ['other.test'],
    });
    const server = await startOpenssl({
      certPem: pki.leaf.certPem,
      keyPem: pki.leaf.keyPem,
      sniCert: { serverName: 'other.test', certPem: other.certPem, keyPem: other.keyPem },
    });
    servers.push(server);

    expect((await handshake(server, pki.root, { servername: 'other.test' })).subject).toBe(
      'other.test',
    );
    expect((await handshake(server, pki.root)).subject).toBe('localhost');
  });

  it('listens on ::1 when asked', async () => {
    const server = await startOpenssl({
      certPem: pki.leaf.certPem,
      keyPem: pki.leaf.keyPem,
      chainPem: pki.intermediate.certPem,
      address: '::1',
    });
    servers.push(server);

    expect(server.endpoint).toBe(`[::1]:${server.port}`);
    expect((await handshake(server, pki.root)).authorized).toBe(true);
  });

  it('is gone after stop()', async () => {
    const server = await startOpenssl({ certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem });
    await server.stop();
    await server.stop();
    expect(await refusesConnections(server)).toBe(true);
  });

  it('says why it did not start', async () => {
    await expect(
      startOpenssl({ certPem: pki.leaf.certPem, keyPem: ecdsaLeaf.keyPem }),
    ).rejects.toThrow(/did not start[\s\S]*--- output ---/);
  });
});

describeWith('nginx', 'startNginx', () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  const files = () => ({
    'site.crt': servedChainPem(pki.leaf),
    'site.key': pki.leaf.keyPem,
    'other.crt': servedChainPem(ecdsaLeaf),
    'other.key': ecdsaLeaf.keyPem,
  });

  it('serves TLS from server blocks with {{PORT}} and {{DIR}}', async () => {
    const server = await startNginx({
      files: files(),
      serverBlocks: nginxTlsServer({
        certFile: '{{DIR}}/site.crt',
        keyFile: '{{DIR}}/site.key',
        directives: 'ssl_protocols TLSv1.2 TLSv1.3;',
      }),
    });
    servers.push(server);

    const result = await handshake(server, pki.root);
    expect(result.authorized).toBe(true);
    expect(result.chainLength).toBeGreaterThanOrEqual(2);
    await abandonHandshakes(server, 10);
    expect((await handshake(server, pki.root)).authorized).toBe(true);
  });

  it('chooses the certificate by SNI across two vhosts on one port', async () => {
    const other = await issueLeaf(pki.intermediate, {
      subject: 'other.test',
      dnsNames: ['other.test'],
      keyType: 'p256',
    });
    const server = await startNginx({
      files: { ...files(), 'other.crt': servedChainPem(other), 'other.key': other.keyPem },
      serverBlocks: [
        nginxTlsServer({
          certFile: '{{DIR}}/site.crt',
          keyFile: '{{DIR}}/site.key',
          defaultServer: true,
        }),
        nginxTlsServer({
          certFile: '{{DIR}}/other.crt',
          keyFile: '{{DIR}}/other.key',
          serverName: 'other.test',
        }),
      ],
    });
    servers.push(server);

    expect((await handshake(server, pki.root, { servername: 'other.test' })).subject).toBe(
      'other.test',
    );
    expect((await handshake(server, pki.root)).subject).toBe('localhost');
  });

  it('listens on 127.0.0.1 and ::1 together', async () => {
    const server = await startNginx({
      files: files(),
      listenAddresses: ['127.0.0.1', '::1'],
      serverBlocks: nginxTlsServer({
        certFile: '{{DIR}}/site.crt',
        keyFile: '{{DIR}}/site.key',
        listen: ['127.0.0.1', '::1'],
      }),
    });
    servers.push(server);

    expect((await handshake(server, pki.root)).authorized).toBe(true);
    expect((await handshake({ address: '::1', port: server.port }, pki.root)).authorized).toBe(
      true,
    );
  });

  it('starts several at once on different ports, and stops for good', async () => {
    const started = await Promise.all(
      [1, 2, 3].map(() =>
        startNginx({
          files: files(),
          serverBlocks: nginxTlsServer({
            certFile: '{{DIR}}/site.crt',
            keyFile: '{{DIR}}/site.key',
          }),
        }),
      ),
    );
    expect(new Set(started.map((server) => server.port)).size).toBe(3);
    for (const server of started) {
      expect((await handshake(server, pki.root)).authorized).toBe(true);
    }

    await Promise.all(started.map((server) => server.stop()));
    for (const server of started) {
      expect(await refusesConnections(server)).toBe(true);
    }
  });

  it('notices a port another process holds instead of talking to that process', async () => {
    const squatter = await squat();
    try {
      await expect(
        startNginx({
          port: squatter.port,
          files: files(),
          serverBlocks: nginxTlsServer({
            certFile: '{{DIR}}/site.crt',
            keyFile: '{{DIR}}/site.key',
          }),
        }),
      ).rejects.toThrow(`port ${squatter.port} is taken`);
    } finally {
      await squatter.close();
    }
  });

  it('says why a bad configuration did not start', async () => {
    await expect(
      startNginx({ serverBlocks: 'server { listen 127.0.0.1:{{PORT}}; no_such_directive on; }' }),
    ).rejects.toThrow(/unknown directive "no_such_directive"/);
  });
});

describeWith('gnutls-serv', 'startGnutls', () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it('serves the chain with a priority string', async () => {
    const server = await startGnutls({
      certPem: pki.leaf.certPem,
      keyPem: pki.leaf.keyPem,
      chainPem: pki.intermediate.certPem,
      priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.2',
    });
    servers.push(server);

    const result = await handshake(server, pki.root);
    expect(result.authorized).toBe(true);
    expect(result.protocol).toBe('TLSv1.2');
    expect(result.chainLength).toBeGreaterThanOrEqual(2);
  });

  it('notices a port another process holds on 127.0.0.1', async () => {
    const squatter = await squat();
    try {
      await expect(
        startGnutls({ port: squatter.port, certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem }),
      ).rejects.toThrow(`port ${squatter.port} is taken`);
    } finally {
      await squatter.close();
    }
  });

  it('keeps serving after abandoned handshakes, and stops for good', async () => {
    const server = await startGnutls({
      certPem: pki.leaf.certPem,
      keyPem: pki.leaf.keyPem,
      chainPem: pki.intermediate.certPem,
    });

    await abandonHandshakes(server, 20);
    expect((await handshake(server, pki.root)).authorized).toBe(true);
    await server.stop();
    expect(await refusesConnections(server)).toBe(true);
  });
});

describe('startNodeTls', () => {
  const servers: RunningServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it('serves https in-process and counts connections', async () => {
    const server = await startNodeTls({ cert: servedChainPem(pki.leaf), key: pki.leaf.keyPem });
    servers.push(server);

    const result = await handshake(server, pki.root);
    await abandonHandshakes(server, 3);
    expect(result.authorized).toBe(true);
    expect(server.connections()).toBe(4);
  });

  it('takes Node TLS options, such as a maximum version, and listens on ::1', async () => {
    const server = await startNodeTls({
      cert: servedChainPem(pki.leaf),
      key: pki.leaf.keyPem,
      maxVersion: 'TLSv1.2',
      address: '::1',
      http: false,
    });
    servers.push(server);

    const result = await handshake(server, pki.root);
    expect(result.protocol).toBe('TLSv1.2');
    expect(server.endpoint).toBe(`[::1]:${server.port}`);
  });

  it('is gone after stop(), even with a client still connected', async () => {
    const server = await startNodeTls({ cert: servedChainPem(pki.leaf), key: pki.leaf.keyPem });
    const idle = connectTcp({ host: server.address, port: server.port });
    idle.on('error', () => {});
    await new Promise((resolve) => idle.once('connect', resolve));

    await server.stop();
    expect(await refusesConnections(server)).toBe(true);
    idle.destroy();
  });
});
