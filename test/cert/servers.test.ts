// checkCertificates against real servers: nginx vhosts for the SNI and chain cases (11, 12, 13,
// 15, 16, 17 of the real-world cases), openssl s_server for several key types, SNI alerts and
// OCSP stapling, gnutls-serv for an IP-address endpoint (case 14). Every certificate comes from
// the test PKI made when the file starts.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HelloProbe } from '../../src/cert/check.js';
import { checkCertificates } from '../../src/cert/index.js';
import type {
  CertificateCheck,
  ChainProblemCode,
  Endpoint,
  ProbeOutcome,
  ScanOptions,
  ServedChain,
  TlsVersion,
  VersionSupport,
} from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { type ProbeOptions, probeHello } from '../../src/probe/connection.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { scanEndpoints } from '../../src/probe/scan.js';
import { describeWith } from '../support/binaries.js';
import {
  type IssuedCertificate,
  issueIntermediate,
  issueLeaf,
  makeRoot,
  makeTempDir,
  pemBundle,
  type TempDir,
} from '../support/pki.js';
import { type RunningServer, startGnutls, startNginx, startOpenssl } from '../support/servers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// nginx's default server for hellos without a known name (case 11): refuse the handshake.
const REJECT_WITHOUT_SNI = `server {
  listen 127.0.0.1:{{PORT}} ssl default_server;
  ssl_reject_handshake on;
}`;
const HOOKS = 'hooks.example.test';

let root: IssuedCertificate;
let intermediateA: IssuedCertificate;
let intermediateB: IssuedCertificate;
let hooksRsa: IssuedCertificate;
let hooksEc: IssuedCertificate;
let hooksEd: IssuedCertificate;
let otherSite: IssuedCertificate;
let apexOnly: IssuedCertificate;
let expired: IssuedCertificate;
let options: ScanOptions;
const servers: RunningServer[] = [];

