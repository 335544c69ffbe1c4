// Hand-built reports for the report tests: the shapes real scans produce (several addresses, a
// TLS 1.0 server with RSA key exchange only, a 3DES-only server on an IP address, a TLS 1.3-only
// server, a name that does not resolve), with findings as the webhook policy raises them.

import type {
  AddressScan,
  CertificateInfo,
  Endpoint,
  EndpointResult,
  Finding,
  ProbeOutcome,
  Report,
  Severity,
  SuiteEnumeration,
  TlsVersion,
  VersionSupport,
} from '../../src/model.js';
import { WEBHOOK_LISTED_SUITES } from '../../src/policy/index.js';
import { endpointKey } from '../../src/probe/endpoint.js';
import { buildReport } from '../../src/report/index.js';
import { suiteByName } from '../../src/wire/suites.js';

export const NOW = new Date('2026-06-01T12:00:00.000Z');

/** The 16 suites of the webhook requirements, in their order. */
export const LISTED_SUITES = [...WEBHOOK_LISTED_SUITES];

export const POLICY = { name: 'webhook', failOn: 'error' as const, listedSuites: LISTED_SUITES };

const X25519 = 29;
const SECP256R1 = 23;
const DAY_MS = 86_400_000;

export function code(name: string): number {
  const suite = suiteByName(name);

  if (!suite) {
    throw new Error(`fixture names an unknown suite: ${name}`);
  }

  return suite.code;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

export function endpoint(input: string, line?: number, file = 'webhooks/endpoints.txt'): Endpoint {
  const url = new URL(input.includes('://') ? input : `https://${input}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const path = url.pathname === '/' && !input.endsWith('/') ? undefined : url.pathname;

  return {
    input,
    host,
    port: url.port ? Number(url.port) : 443,
    ...(path ? { path } : {}),
    hostIsIp: /^[\d.]+$/.test(host) || host.includes(':'),
    ...(line !== undefined ? { source: { file, line } } : {}),
  };
}

export function certificate(options: {
  subject: string;
  issuer?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  daysLeft: number;
  keyType?: 'RSA' | 'EC';
  serial?: string;
  isCa?: boolean;
}): CertificateInfo {
  const notAfter = new Date(NOW.getTime() + options.daysLeft * DAY_MS);
  // Issued 90 days before expiry, or 30 days ago for longer-lived certificates.
  const notBefore = new Date(
    Math.min(notAfter.getTime() - 90 * DAY_MS, NOW.getTime() - 30 * DAY_MS),
  );
  const serial = options.serial ?? hex(`${options.subject}:${options.daysLeft}`, 16);
  const ec = (options.keyType ?? 'EC') === 'EC';

  return {
    subject: options.subject,
    issuer: options.issuer ?? 'CN=Example Issuing CA,O=Example Trust',
    serial,
    dnsNames: options.dnsNames ?? [],
    ipAddresses: options.ipAddresses ?? [],
    keyType: ec ? 'EC' : 'RSA',
    keyBits: ec ? 256 : 2048,
    ...(ec ? { curve: 'P-256' } : {}),
    signatureAlgorithm: ec ? 'ecdsa-with-SHA256' : 'sha256WithRSAEncryption',
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: options.daysLeft,
    fingerprintSha256: fingerprint(`${options.subject}:${serial}`),
    selfSigned: false,
    isCa: options.isCa ?? false,
    pem:
      '-----BEGIN CERTIFICATE-----\n' +
      `MIIB${Buffer.from(options.subject).toString('base64')}\n` +
      '-----END CERTIFICATE-----\n',
  };
}

function hex(seed: string, length: number): string {
  let value = '';
  let state = 0x811c9dc5;

  while (value.length < length) {
    for (const character of `${seed}${value.length}`) {
      state = Math.imul(state ^ character.charCodeAt(0), 0x01000193) >>> 0;
    }
    value += state.toString(16).toUpperCase().padStart(8, '0');
  }

  return value.slice(0, length);
}

function fingerprint(seed: string): string {
  return hex(seed, 64).match(/../g)!.join(':');
}

const accepted = (version: TlsVersion, suiteName: string, group?: number): ProbeOutcome => ({
  kind: 'accepted',
  version,
  suite: code(suiteName),
  ...(group !== undefined ? { group } : {}),
});

const protocolVersionAlert: ProbeOutcome = {
  kind: 'alert',
  alert: 70,
  alertName: 'protocol_version',
};

function versions(acceptedVersions: Partial<Record<TlsVersion, ProbeOutcome>>): VersionSupport[] {
  const order: TlsVersion[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'];

  return order.map((version) => {
    const outcome = acceptedVersions[version];
    return outcome
      ? { version, accepted: outcome.kind === 'accepted', outcome }
      : { version, accepted: false, outcome: protocolVersionAlert };
  });
}

function enumeration(
  version: TlsVersion,
  names: string[],
  group?: number,
  preference: SuiteEnumeration['preference'] = 'server',
): SuiteEnumeration {
  return {
    version,
    accepted: names.map((name) => ({
      code: code(name),
      name,
      ...(group !== undefined ? { group } : {}),
    })),
    preference,
    refusals: ['alert'],
    complete: true,
  };
}

interface AddressOptions {
  address: string;
  hostname: string | null;
  leaf: CertificateInfo;
  versions: VersionSupport[];
  suites: SuiteEnumeration[];
  sender: ProbeOutcome;
  forwardSecret?: boolean;
  sniRequired?: boolean;
}

function addressScan(options: AddressOptions): AddressScan {
  const intermediate = certificate({
    subject: 'CN=Example Issuing CA,O=Example Trust',
    issuer: 'CN=Example Root CA,O=Example Trust',
    daysLeft: 1500,
    isCa: true,
    serial: '0A0B0C0D',
  });

  return {
    address: options.address,
    family: options.address.includes(':') ? 6 : 4,
    versions: options.versions,
    suites: options.suites,
    groups: [{ version: 'TLSv1.2', groups: [X25519, SECP256R1], dhBits: [] }],
    listedSuites: options.sender,
    sender: {
      outcome: options.sender,
      ...(options.forwardSecret !== undefined ? { forwardSecret: options.forwardSecret } : {}),
    },
    certificates: {
      primary: {
        sni: options.hostname,
        served: [options.leaf, intermediate],
        built: [0, 1, 'anchor'],
        trusted: true,
        nameMatches: true,
        problems: [],
        ocspStapled: false,
      },
      others: [],
      sni: {
        honoured: options.hostname === null ? null : true,
        required: options.hostname === null ? null : (options.sniRequired ?? false),
        noSniNameMatches: options.hostname === null ? null : true,
        unknownName: options.hostname === null ? null : 'same-certificate',
      },
    },
    observations: [],
    connections: 42,
    durationMs: 1830,
  };
}

export function finding(
  id: string,
  title: string,
  severity: Severity,
  at: Endpoint,
  details: Partial<Finding> = {},
): Finding {
  return {
    id,
    title,
    severity,
    endpoint: at.input,
    evidence: { observed: `${title.toLowerCase()}`, expected: 'what the policy asks' },
    remediation: { summary: `Fix ${id} on the server.` },
    ...details,
  };
}

function result(
  scanned: Endpoint,
  addresses: AddressScan[],
  findings: Finding[],
  failOn: Severity = 'error',
): EndpointResult {
  const rank = { notice: 1, warning: 2, error: 3 };
  const fails = findings.some((f) => !f.suppressed && rank[f.severity] >= rank[failOn]);

  return {
    scan: {
      endpoint: scanned,
      status: 'scanned',
      addresses,
      startedAt: NOW.toISOString(),
      durationMs: addresses.reduce((sum, address) => sum + address.durationMs, 0),
    },
    verdict: fails ? 'non-compliant' : 'compliant',
    findings,
  };
}

// ---------------------------------------------------------------------------------------------
// The endpoints

const MODERN_12 = [
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];
const MODERN_13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'];

/** Compliant, on an IPv4 and an IPv6 address, with a notice-level finding. */
export function compliantResult(input = 'https://hooks.example.com/github', line = 3) {
  const at = endpoint(input, line);
  const leaf = certificate({
    subject: `CN=${at.host}`,
    dnsNames: [at.host],
    daysLeft: 61,
    keyType: 'RSA',
  });
  const scanOf = (address: string) =>
    addressScan({
      address,
      hostname: at.host,
      leaf,
      versions: versions({
        'TLSv1.3': accepted('TLSv1.3', 'TLS_AES_128_GCM_SHA256', X25519),
        'TLSv1.2': accepted('TLSv1.2', MODERN_12[0], X25519),
      }),
      suites: [
        enumeration('TLSv1.3', MODERN_13, X25519),
        enumeration('TLSv1.2', MODERN_12, X25519),
      ],
      sender: accepted('TLSv1.2', MODERN_12[0], X25519),
      forwardSecret: true,
    });

  return result(
    at,
    [scanOf('192.0.2.10'), scanOf('2001:db8::10')],
    [
      finding('certificate.no-ocsp-staple', 'No OCSP staple', 'notice', at, {
        address: '192.0.2.10',
        sni: at.host,
      }),
    ],
  );
}

/** TLS 1.0 accepted, RSA key exchange only, certificate expiring soon, one suppressed finding. */
export function legacyResult(input = 'legacy.example.org:8443', line = 4) {
  const at = endpoint(input, line);
  const rsaSuites = ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA'];
  const leaf = certificate({
    subject: `CN=${at.host}`,
    dnsNames: [at.host],
    daysLeft: 9,
    keyType: 'RSA',
  });
  const scan = addressScan({
    address: '198.51.100.7',
    hostname: at.host,
    leaf,
    versions: versions({
      'TLSv1.2': accepted('TLSv1.2', rsaSuites[0]),
      'TLSv1.0': accepted('TLSv1.0', rsaSuites[1]),
    }),
    suites: [enumeration('TLSv1.2', rsaSuites), enumeration('TLSv1.0', [rsaSuites[1]])],
    sender: accepted('TLSv1.2', rsaSuites[0]),
    forwardSecret: false,
  });

  return result(
    at,
    [scan],
    [
      finding('version.legacy-accepted', 'Legacy protocol versions accepted', 'error', at, {
        address: '198.51.100.7',
        sni: at.host,
        evidence: { observed: 'TLS 1.0 accepted', expected: 'TLS 1.0 and TLS 1.1 refused' },
        remediation: {
          summary: 'Allow only TLS 1.2 and TLS 1.3.',
          snippets: [
            { server: 'nginx', config: 'ssl_protocols TLSv1.2 TLSv1.3;' },
            { server: 'apache', config: 'SSLProtocol -all +TLSv1.2 +TLSv1.3' },
          ],
        },
      }),
      finding(
        'kex.sender-not-forward-secret',
        'Sender negotiates a suite without forward secrecy',
        'warning',
        at,
        {
          address: '198.51.100.7',
          sni: at.host,
          evidence: {
            observed: 'TLS_RSA_WITH_AES_128_GCM_SHA256 (RSA key exchange)',
            expected: 'an ECDHE or DHE suite',
          },
        },
      ),
      finding('certificate.expiring-soon', 'Certificate expires soon', 'warning', at, {
        address: '198.51.100.7',
        sni: at.host,
        evidence: { observed: 'expires in 9 days', expected: 'more than 30 days left' },
      }),
      finding('alerts.improper-refusal', 'Refusals without a TLS alert', 'warning', at, {
        address: '198.51.100.7',
        suppressed: { reason: 'load balancer resets by design', expires: '2026-12-31' },
      }),
    ],
  );
}

/** A name that does not resolve: not scanned, with the policy's not-scanned finding. */
export function unresolvedResult(input = 'https://gone.example.net/hook', line = 5) {
  const at = endpoint(input, line);

  return {
    scan: {
      endpoint: at,
      status: 'not-scanned' as const,
      notScanned: { reason: 'dns' as const, detail: `getaddrinfo ENOTFOUND ${at.host}` },
      addresses: [],
      startedAt: NOW.toISOString(),
      durationMs: 12,
    },
    verdict: 'not-scanned' as const,
    findings: [
      finding('endpoint.not-scanned', 'Endpoint not scanned', 'error', at, {
        evidence: {
          observed: `getaddrinfo ENOTFOUND ${at.host}`,
          expected: 'an address that accepts TLS connections',
        },
      }),
    ],
  };
}

/** 3DES only on an IP address (no SNI sent): compliant with warnings. */
export function tripleDesResult(input = '192.0.2.44:8443', line = 6) {
  const at = endpoint(input, line);
  const suite = 'TLS_RSA_WITH_3DES_EDE_CBC_SHA';
  const scan = addressScan({
    address: at.host,
    hostname: null,
    leaf: certificate({
      subject: 'CN=legacy box',
      ipAddresses: [at.host],
      daysLeft: 200,
      keyType: 'RSA',
    }),
    versions: versions({ 'TLSv1.2': accepted('TLSv1.2', suite) }),
    suites: [enumeration('TLSv1.2', [suite])],
    sender: accepted('TLSv1.2', suite),
    forwardSecret: false,
  });

  return result(
    at,
    [scan],
    [
      finding('suites.64-bit-block-cipher', '64-bit block cipher suites accepted', 'warning', at, {
        address: at.host,
        sni: null,
      }),
      finding(
        'kex.sender-not-forward-secret',
        'Sender negotiates a suite without forward secrecy',
        'warning',
        at,
        { address: at.host, sni: null },
      ),
    ],
  );
}

/** TLS 1.3 only, named on the command line (no source line): no listed suite. */
export function tls13OnlyResult(input = 'tls13only.example.com') {
  const at = endpoint(input);
  const scan = addressScan({
    address: '203.0.113.5',
    hostname: at.host,
    leaf: certificate({ subject: `CN=${at.host}`, dnsNames: [at.host], daysLeft: 45 }),
    versions: versions({ 'TLSv1.3': accepted('TLSv1.3', 'TLS_AES_256_GCM_SHA384', X25519) }),
    suites: [enumeration('TLSv1.3', ['TLS_AES_256_GCM_SHA384'], X25519, 'client')],
    sender: { kind: 'alert', alert: 70, alertName: 'protocol_version' },
    sniRequired: true,
  });

  return result(
    at,
    [scan],
    [
      finding('suites.none-listed', 'No suite from the required list accepted', 'error', at, {
        address: '203.0.113.5',
        sni: at.host,
        evidence: {
          observed: 'TLS 1.2 refused with protocol_version; only TLS 1.3 suites accepted',
          expected: 'one of the 16 listed TLS 1.2 suites',
        },
      }),
    ],
  );
}

/** The five kinds of endpoint above, in this order. */
export function mixedResults(): EndpointResult[] {
  return [
    compliantResult(),
    legacyResult(),
    unresolvedResult(),
    tripleDesResult(),
    tls13OnlyResult(),
  ];
}

export function makeReport(
  results: EndpointResult[] = mixedResults(),
  extra: { shard?: { index: number; count: number }; startedAt?: Date; finishedAt?: Date } = {},
): Report {
  return buildReport({
    results,
    policy: POLICY,
    startedAt: extra.startedAt ?? NOW,
    finishedAt: extra.finishedAt ?? new Date(NOW.getTime() + 42_000),
    ...(extra.shard ? { shard: extra.shard } : {}),
  });
}

/**
 * `count` endpoints from one endpoints file (lines 1..count), cycling through the five kinds,
 * each with its own host name.
 */
export function manyResults(count: number): EndpointResult[] {
  const makers = [
    (i: number) => compliantResult(`https://hooks-${i}.example.com/h`, i + 1),
    (i: number) => legacyResult(`legacy-${i}.example.org:8443`, i + 1),
    (i: number) => unresolvedResult(`https://gone-${i}.example.net/hook`, i + 1),
    (i: number) => tripleDesResult(`192.0.${Math.floor(i / 250) + 3}.${i % 250}:8443`, i + 1),
    (i: number) => tls13OnlyResult(`tls13-${i}.example.com`),
  ];

  return Array.from({ length: count }, (_, i) => {
    const made = makers[i % makers.length](i);
    // The TLS 1.3-only maker has no source line; give these one too, as an endpoints file would.
    made.scan.endpoint.source ??= { file: 'webhooks/endpoints.txt', line: i + 1 };
    return made;
  });
}

/** Keys of every endpoint, to compare sets of endpoints. */
export function keysOf(results: EndpointResult[]): string[] {
  return results.map((entry) => endpointKey(entry.scan.endpoint));
}

/** Plain HTTP on the port: reached, not TLS, judged non-compliant by the endpoint.not-tls rule. */
export function plainHttpResult(input = 'http-only.example.com:8080', line = 7): EndpointResult {
  const at = endpoint(input, line);
  const detail = 'plaintext HTTP reply (HTTP/1.1 400 Bad Request)';

  return {
    scan: {
      endpoint: at,
      status: 'not-scanned',
      notScanned: { reason: 'not-tls', detail },
      addresses: [],
      startedAt: NOW.toISOString(),
      durationMs: 40,
    },
    verdict: 'non-compliant',
    findings: [
      finding('endpoint.not-tls', 'Port does not speak TLS', 'error', at, {
        address: '198.51.100.80',
        evidence: { observed: detail, expected: 'a TLS ServerHello or alert' },
      }),
    ],
  };
}

/** Two addresses, the second refusing connections while the first is scanned. */
export function partlyReachableResult(input = 'https://split.example.com/h', line = 8) {
  const result = compliantResult(input, line);
  const [first, second] = result.scan.addresses;
  const detail = 'connect ECONNREFUSED 2001:db8::10:443';
  const refused: ProbeOutcome = { kind: 'error', detail };

  result.scan.addresses = [
    first,
    {
      ...second,
      versions: second.versions.map((entry) => ({ ...entry, accepted: null, outcome: refused })),
      suites: [],
      groups: [],
      listedSuites: refused,
      sender: { outcome: refused },
      certificates: {
        primary: null,
        others: [],
        sni: { honoured: null, required: null, noSniNameMatches: null, unknownName: null },
        error: `not checked: ${detail}`,
      },
      connections: 1,
      notScanned: { reason: 'refused', detail },
    },
  ];

  return result;
}
