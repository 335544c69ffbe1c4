// Remediations: what to change, with the configuration lines for nginx, Apache httpd, HAProxy,
// Caddy and Node's `https` server where a configuration line fixes the problem. The lines are
// built from the policy (its minimum version and suites), so a policy file that changes the
// list changes the advice too.
//
// The suites recommended are the listed ones that are forward secret, AEAD and free of 64-bit
// blocks; a sender following the list finds one of them first. The other listed suites are
// allowed, not advised.

import type { Remediation, TlsVersion } from '../model.js';
import { groupByCode, groupName } from '../wire/groups.js';
import { type CipherSuite, suiteByCode } from '../wire/suites.js';
import type { Policy } from './policy.js';
import { listText, versionRank } from './text.js';

type Server = 'nginx' | 'apache' | 'haproxy' | 'caddy' | 'node';

function remediation(summary: string, snippets?: Partial<Record<Server, string>>): Remediation {
  if (!snippets) {
    return { summary };
  }
  const order: Server[] = ['nginx', 'apache', 'haproxy', 'caddy', 'node'];
  return {
    summary,
    snippets: order
      .filter((server) => snippets[server] !== undefined)
      .map((server) => ({ server, config: snippets[server] as string })),
  };
}

// --- What to enable --------------------------------------------------------------------------

/** Versions the advice enables: the policy's minimum, never below TLS 1.2, up to TLS 1.3. */
function enabledVersions(policy: Policy): TlsVersion[] {
  const floor = Math.max(versionRank(policy.minVersion), versionRank('TLSv1.2'));
  return (['TLSv1.2', 'TLSv1.3'] as const).filter((version) => versionRank(version) >= floor);
}

interface AdvisedSuites {
  /** TLS 1.2 suites, configured through the classic cipher lists. */
  tls12: CipherSuite[];
  /** TLS 1.3 suites, configured apart (RFC 8446, Section 4.1.1: they name no key exchange). */
  tls13: CipherSuite[];
}

function advisedSuites(policy: Policy): AdvisedSuites {
  const listed = policy.listedSuites
    .map((code) => suiteByCode(code))
    .filter((suite): suite is CipherSuite => suite !== undefined);
  const tls12 = listed.filter((suite) => suite.kex !== 'TLS13');
  const strong = tls12.filter((suite) => suite.forwardSecret && suite.aead && !suite.block64);
  return {
    tls12: strong.length > 0 ? strong : tls12,
    tls13: listed.filter((suite) => suite.kex === 'TLS13'),
  };
}

function opensslList(suites: CipherSuite[]): string {
  return suites.map((suite) => suite.openssl ?? suite.name).join(':');
}

// Go's crypto/tls (Caddy) implements ECDHE and RSA key exchange only, and takes IANA names.
function caddyList(suites: CipherSuite[]): string {
  return suites
    .filter((suite) => suite.kex === 'ECDHE' || suite.kex === 'RSA')
    .map((suite) => suite.name)
    .join(' ');
}

function nginxVersions(policy: Policy): string {
  return `ssl_protocols ${enabledVersions(policy).join(' ')};`;
}

function apacheVersions(policy: Policy): string {
  return `SSLProtocol -all ${enabledVersions(policy)
    .map((version) => `+${version}`)
    .join(' ')}`;
}

function caddyVersions(policy: Policy): string {
  return `protocols ${enabledVersions(policy)
    .map((version) => version.replace('TLSv', 'tls'))
    .join(' ')}`;
}

function minimum(policy: Policy): TlsVersion {
  return enabledVersions(policy)[0];
}

// --- Versions and suites -----------------------------------------------------------------------

/** Enable the policy's versions and nothing older. */
export function versionFix(policy: Policy): Remediation {
  const versions = enabledVersions(policy);
  return remediation(
    `Enable ${versions.map((version) => version.replace('v', ' ')).join(' and ')} and disable ` +
      'every older version in the TLS configuration of the server (or of the load balancer ' +
      'that terminates TLS).',
    {
      nginx: nginxVersions(policy),
      apache: apacheVersions(policy),
      haproxy: `global\n    ssl-default-bind-options ssl-min-ver ${minimum(policy)}`,
      caddy: `tls {\n    ${caddyVersions(policy)}\n}`,
      node: `https.createServer({ key, cert, minVersion: '${minimum(policy)}' }, handler);`,
    },
  );
}

