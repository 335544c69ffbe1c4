// The certificate checks of one address: which chains the server presents (per key type, with
// the endpoint's name as SNI, without SNI, with a name it cannot know), each judged by
// analyseChain, and what the differences say about the server's SNI handling.
//
// Every chain comes from our own ClientHellos through probeHello, which hands back the
// Certificate message as served. node:tls is no use here: getPeerCertificate() reorders the
// chain, drops unrelated certificates and completes it from the local store.

import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import {
  type CertificateCheck,
  type Endpoint,
  type KeyTypeProbe,
  type ProbeOutcome,
  type ScanOptions,
  type ServedChain,
  type SniBehaviour,
  type TlsVersion,
  type VersionSupport,
  withArticle,
} from '../model.js';
import {
  type HelloProbeResult,
  type ProbeOptions,
  type ProbeTarget,
  type ProbeTimeouts,
  probeHello,
  probeWithoutClientCertificate,
} from '../probe/connection.js';
import { alertName } from '../wire/alerts.js';
import { Group } from '../wire/groups.js';
import type { HelloOptions } from '../wire/hello.js';
import { type Authentication, suiteByCode, suitesForVersion } from '../wire/suites.js';
import { canFinishTls12 } from '../wire/tls12.js';
import { analyseChain } from './chain.js';
import {
  CertificateParseError,
  certificateInfo,
  loadCertificateParser,
  signatureKeyType,
} from './info.js';
import { trustAnchors } from './trust.js';

type KeyType = KeyTypeProbe['keyType'];

/** probeHello or a stand-in with its signature. */
export type HelloProbe = (
  target: ProbeTarget,
  hello: HelloOptions,
  timeouts: ProbeTimeouts,
  options?: ProbeOptions,
) => Promise<HelloProbeResult>;

// RFC 6066, Section 3: the alert a server may send, as a warning or fatal, for a name it does
// not recognise. Java's JSSE treats even the warning as fatal.
const UNRECOGNIZED_NAME = 112;

const MAX_SUITES_PER_HELLO = 128;

const KEY_TYPES: readonly KeyType[] = ['RSA', 'ECDSA', 'EdDSA'];

// TLS 1.2 picks the certificate through the suite's authentication (RFC 5246, Appendix A.5;
// RFC 8422, Section 2: ECDSA and EdDSA certificates both use ECDHE_ECDSA suites) and, between
// ECDSA and EdDSA, through signature_algorithms. TLS 1.3 picks it through signature_algorithms
// alone (RFC 8446, Section 4.2.3).
const SUITE_AUTH: Record<KeyType, Authentication> = {
  RSA: 'RSA',
  ECDSA: 'ECDSA',
  EdDSA: 'ECDSA',
};

// biome-ignore format: one key type per line
const SCHEMES: Record<KeyType, number[]> = {
  // rsa_pss_rsae_*, rsa_pss_pss_*, rsa_pkcs1_sha256/384/512, then rsa_pkcs1_sha1 for TLS 1.2.
  RSA: [0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0201],
  // ecdsa_secp256r1_sha256, _secp384r1_sha384, _secp521r1_sha512, then ecdsa_sha1.
  ECDSA: [0x0403, 0x0503, 0x0603, 0x0203],
  // ed25519, ed448.
  EdDSA: [0x0807, 0x0808],
};

// Key exchanges where the certificate's key signs (ECDHE, DHE) or decrypts (RSA). Static DH and
// ECDH suites need a DH or ECDH certificate, which no webhook receiver has.
const CERTIFICATE_KEX = new Set(['RSA', 'DHE', 'ECDHE']);

// A TLS 1.3 server that wants another key share answers with a HelloRetryRequest; the chain
// only comes after the second ClientHello (RFC 8446, Section 4.1.4).

/** A name no server can have configured: `.invalid` never resolves (RFC 2606, Section 2). */
export function unknownServerName(): string {
  return `unknown-${randomBytes(6).toString('hex')}.invalid`;
}

/**
 * Starts loading what reading certificates takes (the X.509 parser, the names of the trust
 * anchors) a turn of the event loop later: called as a scan starts, the loading then runs while
 * its first hellos are out instead of before them.
 */
export function prepareCertificateChecks(): void {
  setImmediate(() => {
    loadCertificateParser().then(
      () => setImmediate(() => trustAnchors([])),
      // checkCertificates awaits the loading again and reports what went wrong.
      () => {},
    );
  });
}

