// Certificates: the chain a sender sees (SNI with the endpoint's name, none for an IP endpoint)
// must be one a sender accepts: trusted, complete, for the endpoint's name, in date, with strong
// signatures and keys. The certificate layer names the problems (ChainProblem codes); this
// turns them into findings with evidence a person can act on, and adds the policy's own limits
// (expiry warning, Mozilla's key types, curves, sizes, signatures, lifespan, OCSP stapling).
//
// The expiry warning looks at every certificate of the path a sender builds, the trust anchor
// included: deliveries fail on the earliest notAfter, often an intermediate's. Mozilla's limits
// apply to the leaf alone.

import {
  type ChainExpiry,
  describeNames,
  type ExpectedName,
  earliestExpiry,
  ipAsDnsNote,
  nameMatches,
} from '../../cert/index.js';
import type { CertificateInfo, ChainProblem, ChainProblemCode, ServedChain } from '../../model.js';
import {
  adviceOnly,
  certificateFix,
  chainFix,
  nameFix,
  subjectAltNameFix,
} from '../remediation.js';
import type { RuleId } from '../rules.js';
import {
  dateText,
  daysBetween,
  daysUntil,
  listText,
  plural,
  versionLabel,
  withArticle,
} from '../text.js';
import { type AddressContext, anyVersionAccepted, type RawFinding } from './context.js';

const PROBLEM_RULES: Record<ChainProblemCode, RuleId> = {
  'missing-intermediate': 'certificate.incomplete-chain',
  'wrong-intermediate': 'certificate.wrong-intermediate',
  untrusted: 'certificate.untrusted',
  'self-signed': 'certificate.self-signed',
  expired: 'certificate.expired',
  'not-yet-valid': 'certificate.not-yet-valid',
  'expired-in-chain': 'certificate.expired-in-chain',
  'name-mismatch': 'certificate.name-mismatch',
  'weak-signature': 'certificate.weak-signature',
  'weak-key': 'certificate.weak-key',
  'bad-order': 'certificate.chain-order',
  'root-sent': 'certificate.root-sent',
  'not-server-auth': 'certificate.not-server-auth',
  'bad-basic-constraints': 'certificate.bad-basic-constraints',
  'unused-certificate': 'certificate.unused-certificate',
};

/** Rules whose finding explains why the chain is not trusted. */
const TRUST_RULES: RuleId[] = [
  'certificate.untrusted',
  'certificate.self-signed',
  'certificate.incomplete-chain',
  'certificate.wrong-intermediate',
  'certificate.expired-in-chain',
  'certificate.bad-basic-constraints',
];

/** The names a certificate covers, as evidence: "example.test and www.example.test (DNS)". */
export function namesText(certificate: CertificateInfo): string {
  return hasAltNames(certificate)
    ? describeNames(certificate)
    : `no name (${NO_ALT_NAMES} ${certificate.subject})`;
}

function hasAltNames(certificate: CertificateInfo): boolean {
  return certificate.dnsNames.length > 0 || certificate.ipAddresses.length > 0;
}

// RFC 9525 dropped the fallback to the subject's common name that RFC 6125, Section 6.4.4 still
// allowed; Go and the browsers ignore the CN, so a certificate without subjectAltName names no
// host for them, whatever its subject says. Node and Java still fall back to it.
const NO_ALT_NAMES = 'it has no subjectAltName, and Go and the browsers ignore its subject';

/**
 * A certificate without subjectAltName whose subject CN is the endpoint's name: it was made for
 * this name and lacks only the subjectAltName that senders read, so it is no other site's.
 */
function onlyCommonNameCovers(certificate: CertificateInfo, expected: ExpectedName): boolean {
  if (hasAltNames(certificate)) {
    return false;
  }
  const commonName = certificate.subject.match(/(?:^|, )CN=([^,]+)/)?.[1]?.trim();
  if (!commonName) {
    return false;
  }
  // Matched as a subjectAltName entry would be, so *.example.test covers hooks.example.test.
  return nameMatches({ dnsNames: [commonName], ipAddresses: [commonName] }, expected);
}

