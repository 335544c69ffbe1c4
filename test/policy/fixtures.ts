// Hand-built scans for the policy tests. `address()` describes a server by what it accepts and
// derives the rest the way a correct probe would report it: version probes, enumerations, the
// hello with exactly the listed suites and the sender's hello (server or client order), so a
// test states the server set-up and not fifty fields.

import type {
  AcceptedSuite,
  AddressScan,
  CertificateCheck,
  CertificateInfo,
  Endpoint,
  EndpointScan,
  Observation,
  ProbeOutcome,
  RefusalKind,
  ServedChain,
  SniBehaviour,
  TlsVersion,
} from '../../src/model.js';
import { WEBHOOK_LISTED_SUITES } from '../../src/policy/presets/webhook.js';
import { suiteByCode, suiteByName } from '../../src/wire/suites.js';

export const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 86_400_000;

export function isoDaysFromNow(days: number): string {
  return new Date(NOW.getTime() + days * DAY_MS).toISOString();
}

export function code(name: string): number {
  const suite = suiteByName(name);
  if (!suite) throw new Error(`fixture names an unknown suite: ${name}`);
  return suite.code;
}

export function endpoint(host = 'hooks.example.test', port = 443): Endpoint {
  const hostIsIp = /^[\d.]+$/.test(host) || host.includes(':');
  return {
    input: `https://${hostIsIp && host.includes(':') ? `[${host}]` : host}:${port}/hook`,
    host,
    port,
    hostIsIp,
  };
}

// --- Outcomes ------------------------------------------------------------------------------------

const ALERTS: Record<string, number> = {
  handshake_failure: 40,
  illegal_parameter: 47,
  protocol_version: 70,
  insufficient_security: 71,
  unrecognized_name: 112,
};

export function alert(name: keyof typeof ALERTS): ProbeOutcome {
  return { kind: 'alert', alert: ALERTS[name], alertName: name };
}
export const reset: ProbeOutcome = { kind: 'reset' };
export const closed: ProbeOutcome = { kind: 'closed' };
export const timeout: ProbeOutcome = { kind: 'timeout', phase: 'read' };

export function accepted(version: TlsVersion, suite: number, dhBits?: number): ProbeOutcome {
  return { kind: 'accepted', version, suite, ...(dhBits ? { dhBits } : {}) };
}

// --- Certificates --------------------------------------------------------------------------------

export function certificate(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    subject: 'CN=hooks.example.test',
    issuer: 'CN=Example Intermediate CA',
    serial: '01',
    dnsNames: ['hooks.example.test'],
    ipAddresses: [],
    keyType: 'RSA',
    keyBits: 2048,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    notBefore: isoDaysFromNow(-10),
    notAfter: isoDaysFromNow(80),
    daysLeft: 80,
    fingerprintSha256: 'aa',
    selfSigned: false,
    isCa: false,
    pem: '',
    ...overrides,
  };
}

export function intermediate(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return certificate({
    subject: 'CN=Example Intermediate CA',
    issuer: 'CN=Example Root CA',
    dnsNames: [],
    isCa: true,
    notBefore: isoDaysFromNow(-400),
    notAfter: isoDaysFromNow(3000),
    ...overrides,
  });
}

export function chain(overrides: Partial<ServedChain> = {}): ServedChain {
  return {
    sni: 'hooks.example.test',
    served: [certificate(), intermediate()],
    built: [0, 1, 'anchor'],
    trusted: true,
    nameMatches: true,
    problems: [],
    ocspStapled: false,
    ...overrides,
  };
}

export function sniBehaviour(overrides: Partial<SniBehaviour> = {}): SniBehaviour {
  return {
    honoured: true,
    required: false,
    noSniNameMatches: true,
    unknownName: 'same-certificate',
    ...overrides,
  };
}

export function certificates(overrides: Partial<CertificateCheck> = {}): CertificateCheck {
  return { primary: chain(), others: [], sni: sniBehaviour(), ...overrides };
}

// --- A server described by what it accepts ------------------------------------------------------

export interface ServerSpec {
  address?: string;
  /** Suites accepted per version, in the server's order when it enforces one. */
  accepts?: Partial<Record<TlsVersion, number[]>>;
  /** Reply to a version it does not accept (default: a protocol_version alert). */
  versionRefusal?: ProbeOutcome;
  /** Overrides for single version probes (timeouts, violations, ...). */
  versionOutcomes?: Partial<Record<TlsVersion, ProbeOutcome>>;
  /** Reply to a hello whose suites it likes none of (default: handshake_failure). */
  suiteRefusal?: ProbeOutcome;
  preference?: 'server' | 'client';
  /** Enumerations left incomplete. */
  incomplete?: TlsVersion[];
  dhBits?: number;
  groups?: Partial<Record<TlsVersion, number[]>>;
  /** Versions whose groups are the server's own list (TLS 1.3 EncryptedExtensions). */
  groupsFromServerList?: TlsVersion[];
  /** Overrides of the derived probes. */
  listedSuites?: ProbeOutcome;
  sender?: ProbeOutcome;
  certificates?: CertificateCheck;
  observations?: Observation[];
  /** The list the sender offers (default: the webhook list). */
  list?: readonly number[];
}

