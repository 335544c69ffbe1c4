// The data that flows between the layers: endpoints go into the probes, scans come out of them,
// the policy turns scans into findings and verdicts, and the reports render all of it.
// Everything here is plain JSON-serialisable data, because the JSON report is this data and a
// later run compares itself against an earlier report (the baseline).

/** Protocol versions in the order they were introduced. */
export const TLS_VERSIONS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** One HTTPS endpoint as the user named it, normalised. */
export interface Endpoint {
  /** The text the user wrote, trimmed. */
  input: string;
  /** Lower-case hostname in ASCII (punycode) or an IP literal without brackets. */
  host: string;
  port: number;
  /** URL path, kept for display only: the probe never sends an HTTP request. */
  path?: string;
  hostIsIp: boolean;
  /** Where the endpoint was named (endpoints file or workflow), for annotations and SARIF. */
  source?: { file: string; line: number };
}

// ---------------------------------------------------------------------------------------------
// Probe outcomes

/** The server negotiated a connection: what it chose. */
export interface Accepted {
  kind: 'accepted';
  version: TlsVersion;
  /** IANA code of the suite the server chose. */
  suite: number;
  /** Named group of the key exchange (ECDHE curve, FFDHE group, TLS 1.3 key share), if any. */
  group?: number;
  /** Size in bits of an ephemeral finite-field DH prime (DHE suites). */
  dhBits?: number;
}

/**
 * What one probe (one ClientHello on one connection) ended with.
 * `alert`, `reset` and `closed` are refusals; `timeout` and `error` are inconclusive and are
 * never counted as a refusal; `not-tls` and `violation` say the reply was not proper TLS.
 */
export type ProbeOutcome =
  | Accepted
  | { kind: 'alert'; alert: number; alertName: string }
  | { kind: 'reset' }
  | { kind: 'closed' }
  | { kind: 'timeout'; phase: 'connect' | 'read' }
  | { kind: 'not-tls'; detail: string }
  | { kind: 'violation'; detail: string }
  | { kind: 'error'; detail: string };

export type RefusalKind = 'alert' | 'reset' | 'closed';

export function isRefusal(outcome: ProbeOutcome): boolean {
  return outcome.kind === 'alert' || outcome.kind === 'reset' || outcome.kind === 'closed';
}

export function isInconclusive(outcome: ProbeOutcome): boolean {
  return outcome.kind === 'timeout' || outcome.kind === 'error';
}

/**
 * "a" or "an" as the words are read aloud: "an RSA key", "an EC key", "a DSA key", "an
 * unrecognized_name alert", "a handshake_failure alert", "a user_canceled alert".
 */
export function withArticle(text: string): string {
  return `${/^(RSA|EC|Ed|X\d|[aeio]|un)/i.test(text) ? 'an' : 'a'} ${text}`;
}

// ---------------------------------------------------------------------------------------------
// Scan results of one address

/** Whether one protocol version is accepted, from a hello offering a broad suite list. */
export interface VersionSupport {
  version: TlsVersion;
  /** true accepted, false refused, null inconclusive (timeout, error, not TLS). */
  accepted: boolean | null;
  outcome: ProbeOutcome;
}

/** A suite the server accepted, with the key exchange it used when it did. */
export interface AcceptedSuite {
  code: number;
  /** IANA name, for example TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
  name: string;
  group?: number;
  dhBits?: number;
}

/** Every suite accepted for one version, and the order the server prefers them in. */
export interface SuiteEnumeration {
  version: TlsVersion;
  /** In the server's order when `preference` is 'server', otherwise in registry order. */
  accepted: AcceptedSuite[];
  preference: 'server' | 'client' | 'unknown';
  /** How the server refused the suites it did not want (alert, reset, close). */
  refusals: RefusalKind[];
  /** False when some probe was inconclusive, so a suite may be missing. */
  complete: boolean;
}

/** Named groups (ECDHE curves, FFDHE, hybrid) accepted for one version. */
export interface GroupSupport {
  version: TlsVersion;
  groups: number[];
  /** Sizes of ephemeral DH primes seen with DHE suites (TLS 1.2 and below). */
  dhBits: number[];
  /**
   * TLS 1.3: the groups are the server's own list from its EncryptedExtensions (RFC 8446
   * Section 4.2.7), in its order of preference, and hold every group the probes saw. Absent
   * when they were found by offer and remove, in the order they were offered.
   */
  fromServerList?: boolean;
}

/** What a webhook sender that offers exactly the listed suites ends up with. */
export interface SenderProbe {
  outcome: ProbeOutcome;
  /** Set when accepted: whether the negotiated suite is forward secret. */
  forwardSecret?: boolean;
}

/** Something the probes noticed that is not a version or a suite (version intolerance, ...). */
export interface Observation {
  id: string;
  detail: string;
}

// ---------------------------------------------------------------------------------------------
// Certificates

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serial: string;
  dnsNames: string[];
  ipAddresses: string[];
  /** RSA-PSS: an RSA key restricted to PSS signatures (RFC 4055), which no RSA key exchange uses. */
  keyType: 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | 'other';
  keyBits: number;
  curve?: string;
  signatureAlgorithm: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter at scan time; negative once expired. */
  daysLeft: number;
  fingerprintSha256: string;
  selfSigned: boolean;
  isCa: boolean;
  pem: string;
}