/** Enable the advised suites (and the versions they need). */
export function suitesFix(policy: Policy, summary: string): Remediation {
  const { tls12, tls13 } = advisedSuites(policy);
  const nginx = [nginxVersions(policy)];
  const apache = [apacheVersions(policy)];
  const haproxy = ['global', `    ssl-default-bind-options ssl-min-ver ${minimum(policy)}`];
  const caddy = ['tls {', `    ${caddyVersions(policy)}`];
  const nodeCiphers: CipherSuite[] = [...tls13, ...tls12];

  if (tls12.length > 0) {
    nginx.push(`ssl_ciphers ${opensslList(tls12)};`);
    apache.push(`SSLCipherSuite ${opensslList(tls12)}`);
    haproxy.push(`    ssl-default-bind-ciphers ${opensslList(tls12)}`);
    const goNames = caddyList(tls12);
    if (goNames) {
      caddy.push(`    ciphers ${goNames}`);
    }
  }

  // Go does not let Caddy choose TLS 1.3 suites; its fixed set is the three of RFC 8446.
  if (tls13.length > 0) {
    nginx.push(`ssl_conf_command Ciphersuites ${opensslList(tls13)};`);
    apache.push(`SSLCipherSuite TLSv1.3 ${opensslList(tls13)}`);
    haproxy.push(`    ssl-default-bind-ciphersuites ${opensslList(tls13)}`);
  }
  caddy.push('}');

  const node =
    nodeCiphers.length > 0
      ? `https.createServer({\n  key,\n  cert,\n  minVersion: '${minimum(policy)}',\n` +
        `  ciphers: '${opensslList(nodeCiphers)}',\n}, handler);`
      : `https.createServer({ key, cert, minVersion: '${minimum(policy)}' }, handler);`;

  return remediation(summary, {
    nginx: nginx.join('\n'),
    apache: apache.join('\n'),
    haproxy: haproxy.join('\n'),
    caddy: caddy.join('\n'),
    node,
  });
}

/** Order suites so that forward-secret ones win, or let the client's order decide. */
export function preferenceFix(policy: Policy): Remediation {
  const list = opensslList(advisedSuites(policy).tls12);
  const summary =
    'List ECDHE suites before the others, or let the client choose: senders list ' +
    'forward-secret suites first. Go (Caddy) always orders suites itself.';
  if (!list) {
    return remediation(summary, {
      nginx: 'ssl_prefer_server_ciphers off;',
      apache: 'SSLHonorCipherOrder off',
      haproxy:
        'global\n' +
        `    ssl-default-bind-options ssl-min-ver ${minimum(policy)} prefer-client-ciphers`,
      node: 'https.createServer({ key, cert, honorCipherOrder: false }, handler);',
    });
  }
  return remediation(summary, {
    nginx: `ssl_ciphers ${list};\nssl_prefer_server_ciphers off;`,
    apache: `SSLCipherSuite ${list}\nSSLHonorCipherOrder off`,
    haproxy:
      `global\n    ssl-default-bind-ciphers ${list}\n` +
      `    ssl-default-bind-options ssl-min-ver ${minimum(policy)} prefer-client-ciphers`,
    node:
      `https.createServer({ key, cert, ciphers: '${list}', honorCipherOrder: false }, ` +
      'handler);',
  });
}

/** Use DH groups of at least the policy's size, or drop DHE suites. */
export function dhFix(policy: Policy): Remediation {
  const bits = policy.minDhBits;
  return remediation(
    `Use a Diffie-Hellman group of at least ${bits} bits (the ffdhe${bits} group of RFC 7919 ` +
      'is a good choice), or remove the DHE suites and keep ECDHE ones. Caddy (Go) has no ' +
      'DHE suites.',
    {
      nginx: 'ssl_dhparam /etc/nginx/ffdhe2048.pem;',
      apache: 'SSLOpenSSLConfCmd DHParameters "/etc/ssl/ffdhe2048.pem"',
      haproxy: 'global\n    ssl-dh-param-file /etc/haproxy/ffdhe2048.pem',
      node:
        "https.createServer({ key, cert, dhparam: fs.readFileSync('ffdhe2048.pem') }, " +
        'handler);',
    },
  );
}