beforeAll(async () => {
  root = await makeRoot({ subject: 'Servers Test Root' });
  intermediateA = await issueIntermediate(root, { subject: 'Servers Test CA A' });
  intermediateB = await issueIntermediate(root, { subject: 'Servers Test CA B' });
  hooksRsa = await issueLeaf(intermediateA, { dnsNames: [HOOKS], ipAddresses: [] });
  hooksEc = await issueLeaf(intermediateA, { dnsNames: [HOOKS], keyType: 'p256' });
  hooksEd = await issueLeaf(intermediateA, { dnsNames: [HOOKS], keyType: 'ed25519' });
  otherSite = await issueLeaf(intermediateA, { dnsNames: ['other.example.test'] });
  apexOnly = await issueLeaf(intermediateA, { dnsNames: ['example.test'], ipAddresses: [] });
  expired = await issueLeaf(intermediateA, {
    dnsNames: [HOOKS],
    notBefore: new Date(Date.now() - 100 * DAY_MS),
    notAfter: new Date(Date.now() - 3 * DAY_MS),
    freshKey: true,
  });
  options = {
    connectTimeoutMs: 5000,
    readTimeoutMs: 5000,
    endpointDeadlineMs: 60_000,
    perHostConcurrency: 2,
    concurrency: 1,
    maxAddresses: 1,
    listedSuites: [],
    extraCaPem: [root.certPem],
    now: new Date(),
  };
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

function track(server: RunningServer): RunningServer {
  servers.push(server);
  return server;
}

function accepted(...versions: TlsVersion[]): { versions: VersionSupport[] } {
  return {
    versions: versions.map((version) => ({
      version,
      accepted: true,
      outcome: { kind: 'accepted', version, suite: 0 } as ProbeOutcome,
    })),
  };
}

function check(
  server: RunningServer,
  host: string,
  versions = accepted('TLSv1.2', 'TLSv1.3'),
): Promise<CertificateCheck> {
  const endpoint: Endpoint = {
    input: `${host}:${server.port}`,
    host,
    port: server.port,
    hostIsIp: /^[\d.]+$|:/.test(host),
  };
  return checkCertificates(endpoint, { address: server.address, port: server.port }, versions, {
    ...options,
    now: new Date(),
  });
}

function codes(chain: ServedChain | null | undefined): ChainProblemCode[] {
  return (chain?.problems ?? []).map((problem) => problem.code);
}

function detail(chain: ServedChain | null | undefined, code: ChainProblemCode): string {
  const found = chain?.problems.find((problem) => problem.code === code);
  expect(found, `no ${code} in ${JSON.stringify(chain?.problems)}`).toBeDefined();
  return found!.detail;
}

/** An nginx vhost serving `leaf` with the given chain (the leaf's issuers by default). */
function vhost(
  name: string,
  serverName: string,
  leaf: IssuedCertificate,
  extra: { chain?: IssuedCertificate[]; defaultServer?: boolean; directives?: string } = {},
) {
  const chain = extra.chain ?? leaf.issuers.slice(0, -1);
  return {
    files: { [`${name}.crt`]: pemBundle(leaf, ...chain), [`${name}.key`]: leaf.keyPem },
    block: `server {
  listen 127.0.0.1:{{PORT}} ssl${extra.defaultServer ? ' default_server' : ''};
  server_name ${serverName};
  ssl_certificate {{DIR}}/${name}.crt;
  ssl_certificate_key {{DIR}}/${name}.key;
  ${extra.directives ?? ''}
  location / { return 200 "ok\\n"; }
}`,
  };
}

async function nginx(...sites: { files?: Record<string, string>; block: string }[]) {
  return track(
    await startNginx({
      serverBlocks: sites.map((site) => site.block),
      files: Object.assign({}, ...sites.map((site) => site.files ?? {})),
    }),
  );
}

describeWith('nginx', 'certificates served by nginx', () => {
  it('a correct chain: trusted, name covered, days left, no staple', async () => {
    const server = await nginx(vhost('hooks', HOOKS, hooksRsa, { defaultServer: true }));
    const result = await check(server, HOOKS);

    expect(result.error).toBeUndefined();
    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.nameMatches).toBe(true);
    expect(result.primary?.problems).toEqual([]);
    expect(result.primary?.sni).toBe(HOOKS);
    expect(result.primary?.built).toEqual([0, 1, 'anchor']);
    expect(result.primary?.served.map((info) => info.fingerprintSha256)).toEqual([
      fingerprintOf(hooksRsa),
      fingerprintOf(intermediateA),
    ]);
    expect(result.primary?.served[0].daysLeft).toBeGreaterThan(300);
    expect(result.primary?.ocspStapled).toBe(false);
    expect(result.sni.honoured).toBe(false);
  });

  it('case 11: SNI required (ssl_reject_handshake) is fine, never "TLS unsupported"', async () => {
    const server = await nginx({ block: REJECT_WITHOUT_SNI }, vhost('hooks', HOOKS, hooksRsa));
    const result = await check(server, HOOKS);

    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.problems).toEqual([]);
    expect(result.sni.required).toBe(true);
    expect(result.sni.honoured).toBe(true);
    expect(result.sni.noSniNameMatches).toBeNull();
    expect(result.sni.noSniOutcome).toMatchObject({ kind: 'alert', alert: 112 });
    expect(result.sni.unknownName).toBe('fatal-alert');
  });

  it('cases 11 and 13 together: a name with no vhost behind it is refused by name', async () => {
    // A tester found this judged as a key type and version problem; nginx refuses the name.
    const server = await nginx({ block: REJECT_WITHOUT_SNI }, vhost('hooks', HOOKS, hooksRsa));
    const now = new Date();
    const [scan] = await scanEndpoints(
      [parseEndpoint(`other.example.test:${server.port}`)],
      { ...options, now },
      {},
      { resolve: async () => [{ address: server.address, family: 4 }] },
    );
    const result = evaluate(scan, presetPolicy('webhook'), now);

    expect(result.verdict).toBe('non-compliant');
    const errors = result.findings.filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => finding.id)).toEqual(['sni.name-refused']);
    expect(errors[0].evidence.observed).toContain('other.example.test');
  });

  it('case 11 at an IP endpoint: SNI required, and an IP endpoint sends none', async () => {
    // A tester found this judged as a certificate key type problem.
    const server = await nginx({ block: REJECT_WITHOUT_SNI }, vhost('hooks', HOOKS, hooksRsa));
    const now = new Date();
    const [scan] = await scanEndpoints([parseEndpoint(`${server.address}:${server.port}`)], {
      ...options,
      now,
    });
    const result = evaluate(scan, presetPolicy('webhook'), now);

    expect(result.verdict).toBe('non-compliant');
    expect(result.findings.map((finding) => finding.id)).toEqual(['sni.required-by-ip-endpoint']);
  });

  it("case 12: clients without SNI get the default vhost's certificate", async () => {
    const server = await nginx(
      vhost('other', 'other.example.test', otherSite, { defaultServer: true }),
      vhost('hooks', HOOKS, hooksRsa),
    );
    const result = await check(server, HOOKS);

    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.nameMatches).toBe(true);
    expect(result.primary?.problems).toEqual([]);
    expect(result.sni).toMatchObject({
      honoured: true,
      required: false,
      noSniNameMatches: false,
      unknownName: 'other-certificate',
    });
    const noSni = result.others.find((chain) => chain.sni === null);
    expect(noSni?.served[0].dnsNames).toEqual(['other.example.test']);
    expect(detail(noSni, 'name-mismatch')).toContain(HOOKS);
  });

  it('case 13: a name without a vhost fails, naming the names covered', async () => {
    const server = await nginx(vhost('apex', 'example.test', apexOnly, { defaultServer: true }));
    const result = await check(server, 'www.example.test');

    expect(result.primary?.nameMatches).toBe(false);
    expect(codes(result.primary)).toEqual(['name-mismatch']);
    const text = detail(result.primary, 'name-mismatch');
    expect(text).toContain('www.example.test');
    expect(text).toContain('example.test (DNS)');
  });

  it('case 15: the leaf alone is "intermediate not sent"', async () => {
    const server = await nginx(vhost('hooks', HOOKS, hooksRsa, { chain: [], defaultServer: true }));
    const result = await check(server, HOOKS);

    expect(result.primary?.served).toHaveLength(1);
    expect(result.primary?.trusted).toBe(false);
    expect(codes(result.primary)).toEqual(['missing-intermediate']);
    expect(detail(result.primary, 'missing-intermediate')).toContain('intermediate not sent');
  });

  it('case 16: the sent intermediate does not issue the leaf', async () => {
    const server = await nginx(
      vhost('hooks', HOOKS, hooksRsa, { chain: [intermediateB], defaultServer: true }),
    );
    const result = await check(server, HOOKS);

    expect(result.primary?.trusted).toBe(false);
    expect(codes(result.primary)).toEqual(['wrong-intermediate']);
    const text = detail(result.primary, 'wrong-intermediate');
    expect(text).toContain('does not issue the leaf');
    expect(text).toContain('CN=Servers Test CA B');
  });

  it('case 17: an expired leaf fails with its expiry date', async () => {
    const server = await nginx(vhost('hooks', HOOKS, expired, { defaultServer: true }));
    const result = await check(server, HOOKS);

    expect(codes(result.primary)).toEqual(['expired']);
    expect(detail(result.primary, 'expired')).toContain(expired.certificate.notAfter.toISOString());
    expect(result.primary?.served[0].daysLeft).toBeLessThan(0);
  });

  it('a root sent needlessly, and intermediates out of order', async () => {
    const server = await nginx(
      vhost('hooks', HOOKS, hooksRsa, { chain: [root, intermediateA], defaultServer: true }),
    );
    const result = await check(server, HOOKS);

    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.built).toEqual([0, 2, 1]);
    expect(codes(result.primary).sort()).toEqual(['bad-order', 'root-sent']);
  });

  it('RSA and ECDSA certificates on one vhost, told apart by the suites offered', async () => {
    const site = vhost('hooks', HOOKS, hooksRsa, {
      defaultServer: true,
      directives: 'ssl_certificate {{DIR}}/ec.crt;\n  ssl_certificate_key {{DIR}}/ec.key;',
    });
    site.files['ec.crt'] = pemBundle(hooksEc, intermediateA);
    site.files['ec.key'] = hooksEc.keyPem;
    const server = await nginx(site);
    const result = await check(server, HOOKS);

    const byType = Object.fromEntries(result.keyTypes!.map((probe) => [probe.keyType, probe]));
    expect(byType.RSA.leafKeyType).toBe('RSA');
    expect(byType.ECDSA.leafKeyType).toBe('EC');
    expect(byType.EdDSA.outcome.kind).toBe('alert');

    const chains = [result.primary!, ...result.others];
    const leafTypes = chains.map((chain) => chain.served[0].keyType).sort();
    expect(leafTypes).toEqual(['EC', 'RSA']);
    expect(chains.every((chain) => chain.trusted && chain.problems.length === 0)).toBe(true);
  });

  it.each([
    ['ECDSA', 'RSA'],
    ['RSA', 'ECDSA'],
  ] as const)(
    'an expired %s certificate beside a valid %s one: found, and said which',
    async (expiredType, validType) => {
      // A tester found "the certificate expired" with nothing saying it was the ECDSA one; and
      // only the certificate the broad hello got was judged.
      const day = 24 * 60 * 60 * 1000;
      const expired = await issueLeaf(intermediateA, {
        dnsNames: [HOOKS],
        keyType: expiredType === 'ECDSA' ? 'p256' : 'rsa2048',
        freshKey: true,
        notBefore: new Date(Date.now() - 400 * day),
        notAfter: new Date(Date.now() - 10 * day),
      });
      const valid = validType === 'ECDSA' ? hooksEc : hooksRsa;
      const site = vhost('hooks', HOOKS, valid, {
        defaultServer: true,
        directives: 'ssl_certificate {{DIR}}/old.crt;\n  ssl_certificate_key {{DIR}}/old.key;',
      });
      site.files['old.crt'] = pemBundle(expired, intermediateA);
      site.files['old.key'] = expired.keyPem;
      const server = await nginx(site);
      const now = new Date();
      const [scan] = await scanEndpoints(
        [parseEndpoint(`${HOOKS}:${server.port}`)],
        { ...options, now },
        {},
        { resolve: async () => [{ address: server.address, family: 4 }] },
      );
      const findings = evaluate(scan, presetPolicy('webhook'), now).findings;

      expect(findings.map((finding) => finding.id)).toEqual(['certificate.expired']);
      expect(findings[0].evidence.observed).toContain(
        `this is the ${expiredType} certificate; the server also has an ${validType} one`,
      );
    },
  );

  it('case 1: a TLS 1.3-only server shows its chain through the decrypted handshake', async () => {
    const server = await nginx(
      vhost('hooks', HOOKS, hooksRsa, {
        defaultServer: true,
        directives: 'ssl_protocols TLSv1.3;',
      }),
    );
    const result = await check(server, HOOKS, accepted('TLSv1.3'));

    expect(result.error).toBeUndefined();
    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.problems).toEqual([]);
    expect(result.primary?.served).toHaveLength(2);
    expect(result.keyTypes?.[0].version).toBe('TLSv1.3');
  });

  it('case 5: an ECDSA certificate, only ECDHE-RSA suites: every key type refused', async () => {
    const server = await nginx(
      vhost('hooks', HOOKS, hooksEc, {
        defaultServer: true,
        directives: 'ssl_protocols TLSv1.2;\n  ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;',
      }),
    );
    const refused: ProbeOutcome = { kind: 'alert', alert: 40, alertName: 'handshake_failure' };
    const result = await check(server, HOOKS, {
      versions: [{ version: 'TLSv1.2', accepted: false, outcome: refused }],
    });

    expect(result.primary).toBeNull();
    expect(result.error).toMatch(/no certificate seen/);
    expect(result.keyTypes?.map((probe) => probe.outcome.kind)).toEqual([
      'alert',
      'alert',
      'alert',
    ]);
  });
});