/** What a certificate for the wrong name covers, as a sentence. */
function coverageText(certificate: CertificateInfo, host: string): string {
  if (!hasAltNames(certificate)) {
    return (
      `the certificate has no subjectAltName, only the subject ${certificate.subject}; Go ` +
      'and the browsers ignore a subject CN (RFC 9525 dropped the fallback of RFC 6125, ' +
      `Section 6.4.4), so for senders built on them it covers no name, not ${host} either ` +
      '(Node and Java still read the CN)'
    );
  }
  return `the certificate covers ${describeNames(certificate)}, not ${host}`;
}

export function keyText(certificate: CertificateInfo): string {
  if (certificate.keyType === 'EC') {
    return `EC ${certificate.curve ?? `${certificate.keyBits}-bit`}`;
  }
  if (
    certificate.keyType === 'RSA' ||
    certificate.keyType === 'RSA-PSS' ||
    certificate.keyType === 'DSA'
  ) {
    return `${certificate.keyType} ${certificate.keyBits}-bit`;
  }
  return certificate.keyType === 'other' ? 'unknown-type' : certificate.keyType;
}

/**
 * Validity of the leaf, always with the days left (or since expiry), and the certificate of the
 * chain that expires before it, if one does: senders fail from that date.
 */
function validityText(chain: ServedChain, now: Date): string {
  const leaf = chain.served[0];
  const days = daysUntil(leaf.notAfter, now);
  const text =
    days < 0
      ? `expired on ${dateText(leaf.notAfter)}, ${plural(-days, 'day')} ago`
      : `valid until ${dateText(leaf.notAfter)}, ${plural(days, 'day')} left`;

  const first = earliestExpiry(chain);
  if (!first || first.position === 0) {
    return text;
  }
  const firstDays = daysUntil(first.certificate.notAfter, now);
  const when =
    firstDays < 0
      ? `expired on ${dateText(first.certificate.notAfter)}`
      : `expires first, on ${dateText(first.certificate.notAfter)}, in ${plural(firstDays, 'day')}`;
  return `${text}; ${first.role} (${first.certificate.subject}) ${when}`;
}

/** The certificate-expiring-soon finding for the certificate of the chain that expires first. */
function expiringSoon(chain: ServedChain, first: ChainExpiry, days: number, warnDays: number) {
  const leaf = chain.served[0];
  const date = dateText(first.certificate.notAfter);
  const expected =
    `more than ${plural(warnDays, 'day')} of validity left on every certificate of the ` + 'chain';

  if (first.position === 0) {
    return {
      observed: `the certificate expires on ${date}, in ${plural(days, 'day')}`,
      expected,
      remediation: certificateFix(
        'Renew the certificate now and automate renewal (for example with an ACME client).',
      ),
    };
  }

  const observed =
    `${first.role} (${first.certificate.subject}) expires on ${date}, in ` +
    `${plural(days, 'day')}, before the leaf (valid until ${dateText(leaf.notAfter)}): ` +
    'senders check every certificate of the chain, so deliveries fail from that date';
  if (first.position === 'anchor') {
    return {
      observed: `${observed}; it is the root the chain ends at`,
      expected,
      remediation: adviceOnly(
        'Move to a root that stays valid: get the chain from a CA whose root outlasts the ' +
          'leaf or, for a private root, issue a new root, give it to your senders and reissue ' +
          'the chain under it.',
      ),
    };
  }
  return {
    observed,
    expected,
    remediation: chainFix(
      'Replace the certificate that expires first with the one your CA issues now: serve ' +
        "your CA's current chain, the leaf first, then its intermediates.",
    ),
  };
}

function certificateAt(chain: ServedChain, problem: ChainProblem): CertificateInfo | undefined {
  return problem.certificate !== undefined ? chain.served[problem.certificate] : undefined;
}

interface Explained {
  observed: string;
  expected: string;
}