// OpenSSL and Go spell a few groups differently from the IANA registry. Hybrid post-quantum
// groups are left out of the lines: OpenSSL before 3.5 refuses a list that names them, and
// nginx or Apache would then not start.
const OPENSSL_GROUP_NAMES: Record<number, string> = {
  23: 'prime256v1',
  24: 'secp384r1',
  25: 'secp521r1',
  29: 'X25519',
  30: 'X448',
};
const CADDY_GROUP_NAMES: Record<number, string> = {
  23: 'secp256r1',
  24: 'secp384r1',
  25: 'secp521r1',
  29: 'x25519',
};

/** Configure only the policy's groups. */
export function groupsFix(policy: Policy): Remediation {
  const groups = policy.allowedGroups ?? [];
  const openssl = groups
    .map((code) => OPENSSL_GROUP_NAMES[code])
    .filter(Boolean)
    .join(':');
  const caddy = groups
    .map((code) => CADDY_GROUP_NAMES[code])
    .filter(Boolean)
    .join(' ');
  const hybrid = groups
    .filter((code) => groupByCode(code)?.kind === 'hybrid')
    .map((code) => groupName(code));
  const later =
    hybrid.length > 0
      ? ` With OpenSSL 3.5 or later (Go 1.24 for Caddy), put ${listText(hybrid)} first too.`
      : '';
  return remediation(`Configure only the groups the policy lists.${later}`, {
    nginx: `ssl_ecdh_curve ${openssl};`,
    apache: `SSLOpenSSLConfCmd Curves ${openssl}`,
    haproxy: `global\n    ssl-default-bind-curves ${openssl}`,
    caddy: `tls {\n    curves ${caddy}\n}`,
    node: `https.createServer({ key, cert, ecdhCurve: '${openssl}' }, handler);`,
  });
}

/** Refuse with alerts, not resets or silence. */
export function alertsFix(): Remediation {
  return remediation(
    'Let the TLS library refuse unwanted versions and suites: it answers with a ' +
      'protocol_version or handshake_failure alert (RFC 8446, Sections 4.1.1 and 4.2.1). ' +
      'Resets, closes (with or without close_notify) and silence usually come from a ' +
      'firewall, load balancer or intrusion-prevention rule in front of the server; make it ' +
      'pass the handshake through or answer with a fatal alert itself.',
  );
}

// --- Certificates -----------------------------------------------------------------------------

/**
 * Serve the leaf followed by its intermediates. `lead` replaces the first sentence where the
 * chain is complete but holds an expired certificate.
 */
export function chainFix(
  lead = 'Serve the full chain: the leaf certificate first, then each intermediate up to (not ' +
    'including) the root, in one file.',
): Remediation {
  return remediation(`${lead} Your CA provides it, often as fullchain.pem.`, {
    nginx:
      'ssl_certificate     /etc/ssl/example/fullchain.pem;\n' +
      'ssl_certificate_key /etc/ssl/example/privkey.pem;',
    apache:
      'SSLCertificateFile    /etc/ssl/example/fullchain.pem\n' +
      'SSLCertificateKeyFile /etc/ssl/example/privkey.pem',
    haproxy:
      '# example.pem holds the leaf, the intermediates and the key\n' +
      'bind :443 ssl crt /etc/haproxy/certs/example.pem',
    caddy: 'tls /etc/ssl/example/fullchain.pem /etc/ssl/example/privkey.pem',
    node:
      "https.createServer({\n  key: fs.readFileSync('privkey.pem'),\n" +
      "  cert: fs.readFileSync('fullchain.pem'),\n}, handler);",
  });
}

