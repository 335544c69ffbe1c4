// The engine against gnutls-serv: 3DES only (case 8), CBC suites in TLS 1.0 to 1.2, and the
// server's precedence. The expected suites come from GnuTLS itself (`gnutls-cli -l --priority`
// lists the suites of a priority string, in its order), and testssl.sh, run on the same
// servers, must agree on versions, suites and preference.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointScan, TlsVersion } from '../../src/model.js';
import { evaluate, presetPolicy } from '../../src/policy/index.js';
import { parseEndpoint } from '../../src/probe/endpoint.js';
import { DEFAULT_SCAN_OPTIONS, scanEndpoints } from '../../src/probe/scan.js';
import { compareVersions } from '../../src/wire/versions.js';
import { binaryPath, describeWith } from '../support/binaries.js';
import { makeSelfSigned } from '../support/pki.js';
import { type RunningServer, startGnutls } from '../support/servers.js';
import { scanServersOnce } from './scanned.js';
import { expectSameAsTestssl, runTestssl, type TestsslView } from './testssl.js';

const PRIORITIES = {
  tripleDes: 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL',
  cbcTls10to12:
    'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:-AES-128-GCM:-AES-256-GCM:' +
    '-AES-128-CCM:-AES-256-CCM:-CHACHA20-POLY1305',
  // TLS 1.0 and 1.1 left out: testssl.sh needs four times as long for this server with them.
  serverPrecedence: 'NORMAL:-VERS-TLS1.1:-VERS-TLS1.0:%SERVER_PRECEDENCE',
} as const;
type Name = keyof typeof PRIORITIES;

const VERSION_NAMES: Record<string, TlsVersion> = {
  'TLS1.0': 'TLSv1.0',
  'TLS1.1': 'TLSv1.1',
  'TLS1.2': 'TLSv1.2',
  'TLS1.3': 'TLSv1.3',
};

/**
 * The suites GnuTLS negotiates in `version` under a priority string with an RSA key, in the
 * priority's order: listed by `gnutls-cli -l` with their lowest version; a TLS 1.3 suite is
 * TLS 1.3 only, the others serve every enabled version from their lowest up to TLS 1.2.
 */
function gnutlsSuites(priority: string, version: TlsVersion): number[] {
  const output = execFileSync(binaryPath('gnutls-cli')!, ['-l', '--priority', priority], {
    encoding: 'utf8',
  });
  const protocols = /^Protocols: (.*)$/m.exec(output)?.[1] ?? '';
  if (!protocols.includes(`VERS-${version.replace('v', '')}`)) {
    return [];
  }

  const codes: number[] = [];
  for (const line of output.split('\n')) {
    const match = /^(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})\s+(\S+)/i.exec(line);
    if (!match) continue;
    const [, name, high, low, lowest] = match;
    const tls13 = lowest === 'TLS1.3';
    const rsaKey = tls13 || /^TLS_(RSA|DHE_RSA|ECDHE_RSA)_/.test(name);
    const inVersion = tls13
      ? version === 'TLSv1.3'
      : version !== 'TLSv1.3' && compareVersions(VERSION_NAMES[lowest], version) <= 0;
    if (rsaKey && inVersion) codes.push(Number.parseInt(high + low, 16));
  }
  return codes;
}

const sorted = (codes: number[]) => [...codes].sort((a, b) => a - b);