export type ChainProblemCode =
  | 'missing-intermediate'
  | 'wrong-intermediate'
  | 'untrusted'
  | 'self-signed'
  | 'expired'
  | 'not-yet-valid'
  | 'expired-in-chain'
  | 'name-mismatch'
  | 'weak-signature'
  | 'weak-key'
  | 'bad-order'
  | 'root-sent'
  | 'not-server-auth'
  | 'bad-basic-constraints'
  /** Sent but part of no path: harmless to most senders, a sign of a stale chain file. */
  | 'unused-certificate';

export interface ChainProblem {
  code: ChainProblemCode;
  detail: string;
  /** Index in the served chain of the certificate the problem is about, if one. */
  certificate?: number;
}

/** One chain as a server presented it for one way of asking. */
export interface ServedChain {
  /** The SNI name sent (null: none) and the key type asked for, if the probe chose one. */
  sni: string | null;
  keyType?: 'RSA' | 'ECDSA' | 'EdDSA';
  served: CertificateInfo[];
  /** Indexes into `served` (or 'anchor' for a trust anchor not served), leaf first. */
  built: (number | 'anchor')[];
  trusted: boolean;
  nameMatches: boolean;
  problems: ChainProblem[];
  ocspStapled: boolean;
  /**
   * The server sent a CertificateRequest in this handshake (RFC 8446 Section 4.3.2, RFC 5246
   * Section 7.4.4): it asks the client for a certificate, which a webhook sender does not have.
   */
  clientCertificateRequested?: true;
  /** The trust anchor the path ends at when the server did not send it. */
  anchor?: CertificateInfo;
}

export interface SniBehaviour {
  /** The certificate differs with SNI, or the server refuses hellos without it. */
  honoured: boolean | null;
  required: boolean | null;
  /** What a client without SNI receives: does it match the endpoint's name? */
  noSniNameMatches: boolean | null;
  /** Reply to a name the server does not know. */
  unknownName: 'same-certificate' | 'other-certificate' | 'warning-alert' | 'fatal-alert' | null;
  /** The endpoint's own name drew a warning unrecognized_name alert (senders on Java abort). */
  nameWarning?: boolean | null;
  /** How the hello without SNI ended (absent for an IP endpoint, which never sends SNI). */
  noSniOutcome?: ProbeOutcome;
  /** How the hello naming an unknown host ended. */
  unknownNameOutcome?: ProbeOutcome;
}

/**
 * One hello asking for one key type: TLS 1.2 through the suites' authentication (ECDHE_RSA,
 * DHE_RSA and RSA key exchange versus ECDHE_ECDSA), TLS 1.3 through signature_algorithms.
 * Every key type refused while the server answers TLS means its certificate's key type
 * matches no enabled suite.
 */
export interface KeyTypeProbe {
  keyType: 'RSA' | 'ECDSA' | 'EdDSA';
  version: TlsVersion;
  sni: string | null;
  outcome: ProbeOutcome;
  /** The leaf served when accepted and certificates were seen. */
  leafKeyType?: CertificateInfo['keyType'];
  leafFingerprintSha256?: string;
}

