// The engine against nginx: TLS 1.3 only (case 1), RSA key exchange only (case 18), the
// server's own order, plain HTTP on the port (case 3), an ECDSA certificate with only ECDHE-RSA
// suites (case 5) and a DHE-only server (case 19). testssl.sh, run on the first three, must
// agree on versions, suites and preference.

import { execFileSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import type { TlsVersion } from '../../src/model.js';
import { suiteByName } from '../../src/wire/suites.js';
import { describeWith } from '../support/binaries.js';
import { makeSelfSigned } from '../support/pki.js';
import { nginxTlsServer, type RunningServer, startNginx } from '../support/servers.js';
import { scanServersOnce } from './scanned.js';
import { expectSameAsTestssl, runTestssl, type TestsslView } from './testssl.js';

const code = (name: string) => suiteByName(name)!.code;
const sorted = (codes: number[]) => [...codes].sort((a, b) => a - b);

const SERVER_ORDER_TLS12 = [
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'AES256-SHA',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const SERVER_ORDER_TLS13 = ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

// Each site: the directives of its server block, or a whole block for the odd ones.
const SITES = {
  tls13: { directives: 'ssl_protocols TLSv1.3;' },
  rsaKex: {
    directives:
      'ssl_protocols TLSv1.2; ssl_ciphers AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA;',
  },
  serverOrder: {
    directives: [
      'ssl_protocols TLSv1.2 TLSv1.3;',
      `ssl_ciphers ${SERVER_ORDER_TLS12.join(':')};`,
      `ssl_conf_command Ciphersuites ${SERVER_ORDER_TLS13.join(':')};`,
      'ssl_prefer_server_ciphers on;',
    ].join(' '),
  },
  plainHttp: { plain: true },
  ecdsaWithRsaSuites: {
    ecdsa: true,
    directives:
      'ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;',
  },
  dheOnly: {
    directives:
      'ssl_protocols TLSv1.2; ssl_ciphers DHE-RSA-AES256-GCM-SHA384; ssl_dhparam {{DIR}}/dh.pem;',
  },
} as const;
type Name = keyof typeof SITES;

describeWith('nginx', 'nginx', () => {
  const { servers, scans, address } = scanServersOnce<Name>(async () => {
    const [rsa, ecdsa] = await Promise.all([
      makeSelfSigned({ keyType: 'rsa2048' }),
      makeSelfSigned({ keyType: 'p256' }),
    ]);
    // RFC 7919's ffdhe2048 prime: nginx enables DHE suites only with parameters, and named
    // parameters need no slow generation.
    const dhParams = execFileSync(
      'openssl',
      ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048'],
      { encoding: 'utf8' },
    );

    const names = Object.keys(SITES) as Name[];
    const started = await Promise.all(
      names.map((name) => {
        const site: { directives?: string; plain?: boolean; ecdsa?: boolean } = SITES[name];
        const block = site.plain
          ? 'server { listen 127.0.0.1:{{PORT}}; location / { return 200 "ok\\n"; } }'
          : nginxTlsServer({
              certFile: '{{DIR}}/leaf.crt',
              keyFile: '{{DIR}}/leaf.key',
              directives: site.directives,
            });
        const key = site.ecdsa ? ecdsa : rsa;
        return startNginx({
          serverBlocks: block,
          files: { 'leaf.crt': key.certPem, 'leaf.key': key.keyPem, 'dh.pem': dhParams },
        });
      }),
    );
    return Object.fromEntries(names.map((name, index) => [name, started[index]])) as Record<
      Name,
      RunningServer
    >;
  });
  const accepted = (name: Name): TlsVersion[] =>
    address(name)
      .versions.filter((support) => support.accepted)
      .map((support) => support.version);
  const suitesOf = (name: Name, version: TlsVersion) =>
    address(name).suites.find((suites) => suites.version === version);

  it('TLS 1.3 only (case 1): TLS 1.2 is refused by alert, never a crash or "not TLS"', () => {
    expect(scans.get('tls13')!.status).toBe('scanned');
    expect(accepted('tls13')).toEqual(['TLSv1.3']);
    expect(address('tls13').versions.find((v) => v.version === 'TLSv1.2')!.outcome).toMatchObject({
      kind: 'alert',
      alert: 70,
    });
    expect(sorted(suitesOf('tls13', 'TLSv1.3')!.accepted.map((s) => s.code))).toEqual([
      0x1301, 0x1302, 0x1303,
    ]);
    // A sender limited to the listed (TLS 1.2) suites cannot connect.
    expect(address('tls13').listedSuites).toMatchObject({ kind: 'alert', alert: 70 });
    expect(address('tls13').sender.outcome).toMatchObject({ kind: 'accepted', version: 'TLSv1.3' });
    expect(address('tls13').observations).toEqual([]);
  });

  it('RSA key exchange only (case 18): exactly the four suites, none forward secret', () => {
    expect(accepted('rsaKex')).toEqual(['TLSv1.2']);
    const tls12 = suitesOf('rsaKex', 'TLSv1.2')!;
    expect(sorted(tls12.accepted.map((s) => s.code))).toEqual(
      sorted(['AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA'].map(code)),
    );
    expect(tls12.preference).toBe('client');
    expect(address('rsaKex').groups.find((g) => g.version === 'TLSv1.2')).toMatchObject({
      groups: [],
      dhBits: [],
    });
    expect(address('rsaKex').sender).toMatchObject({
      outcome: { kind: 'accepted', version: 'TLSv1.2' },
      forwardSecret: false,
    });
  });

  it("the server's own order: every suite, in nginx's order, for both versions", () => {
    const tls12 = suitesOf('serverOrder', 'TLSv1.2')!;
    const tls13 = suitesOf('serverOrder', 'TLSv1.3')!;

    expect(tls12.preference).toBe('server');
    expect(tls12.accepted.map((s) => s.code)).toEqual(SERVER_ORDER_TLS12.map(code));
    expect(tls13.preference).toBe('server');
    expect(tls13.accepted.map((s) => s.code)).toEqual(SERVER_ORDER_TLS13.map(code));
    expect(address('serverOrder').observations).toEqual([]);
  });

  it('plain HTTP on the port (case 3): not TLS, no version counted', () => {
    const scan = scans.get('plainHttp')!;

    expect(scan.status).toBe('not-scanned');
    expect(scan.notScanned).toEqual({
      reason: 'not-tls',
      detail: expect.stringMatching(/does not speak TLS.*HTTP/i),
    });
    expect(scan.addresses[0].versions.some((v) => v.accepted)).toBe(false);
    // The TLS 1.3 hello, and the TLS 1.2, 1.1 and 1.0 hellos sent once it had connected.
    expect(scan.addresses[0].connections).toBe(4);
  });

  it('an ECDSA certificate with only ECDHE-RSA suites (case 5): no usable suite at all', () => {
    const scan = address('ecdsaWithRsaSuites');

    expect(scans.get('ecdsaWithRsaSuites')!.status).toBe('scanned');
    expect(accepted('ecdsaWithRsaSuites')).toEqual([]);
    expect(scan.versions.find((v) => v.version === 'TLSv1.2')!.outcome).toMatchObject({
      kind: 'alert',
      alert: 40,
    });
    expect(scan.suites).toEqual([]);
    expect(scan.observations.map((o) => o.id)).toEqual(['no-usable-suite']);
  });

  it('DHE only (case 19): the one suite, its 2048-bit prime, nothing in common with the list', () => {
    const tls12 = suitesOf('dheOnly', 'TLSv1.2')!;

    expect(accepted('dheOnly')).toEqual(['TLSv1.2']);
    expect(tls12.accepted).toEqual([
      {
        code: code('DHE-RSA-AES256-GCM-SHA384'),
        name: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
        dhBits: 2048,
      },
    ]);
    expect(address('dheOnly').groups.find((g) => g.version === 'TLSv1.2')!.dhBits).toEqual([2048]);
    expect(address('dheOnly').listedSuites).toMatchObject({ kind: 'alert', alert: 40 });
  });

  describeWith('testssl', 'testssl.sh on the same servers', () => {
    const views = new Map<Name, TestsslView>();
    const compared: Name[] = ['tls13', 'rsaKex', 'serverOrder'];

    beforeAll(async () => {
      const results = await Promise.all(
        compared.map((name) => runTestssl(servers.get(name)!.address, servers.get(name)!.port)),
      );
      for (const [index, name] of compared.entries()) views.set(name, results[index]);
    }, 300_000);

    it.each(compared)('%s: the same versions and suites per version', (name) => {
      expectSameAsTestssl(address(name), views.get(name)!);
    });

    it.each([
      ['rsaKex', false],
      ['serverOrder', true],
    ] as const)('%s: the same preference (server order: %s)', (name, serverOrder) => {
      expect(views.get(name)!.serverOrder).toBe(serverOrder);
      for (const suites of address(name).suites) {
        expect(suites.preference).toBe(serverOrder ? 'server' : 'client');
      }
    });
  });
});