/** Give the endpoint's name a certificate that covers it. */
export function nameFix(host: string, hostIsIp: boolean): Remediation {
  if (hostIsIp) {
    return remediation(
      `Use a certificate with ${host} as an IP address entry in its subjectAltName, or point ` +
        'the webhook at a host name the certificate covers.',
    );
  }
  return remediation(
    `Serve a certificate whose subjectAltName covers ${host}: reissue it with that name, or ` +
      'give the name its own site with its own certificate.',
    {
      nginx:
        `server {\n    listen 443 ssl;\n    server_name ${host};\n` +
        `    ssl_certificate     /etc/ssl/${host}/fullchain.pem;\n` +
        `    ssl_certificate_key /etc/ssl/${host}/privkey.pem;\n}`,
      apache:
        `<VirtualHost *:443>\n    ServerName ${host}\n    SSLEngine on\n` +
        `    SSLCertificateFile    /etc/ssl/${host}/fullchain.pem\n` +
        `    SSLCertificateKeyFile /etc/ssl/${host}/privkey.pem\n</VirtualHost>`,
      haproxy:
        `# add /etc/haproxy/certs/${host}.pem; HAProxy picks it by SNI\n` +
        'bind :443 ssl crt /etc/haproxy/certs/',
      caddy: `${host} {\n    reverse_proxy localhost:8080\n}`,
    },
  );
}

/**
 * The certificate names the endpoint in its subject CN only, which Go and the browsers ignore
 * (RFC 9525): the site is right, the certificate lacks the subjectAltName.
 */
export function subjectAltNameFix(host: string): Remediation {
  return remediation(`Reissue the certificate with a subjectAltName for ${host}.`);
}

/**
 * The server refuses the endpoint's name in SNI: the name is missing from its configuration.
 * When the certificate it sends without SNI covers the name already, reissuing changes nothing.
 */
export function nameRefusedFix(host: string, certificateCovers: boolean): Remediation {
  const certificate = certificateCovers
    ? 'the certificate it sends already covers the name, so only the configuration changes'
    : 'with a certificate whose subjectAltName covers it';
  return remediation(
    `Set ${host} up on the server as a name it accepts: add it to the server names of the ` +
      `site that should answer (nginx server_name, Apache ServerName or ServerAlias); ` +
      `${certificate}.`,
    {
      nginx: `server {\n    listen 443 ssl;\n    server_name ${host};\n    # ...\n}`,
      apache: `<VirtualHost *:443>\n    ServerName ${host}\n    # ...\n</VirtualHost>`,
    },
  );
}

/** Make the endpoint's certificate the one served without SNI. */
export function defaultCertificateFix(host: string): Remediation {
  return remediation(
    `Make the site for ${host} the default one, so that clients without SNI get its ` +
      'certificate, or add the name to the default certificate.',
    {
      nginx: `server {\n    listen 443 ssl default_server;\n    server_name ${host};\n    # ...\n}`,
      apache: `# The first <VirtualHost *:443> is the default: move ${host}'s block first.`,
      haproxy:
        `# The first crt is served without SNI\nbind :443 ssl crt /etc/haproxy/certs/${host}.pem ` +
        'crt /etc/haproxy/certs/',
      caddy: `{\n    default_sni ${host}\n}`,
      node:
        '// the top-level key and cert are served without SNI; SNICallback serves the others\n' +
        'https.createServer({ key: hostKey, cert: hostCert, SNICallback }, handler);',
    },
  );
}

/** A server that requires SNI, reached at an IP address: either side can change. */
export function ipEndpointSniFix(address: string): Remediation {
  return remediation(
    'Point the webhook at a host name the server has a site for (senders send SNI for host ' +
      `names only), or make the site that ${address} should reach the default one, so that ` +
      'hellos without SNI get it.',
    {
      nginx:
        "server {\n    listen 443 ssl default_server;\n    # this site's ssl_certificate " +
        'and locations; no ssl_reject_handshake here\n}',
      apache: '# The first <VirtualHost *:443> answers hellos without SNI: move the site first.',
      caddy: "{\n    default_sni <the site's host name>\n}",
    },
  );
}

/** Renew or reissue the certificate; no server line fixes it. */
export function certificateFix(summary: string): Remediation {
  return remediation(summary);
}

/** Anything else: a sentence, no configuration. */
export function adviceOnly(summary: string): Remediation {
  return remediation(summary);
}