function explain(
  context: AddressContext,
  rule: RuleId,
  chain: ServedChain,
  problem: ChainProblem | undefined,
): Explained {
  const { endpoint, now } = context;
  const leaf = chain.served[0];
  const subject = problem ? certificateAt(chain, problem) : undefined;
  const detail = problem?.detail ?? '';

  switch (rule) {
    // One certificate for the three names tried hints at a default certificate; only those
    // names are known, so the evidence says it as a guess. A certificate whose CN is the
    // endpoint's name is meant for it, whatever else the server serves: no guess then.
    case 'certificate.name-mismatch':
      return {
        observed:
          coverageText(leaf, endpoint.host) +
          ipAsDnsNote(leaf, endpoint) +
          (context.address.certificates.sni.honoured === false &&
          !onlyCommonNameCovers(leaf, endpoint)
            ? '; the server sends it alike for this name, for no name and for a name it cannot ' +
              'know, so it is probably its default certificate and no site may be set up for ' +
              'this name'
            : ''),
        expected: `a certificate whose subjectAltName covers ${endpoint.host}`,
      };
    case 'certificate.expired':
      return {
        observed:
          `the certificate expired on ${dateText(leaf.notAfter)}, ` +
          `${plural(-daysUntil(leaf.notAfter, now), 'day')} ago`,
        expected: 'a certificate within its validity period',
      };
    case 'certificate.not-yet-valid':
      return {
        observed:
          `the certificate is valid only from ${dateText(leaf.notBefore)}, in ` +
          `${plural(Math.max(0, daysUntil(leaf.notBefore, now)), 'day')}`,
        expected: 'a certificate within its validity period',
      };
    case 'certificate.incomplete-chain':
      return {
        observed:
          `the server sends ${plural(chain.served.length, 'certificate')} and not the ` +
          `intermediate that issued the leaf (issuer ${leaf.issuer}), and no trusted root ` +
          'issued it; if that issuer is a private root rather than an intermediate, senders ' +
          'do not trust it either (a ca-file names the roots your senders have)',
        expected: 'the leaf followed by its intermediates: senders do not fetch missing ones',
      };
    case 'certificate.wrong-intermediate': {
      const sent = subject ?? chain.served[1];
      return {
        observed:
          `the intermediate sent${sent ? ` (${sent.subject})` : ''} does not issue the ` +
          `leaf (issuer ${leaf.issuer})`,
        expected: 'the intermediate that issued the leaf',
      };
    }
    case 'certificate.self-signed':
      return {
        observed: `the certificate is self-signed (${leaf.subject})`,
        expected: 'a certificate from a publicly trusted CA',
      };
    case 'certificate.untrusted': {
      const top = chain.served[chain.served.length - 1];
      return {
        observed: detail || `the chain ends at ${top.issuer}, which is not a trusted root`,
        expected: 'a chain to a publicly trusted root',
      };
    }
    case 'certificate.expired-in-chain':
      return {
        observed: subject ? `${subject.subject} expired on ${dateText(subject.notAfter)}` : detail,
        expected: 'every certificate of the chain within its validity period',
      };
    case 'certificate.weak-signature':
      return {
        observed: subject
          ? `${subject.subject} is signed with ${subject.signatureAlgorithm}`
          : detail,
        expected: 'signatures with SHA-256 or stronger',
      };
    case 'certificate.weak-key':
      return {
        observed: subject ? `${subject.subject} has ${withArticle(keyText(subject))} key` : detail,
        expected: 'RSA keys of at least 2048 bits, EC keys of at least 256 bits',
      };
    case 'certificate.not-server-auth':
      return { observed: detail, expected: 'an extended key usage that includes serverAuth' };
    case 'certificate.bad-basic-constraints':
      return { observed: detail, expected: 'issuers marked as CAs (basicConstraints cA)' };
    case 'certificate.chain-order':
      return {
        observed: detail,
        expected: 'the leaf first, each certificate followed by its issuer',
      };
    case 'certificate.root-sent':
      return { observed: detail, expected: 'the chain without its root' };
    default:
      return { observed: detail, expected: 'only the certificates of the chain' };
  }
}

function remediationFor(context: AddressContext, rule: RuleId, chain: ServedChain) {
  const { endpoint } = context;
  switch (rule) {
    case 'certificate.incomplete-chain':
    case 'certificate.wrong-intermediate':
    case 'certificate.chain-order':
    case 'certificate.root-sent':
    case 'certificate.unused-certificate':
    case 'certificate.bad-basic-constraints':
      return chainFix();
    case 'certificate.expired-in-chain':
      // The chain is served whole; one of its certificates is out of date, often an old
      // intermediate left in the chain file after the leaf was renewed.
      return chainFix(
        "Replace the expired certificate with the one your CA issues now: serve your CA's " +
          'current chain, the leaf first, then its intermediates.',
      );
    case 'certificate.name-mismatch':
      // The right certificate is served already; only its subjectAltName is missing.
      return onlyCommonNameCovers(chain.served[0], endpoint)
        ? subjectAltNameFix(endpoint.host)
        : nameFix(endpoint.host, endpoint.hostIsIp);
    case 'certificate.untrusted':
    case 'certificate.self-signed':
      return certificateFix(
        "Use a certificate from a publicly trusted CA (an ACME CA such as Let's Encrypt " +
          'works): senders trust the public roots only.',
      );
    case 'certificate.weak-signature':
    case 'certificate.weak-key':
    case 'certificate.not-server-auth':
      return certificateFix(
        'Reissue the certificate: an RSA key of 2048 bits or more or an ECDSA P-256 key, ' +
          'a SHA-256 signature, and serverAuth in its extended key usage.',
      );
    default:
      return certificateFix(
        'Renew the certificate and reload the server; automate renewal (for example with an ' +
          'ACME client) so that it cannot lapse.',
      );
  }
}

