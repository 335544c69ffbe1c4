// Cipher suites: at least one listed suite accepted with an allowed version; a certificate whose
// key type fits none of the enabled suites; suites outside the policy's list (Mozilla); weak
// suites (64-bit blocks, NULL, export, anonymous, RC4).

import {
  type CertificateInfo,
  isRefusal,
  type ProbeOutcome,
  TLS_VERSIONS,
  type TlsVersion,
} from '../../model.js';
import { OBSERVATION } from '../../probe/observations.js';
import { type CipherSuite, suiteByCode, suiteName } from '../../wire/suites.js';
import { suitesFix } from '../remediation.js';
import {
  listText,
  outcomeText,
  suiteList,
  versionLabel,
  versionRank,
  withArticle,
} from '../text.js';
import {
  type AddressContext,
  acceptedSuites,
  enumerationOf,
  type RawFinding,
  type SeenSuite,
  suiteFitsVersion,
  versionOutcome,
  versionState,
  versionsFrom,
} from './context.js';
import { hasObservation } from './probes.js';
import { versionProbeText } from './versions.js';

// RFC 8446, Section 6: the alert codes that tell a version refusal from a suite refusal.
const HANDSHAKE_FAILURE = 40;
const PROTOCOL_VERSION = 70;

function listedSuitesOf(context: AddressContext): CipherSuite[] {
  return context.policy.listedSuites
    .map((code) => suiteByCode(code))
    .filter((suite): suite is CipherSuite => suite !== undefined);
}

/** "TLS_A (TLS 1.2), TLS_B (TLS 1.0 and TLS 1.2)": each suite once, with its versions. */
function seenText(seen: SeenSuite[]): string {
  const versions = new Map<number, TlsVersion[]>();
  for (const entry of seen) {
    versions.set(entry.code, [...(versions.get(entry.code) ?? []), entry.version]);
  }
  return listText(
    [...versions].map(
      ([code, list]) =>
        `${suiteName(code)} (${listText(
          list.sort((a, b) => versionRank(a) - versionRank(b)).map(versionLabel),
        )})`,
    ),
  );
}

// --- At least one listed suite -------------------------------------------------------------------