describeWith('openssl', 'certificates served by openssl s_server', () => {
  it('RSA and Ed25519 certificates: each key type gets its own, ECDSA gets none', async () => {
    const server = track(
      await startOpenssl({
        certPem: hooksRsa.certPem,
        keyPem: hooksRsa.keyPem,
        chainPem: intermediateA.certPem,
        secondCert: {
          certPem: hooksEd.certPem,
          keyPem: hooksEd.keyPem,
          chainPem: intermediateA.certPem,
        },
      }),
    );
    const result = await check(server, HOOKS);

    const byType = Object.fromEntries(result.keyTypes!.map((probe) => [probe.keyType, probe]));
    expect(byType.RSA.leafKeyType).toBe('RSA');
    expect(byType.EdDSA.leafKeyType).toBe('Ed25519');
    expect(byType.ECDSA.outcome.kind).toBe('alert');
    const ed = [result.primary!, ...result.others].find((chain) => chain.keyType === 'EdDSA');
    expect(ed?.served[0].keyType).toBe('Ed25519');
    expect(ed?.trusted).toBe(true);
  });

  it('TLS 1.3 only: key types chosen by signature_algorithms, chains read decrypted', async () => {
    // The ECDSA leaf hangs under an RSA intermediate, as public ECDSA chains often did.
    const rsaCa = await issueIntermediate(root, {
      subject: 'Servers Test RSA CA',
      keyType: 'rsa2048',
    });
    const ecUnderRsa = await issueLeaf(rsaCa, { dnsNames: [HOOKS], keyType: 'p256' });
    const server = track(
      await startOpenssl({
        certPem: hooksRsa.certPem,
        keyPem: hooksRsa.keyPem,
        chainPem: intermediateA.certPem,
        secondCert: {
          certPem: ecUnderRsa.certPem,
          keyPem: ecUnderRsa.keyPem,
          chainPem: rsaCa.certPem,
        },
        args: ['-tls1_3'],
      }),
    );
    const result = await check(server, HOOKS, accepted('TLSv1.3'));

    expect(result.keyTypes?.every((probe) => probe.version === 'TLSv1.3')).toBe(true);
    const byType = Object.fromEntries(result.keyTypes!.map((probe) => [probe.keyType, probe]));
    expect(byType.RSA.leafKeyType).toBe('RSA');
    expect(byType.ECDSA.leafKeyType).toBe('EC');
    expect(byType.EdDSA.outcome.kind).toBe('alert');

    const chains = [result.primary!, ...result.others];
    const ecChain = chains.find((chain) => chain.served[0].keyType === 'EC');
    expect(ecChain?.served.map((info) => info.subject)).toEqual([
      ecUnderRsa.subject,
      'CN=Servers Test RSA CA',
    ]);
    expect(ecChain?.trusted).toBe(true);
    expect(ecChain?.problems).toEqual([]);
  });

  it('follows a HelloRetryRequest to the TLS 1.3 chain through a probe function', async () => {
    // Our first key share is x25519; a server limited to P-384 asks for another one, and the
    // certificate comes only after the second hello. The engine passes its own probe function,
    // which must be handed the option to follow the retry.
    const server = track(
      await startOpenssl({
        certPem: hooksRsa.certPem,
        keyPem: hooksRsa.keyPem,
        chainPem: intermediateA.certPem,
        args: ['-tls1_3', '-groups', 'secp384r1'],
      }),
    );
    const endpoint: Endpoint = {
      input: `${HOOKS}:${server.port}`,
      host: HOOKS,
      port: server.port,
      hostIsIp: false,
    };
    const seen: (ProbeOptions | undefined)[] = [];
    const probe: HelloProbe = (target, hello, timeouts, probeOptions) => {
      seen.push(probeOptions);
      return probeHello(target, hello, timeouts, probeOptions);
    };
    const target = { address: server.address, port: server.port };
    const context = accepted('TLSv1.3');
    const result = await checkCertificates(
      endpoint,
      target,
      context,
      { ...options, now: new Date() },
      probe,
    );

    expect(seen.every((probeOptions) => probeOptions?.followHelloRetry === true)).toBe(true);
    expect(result.primary?.served[0].subject).toBe(hooksRsa.subject);
    expect(result.primary?.trusted).toBe(true);
  });

  it('follows it in a whole scan too, where hellos close early', async () => {
    // The scan's hellos carry a close_notify behind them (src/probe/connection.ts), which
    // leaves no connection for a second hello: the certificate hello that meets the retry is
    // sent again without it.
    const server = track(
      await startOpenssl({
        certPem: hooksRsa.certPem,
        keyPem: hooksRsa.keyPem,
        chainPem: intermediateA.certPem,
        args: ['-tls1_3', '-groups', 'secp384r1'],
      }),
    );
    const seen: { closeEarly: boolean; retried: boolean; follow: boolean }[] = [];
    const probe: HelloProbe = async (target, hello, timeouts, probeOptions) => {
      const result = await probeHello(target, hello, timeouts, probeOptions);
      seen.push({
        closeEarly: probeOptions?.closeEarly === true,
        retried: result.helloRetryRequest === true,
        follow: probeOptions?.followHelloRetry === true,
      });
      return result;
    };
    const [scan] = await scanEndpoints(
      [parseEndpoint(`${HOOKS}:${server.port}`)],
      { ...options, now: new Date() },
      {},
      { probe, resolve: async () => [{ address: server.address, family: 4 }] },
    );

    const certificates = scan.addresses[0].certificates;
    expect(certificates.primary?.served[0].subject).toBe(hooksRsa.subject);
    expect(certificates.primary?.trusted).toBe(true);
    // Certificate hellos met the retry with the alert sent, and were followed without it.
    expect(seen.some((s) => s.follow && s.closeEarly && s.retried)).toBe(true);
    expect(seen.some((s) => s.follow && !s.closeEarly && s.retried)).toBe(true);
  });

  it('a warning unrecognized_name for unknown names, and the default for no SNI', async () => {
    const server = track(
      await startOpenssl({
        certPem: otherSite.certPem,
        keyPem: otherSite.keyPem,
        chainPem: intermediateA.certPem,
        sniCert: { serverName: HOOKS, certPem: hooksRsa.certPem, keyPem: hooksRsa.keyPem },
        args: ['-tls1_2'],
      }),
    );
    const result = await check(server, HOOKS, accepted('TLSv1.2'));

    expect(result.primary?.served[0].dnsNames).toEqual([HOOKS]);
    expect(result.sni.unknownName).toBe('warning-alert');
    expect(result.sni.nameWarning).toBe(false);
    expect(result.sni.noSniNameMatches).toBe(false);
    expect(result.sni.honoured).toBe(true);
  });

  it("the endpoint's own name draws the warning (a vhost missing its ServerName)", async () => {
    const server = track(
      await startOpenssl({
        certPem: hooksRsa.certPem,
        keyPem: hooksRsa.keyPem,
        chainPem: intermediateA.certPem,
        sniCert: {
          serverName: 'other.example.test',
          certPem: otherSite.certPem,
          keyPem: otherSite.keyPem,
        },
        args: ['-tls1_2'],
      }),
    );
    const result = await check(server, HOOKS, accepted('TLSv1.2'));

    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.problems).toEqual([]);
    expect(result.sni.nameWarning).toBe(true);
  });

  it('a fatal unrecognized_name for unknown names (-servername_fatal)', async () => {
    const server = track(
      await startOpenssl({
        certPem: otherSite.certPem,
        keyPem: otherSite.keyPem,
        sniCert: { serverName: HOOKS, certPem: hooksRsa.certPem, keyPem: hooksRsa.keyPem },
        args: ['-tls1_2', '-servername_fatal'],
      }),
    );
    const result = await check(server, HOOKS, accepted('TLSv1.2'));

    expect(result.sni.unknownName).toBe('fatal-alert');
    expect(result.sni.unknownNameOutcome).toMatchObject({ kind: 'alert', alert: 112 });
  });

  it('an OCSP response stapled (-status_file)', async () => {
    const dir = makeTempDir('wtp-ocsp-');
    try {
      const response = ocspResponse(dir, hooksRsa, intermediateA);
      const server = track(
        await startOpenssl({
          certPem: hooksRsa.certPem,
          keyPem: hooksRsa.keyPem,
          chainPem: intermediateA.certPem,
          args: ['-tls1_2', '-status_file', response],
        }),
      );
      const result = await check(server, HOOKS, accepted('TLSv1.2'));

      expect(result.primary?.trusted).toBe(true);
      expect(result.primary?.ocspStapled).toBe(true);
    } finally {
      dir.remove();
    }
  });
});