/**
 * The broad hello got a ServerHello and then nothing, twice (src/cert/check.ts, stalled), and no
 * certificate came from any hello: no handshake gets past its ServerHello, so the suites and
 * versions those named were never usable. Like a protocol violation, this finding stands alone.
 */
export function checkHandshakeStalls(context: AddressContext): RawFinding | undefined {
  const { certificates } = context.address;
  if (certificates.primary || certificates.stalledAfterServerHello !== true) {
    return undefined;
  }

  return {
    id: 'endpoint.handshake-stalls',
    observed:
      'the server answered with a ServerHello and then sent nothing more, no certificate, ' +
      'until the read timeout or the end of the connection (asked twice)',
    expected:
      'the rest of the server flight: Certificate and what follows (RFC 8446 Section ' +
      '4.4, RFC 5246 Section 7.3)',
    remediation: adviceOnly(
      'Find what stops the handshake after the ServerHello: a proxy, load balancer or TLS ' +
        'terminator that hangs, or a server that cannot reach its certificate or key (a ' +
        'hardware key store, a remote signer). A sender times out there.',
    ),
  };
}

/**
 * The server asks for a client certificate. When it ends a TLS 1.3 handshake finished without
 * one, no sender gets through; when it goes on, it may still refuse the request over HTTP,
 * which the probes do not send.
 */
export function checkClientCertificate(context: AddressContext): RawFinding[] {
  const { primary: chain, withoutClientCertificate: tried } = context.address.certificates;
  if (!chain?.clientCertificateRequested) {
    return [];
  }

  const asked = 'the server asks for a client certificate (CertificateRequest) in the handshake ';
  const remediation = adviceOnly(
    'Turn client certificate verification off for the webhook endpoint (nginx ' +
      '`ssl_verify_client off;`, Apache `SSLVerifyClient none`, Node `requestCert: false`). ' +
      'If your senders do present certificates (mutual TLS), suppress this finding.',
  );
  const version = versionLabel(tried?.version ?? 'TLSv1.3');
  const finished = `a ${version} handshake finished without one`;
  if (tried?.answer === 'refused') {
    return [
      {
        id: 'certificate.client-certificate-required',
        sni: chain.sni,
        observed:
          `${asked}a sender makes; given ${finished}, ` +
          `${tried.detail}: senders present none, so every delivery fails`,
        expected: 'the handshake completes without a client certificate',
        remediation,
      },
    ];
  }

  const outcome =
    tried?.answer === 'completed'
      ? `it goes on without one in ${version} (${tried.detail}), ` +
        'but may still refuse the request over HTTP (nginx does with ssl_verify_client on)'
      : `whether it requires one could not be told (${tried?.detail ?? 'not tried'})`;
  return [
    {
      id: 'certificate.client-certificate-requested',
      sni: chain.sni,
      observed: `${asked}a sender makes; senders present none; ${outcome}`,
      expected: 'no CertificateRequest: webhook senders do not present client certificates',
      remediation,
    },
  ];
}

/**
 * The chain of the broad hello, and each certificate of another key type the server has: a
 * sender gets one or the other by the suites and signature algorithms it offers.
 */
export function checkCertificates(context: AddressContext): RawFinding[] {
  const { address } = context;
  const chain = address.certificates.primary;
  if (!chain || chain.served.length === 0) {
    // With no handshake at all the version findings say why; otherwise nobody checked it.
    if (anyVersionAccepted(context)) {
      context.inconclusive.push(
        `whether the certificate is valid ` +
          `(${address.certificates.error ?? 'no certificate was seen'})`,
      );
    }
    return [];
  }

  // Each certificate a sender can get, by the key type its hello leads to, is judged; the
  // findings say which one they are about when there are several.
  return [chain, ...otherKeyChains(context, chain)].flatMap((each) => {
    const which = otherKeyNote(context, each);
    const findings = chainFindings(context, each);
    return which
      ? findings.map((finding) => ({ ...finding, observed: `${finding.observed}${which}` }))
      : findings;
  });
}

