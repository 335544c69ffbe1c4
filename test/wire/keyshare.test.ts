// Key shares for TLS 1.3 (RFC 8446, Section 4.2.8): the FFDHE groups' primes against OpenSSL's
// own, shares that agree, the peer values a client must refuse, and a real server of FFDHE
// groups alone reached through its HelloRetryRequest.

import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { probeHello } from '../../src/probe/connection.js';
import { FFDHE_PRIMES } from '../../src/wire/ffdhe.js';
import { Group, groupName } from '../../src/wire/groups.js';
import { canMakeKeyShare, cheapKeyShare, makeKeyShare } from '../../src/wire/keyshare.js';
import { binaryPath, describeWith } from '../support/binaries.js';
import { makeChain } from '../support/pki.js';
import { type RunningServer, startOpenssl } from '../support/servers.js';

const FFDHE = [Group.ffdhe2048, Group.ffdhe3072, Group.ffdhe4096, Group.ffdhe6144, Group.ffdhe8192];

/** The prime OpenSSL uses for a named group, read from the DER of its DH parameters. */
function opensslPrime(name: string): string {
  const pem = execFileSync(
    binaryPath('openssl')!,
    ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${name}`],
    { encoding: 'utf8' },
  );
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER } (PKCS #3), long-form lengths.
  let offset = 0;
  const length = () => {
    const first = der[offset++];
    if (first < 0x80) return first;
    let value = 0;
    for (let n = first & 0x7f; n > 0; n--) value = value * 256 + der[offset++];
    return value;
  };
  expect(der[offset++]).toBe(0x30);
  length();
  expect(der[offset++]).toBe(0x02);
  const size = length();
  const prime = der.subarray(offset, offset + size);
  return Buffer.from(prime[0] === 0 ? prime.subarray(1) : prime).toString('hex');
}

describeWith('openssl', 'the RFC 7919 primes', () => {
  it.each(FFDHE)('group %i is the prime OpenSSL has for it', (group) => {
    expect(FFDHE_PRIMES.get(group)).toBe(opensslPrime(groupName(group)));
  });
});

describe('FFDHE key shares', () => {
  it.each(FFDHE)('group %i: two shares agree, padded to the size of the prime', (group) => {
    const size = FFDHE_PRIMES.get(group)!.length / 2;
    const client = makeKeyShare(group);
    const server = makeKeyShare(group);

    expect(canMakeKeyShare(group)).toBe(true);
    expect(cheapKeyShare(group)).toBe(false);
    expect(client.publicKey.length).toBe(size);
    const secret = client.sharedSecret(server.publicKey);
    expect(secret?.length).toBe(size);
    expect(Buffer.from(secret!)).toEqual(Buffer.from(server.sharedSecret(client.publicKey)!));
  });

  it('refuses peer values outside 1 < Y < p - 1 and values of the wrong length', () => {
    const client = makeKeyShare(Group.ffdhe2048);
    const prime = Buffer.from(FFDHE_PRIMES.get(Group.ffdhe2048)!, 'hex');
    const one = new Uint8Array(prime.length);
    one[prime.length - 1] = 1;
    const pMinusOne = Uint8Array.from(prime);
    pMinusOne[prime.length - 1] -= 1;

    expect(client.sharedSecret(one)).toBeNull();
    expect(client.sharedSecret(pMinusOne)).toBeNull();
    expect(client.sharedSecret(new Uint8Array(prime.length))).toBeNull();
    expect(client.sharedSecret(client.publicKey.subarray(1))).toBeNull();
  });
});

describeWith('openssl', 'a TLS 1.3 server of FFDHE groups alone', () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('asks for ffdhe2048 by HelloRetryRequest; the probe follows and reads the chain', async () => {
    const { leaf } = await makeChain({ keyType: 'rsa2048', ipAddresses: ['127.0.0.1'] });
    server = await startOpenssl({
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
      chainPem: leaf.issuers[0].certPem,
      args: ['-tls1_3', '-groups', 'ffdhe2048'],
    });
    const result = await probeHello(
      { address: server.address, port: server.port },
      { version: 'TLSv1.3', minVersion: 'TLSv1.3', suites: [0x1301, 0x1302, 0x1303] },
      { connectMs: 5000, readMs: 5000 },
      { followHelloRetry: true },
    );

    expect(result.helloRetryRequest).toBe(true);
    expect(result.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.3', group: 256 });
    expect(result.certificates.length).toBe(2);
  });
});