export function checkListedSuites(context: AddressContext): RawFinding[] {
  const { address, policy } = context;
  const listed = new Set(policy.listedSuites);
  const listedSuites = listedSuitesOf(context);
  const allowedVersions = versionsFrom(policy.minVersion);
  const accepted = acceptedSuites(address).filter((entry) =>
    allowedVersions.includes(entry.version),
  );
  if (accepted.some((entry) => listed.has(entry.code)) || listedSuites.length === 0) {
    return [];
  }

  // The versions a listed suite could be accepted with. Each must be settled: refused, fully
  // enumerated, or (for TLS 1.2) refused the hello that offers exactly the listed suites.
  const relevant = allowedVersions.filter((version) =>
    listedSuites.some((suite) => suiteFitsVersion(suite, version)),
  );
  const unsettled = relevant.filter((version) => {
    const state = versionState(address, version);
    if (state === 'refused' || state === 'violation' || state === 'not-tls') {
      return false;
    }
    if (enumerationOf(address, version)?.complete) {
      return false;
    }
    return !(version === 'TLSv1.2' && isRefusal(address.listedSuites));
  });
  if (unsettled.length > 0) {
    context.inconclusive.push(
      `whether a listed suite is accepted with ${listText(unsettled.map(versionLabel), 'or')} ` +
        `(the hello with the listed suites was ${outcomeText(address.listedSuites)})`,
    );
    return [];
  }

  const newestListed = TLS_VERSIONS.filter((version) =>
    listedSuites.some((suite) => suiteFitsVersion(suite, version)),
  ).at(-1) as TlsVersion;
  const acceptedVersions = allowedVersions.filter(
    (version) => versionState(address, version) === 'accepted',
  );
  const which =
    listedSuites.length === 1
      ? 'the listed suite'
      : `at least one of the ${listedSuites.length} listed suites`;
  const expected = `${which} accepted with ${listText(relevant.map(versionLabel), 'or')}`;

  // The server only speaks versions newer than any listed suite (TLS 1.3 only, case 1).
  if (
    acceptedVersions.length > 0 &&
    acceptedVersions.every((version) => versionRank(version) > versionRank(newestListed))
  ) {
    const only = listText(acceptedVersions.map(versionLabel));
    const note = suiteRefusalNote(context, newestListed);
    const enable = `Enable ${versionLabel(newestListed)} next to ${only}`;
    return [
      {
        id: 'suites.none-listed',
        observed:
          `only ${only} ${acceptedVersions.length > 1 ? 'are' : 'is'} accepted, and every ` +
          `listed suite is a suite of ${versionLabel(newestListed)} or older: senders limited ` +
          `to ${versionLabel(newestListed)} cannot connect${note}`,
        expected: `${expected}, so that senders limited to ${versionLabel(newestListed)} connect`,
        remediation: suitesFix(
          policy,
          note
            ? `${enable} if it is off, and give it suites that fit the certificate's key: the ` +
                'list below holds ECDSA and RSA suites, and the server uses those its ' +
                'certificate fits.'
            : `${enable}, with the suites below.`,
        ),
      },
    ];
  }

  // The server works, just not with the list (case 19).
  if (accepted.length > 0) {
    return [
      {
        id: 'suites.none-listed',
        observed:
          'no suite in common with the required list; the server accepts ' + seenText(accepted),
        expected,
        remediation: suitesFix(
          policy,
          listedSuites.some((suite) => suite.kex === 'ECDHE')
            ? 'Add suites of the required list to the server configuration; the ECDHE ' +
                'suites below are forward secret and cover RSA and ECDSA certificates alike.'
            : 'Add suites of the required list, below, to the server configuration.',
        ),
      },
    ];
  }

  // A hello offering TLS 1.2 answered with TLS 1.0 is no acceptance of TLS 1.2 (the server
  // negotiated down, RFC 5246 Appendix E.1): the probe of each version says what it got.
  const refusals = relevant.map((version) => versionProbeText(context, version));
  // The listed-suites probe is a TLS 1.2 hello: it says something only for TLS 1.2 suites.
  const listedProbe =
    address.listedSuites.kind === 'accepted' || !relevant.includes('TLSv1.2')
      ? []
      : [`the hello offering exactly the listed suites was ${outcomeText(address.listedSuites)}`];

  // Listed suites the server does take, but only with a version below the minimum (cases 2, 4).
  const legacyListed = acceptedSuites(address).filter(
    (entry) => listed.has(entry.code) && !allowedVersions.includes(entry.version),
  );
  const legacyVersions = [...new Set(legacyListed.map((entry) => entry.version))].sort(
    (a, b) => versionRank(a) - versionRank(b),
  );
  const headline =
    legacyListed.length > 0
      ? `listed suites are accepted only over ${listText(legacyVersions.map(versionLabel), 'or')}, ` +
        `which senders refuse (${seenText(legacyListed)})`
      : 'no listed suite is accepted';
  return [
    {
      id: 'suites.none-listed',
      observed: `${headline}: ${[...refusals, ...listedProbe].join('; ')}`,
      expected,
      remediation: suitesFix(
        policy,
        `Enable ${listText(relevant.map(versionLabel), 'or')} with suites of the required ` +
          'list, as below.',
      ),
    },
  ];
}

/**
 * A version refused with handshake_failure, not protocol_version, beside a newer version that
 * works: from outside, a version switched off but answered with the wrong alert (gnutls does
 * this) looks the same as one whose enabled suites all need another certificate key type.
 */
function suiteRefusalNote(context: AddressContext, version: TlsVersion): string {
  if (!isAlert(versionOutcome(context.address, version), HANDSHAKE_FAILURE)) {
    return '';
  }
  const leaf = knownKeyType(context);
  const key = leaf ? ` (${keyText(leaf)})` : '';
  return (
    `; ${versionLabel(version)} hellos are refused with handshake_failure, not ` +
    `protocol_version: either ${versionLabel(version)} is off and the server answers it with ` +
    `the wrong alert, or it is on and none of its enabled suites fits the certificate${key}`
  );
}