describeWith('gnutls-serv', 'certificates served by gnutls-serv', () => {
  it('case 14: an IP endpoint is probed without SNI and matched against IP SANs', async () => {
    const ipLeaf = await issueLeaf(intermediateA, {
      subject: '127.0.0.1',
      dnsNames: [],
      ipAddresses: ['127.0.0.1'],
    });
    const server = track(
      await startGnutls({
        certPem: ipLeaf.certPem,
        keyPem: ipLeaf.keyPem,
        chainPem: intermediateA.certPem,
      }),
    );
    const result = await check(server, '127.0.0.1');

    expect(result.error).toBeUndefined();
    expect(result.primary?.sni).toBeNull();
    expect(result.primary?.nameMatches).toBe(true);
    expect(result.primary?.trusted).toBe(true);
    expect(result.primary?.problems).toEqual([]);
    expect(result.sni.noSniNameMatches).toBe(true);
    expect(result.keyTypes?.every((probe) => probe.sni === null)).toBe(true);
  });

  it('an IP endpoint whose certificate names the IP only in its common name', async () => {
    const cnOnly = await issueLeaf(intermediateA, {
      subject: '127.0.0.1',
      dnsNames: ['localhost'],
      ipAddresses: [],
    });
    const server = track(
      await startGnutls({
        certPem: cnOnly.certPem,
        keyPem: cnOnly.keyPem,
        chainPem: intermediateA.certPem,
      }),
    );
    const result = await check(server, '127.0.0.1');

    expect(result.primary?.nameMatches).toBe(false);
    expect(detail(result.primary, 'name-mismatch')).toContain('IP address 127.0.0.1');
  });
});