/** Every finding about one served chain. */
function chainFindings(context: AddressContext, chain: ServedChain): RawFinding[] {
  const { now, policy } = context;
  const leaf = chain.served[0];
  const validity = validityText(chain, now);
  const found = new Map<RuleId, { problems: (ChainProblem | undefined)[] }>();
  const raise = (rule: RuleId, problem?: ChainProblem) => {
    const entry = found.get(rule) ?? { problems: [] };
    entry.problems.push(problem);
    found.set(rule, entry);
  };

  for (const problem of chain.problems) {
    raise(PROBLEM_RULES[problem.code] ?? 'certificate.untrusted', problem);
  }

  // What the chain says without a problem code, and the dates by the evaluation's clock.
  if (!chain.trusted && !TRUST_RULES.some((rule) => found.has(rule))) {
    raise('certificate.untrusted');
  }
  if (!chain.nameMatches && !found.has('certificate.name-mismatch')) {
    raise('certificate.name-mismatch');
  }
  const daysLeft = daysUntil(leaf.notAfter, now);
  if (daysLeft < 0 && !found.has('certificate.expired')) {
    raise('certificate.expired');
  }
  if (now < new Date(leaf.notBefore) && !found.has('certificate.not-yet-valid')) {
    raise('certificate.not-yet-valid');
  }

  const findings: RawFinding[] = [];
  for (const [rule, { problems }] of found) {
    const explained = problems.map((problem) => explain(context, rule, chain, problem));
    const observed = [...new Set(explained.map((entry) => entry.observed).filter(Boolean))];
    const datesSaid = rule === 'certificate.expired' || rule === 'certificate.not-yet-valid';
    findings.push({
      id: rule,
      sni: chain.sni,
      observed: `${observed.join('; ')}${datesSaid ? '' : ` (leaf ${validity})`}`,
      expected: explained[0].expected,
      remediation: remediationFor(context, rule, chain),
    });
  }

  // The earliest notAfter of the path counts (RFC 5280, Section 6.1.3): an intermediate that
  // expires before the leaf stops deliveries first. One already expired is expired-in-chain.
  const first = earliestExpiry(chain);
  const firstDays = first ? daysUntil(first.certificate.notAfter, now) : daysLeft;
  const warnDays = policy.expiryWarningDays;
  if (first && firstDays >= 0 && warnDays > 0 && firstDays <= warnDays) {
    findings.push({
      id: 'certificate.expiring-soon',
      sni: chain.sni,
      ...expiringSoon(chain, first, firstDays, warnDays),
    });
  }

  findings.push(...checkConstraints(context, chain, validity));

  return findings;
}

/**
 * The chains of other key types than the broad hello's, one per key type: the certificate
 * check asks for each (keyTypes), and a sender whose hello leads there gets that one.
 */
function otherKeyChains(context: AddressContext, primary: ServedChain): ServedChain[] {
  const seen = new Set([primary.served[0].fingerprintSha256]);
  const families = new Set([KEY_FAMILIES[primary.served[0].keyType]]);
  const chains: ServedChain[] = [];
  for (const other of context.address.certificates.others) {
    const leaf = other.served[0];
    const family = leaf ? KEY_FAMILIES[leaf.keyType] : undefined;
    if (!other.keyType || other.sni !== primary.sni || !leaf || !family) continue;
    if (seen.has(leaf.fingerprintSha256) || families.has(family)) continue;
    seen.add(leaf.fingerprintSha256);
    families.add(family);
    chains.push(other);
  }
  return chains;
}

const KEY_FAMILIES: Partial<Record<CertificateInfo['keyType'], string>> = {
  RSA: 'RSA',
  'RSA-PSS': 'RSA',
  EC: 'ECDSA',
  Ed25519: 'EdDSA',
  Ed448: 'EdDSA',
};

/**
 * When the server also serves a certificate of another key type (the certificate check asks
 * for each), the words that say which certificate the findings are about: a sender gets one
 * or the other by the suites and signature algorithms it offers.
 */