describeWith('gnutls-serv', 'gnutls-serv', () => {
  const { servers, address } = scanServersOnce<Name>(async () => {
    const rsa = await makeSelfSigned({ keyType: 'rsa2048' });
    const names = Object.keys(PRIORITIES) as Name[];
    const started = await Promise.all(
      names.map((name) =>
        startGnutls({ certPem: rsa.certPem, keyPem: rsa.keyPem, priority: PRIORITIES[name] }),
      ),
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
  const codesOf = (name: Name, version: TlsVersion) =>
    address(name)
      .suites.find((suites) => suites.version === version)
      ?.accepted.map((suite) => suite.code) ?? [];

  it('3DES only (case 8): the one suite, found with our own hellos', () => {
    expect(accepted('tripleDes')).toEqual(['TLSv1.2']);
    expect(codesOf('tripleDes', 'TLSv1.2')).toEqual([0x000a]);
    expect(address('tripleDes').listedSuites).toMatchObject({ kind: 'accepted', suite: 0x000a });
    expect(address('tripleDes').sender).toMatchObject({
      outcome: { kind: 'accepted', version: 'TLSv1.2', suite: 0x000a },
      forwardSecret: false,
    });
  });

  it('CBC suites in TLS 1.0 to 1.2: each version with the suites GnuTLS lists', () => {
    expect(accepted('cbcTls10to12')).toEqual(['TLSv1.0', 'TLSv1.1', 'TLSv1.2']);
    for (const version of ['TLSv1.0', 'TLSv1.1', 'TLSv1.2'] as const) {
      expect([version, sorted(codesOf('cbcTls10to12', version))]).toEqual([
        version,
        sorted(gnutlsSuites(PRIORITIES.cbcTls10to12, version)),
      ]);
    }
    expect(address('cbcTls10to12').observations).toEqual([]);
  });

  it("server precedence: every suite in the priority string's order", () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const suites = address('serverPrecedence').suites.find((s) => s.version === version)!;
      expect([version, suites.preference]).toEqual([version, 'server']);
      expect([version, suites.accepted.map((s) => s.code)]).toEqual([
        version,
        gnutlsSuites(PRIORITIES.serverPrecedence, version),
      ]);
    }
  });

  describeWith('testssl', 'testssl.sh on the same servers', () => {
    const views = new Map<Name, TestsslView>();
    const names = Object.keys(PRIORITIES) as Name[];

    beforeAll(async () => {
      const results = await Promise.all(
        names.map((name) => runTestssl(servers.get(name)!.address, servers.get(name)!.port)),
      );
      for (const [index, name] of names.entries()) views.set(name, results[index]);
    }, 300_000);

    it.each(names)('%s: the same versions and suites per version', (name) => {
      expectSameAsTestssl(address(name), views.get(name)!);
    });

    it('serverPrecedence and cbcTls10to12: the same preference', () => {
      expect(views.get('serverPrecedence')!.serverOrder).toBe(true);
      const cbc = address('cbcTls10to12').suites.map((s) => s.preference);
      expect(views.get('cbcTls10to12')!.serverOrder).toBe(cbc[0] === 'server');
      expect(new Set(cbc).size).toBe(1);
    });
  });
});

// A server of TLS 1.1 or 1.0 alone answers every higher hello in its own version (RFC 5246
// Appendix E.1), including hellos whose supported_versions lists TLS 1.3 and 1.2 only, which
// it ignores: negotiating down, never a protocol violation.
describeWith('gnutls-serv', 'gnutls-serv of one old version', () => {
  const ONLY = { 'TLSv1.1': 'TLS1.1', 'TLSv1.0': 'TLS1.0' } as const;
  const servers: RunningServer[] = [];
  const scans = new Map<TlsVersion, EndpointScan>();

  beforeAll(async () => {
    const rsa = await makeSelfSigned({ keyType: 'rsa2048' });
    const versions = Object.keys(ONLY) as (keyof typeof ONLY)[];
    for (const version of versions) {
      const priority = `NORMAL:-VERS-ALL:+VERS-${ONLY[version]}`;
      servers.push(await startGnutls({ certPem: rsa.certPem, keyPem: rsa.keyPem, priority }));
    }
    const results = await scanEndpoints(
      servers.map((server) => parseEndpoint(server.endpoint)),
      { ...DEFAULT_SCAN_OPTIONS },
    );
    for (const [index, version] of versions.entries()) scans.set(version, results[index]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it.each(Object.keys(ONLY) as (keyof typeof ONLY)[])(
    '%s only: that version and its suites accepted, higher hellos answered in it',
    (version) => {
      const scan = scans.get(version)!;
      const address = scan.addresses[0];
      const priority = `NORMAL:-VERS-ALL:+VERS-${ONLY[version]}`;

      expect(scan.status).toBe('scanned');
      expect(address.versions.filter((v) => v.accepted).map((v) => v.version)).toEqual([version]);
      for (const higher of ['TLSv1.2', 'TLSv1.3'] as const) {
        expect(address.versions.find((v) => v.version === higher)).toMatchObject({
          accepted: false,
          outcome: { kind: 'accepted', version },
        });
      }
      const suites = address.suites.find((s) => s.version === version)!;
      expect(sorted(suites.accepted.map((s) => s.code))).toEqual(
        sorted(gnutlsSuites(priority, version)),
      );
      expect(address.sender.outcome).toMatchObject({ kind: 'accepted', version });
      expect(address.observations.map((o) => o.id)).not.toContain('protocol-violation');
    },
  );
});

// GnuTLS with TLS 1.3 alone refuses a TLS 1.2 hello with handshake_failure, not
// protocol_version. A tester found that judged a certificate key mismatch; it is TLS 1.2 off
// or no suite fitting the key, and only the listed-suite rule fails.
describeWith('gnutls-serv', 'gnutls-serv of TLS 1.3 alone', () => {
  let server: RunningServer;
  let scan: EndpointScan;

  beforeAll(async () => {
    const rsa = await makeSelfSigned({ keyType: 'rsa2048' });
    const priority = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
    server = await startGnutls({ certPem: rsa.certPem, keyPem: rsa.keyPem, priority });
    [scan] = await scanEndpoints([parseEndpoint(server.endpoint)], { ...DEFAULT_SCAN_OPTIONS });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('TLS 1.3 accepted, TLS 1.2 refused, and no key mismatch claimed', () => {
    const address = scan.addresses[0];
    expect(address.versions.filter((v) => v.accepted).map((v) => v.version)).toEqual(['TLSv1.3']);
    expect(address.versions.find((v) => v.version === 'TLSv1.2')?.outcome).toMatchObject({
      kind: 'alert',
      alert: 40,
    });

    const result = evaluate(scan, presetPolicy('webhook'), new Date());
    // The certificate is self-signed here, which is an error of its own.
    const errors = result.findings.filter(
      (finding) => finding.severity === 'error' && finding.id !== 'certificate.self-signed',
    );
    expect(errors.map((finding) => finding.id)).toEqual(['suites.none-listed']);
    expect(errors[0].evidence.observed).toContain('either TLS 1.2 is off');
    expect(errors[0].evidence.observed).toContain('an RSA key of 2048 bits');
  });
});
