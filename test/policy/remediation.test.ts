// The configuration lines in remediations must work where they are pasted: the nginx lines pass
// `nginx -t`, every OpenSSL cipher list names only suites OpenSSL knows (it drops unknown names
// silently, so the lists are compared name by name), and the Node options build a real secure
// context. Apache, HAProxy and Caddy are not installed here; their lines are checked as text.

import { execFileSync, spawnSync } from 'node:child_process';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Remediation } from '../../src/model.js';
import { type Policy, presetPolicy } from '../../src/policy/index.js';
import {
  alertsFix,
  chainFix,
  defaultCertificateFix,
  dhFix,
  groupsFix,
  nameFix,
  preferenceFix,
  suitesFix,
  versionFix,
} from '../../src/policy/remediation.js';
import { binaryPath, describeWith, hasBinary } from '../support/binaries.js';
import { makeChain, makeTempDir, type TempDir, writeCertificateFiles } from '../support/pki.js';
import { code } from './fixtures.js';

function snippet(remediation: Remediation, server: string): string {
  const found = remediation.snippets?.find((entry) => entry.server === server);
  if (!found) throw new Error(`no ${server} snippet in: ${remediation.summary}`);
  return found.config;
}

function allRemediations(policy: Policy): Remediation[] {
  return [
    versionFix(policy),
    suitesFix(policy, 'suites'),
    preferenceFix(policy),
    dhFix(policy),
    ...(policy.allowedGroups ? [groupsFix(policy)] : []),
    chainFix(),
    nameFix('hooks.example.test', false),
    defaultCertificateFix('hooks.example.test'),
  ];
}

const PRESETS = ['webhook', 'mozilla-intermediate', 'mozilla-modern'] as const;