function otherKeyNote(context: AddressContext, chain: ServedChain): string {
  const family = KEY_FAMILIES[chain.served[0].keyType];
  const { primary, others: otherChains } = context.address.certificates;
  const others = [primary, ...otherChains]
    .map((other) => other?.served[0])
    .filter((leaf): leaf is CertificateInfo => leaf !== undefined)
    .filter((leaf) => leaf.fingerprintSha256 !== chain.served[0].fingerprintSha256)
    .map((leaf) => KEY_FAMILIES[leaf.keyType])
    .filter((other): other is string => other !== undefined && other !== family);
  if (!family || others.length === 0) {
    return '';
  }
  return (
    ` (this is the ${family} certificate; the server also has ` +
    `${withArticle(listText([...new Set(others)], 'and'))} one, which senders get by the suites ` +
    'and signatures they offer)'
  );
}

/** The policy's own limits on the leaf (Mozilla's configurations). */
function checkConstraints(
  context: AddressContext,
  chain: ServedChain,
  validity: string,
): RawFinding[] {
  const { certificate: limits } = context.policy;
  const leaf = chain.served[0];
  const findings: RawFinding[] = [];
  const reissue = certificateFix(
    "Reissue the certificate with a key and signature the policy's configuration lists.",
  );
  const add = (id: RuleId, observed: string, expected: string, remediation = reissue) =>
    findings.push({
      id,
      sni: chain.sni,
      observed: `${observed} (leaf ${validity})`,
      expected,
      remediation,
    });

  const keyTypeNames = { RSA: 'RSA', EC: 'ECDSA' } as const;
  if (limits.keyTypes && !(limits.keyTypes as string[]).includes(leaf.keyType)) {
    add(
      'certificate.key-type-not-allowed',
      `the certificate has ${withArticle(keyText(leaf))} key`,
      `${withArticle(
        listText(
          limits.keyTypes.map((type) => keyTypeNames[type]),
          'or',
        ),
      )} key`,
    );
  }
  if (limits.curves && leaf.keyType === 'EC' && !limits.curves.includes(leaf.curve ?? '')) {
    add(
      'certificate.curve-not-allowed',
      `the certificate's key is on ${leaf.curve ?? 'an unknown curve'}`,
      `a key on ${listText(limits.curves, 'or')}`,
    );
  }
  const rsa = leaf.keyType === 'RSA' || leaf.keyType === 'RSA-PSS';
  if (limits.minRsaBits && rsa && leaf.keyBits < limits.minRsaBits) {
    add(
      'certificate.rsa-key-too-small',
      `the certificate has an RSA key of ${leaf.keyBits} bits`,
      `at least ${limits.minRsaBits} bits`,
    );
  }
  if (limits.signatures && !limits.signatures.includes(leaf.signatureAlgorithm)) {
    add(
      'certificate.signature-not-allowed',
      `the certificate is signed with ${leaf.signatureAlgorithm}`,
      `one of ${listText(limits.signatures, 'or')}`,
    );
  }
  const lifespan = daysBetween(leaf.notBefore, leaf.notAfter);
  if (limits.maxLifespanDays && lifespan > limits.maxLifespanDays) {
    add(
      'certificate.lifespan-too-long',
      `the certificate is valid for ${plural(lifespan, 'day')}, from ${dateText(leaf.notBefore)} ` +
        `to ${dateText(leaf.notAfter)}`,
      `at most ${plural(limits.maxLifespanDays, 'day')}`,
      certificateFix(
        'Use shorter-lived certificates (ACME CAs issue 90-day ones) and renew them ' +
          'automatically.',
      ),
    );
  }
  if (limits.ocspStaple && !chain.ocspStapled) {
    add(
      'certificate.no-ocsp-staple',
      'no OCSP response was stapled to the handshake',
      'a stapled OCSP response',
      {
        summary: 'Turn on OCSP stapling.',
        snippets: [
          { server: 'nginx', config: 'ssl_stapling on;\nssl_stapling_verify on;' },
          {
            server: 'apache',
            config: 'SSLUseStapling on\nSSLStaplingCache shmcb:/run/ocsp(128000)',
          },
          { server: 'caddy', config: '# Caddy staples OCSP responses by default' },
        ],
      },
    );
  }
  return findings;
}