/** Checks the certificates and SNI handling of one address of an endpoint. */
export async function checkCertificates(
  endpoint: Endpoint,
  target: ProbeTarget,
  context: { versions: VersionSupport[] },
  options: ScanOptions,
  probe: HelloProbe = probeHello,
  finish: typeof probeWithoutClientCertificate = probeWithoutClientCertificate,
): Promise<CertificateCheck> {
  const version = certificateVersion(context.versions);
  const serverName = endpoint.hostIsIp ? null : endpoint.host;
  const expectedName = { host: endpoint.host, hostIsIp: endpoint.hostIsIp };
  const timeouts = { connectMs: options.connectTimeoutMs, readMs: options.readTimeoutMs };
  const limit = pLimit(Math.max(1, options.perHostConcurrency));
  // A TLS 1.3 server that wants another key share answers with a HelloRetryRequest; the
  // certificate comes only after the second hello (RFC 8446, Section 4.1.4).
  const run = (hello: HelloOptions, closeEarly?: false) =>
    limit(() => probe(target, hello, timeouts, { followHelloRetry: true, closeEarly }));

  const errors: string[] = [];
  const chainOf = (
    result: HelloProbeResult | null,
    sni: string | null,
    keyType?: KeyType,
  ): ServedChain | null => {
    if (result?.outcome.kind !== 'accepted') {
      return null;
    }
    if (stalled(result)) {
      errors.push('the server sent its ServerHello and then nothing more: no certificate came');
      return null;
    }
    if (result.certificates.length === 0 && result.outcome.version === 'TLSv1.3') {
      const why = result.decryptError ?? (result.helloRetryRequest ? 'HelloRetryRequest' : null);
      errors.push(`the TLS 1.3 certificates could not be read${why ? ` (${why})` : ''}`);
      return null;
    }
    try {
      return analyseChain(result.certificates, expectedName, {
        extraCaPem: options.extraCaPem,
        now: options.now,
        sni,
        keyType,
        ocspStapled: result.ocspStapled,
        clientCertificateRequested: result.clientCertificateRequested === true,
      });
    } catch (error) {
      if (error instanceof CertificateParseError) {
        errors.push(`a certificate the server sent is unreadable: ${error.message}`);
        return null;
      }
      throw error;
    }
  };

  // One hello like a broad client's with the endpoint's name and, for host names, one without
  // SNI and one with a name the server cannot know. Then one hello per key type, except the
  // key type the broad hello already got: asking for it again would show the same leaf. The
  // broad hello's chain is read while the others are out.
  const parserLoaded = loadCertificateParser();
  // Awaited below, after a round trip: a failed load must not count as unhandled before then.
  parserLoaded.catch(() => {});
  const unknownName = unknownServerName();
  const noSniRun = serverName === null ? null : run(broadHello(version, null));
  const unknownRun = serverName === null ? null : run(broadHello(version, unknownName));
  let primary = await run(broadHello(version, serverName));
  // A flight that stops after the ServerHello may be a passing stall, or a server that stops
  // on reading our close_notify: asked once more, without the alert.
  if (stalled(primary)) {
    primary = await run(broadHello(version, serverName), false);
  }

  const primaryKeyType = leafKeyType(primary);
  const keyTypeRuns = KEY_TYPES.map((keyType) =>
    keyType === primaryKeyType ? null : run(keyTypeHello(version, serverName, keyType)),
  );
  await parserLoaded;
  const primaryRead = chainOf(primary, serverName);
  const primaryAsKeyType =
    primaryKeyType === null ? null : chainOf(primary, serverName, primaryKeyType);

  const [rsa, ecdsa, eddsa] = await Promise.all(keyTypeRuns.map((pending) => pending ?? primary));
  const [noSni, unknown] = await Promise.all([noSniRun, unknownRun]);

  const byKeyType = { RSA: rsa, ECDSA: ecdsa, EdDSA: eddsa };
  const keyTypeChains = KEY_TYPES.map((keyType) =>
    keyType === primaryKeyType
      ? primaryAsKeyType
      : chainOf(byKeyType[keyType], serverName, keyType),
  );
  const primaryChain = primaryRead ?? keyTypeChains.find((chain) => chain !== null) ?? null;
  const noSniChain = chainOf(noSni, null);
  const unknownChain = chainOf(unknown, unknownName);

  const others: ServedChain[] = [];
  for (const chain of [...keyTypeChains, noSniChain, unknownChain]) {
    if (chain && chain !== primaryChain && !sameServedChain(chain, primaryChain, others)) {
      others.push(chain);
    }
  }

  const check: CertificateCheck = {
    primary: primaryChain,
    others,
    sni: sniBehaviour({
      hostIsIp: endpoint.hostIsIp,
      primary,
      primaryChain,
      noSni,
      noSniChain,
      unknown,
      unknownChain,
    }),
    keyTypes: KEY_TYPES.map((keyType) =>
      keyTypeProbe(keyType, version, serverName, byKeyType[keyType], options.now),
    ),
  };

  if (primaryChain?.clientCertificateRequested) {
    check.withoutClientCertificate = await answerWithoutCertificate(
      (hello) => limit(() => finish(target, finishingHello(hello, serverName), timeouts)),
      context.versions,
    );
  }
  if (!primaryChain && stalled(primary)) {
    check.stalledAfterServerHello = true;
  }
  if (!primaryChain) {
    check.error = primaryError(version, primary, errors);
  } else if (errors.length > 0) {
    check.error = [...new Set(errors)].join('; ');
  }
  return check;
}