// --- Certificate key type against the enabled suites (case 5) -----------------------------------

function knownKeyType(context: AddressContext): CertificateInfo | undefined {
  const { certificates } = context.address;
  for (const chain of [certificates.primary, ...certificates.others]) {
    if (chain && chain.served.length > 0) {
      return chain.served[0];
    }
  }
  return undefined;
}

function keyText(leaf: CertificateInfo): string {
  if (leaf.keyType === 'EC') {
    return `an EC (ECDSA) key on ${leaf.curve ?? 'an unknown curve'}`;
  }
  if (leaf.keyType === 'RSA' || leaf.keyType === 'RSA-PSS') {
    return `${withArticle(leaf.keyType)} key of ${leaf.keyBits} bits`;
  }
  return `${withArticle(leaf.keyType)} key`;
}

function isAlert(outcome: ProbeOutcome | undefined, code: number): boolean {
  return outcome?.kind === 'alert' && outcome.alert === code;
}

/**
 * TLS 1.2 is enabled (the server does not answer protocol_version) but every hello is refused
 * whichever key type its suites ask for. With per-key-type probes from the certificate check
 * that is certain; without them, a handshake_failure to a hello offering every suite says the
 * same.
 */
export function checkKeyTypeMismatch(context: AddressContext): RawFinding[] {
  const { address, policy } = context;
  if (versionRank('TLSv1.2') < versionRank(policy.minVersion)) {
    return [];
  }
  if (versionState(address, 'TLSv1.2') === 'accepted') {
    return [];
  }
  // With TLS 1.3 working on the same certificate, a TLS 1.2 refusal may as well be TLS 1.2
  // switched off; suites.none-listed names both causes (suiteRefusalNote).
  if (versionState(address, 'TLSv1.3') === 'accepted') {
    return [];
  }

  const probes = (address.certificates.keyTypes ?? []).filter(
    (probe) => probe.version === 'TLSv1.2',
  );
  let refusedKeyTypes: string[];
  if (probes.length > 0) {
    const allRefused = probes.every((probe) => isRefusal(probe.outcome));
    const versionRefused = probes.some((probe) => isAlert(probe.outcome, PROTOCOL_VERSION));
    const answersTls = probes.some((probe) => probe.outcome.kind === 'alert');
    if (!allRefused || versionRefused || !answersTls) {
      return [];
    }
    refusedKeyTypes = probes.map((probe) => probe.keyType);
  } else {
    const outcome = versionOutcome(address, 'TLSv1.2');
    const enumerated = enumerationOf(address, 'TLSv1.2');
    const noUsableSuite =
      isAlert(outcome, HANDSHAKE_FAILURE) || hasObservation(context, OBSERVATION.noUsableSuite);
    if (
      !noUsableSuite ||
      isAlert(outcome, PROTOCOL_VERSION) ||
      (enumerated?.accepted.length ?? 0) > 0
    ) {
      return [];
    }
    refusedKeyTypes = [];
  }

  const leafKeyType =
    knownKeyType(context) ??
    (address.certificates.keyTypes ?? []).find((probe) => probe.leafKeyType)?.leafKeyType;
  const asked =
    refusedKeyTypes.length > 0
      ? 'every TLS 1.2 hello is refused, whether its suites ask for ' +
        `${listText(refusedKeyTypes, 'or')} ` +
        'keys'
      : 'a TLS 1.2 hello offering every suite is refused with handshake_failure, so TLS 1.2 is ' +
        'enabled but no suite can be used';
  let certificate: string;
  if (leafKeyType === undefined) {
    // Without the certificate the key type is a guess: an ECDHE suite also fails when the
    // server has no elliptic curve enabled, and a DHE suite when it has no DH parameters
    // (nginx on OpenSSL 3 without ssl_dhparam), which look the same from outside.
    certificate =
      'the certificate could not be obtained, so the cause may also be that no elliptic ' +
      'curve is enabled for its ECDHE suites, or no DH parameters for its DHE suites';
  } else if (typeof leafKeyType === 'string') {
    certificate = `the certificate has ${withArticle(leafKeyType)} key`;
  } else {
    certificate = `the certificate has ${keyText(leafKeyType)}`;
  }

  return [
    {
      id: 'suites.certificate-key-mismatch',
      observed: `${asked}; ${certificate}`,
      expected:
        'TLS 1.2 suites enabled for the key of the certificate: ECDHE-ECDSA suites for an EC ' +
        'key, ECDHE-RSA suites for an RSA key',
      remediation: suitesFix(
        policy,
        'Enable suites that fit the certificate, or install a certificate of the other key ' +
          'type next to it (nginx and Apache take an RSA and an ECDSA certificate side by ' +
          'side). The list below holds ECDSA and RSA suites; the server uses those its ' +
          'certificates fit.' +
          (leafKeyType === undefined
            ? ' If they fit already, enable X25519 and P-256 for ECDHE (ssl_ecdh_curve in ' +
              'nginx, -groups or Groups in OpenSSL), and give DHE suites DH parameters ' +
              '(ssl_dhparam in nginx).'
            : ''),
      ),
    },
  ];
}