describe('configuration lines as text', () => {
  it.each([
    [
      'webhook',
      {
        nginx: 'ssl_protocols TLSv1.2 TLSv1.3;',
        apache: 'SSLProtocol -all +TLSv1.2 +TLSv1.3',
        haproxy: 'ssl-default-bind-options ssl-min-ver TLSv1.2',
        caddy: 'protocols tls1.2 tls1.3',
        node: "minVersion: 'TLSv1.2'",
      },
    ],
    [
      'mozilla-modern',
      {
        nginx: 'ssl_protocols TLSv1.3;',
        apache: 'SSLProtocol -all +TLSv1.3',
        haproxy: 'ssl-default-bind-options ssl-min-ver TLSv1.3',
        caddy: 'protocols tls1.3',
        node: "minVersion: 'TLSv1.3'",
      },
    ],
  ] as const)('enable the %s versions', (preset, lines) => {
    const fix = versionFix(presetPolicy(preset));
    for (const [server, line] of Object.entries(lines)) {
      expect(snippet(fix, server)).toContain(line);
    }
    expect(fix.snippets?.map((entry) => entry.server)).toEqual([
      'nginx',
      'apache',
      'haproxy',
      'caddy',
      'node',
    ]);
  });

  it('advise the forward-secret AEAD suites of the webhook list, in its order', () => {
    const fix = suitesFix(presetPolicy('webhook'), 'summary');
    const list =
      'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:' +
      'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';
    expect(snippet(fix, 'nginx')).toContain(`ssl_ciphers ${list};`);
    expect(snippet(fix, 'apache')).toContain(`SSLCipherSuite ${list}`);
    expect(snippet(fix, 'haproxy')).toContain(`ssl-default-bind-ciphers ${list}`);
    expect(snippet(fix, 'node')).toContain(`ciphers: '${list}'`);
    expect(snippet(fix, 'caddy')).toContain(
      'ciphers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    );
    expect(snippet(fix, 'nginx')).not.toMatch(/3DES|DES-CBC3|AES128-SHA[^2]/);
  });

  it('configure TLS 1.3 suites only where the policy lists them', () => {
    const webhook = suitesFix(presetPolicy('webhook'), 's');
    const modern = suitesFix(presetPolicy('mozilla-modern'), 's');
    expect(snippet(webhook, 'nginx')).not.toContain('Ciphersuites');
    expect(snippet(modern, 'nginx')).toContain(
      'ssl_conf_command Ciphersuites ' +
        'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;',
    );
    expect(snippet(modern, 'haproxy')).toContain(
      'ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256',
    );
    expect(snippet(modern, 'apache')).toContain('SSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256');
    expect(snippet(modern, 'nginx')).not.toContain('ssl_ciphers');
  });

  it('fall back to the whole list when a policy lists no strong suite', () => {
    const policy = presetPolicy('webhook');
    policy.listedSuites = [code('TLS_RSA_WITH_AES_128_CBC_SHA')];
    expect(snippet(suitesFix(policy, 's'), 'nginx')).toContain('ssl_ciphers AES128-SHA;');
  });

  it('leave hybrid groups out of the lines but name them', () => {
    const fix = groupsFix(presetPolicy('mozilla-intermediate'));
    expect(snippet(fix, 'nginx')).toBe('ssl_ecdh_curve X25519:prime256v1:secp384r1;');
    expect(snippet(fix, 'caddy')).toContain('curves x25519 secp256r1 secp384r1');
    expect(fix.summary).toContain('X25519MLKEM768');
  });

  it('turn off server order where the server software has it', () => {
    const fix = preferenceFix(presetPolicy('webhook'));
    expect(snippet(fix, 'nginx')).toContain('ssl_prefer_server_ciphers off;');
    expect(snippet(fix, 'apache')).toContain('SSLHonorCipherOrder off');
    expect(snippet(fix, 'haproxy')).toContain('prefer-client-ciphers');
    expect(snippet(fix, 'node')).toContain('honorCipherOrder: false');
  });

  it('say what to do without lines where no line fixes it', () => {
    expect(alertsFix().snippets).toBeUndefined();
    expect(alertsFix().summary).toMatch(/alert/);
    expect(nameFix('192.0.2.1', true).snippets).toBeUndefined();
    expect(nameFix('192.0.2.1', true).summary).toContain('192.0.2.1');
  });
});

// --- OpenSSL -------------------------------------------------------------------------------------

/** Cipher lists in the snippets: `ssl_ciphers X;`, `SSLCipherSuite X`, `ciphers: 'X'`, ... */
function cipherLists(text: string): { list: string; tls13: boolean }[] {
  const lists: { list: string; tls13: boolean }[] = [];
  const patterns: [RegExp, boolean][] = [
    [/ssl_ciphers ([^;\s]+);/g, false],
    [/SSLCipherSuite (?!TLSv1\.3)(\S+)/g, false],
    [/ssl-default-bind-ciphers (\S+)/g, false],
    [/ssl_conf_command Ciphersuites ([^;\s]+);/g, true],
    [/SSLCipherSuite TLSv1\.3 (\S+)/g, true],
    [/ssl-default-bind-ciphersuites (\S+)/g, true],
  ];
  for (const [pattern, tls13] of patterns) {
    for (const match of text.matchAll(pattern)) lists.push({ list: match[1], tls13 });
  }
  return lists;
}

describeWith('openssl', 'OpenSSL cipher lists', () => {
  it.each(PRESETS)('of the %s remediations name only suites OpenSSL knows', (preset) => {
    const openssl = binaryPath('openssl') as string;
    const lists = allRemediations(presetPolicy(preset)).flatMap((fix) =>
      (fix.snippets ?? []).flatMap((entry) => cipherLists(entry.config)),
    );
    expect(lists.length).toBeGreaterThan(0);

    for (const { list, tls13 } of lists) {
      const args = tls13
        ? ['ciphers', '-tls1_3', '-s', '-ciphersuites', list]
        : ['ciphers', '-tls1_2', '-s', '-ciphersuites', '', list];
      const known = execFileSync(openssl, args, { encoding: 'utf8' }).trim();
      expect(known).toBe(list);
    }
  });

  it('would notice a misspelt name', () => {
    const openssl = binaryPath('openssl') as string;
    const list = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA265';
    const known = execFileSync(openssl, ['ciphers', '-tls1_2', '-s', '-ciphersuites', '', list], {
      encoding: 'utf8',
    }).trim();
    expect(known).not.toBe(list);
  });
});

// --- nginx and Node, with real certificates -----------------------------------------------------

let files: TempDir;
let certFile = '';
let keyFile = '';
let certPem = '';
let keyPem = '';

beforeAll(async () => {
  files = makeTempDir('wtp-remedy-');
  const { leaf } = await makeChain({ dnsNames: ['hooks.example.test'] });
  ({ certFile, keyFile } = writeCertificateFiles(files, 'hooks', leaf));
  certPem = leaf.certPem;
  keyPem = leaf.keyPem;
  // RFC 7919 ffdhe2048, the group dhFix recommends.
  if (hasBinary('openssl')) {
    execFileSync(binaryPath('openssl') as string, [
      'genpkey',
      '-genparam',
      '-algorithm',
      'DH',
      '-pkeyopt',
      'group:ffdhe2048',
      '-out',
      `${files.path}/ffdhe2048.pem`,
    ]);
  }
});

afterAll(() => files?.remove());

/** The nginx lines of a remediation with the example paths pointed at real files. */
function nginxLines(fix: Remediation): string {
  return snippet(fix, 'nginx')
    .replace(/\/etc\/ssl\/[^;\s]*fullchain\.pem/g, certFile)
    .replace(/\/etc\/ssl\/[^;\s]*privkey\.pem/g, keyFile)
    .replace(/\/etc\/nginx\/ffdhe2048\.pem/g, `${files.path}/ffdhe2048.pem`)
    .replace(/listen 443 ssl/g, 'listen 127.0.0.1:18443 ssl');
}

function nginxTest(serverLines: string, httpBlocks = ''): { ok: boolean; output: string } {
  const prefix = files.path;
  const config = [
    `error_log ${prefix}/error.log;`,
    `pid ${prefix}/nginx.pid;`,
    'events {}',
    'http {',
    '  access_log off;',
    '  server {',
    '    listen 127.0.0.1:18444 ssl;',
    '    server_name default.example.test;',
    `    ssl_certificate ${certFile};`,
    `    ssl_certificate_key ${keyFile};`,
    serverLines.replace(/^/gm, '    '),
    '  }',
    httpBlocks.replace(/^/gm, '  '),
    '}',
  ].join('\n');
  const configFile = files.write('nginx.conf', config);
  // -t parses and loads everything (certificates, cipher lists) but opens no port.
  const run = spawnSync(
    binaryPath('nginx') as string,
    ['-t', '-q', '-p', prefix, '-c', configFile],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describeWith('nginx', 'nginx lines pass nginx -t', () => {
  it.each(PRESETS)('for the %s directives', (preset) => {
    const policy = presetPolicy(preset);
    const directives = [
      versionFix(policy),
      suitesFix(policy, 's'),
      preferenceFix(policy),
      dhFix(policy),
    ];
    if (policy.allowedGroups) directives.push(groupsFix(policy));
    for (const fix of directives) {
      const result = nginxTest(nginxLines(fix));
      expect(result.output, nginxLines(fix)).toBe('');
      expect(result.ok).toBe(true);
    }
  });

  it('for the chain and the server blocks', () => {
    expect(nginxTest(nginxLines(chainFix())).ok).toBe(true);
    const named = nginxTest('', nginxLines(nameFix('hooks.example.test', false)));
    expect(named.output).toBe('');
    expect(named.ok).toBe(true);
  });

  it('and nginx -t does fail on a broken line', () => {
    expect(nginxTest('ssl_protocols TLSv1.2 TLSv9;').ok).toBe(false);
  });
});

describe('Node lines build a real secure context', () => {
  /** Runs the snippet against a stand-in `https` and returns the options it passed. */
  function nodeOptions(fix: Remediation): Record<string, unknown> {
    let captured: Record<string, unknown> = {};
    const https = { createServer: (options: Record<string, unknown>) => (captured = options) };
    const run = new Function('https', 'key', 'cert', 'handler', 'fs', snippet(fix, 'node'));
    run(https, keyPem, certPem, () => undefined, { readFileSync: () => '' });
    return captured;
  }

  it.each(PRESETS)('for the %s remediations', (preset) => {
    const policy = presetPolicy(preset);
    const fixes = [versionFix(policy), suitesFix(policy, 's'), preferenceFix(policy)];
    if (policy.allowedGroups) fixes.push(groupsFix(policy));
    for (const fix of fixes) {
      const options = nodeOptions(fix);
      expect(options.key).toBe(keyPem);
      if ('ciphers' in options) expect(options.ciphers).toMatch(/^[\w-]+(:[\w-]+)*$/);
      expect(() => createSecureContext(options)).not.toThrow();
    }
  });

  it('and a wrong option would be caught', () => {
    expect(() => createSecureContext({ minVersion: 'TLSv1.9' as never })).toThrow();
  });
});