/** Which hello finishes the handshake: see finishingHello. */
type FinishingHello = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.2, any suite';

/**
 * Whether a server that asks for a client certificate goes on without one, tried in TLS 1.3
 * as a sender offers it first, and in TLS 1.2 when the server speaks no TLS 1.3 or TLS 1.3
 * could not tell (a HelloRetryRequest for a group without a share). TLS 1.2 offers the suites
 * the finish completes first, and every suite only when the server refuses those.
 */
async function answerWithoutCertificate(
  tryHello: (
    hello: FinishingHello,
  ) => Promise<Awaited<ReturnType<typeof probeWithoutClientCertificate>>>,
  versions: VersionSupport[],
): Promise<NonNullable<CertificateCheck['withoutClientCertificate']>> {
  const speaks = (version: TlsVersion) =>
    versions.some((v) => v.version === version && v.accepted === true);
  if (!speaks('TLSv1.3') && !speaks('TLSv1.2')) {
    return { answer: 'unknown', detail: 'the server speaks neither TLS 1.3 nor TLS 1.2' };
  }

  let version: 'TLSv1.3' | 'TLSv1.2' = speaks('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2';
  let answer = await tryHello(version);
  if (answer.kind === 'unknown' && version === 'TLSv1.3' && speaks('TLSv1.2')) {
    version = 'TLSv1.2';
    answer = await tryHello(version);
  }
  if (answer.kind === 'unknown' && version === 'TLSv1.2' && answer.helloRefused === true) {
    answer = await tryHello('TLSv1.2, any suite');
  }
  if (answer.kind !== 'refused') {
    return { answer: answer.kind, detail: answer.detail, version };
  }
  const alert = `the server ends the handshake with a fatal ${alertName(answer.alert)} alert`;
  const refusals = version === 'TLSv1.2' ? REFUSES_CERTIFICATE_TLS12 : REFUSES_CERTIFICATE;
  return { answer: refusals.has(answer.alert) ? 'refused' : 'unknown', detail: alert, version };
}

// The alerts that refuse a client for its certificate (RFC 8446 Section 6.2): certificate_
// required above all, and what older stacks send instead. Any other alert (decrypt_error,
// unexpected_message) faults our messages, not the missing certificate, and proves nothing.
const REFUSES_CERTIFICATE = new Set([
  40, // handshake_failure
  42, // bad_certificate
  46, // certificate_unknown
  48, // unknown_ca
  49, // access_denied
  116, // certificate_required
]);

// GnuTLS (3.7) ends a TLS 1.2 handshake that lacks a required certificate with decode_error,
// and openssl s_client gets the same; our empty Certificate decodes, as the servers that go on
// without one show (test/cert/client-certificate.test.ts).
const REFUSES_CERTIFICATE_TLS12 = new Set([...REFUSES_CERTIFICATE, 50]);

// --- Hellos ---------------------------------------------------------------------------------

// Certificates are read from TLS 1.2 when the server speaks it: its Certificate message is in
// the clear. A TLS 1.3-only server is asked in TLS 1.3, and one stuck on older versions in the
// newest it has. With no version accepted, TLS 1.2 hellos still tell which key types fail.
function certificateVersion(versions: VersionSupport[]): TlsVersion {
  const accepted = new Set(versions.filter((v) => v.accepted === true).map((v) => v.version));
  for (const version of ['TLSv1.2', 'TLSv1.3', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const) {
    if (accepted.has(version)) {
      return version;
    }
  }
  return 'TLSv1.2';
}

function certificateSuites(version: TlsVersion, auths: Authentication[]): number[] {
  if (version === 'TLSv1.3') {
    return suitesForVersion('TLSv1.3')
      .filter((suite) => suite.kex === 'TLS13')
      .map((suite) => suite.code);
  }

  // Strong suites first, so that a server following the client's order answers as it would
  // answer a sender.
  const suites = suitesForVersion(version).filter(
    (suite) => auths.includes(suite.auth) && CERTIFICATE_KEX.has(suite.kex),
  );
  const rank = (suite: (typeof suites)[number]) =>
    (suite.forwardSecret ? 0 : 2) +
    (suite.aead ? 0 : 1) +
    (suite.export || suite.nullCipher ? 4 : 0);
  return suites
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, MAX_SUITES_PER_HELLO)
    .map((suite) => suite.code);
}

function versionBounds(version: TlsVersion): Pick<HelloOptions, 'version' | 'minVersion'> {
  return version === 'TLSv1.3' ? { version, minVersion: 'TLSv1.3' } : { version };
}

// The hello of the handshake finished without a client certificate: a sender's, as broad as
// the certificate hellos. In TLS 1.3 it carries a key share for every curve, so that a server
// does not ask for another with a HelloRetryRequest. In TLS 1.2 it offers the suites the
// finish completes (src/wire/tls12.ts), or every suite: a server that picks one the finish
// cannot do still shows whether it takes an empty Certificate, at the price of a read timeout.
function finishingHello(hello: FinishingHello, serverName: string | null): HelloOptions {
  if (hello === 'TLSv1.3') {
    const curves = [Group.x25519, Group.secp256r1, Group.secp384r1, Group.secp521r1, Group.x448];
    return { ...broadHello('TLSv1.3', serverName), keyShareGroups: curves };
  }
  const broad = { ...broadHello('TLSv1.2', serverName), statusRequest: false };
  if (hello === 'TLSv1.2, any suite') return broad;
  // ECDHE first, as senders order them, and a DH exchange only after it: a 2048-bit or larger
  // DH key costs milliseconds a curve does not.
  const kexRank = (code: number) => ['ECDHE', 'DHE', 'RSA'].indexOf(suiteByCode(code)?.kex ?? '');
  const finishable = broad.suites.filter((code) => {
    const suite = suiteByCode(code);
    return suite !== undefined && canFinishTls12(suite);
  });
  return { ...broad, suites: finishable.sort((a, b) => kexRank(a) - kexRank(b)) };
}

function broadHello(version: TlsVersion, serverName: string | null): HelloOptions {
  return {
    ...versionBounds(version),
    suites: certificateSuites(version, ['RSA', 'ECDSA', 'DSS']),
    serverName,
    statusRequest: true,
  };
}

function keyTypeHello(version: TlsVersion, serverName: string | null, keyType: KeyType) {
  return {
    ...versionBounds(version),
    suites: certificateSuites(version, [SUITE_AUTH[keyType]]),
    signatureSchemes: SCHEMES[keyType],
    serverName,
    statusRequest: true,
  } satisfies HelloOptions;
}

// --- Results --------------------------------------------------------------------------------

/**
 * Accepted, but the flight broke off after the ServerHello with no certificate: the server
 * stopped (silence until the read timeout, or the connection ended), as opposed to a TLS 1.3
 * flight that could not be decrypted.
 */
function stalled(result: HelloProbeResult): boolean {
  return (
    result.outcome.kind === 'accepted' &&
    result.flightComplete === false &&
    result.decryptError === undefined &&
    result.helloRetryRequest !== true &&
    result.certificates.length === 0
  );
}

/** The key type of an accepted hello's leaf; see signatureKeyType. */
function leafKeyType(result: HelloProbeResult): KeyType | null {
  const leaf = result.certificates[0];
  return result.outcome.kind === 'accepted' && leaf ? signatureKeyType(leaf) : null;
}

function leafFingerprint(chain: ServedChain | null): string | null {
  return chain?.served[0]?.fingerprintSha256 ?? null;
}

function fingerprints(chain: ServedChain): string {
  return chain.served.map((info) => info.fingerprintSha256).join(',');
}

function sameServedChain(
  chain: ServedChain,
  primary: ServedChain | null,
  others: ServedChain[],
): boolean {
  const key = fingerprints(chain);
  return [primary, ...others].some((seen) => seen !== null && fingerprints(seen) === key);
}

function keyTypeProbe(
  keyType: KeyType,
  version: TlsVersion,
  sni: string | null,
  result: HelloProbeResult,
  now: Date,
): KeyTypeProbe {
  const probe: KeyTypeProbe = { keyType, version, sni, outcome: result.outcome };
  const leaf = result.certificates[0];
  if (result.outcome.kind === 'accepted' && leaf) {
    try {
      const info = certificateInfo(leaf, now);
      probe.leafKeyType = info.keyType;
      probe.leafFingerprintSha256 = info.fingerprintSha256;
    } catch (error) {
      if (!(error instanceof CertificateParseError)) {
        throw error;
      }
    }
  }
  return probe;
}

function primaryError(version: TlsVersion, primary: HelloProbeResult, errors: string[]): string {
  if (errors.length > 0) {
    return errors[0];
  }
  const outcome = primary.outcome;
  return `no certificate seen: a ${version} hello ended with ${describeOutcome(outcome)}`;
}

function describeOutcome(outcome: ProbeOutcome): string {
  switch (outcome.kind) {
    case 'accepted':
      return `${outcome.version} accepted`;
    case 'alert':
      return `${withArticle(outcome.alertName)} alert (${outcome.alert})`;
    case 'reset':
      return 'a connection reset';
    case 'closed':
      return 'the connection closed';
    case 'timeout':
      return `a timeout while ${outcome.phase === 'connect' ? 'connecting' : 'reading'}`;
    case 'not-tls':
    case 'violation':
    case 'error':
      return outcome.detail;
  }
}

// --- SNI ------------------------------------------------------------------------------------

interface SniEvidence {
  hostIsIp: boolean;
  primary: HelloProbeResult;
  primaryChain: ServedChain | null;
  noSni: HelloProbeResult | null;
  noSniChain: ServedChain | null;
  unknown: HelloProbeResult | null;
  unknownChain: ServedChain | null;
}

function isRefused(result: HelloProbeResult | null): boolean {
  const kind = result?.outcome.kind;
  return kind === 'alert' || kind === 'reset' || kind === 'closed';
}

/** How the server treats SNI, from the hellos with, without and with an unknown name. */
export function sniBehaviour(evidence: SniEvidence): SniBehaviour {
  const { primary, primaryChain, noSni, noSniChain, unknown, unknownChain } = evidence;
  const primaryAccepted = primary.outcome.kind === 'accepted';
  const nameWarning = primaryAccepted ? primary.warnings.includes(UNRECOGNIZED_NAME) : null;

  // An IP endpoint is reached without SNI (RFC 6066, Section 3 forbids IP literals in it), so
  // what it gets is what every client without SNI gets.
  if (evidence.hostIsIp || !noSni || !unknown) {
    return {
      honoured: null,
      required: null,
      noSniNameMatches: primaryChain?.nameMatches ?? null,
      unknownName: null,
      nameWarning,
    };
  }

  const primaryLeaf = leafFingerprint(primaryChain);
  const required = !primaryAccepted
    ? null
    : isRefused(noSni)
      ? true
      : noSni.outcome.kind === 'accepted'
        ? false
        : null;

  let unknownName: SniBehaviour['unknownName'] = null;
  if (unknown.outcome.kind === 'alert') {
    unknownName = 'fatal-alert';
  } else if (unknown.outcome.kind === 'accepted') {
    if (unknown.warnings.includes(UNRECOGNIZED_NAME)) {
      unknownName = 'warning-alert';
    } else if (unknownChain && primaryLeaf) {
      unknownName =
        leafFingerprint(unknownChain) === primaryLeaf ? 'same-certificate' : 'other-certificate';
    }
  }

  const differs = (chain: ServedChain | null) =>
    chain !== null && primaryLeaf !== null && leafFingerprint(chain) !== primaryLeaf;
  let honoured: boolean | null = null;
  if (
    required === true ||
    differs(noSniChain) ||
    differs(unknownChain) ||
    unknownName === 'fatal-alert' ||
    unknownName === 'warning-alert'
  ) {
    honoured = true;
  } else if (noSniChain && unknownChain && primaryLeaf) {
    honoured = false;
  }

  return {
    honoured,
    required,
    noSniNameMatches: noSniChain?.nameMatches ?? null,
    unknownName,
    nameWarning,
    noSniOutcome: noSni.outcome,
    unknownNameOutcome: unknown.outcome,
  };
}