export interface CertificateCheck {
  /** The chain a sender sees: SNI with the endpoint's name (none for an IP endpoint). */
  primary: ServedChain | null;
  /** Every other chain seen: other key types, without SNI, unknown name. */
  others: ServedChain[];
  sni: SniBehaviour;
  /** One probe per key type, with the same SNI as `primary`. */
  keyTypes?: KeyTypeProbe[];
  /**
   * The broad hello was answered with a ServerHello and then nothing more (no Certificate)
   * until the read timeout or the end of the connection, twice: a sender's handshake stalls.
   */
  stalledAfterServerHello?: boolean;
  /**
   * The server asked for a client certificate: how it took a handshake finished with none, as
   * a sender's is (RFC 8446 Section 4.4.2.4, RFC 5246 Section 7.4.6). `refused` with the fatal
   * alert it sent, `completed` when it went on, `unknown` with why it could not be told.
   * `version` is the version of the handshake that answered, absent when none was tried.
   */
  withoutClientCertificate?: {
    answer: 'refused' | 'completed' | 'unknown';
    detail: string;
    version?: 'TLSv1.3' | 'TLSv1.2';
  };
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Whole scans

export interface AddressScan {
  address: string;
  family: 4 | 6;
  versions: VersionSupport[];
  suites: SuiteEnumeration[];
  groups: GroupSupport[];
  /** One TLS 1.2 hello offering exactly the listed suites, in the requirements' order. */
  listedSuites: ProbeOutcome;
  sender: SenderProbe;
  certificates: CertificateCheck;
  observations: Observation[];
  /** TCP connections this scan of the address opened. */
  connections: number;
  durationMs: number;
  /**
   * Set when this address could not be scanned (connection refused, timeout, not TLS) while
   * another address of the endpoint could; its other fields then hold no results.
   */
  notScanned?: { reason: NotScannedReason; detail: string };
}

export type NotScannedReason = 'dns' | 'refused' | 'timeout' | 'not-tls' | 'error';

export interface EndpointScan {
  endpoint: Endpoint;
  status: 'scanned' | 'not-scanned';
  notScanned?: { reason: NotScannedReason; detail: string };
  addresses: AddressScan[];
  startedAt: string;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Policy results

export type Severity = 'error' | 'warning' | 'notice';

export interface Remediation {
  summary: string;
  /** Configuration lines per server software: nginx, apache, haproxy, caddy, node. */
  snippets?: { server: string; config: string }[];
}

export interface Finding {
  /** Stable rule identifier, for example `version.legacy-accepted`. */
  id: string;
  title: string;
  severity: Severity;
  endpoint: string;
  address?: string;
  sni?: string | null;
  evidence: { observed: string; expected: string };
  remediation: Remediation;
  suppressed?: { reason: string; expires?: string };
  /**
   * The line of the user's own file the finding is about when that is not the endpoint's: a
   * suppression's line of the policy file.
   */
  source?: { file: string; line: number };
}

export type Verdict = 'compliant' | 'non-compliant' | 'not-scanned';

export interface EndpointResult {
  scan: EndpointScan;
  verdict: Verdict;
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------
// Scan settings and the report

export interface ScanOptions {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Whole scan of one endpoint, all addresses; what is not done by then is inconclusive. */
  endpointDeadlineMs: number;
  /** Connections open at once to one host. */
  perHostConcurrency: number;
  /** Endpoints scanned at once. */
  concurrency: number;
  /**
   * New connections a second across the whole scan (every endpoint and address), evenly
   * spaced; no limit when absent. Probes whose turn would come after their endpoint's
   * deadline are not sent.
   */
  rateLimit?: number;
  /** Addresses of one hostname scanned at most. */
  maxAddresses: number;
  /** Suites of the policy's list, in its order: the sender probe offers exactly these. */
  listedSuites: number[];
  /** Extra trust anchors in PEM, added to Node's bundled Mozilla roots. */
  extraCaPem: string[];
  /** The clock for certificate dates; tests set it. */
  now: Date;
}

export const REPORT_SCHEMA_VERSION = 1;

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  policy: {
    name: string;
    failOn: Severity | 'never';
    /**
     * SHA-256 (hex) of what the policy checks (policyDigest): two reports were made under the
     * same rules when their digests are equal, whatever the policy is named. Absent in reports
     * of earlier versions, which are matched by what they record (policyDifference), and in a
     * merge of shards that did not all have the same one.
     */
    digest?: string;
    /** The policy's required suites in its order, so renderings can mark them. */
    listedSuites?: number[];
    /** The rules the policy checks (those not set to off), so renderings can list them. */
    rules?: string[];
  };
  startedAt: string;
  finishedAt: string;
  /** True when no endpoint fails under the policy's fail-on threshold. */
  compliant: boolean;
  /** Set on a report of one shard of a job matrix; `index` counts from 1, as `shard: i/n`. */
  shard?: {
    index: number;
    count: number;
    /**
     * SHA-256 (hex) of the normalised, sorted keys of every endpoint of the whole list the
     * shard was cut from, so a merge can tell shards of different lists apart.
     */
    listDigest?: string;
    /** How many endpoints the whole list had: a merge of all shards must have as many. */
    listSize?: number;
  };
  endpoints: EndpointResult[];
  /**
   * Findings about the run as a whole, not one endpoint (policy.unused-suppression): no
   * verdict counts them. Absent when there are none.
   */
  runFindings?: Finding[];
}