function fingerprintOf(issued: IssuedCertificate): string {
  return new X509Certificate(issued.certDer).fingerprint256;
}

// An OCSP response for `leaf`, signed by its issuer, made with the openssl CLI's responder.
function ocspResponse(dir: TempDir, leaf: IssuedCertificate, issuer: IssuedCertificate): string {
  const issuerFile = dir.write('issuer.pem', issuer.certPem);
  const issuerKey = dir.write('issuer.key', issuer.keyPem);
  const leafFile = dir.write('leaf.pem', leaf.certPem);
  const serial = leaf.certificate.serialNumber.toUpperCase();
  const expiry = '491231235959Z';
  const index = dir.write('index.txt', `V\t${expiry}\t\t${serial}\tunknown\t/CN=${HOOKS}\n`);
  const request = `${dir.path}/request.der`;
  const response = `${dir.path}/response.der`;

  execFileSync('openssl', ['ocsp', '-issuer', issuerFile, '-cert', leafFile, '-reqout', request], {
    stdio: 'ignore',
  });
  const responder = ['ocsp', '-index', index, '-rsigner', issuerFile, '-rkey', issuerKey];
  execFileSync(
    'openssl',
    [...responder, '-CA', issuerFile, '-reqin', request, '-respout', response, '-ndays', '1'],
    { stdio: 'ignore' },
  );
  return response;
}