// --- Suites outside the policy's list (Mozilla) -------------------------------------------------

export function checkAllowedSuites(context: AddressContext): RawFinding[] {
  const { policy } = context;
  if (!policy.allowedSuites) {
    return [];
  }

  const allowed = new Set(policy.allowedSuites);
  const allowedVersions = versionsFrom(policy.minVersion);
  const outside = acceptedSuites(context.address).filter(
    (entry) => allowedVersions.includes(entry.version) && !allowed.has(entry.code),
  );
  if (outside.length === 0) {
    return [];
  }

  return [
    {
      id: 'suites.not-allowed',
      observed: `accepted outside the list: ${seenText(outside)}`,
      expected: `only the policy's suites: ${suiteList(policy.allowedSuites)}`,
      remediation: suitesFix(policy, "Configure exactly the policy's suites."),
    },
  ];
}

// --- Weak suites --------------------------------------------------------------------------------

export function checkWeakSuites(context: AddressContext): RawFinding[] {
  const { policy } = context;
  const findings: RawFinding[] = [];
  const accepted = acceptedSuites(context.address);

  const block64 = accepted.filter((entry) => entry.suite?.block64);
  if (block64.length > 0) {
    findings.push({
      id: 'suites.64-bit-block-cipher',
      observed: `suites with a 64-bit block cipher accepted: ${seenText(block64)}`,
      expected:
        'no 3DES, DES, IDEA or RC2 suites (Sweet32, CVE-2016-2183); AES-GCM or ' +
        'ChaCha20-Poly1305 instead',
      remediation: suitesFix(
        policy,
        'Replace the 64-bit block cipher suites with AES-GCM or ChaCha20-Poly1305 suites. ' +
          'Enable the new suites before removing the old ones: senders need one listed suite.',
      ),
    });
  }

  const insecure = accepted.filter(
    (entry) =>
      entry.suite &&
      (entry.suite.nullCipher || entry.suite.export || entry.suite.anonymous || entry.suite.rc4),
  );
  if (insecure.length > 0) {
    const reasons = (suite: CipherSuite) =>
      [
        suite.nullCipher ? 'no encryption' : '',
        suite.export ? 'export grade' : '',
        suite.anonymous ? 'no server authentication' : '',
        suite.rc4 ? 'RC4' : '',
      ].filter(Boolean);
    const described = [
      ...new Map(insecure.map((entry) => [entry.code, entry.suite!])).values(),
    ].map((suite) => `${suite.name} (${listText(reasons(suite))})`);
    findings.push({
      id: 'suites.insecure',
      observed: `insecure suites accepted: ${listText(described)}`,
      expected: 'no NULL, export, anonymous or RC4 suites',
      remediation: suitesFix(policy, 'Configure an explicit list of strong suites, as below.'),
    });
  }

  return findings;
}