const VERSIONS: TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function refusalKind(outcome: ProbeOutcome): RefusalKind | undefined {
  return outcome.kind === 'alert' || outcome.kind === 'reset' || outcome.kind === 'closed'
    ? outcome.kind
    : undefined;
}

/** The suite a server picks from an offer: its own first choice or the client's. */
function pick(offer: readonly number[], accepted: number[], preference: 'server' | 'client') {
  return preference === 'server'
    ? accepted.find((candidate) => offer.includes(candidate))
    : offer.find((candidate) => accepted.includes(candidate));
}

export function address(spec: ServerSpec = {}): AddressScan {
  const accepts = spec.accepts ?? {
    'TLSv1.2': [
      code('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'),
      code('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'),
    ],
    'TLSv1.3': [code('TLS_AES_128_GCM_SHA256'), code('TLS_AES_256_GCM_SHA384')],
  };
  const preference = spec.preference ?? 'client';
  const versionRefusal = spec.versionRefusal ?? alert('protocol_version');
  const suiteRefusal = spec.suiteRefusal ?? alert('handshake_failure');
  const list = spec.list ?? WEBHOOK_LISTED_SUITES;
  const dh = (suite: number) =>
    spec.dhBits && suiteByCode(suite)?.kex === 'DHE' ? spec.dhBits : undefined;

  const versions = VERSIONS.map((version) => {
    const suites = accepts[version] ?? [];
    const outcome =
      spec.versionOutcomes?.[version] ??
      (suites.length > 0 ? accepted(version, suites[0], dh(suites[0])) : versionRefusal);
    const refused = refusalKind(outcome) !== undefined;
    // As the engine does: a hello answered in a lower version refuses the version offered.
    const isAccepted =
      outcome.kind === 'accepted' ? outcome.version === version : refused ? false : null;
    return { version, accepted: isAccepted, outcome };
  });

  const enumerations = VERSIONS.filter((version) => (accepts[version] ?? []).length > 0).map(
    (version) => {
      const suites = accepts[version] ?? [];
      const entries: AcceptedSuite[] = suites.map((suite) => ({
        code: suite,
        name: suiteByCode(suite)?.name ?? String(suite),
        ...(dh(suite) ? { dhBits: dh(suite) } : {}),
      }));
      const kind = refusalKind(suiteRefusal);
      return {
        version,
        accepted: entries,
        preference,
        refusals: kind ? [kind] : [],
        complete: !(spec.incomplete ?? []).includes(version),
      };
    },
  );

  // The listed-suites and sender probes are TLS 1.2 hellos offering the list in order.
  const tls12 = accepts['TLSv1.2'] ?? [];
  const chosen = pick(list, tls12, preference);
  const tls12Offered =
    chosen !== undefined
      ? accepted('TLSv1.2', chosen, dh(chosen))
      : tls12.length > 0
        ? suiteRefusal
        : (spec.versionOutcomes?.['TLSv1.2'] ?? versionRefusal);
  // The sender's hello offers TLS 1.3 too, with the TLS 1.3 suites every library enables.
  const tls13 = accepts['TLSv1.3'] ?? [];
  const listedSuites = spec.listedSuites ?? tls12Offered;
  const senderOutcome =
    spec.sender ?? (tls13.length > 0 ? accepted('TLSv1.3', tls13[0]) : tls12Offered);

  return {
    address: spec.address ?? '192.0.2.10',
    family: (spec.address ?? '').includes(':') ? 6 : 4,
    versions,
    suites: enumerations,
    groups: Object.entries(spec.groups ?? {}).map(([version, groups]) => ({
      version: version as TlsVersion,
      groups: groups ?? [],
      dhBits: spec.dhBits ? [spec.dhBits] : [],
      ...(spec.groupsFromServerList?.includes(version as TlsVersion)
        ? { fromServerList: true }
        : {}),
    })),
    listedSuites,
    sender: {
      outcome: senderOutcome,
      ...(senderOutcome.kind === 'accepted'
        ? { forwardSecret: suiteByCode(senderOutcome.suite)?.forwardSecret ?? false }
        : {}),
    },
    certificates: spec.certificates ?? certificates(),
    observations: spec.observations ?? [],
    connections: 20,
    durationMs: 100,
  };
}

export function scan(
  addresses: AddressScan[] = [address()],
  host?: string,
  port?: number,
): EndpointScan {
  return {
    endpoint: endpoint(host, port),
    status: 'scanned',
    addresses,
    startedAt: NOW.toISOString(),
    durationMs: 100,
  };
}

export function notScanned(
  reason: 'dns' | 'refused' | 'timeout' | 'not-tls' | 'error',
  detail: string,
): EndpointScan {
  return {
    endpoint: endpoint(),
    status: 'not-scanned',
    notScanned: { reason, detail },
    addresses: [],
    startedAt: NOW.toISOString(),
    durationMs: 5,
  };
}
