// Judging a certificate chain exactly as a server served it, the way a webhook sender's TLS
// library does: build the path from the leaf through the certificates sent to a trust anchor,
// fetch nothing, match the name against subject alternative names only, and say for every
// problem what was served and what was expected.

import type { ChainProblem, ServedChain } from '../model.js';
import { certificateNames } from './der.js';
import { certificateRole } from './expiry.js';
import { daysLeft, type ParsedCertificate, parseCertificate } from './info.js';
import { describeNames, type ExpectedName, ipAsDnsNote, nameMatches } from './names.js';
import { type TrustAnchor, trustAnchors } from './trust.js';

export interface ChainOptions {
  /** Extra trust anchors in PEM (a ca-file), added to the bundled roots. */
  extraCaPem: string[];
  /** The clock for validity dates and days left. */
  now: Date;
  /**
   * Copied into the result: the SNI name sent, the key type asked for, the OCSP staple, and
   * whether the server asked for a client certificate.
   */
  sni?: string | null;
  keyType?: ServedChain['keyType'];
  ocspStapled?: boolean;
  clientCertificateRequested?: boolean;
}

// Weak by today's rules: SHA-1 collisions are practical (SHAttered, 2017) and MD5/MD2 long were.
const WEAK_HASHES = new Set(['md2', 'md5', 'sha1']);

// Smallest keys senders accept: NIST SP 800-57 112-bit strength, CA/Browser Forum BR 6.1.5.
const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

// x509.KeyUsageFlags, repeated so this module needs no runtime import of the library.
const DIGITAL_SIGNATURE = 1;
const KEY_ENCIPHERMENT = 4;
const KEY_AGREEMENT = 16;
const KEY_CERT_SIGN = 32;

// No real chain is longer; the limit also stops loops of certificates that sign each other.
const MAX_PATH_LENGTH = 10;

/** A path from the leaf upwards: indexes into the served list, then maybe a trust anchor. */
interface BuiltPath {
  steps: number[];
  anchor: TrustAnchor | null;
  /** The path ends at a served certificate that is itself a trust anchor (a root sent along). */
  endsAtServedAnchor: boolean;
  /**
   * Served certificates with the anchor's subject and key that are not the anchor itself (an
   * old or renewed copy of the root, a cross-signed one): a sender puts its own copy on the
   * path in their place, so their dates do not count.
   */
  replacedByAnchor: number[];
  /**
   * Served certificates off the path with the subject and key of a served one on it (an old
   * or renewed copy of an intermediate): the path went through the other copy, so these are
   * extra certificates sent, and their dates are not the chain's.
   */
  copies: { index: number; of: number }[];
}

/**
 * Analyses one served chain (DER, in the order the server sent it, leaf first) for the name a
 * sender connects to. Throws CertificateParseError when a served certificate is not X.509.
 */
export function analyseChain(
  served: Uint8Array[],
  expectedName: ExpectedName,
  options: ChainOptions,
): ServedChain {
  const base = {
    sni: options.sni ?? null,
    ...(options.keyType ? { keyType: options.keyType } : {}),
    ocspStapled: options.ocspStapled ?? false,
    ...(options.clientCertificateRequested ? { clientCertificateRequested: true as const } : {}),
  };

  if (served.length === 0) {
    return {
      ...base,
      served: [],
      built: [],
      trusted: false,
      nameMatches: false,
      problems: [{ code: 'untrusted', detail: 'the server sent no certificate' }],
    };
  }

  const certificates = served.map((der) => parseCertificate(der, options.now));
  const anchors = new AnchorIndex(trustAnchors(options.extraCaPem));
  const path = buildPath(certificates, anchors, options.now);
  const leaf = certificates[0];
  const matches = nameMatches(leaf.info, expectedName);

  const problems: ChainProblem[] = [
    ...pathProblems(certificates, path, options.now),
    ...(matches ? [] : [nameProblem(leaf, expectedName)]),
    ...dateProblems(certificates, path, options.now),
    ...strengthProblems(certificates, path),
    ...orderProblems(certificates, path),
    ...usageProblems(certificates, path),
  ];

  const built: (number | 'anchor')[] = [...path.steps];
  if (path.anchor && !path.endsAtServedAnchor) {
    built.push('anchor');
  }

  // `trusted` says a path reaches a trust anchor by names and signatures; dates, key usage and
  // strength are problems of their own, so the report can say which one a sender trips over.
  return {
    ...base,
    served: certificates.map((certificate) => certificate.info),
    built,
    trusted: path.anchor !== null,
    nameMatches: matches,
    problems,
    ...(path.anchor && !path.endsAtServedAnchor
      ? { anchor: parseCertificate(path.anchor.der, options.now).info }
      : {}),
  };
}

// --- Building the path ----------------------------------------------------------------------

// The issuer of `child` is a certificate whose subject is the child's issuer name and whose key
// verifies the child's signature (RFC 5280, Section 6.1). Name first: verifying is the costly
// part. Key usage and basic constraints are judged afterwards, so that a CA certificate missing
// them is reported as such and not as a missing issuer.
type Certificate = Pick<ParsedCertificate, 'node' | 'spki'>;

/**
 * The trust anchors by the key of their subject name (src/cert/der.ts), so that a step of the
 * path parses only the anchors whose name may match. A certificate whose names could not be
 * read cheaply is compared with every anchor, as is an anchor whose name could not be.
 */
class AnchorIndex {
  private readonly bySubject = new Map<string, TrustAnchor[]>();
  private readonly unkeyed: TrustAnchor[] = [];

  constructor(private readonly all: TrustAnchor[]) {
    for (const anchor of all) {
      if (anchor.subjectKey === null) {
        this.unkeyed.push(anchor);
        continue;
      }
      const list = this.bySubject.get(anchor.subjectKey) ?? [];
      list.push(anchor);
      this.bySubject.set(anchor.subjectKey, list);
    }
  }

  /** The anchors whose subject may be the name with this key, in their original order. */
  named(key: string | null): TrustAnchor[] {
    if (key === null) {
      return this.all.filter((anchor) => anchor.broken !== true);
    }
    const candidates = new Set([...(this.bySubject.get(key) ?? []), ...this.unkeyed]);
    return this.all.filter((anchor) => candidates.has(anchor) && anchor.broken !== true);
  }
}

function issues(issuer: Certificate, child: Certificate): boolean {
  return issuer.node.subject === child.node.issuer && child.node.verify(issuer.node.publicKey);
}

function sameCertificate(a: Certificate, b: Certificate): boolean {
  return a.node.subject === b.node.subject && a.spki.equals(b.spki);
}

// Among several issuers with the right subject and key (a CA renewed with its key, its old
// copy still sent or still in the store, a cross-signed one), senders take one valid now, as
// the sorting of RFC 4158, Section 3.5 advises and OpenSSL's issuer lookup does; with none
// valid, the one that expired last. Among those valid now the one valid longest is taken:
// OpenSSL takes the first it meets, but moves to the other copy the day that one lapses
// (RFC 5280, Section 6.1.3 (a)(2) judges each path on its own), so deliveries fail only
// when the last one does. The first in the order given wins a tie.
function pickIssuer<T>(candidates: T[], certificateOf: (c: T) => Certificate, now: Date): T {
  const valid = candidates.filter((candidate) => isInDate(certificateOf(candidate), now));
  const pool = valid.length > 0 ? valid : candidates;
  return pool.reduce((best, candidate) =>
    notAfterOf(certificateOf(candidate)) > notAfterOf(certificateOf(best)) ? candidate : best,
  );
}

function notAfterOf(certificate: Certificate): number {
  return Date.parse(certificate.node.validTo);
}

function isInDate(certificate: Certificate, now: Date): boolean {
  const time = now.getTime();
  const { validFrom, validTo } = certificate.node;
  return Date.parse(validFrom) <= time && time <= Date.parse(validTo);
}

// Trust anchors are looked at before the served certificates at every step, as OpenSSL does
// by default (X509_V_FLAG_TRUSTED_FIRST), so a served cross-signed or expired root does not
// hide a path to a root the sender already has.
// Not yet: an anchor that is not self-signed ends the path here, as with OpenSSL's
// X509_V_FLAG_PARTIAL_CHAIN; Node without that flag would go on looking for a root above it.
// Not yet: no backtracking (RFC 4158): when the preferred issuer leads nowhere (a copy
// cross-signed by an untrusted root), another copy that would reach an anchor is not tried,
// and the chain is reported untrusted where OpenSSL's alternative chains would verify.
function buildPath(certificates: ParsedCertificate[], anchors: AnchorIndex, now: Date): BuiltPath {
  const path = buildSteps(certificates, anchors, now);
  return { ...path, copies: copiesBeside(certificates, path) };
}

// The served certificates left beside the path that are copies of one on it.
function copiesBeside(
  certificates: ParsedCertificate[],
  path: Omit<BuiltPath, 'copies'>,
): BuiltPath['copies'] {
  const copies: BuiltPath['copies'] = [];
  certificates.forEach((certificate, index) => {
    if (path.steps.includes(index) || path.replacedByAnchor.includes(index)) {
      return;
    }
    const of = path.steps.find((step) => sameCertificate(certificates[step], certificate));
    if (of !== undefined) {
      copies.push({ index, of });
    }
  });
  return copies;
}

function buildSteps(
  certificates: ParsedCertificate[],
  anchors: AnchorIndex,
  now: Date,
): Omit<BuiltPath, 'copies'> {
  const steps = [0];

  while (steps.length < MAX_PATH_LENGTH) {
    const current = certificates[steps[steps.length - 1]];

    const names = certificateNames(current.der);
    const itself = anchors
      .named(names?.subject ?? null)
      .find((anchor) => sameCertificate(anchor, current));
    if (itself) {
      return { steps, anchor: itself, endsAtServedAnchor: true, replacedByAnchor: [] };
    }
    if (current.info.selfSigned) {
      break;
    }

    const anchorIssuers = anchors
      .named(names?.issuer ?? null)
      .filter((anchor) => issues(anchor, current));
    if (anchorIssuers.length > 0) {
      const anchor = pickIssuer(anchorIssuers, (a) => a, now);
      const copies = certificates
        .map((certificate, index) => ({ certificate, index }))
        .filter(({ index }) => !steps.includes(index))
        .filter(({ certificate }) => sameCertificate(certificate, anchor));
      // A served copy equal byte for byte is the anchor itself. One that only shares its
      // subject and key (a root renewed, or the old one still sent) is replaced: the path
      // ends at the anchor the sender holds, and its dates are the ones checked (RFC 5280,
      // Section 6.1.1 (d): the trust anchor's information is an input of the validation).
      const exact = copies.find(({ certificate }) =>
        Buffer.from(anchor.der).equals(certificate.der),
      );
      if (exact) {
        steps.push(exact.index);
        return { steps, anchor, endsAtServedAnchor: true, replacedByAnchor: [] };
      }
      const replacedByAnchor = copies.map(({ index }) => index);
      return { steps, anchor, endsAtServedAnchor: false, replacedByAnchor };
    }

    const servedIssuers = certificates
      .map((certificate, index) => ({ certificate, index }))
      .filter(({ certificate, index }) => !steps.includes(index) && issues(certificate, current));
    if (servedIssuers.length === 0) {
      break;
    }
    steps.push(pickIssuer(servedIssuers, (s) => s.certificate, now).index);
  }

  return { steps, anchor: null, endsAtServedAnchor: false, replacedByAnchor: [] };
}

// --- Problems -------------------------------------------------------------------------------

/** How a certificate is named to a reader: counted from 1 in the order sent, the leaf first. */
function label(certificates: ParsedCertificate[], index: number): string {
  return `${certificateRole(index)} (${certificates[index].info.subject})`;
}

function pathProblems(
  certificates: ParsedCertificate[],
  path: BuiltPath,
  now: Date,
): ChainProblem[] {
  // A self-signed leaf that is itself a trust anchor was pinned on purpose (a ca-file names the
  // anchors the senders have), so it is trusted like any other anchor; a bundled root never is
  // a leaf.
  if (path.anchor) {
    return unusedProblems(certificates, path, now);
  }

  const last = path.steps[path.steps.length - 1];
  const top = certificates[last];
  const unused = certificates
    .map((_, index) => index)
    .filter((index) => !path.steps.includes(index));

  if (top.info.selfSigned) {
    if (last === 0) {
      return [
        {
          code: 'self-signed',
          detail:
            'the leaf is self-signed and not a trusted root; a sender trusts it only when ' +
            'it is given as a ca-file',
          certificate: 0,
        },
      ];
    }
    return [
      {
        code: 'untrusted',
        detail:
          `the chain ends at the self-signed ${label(certificates, last)}, ` +
          'which is not a trusted root',
        certificate: last,
      },
    ];
  }

  const aia =
    top.caIssuers.length > 0
      ? `; it names its issuer at ${top.caIssuers.join(', ')}, but senders do not fetch it`
      : '; senders do not fetch missing intermediates';

  // A sent root that is not on the path is no intermediate: a leaf served with a root alone
  // lacks its intermediate, and a root sent needlessly is a notice of its own (root-sent).
  const unusedIntermediates = unused.filter((index) => !certificates[index].info.selfSigned);
  if (unusedIntermediates.length > 0) {
    const sent = unusedIntermediates.map((index) => label(certificates, index)).join(', ');
    return [
      {
        code: 'wrong-intermediate',
        detail:
          `the sent intermediate does not issue ${label(certificates, last)}: ` +
          `${sent} was sent, but ${top.info.issuer} issued it${aia}`,
        certificate: unusedIntermediates[0],
      },
    ];
  }

  if (last === 0) {
    return [
      {
        code: 'missing-intermediate',
        detail:
          `intermediate not sent: the leaf is issued by ${top.info.issuer}, ` +
          `which the server did not send${aia}`,
        certificate: 0,
      },
    ];
  }

  // The path stops at a served CA whose issuer is neither sent nor trusted: either another
  // intermediate is missing or the root is one the sender does not have.
  return [
    {
      code: 'untrusted',
      detail:
        `${label(certificates, last)} is issued by ${top.info.issuer}, which is neither sent ` +
        `nor a trusted root: an intermediate is missing or the root is not trusted${aia}`,
      certificate: last,
    },
  ];
}

// Certificates sent but not part of the path cost bytes and, when expired, break clients that
// follow the served order; they are reported so the chain file can be cleaned up.
function unusedProblems(
  certificates: ParsedCertificate[],
  path: BuiltPath,
  now: Date,
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  certificates.forEach((certificate, index) => {
    // A cross-signed copy of the anchor issues the path's top certificate; the sender only
    // prefers its own copy, so the served one is not stale.
    if (
      path.steps.includes(index) ||
      path.replacedByAnchor.includes(index) ||
      certificate.info.selfSigned
    ) {
      return;
    }
    const copy = path.copies.find((candidate) => candidate.index === index);
    if (copy) {
      problems.push(copyProblem(certificates, copy, now));
      return;
    }
    problems.push({
      code: 'unused-certificate',
      detail:
        `${label(certificates, index)} was sent but is not part of the chain: it issues none ` +
        'of the other certificates (harmless for most senders, but the chain file is stale)',
      certificate: index,
    });
  });
  return problems;
}

// A second copy of a certificate on the path (same subject and key) does issue what that one
// issues; senders that build paths (RFC 4158) just take the other copy, so it is only an extra
// certificate sent, whatever its dates.
function copyProblem(
  certificates: ParsedCertificate[],
  copy: BuiltPath['copies'][number],
  now: Date,
): ChainProblem {
  const { notBefore, notAfter } = certificates[copy.index].info;
  const used = certificates[copy.of].info;
  const dates =
    Date.parse(notAfter) < now.getTime()
      ? `, expired on ${notAfter}`
      : Date.parse(notBefore) > now.getTime()
        ? `, not valid before ${notBefore}`
        : Date.parse(notAfter) < Date.parse(used.notAfter)
          ? `, expiring on ${notAfter}, before that one`
          : '';
  return {
    code: 'unused-certificate',
    detail:
      `${label(certificates, copy.index)} was sent but is not on the path senders build: it is ` +
      `another copy of ${certificateRole(copy.of)} (the same subject and key)${dates}, and ` +
      'senders building the path (RFC 4158) take the copy valid now that lasts longest; only ' +
      'a sender that follows the served order strictly would use it (the chain file is stale)',
    certificate: copy.index,
  };
}

function nameProblem(leaf: ParsedCertificate, expected: ExpectedName): ChainProblem {
  const kind = expected.hostIsIp ? 'IP address' : 'hostname';
  const commonName = leaf.info.subject.match(/CN=([^,]+)/)?.[1];
  const cnNote =
    commonName && commonName.toLowerCase() === expected.host.toLowerCase()
      ? ' (the common name matches, but senders ignore it: RFC 9525, Section 6.3)'
      : '';
  // RFC 9525 dropped the fallback to the common name of RFC 6125, Section 6.4.4.
  const covered =
    leaf.info.dnsNames.length > 0 || leaf.info.ipAddresses.length > 0
      ? `the certificate covers ${describeNames(leaf.info)}${cnNote}`
      : 'the certificate has no subjectAltName, and Go and the browsers ignore the common ' +
        `name of its subject (${leaf.info.subject}): for senders built on them it covers no ` +
        'name (Node and Java still read the CN)';
  return {
    code: 'name-mismatch',
    detail:
      `the ${kind} ${expected.host} is not covered: ${covered}` + ipAsDnsNote(leaf.info, expected),
    certificate: 0,
  };
}

function dateProblems(
  certificates: ParsedCertificate[],
  path: BuiltPath,
  now: Date,
): ChainProblem[] {
  const problems: ChainProblem[] = [];

  // The dates of a copy beside the path are not the chain's: senders put the other copy on
  // the path (RFC 5280, Section 6.1.3 (a)(2) checks the certificates of that path only).
  const besidePath = new Set([...path.replacedByAnchor, ...path.copies.map((copy) => copy.index)]);

  certificates.forEach((certificate, index) => {
    if (besidePath.has(index)) {
      return;
    }
    const { notBefore, notAfter } = certificate.info;
    const who = label(certificates, index);
    const notUsed = path.steps.includes(index)
      ? ''
      : ' (it is not needed for the chain, but senders that follow the served order fail on it)';

    if (Date.parse(notAfter) < now.getTime()) {
      problems.push({
        code: index === 0 ? 'expired' : 'expired-in-chain',
        detail: `${who} expired on ${notAfter} (${daysAgo(notAfter, now)} days ago)${notUsed}`,
        certificate: index,
      });
    } else if (Date.parse(notBefore) > now.getTime()) {
      problems.push({
        code: index === 0 ? 'not-yet-valid' : 'expired-in-chain',
        detail: `${who} is not valid before ${notBefore}${notUsed}`,
        certificate: index,
      });
    }
  });

  if (path.anchor && !path.endsAtServedAnchor) {
    const anchor = path.anchor.node;
    const notAfter = new Date(anchor.validTo);
    if (notAfter.getTime() < now.getTime()) {
      problems.push({
        code: 'expired-in-chain',
        detail:
          `the chain ends at the trusted root ${anchor.subject.replaceAll('\n', ', ')}, ` +
          `expired on ${notAfter.toISOString()}`,
      });
    }
  }

  return problems;
}

/** Whole days since `date`, counted as the reports count them (info.ts, daysLeft). */
function daysAgo(date: string, now: Date): number {
  return -daysLeft(new Date(date), now);
}

function strengthProblems(certificates: ParsedCertificate[], path: BuiltPath): ChainProblem[] {
  const problems: ChainProblem[] = [];

  for (const index of path.steps) {
    const certificate = certificates[index];
    const { signatureAlgorithm, keyType, keyBits, curve } = certificate.info;
    const who = label(certificates, index);

    // A root's signature on itself is never checked (RFC 5280, Section 6.1: the anchor is
    // trusted as given), so a SHA-1 self-signature does not matter.
    const isAnchor = path.endsAtServedAnchor && index === path.steps[path.steps.length - 1];
    if (!certificate.info.selfSigned && !isAnchor && certificate.signatureHash) {
      if (WEAK_HASHES.has(certificate.signatureHash)) {
        problems.push({
          code: 'weak-signature',
          detail: `${who} is signed with ${signatureAlgorithm}; SHA-256 or stronger expected`,
          certificate: index,
        });
      }
    }

    if ((keyType === 'RSA' || keyType === 'RSA-PSS') && keyBits < MIN_RSA_BITS) {
      problems.push({
        code: 'weak-key',
        detail: `${who} has a ${keyBits}-bit ${keyType} key; at least ${MIN_RSA_BITS} bits expected`,
        certificate: index,
      });
    } else if (keyType === 'EC' && keyBits < MIN_EC_BITS) {
      problems.push({
        code: 'weak-key',
        detail: `${who} has a ${keyBits}-bit EC key (${curve}); at least ${MIN_EC_BITS} expected`,
        certificate: index,
      });
    } else if (keyType === 'DSA') {
      problems.push({
        code: 'weak-key',
        detail: `${who} has a DSA key, which TLS 1.3 and most senders no longer accept`,
        certificate: index,
      });
    }
  }

  return problems;
}

// RFC 5246, Section 7.4.2: each certificate after the leaf must certify the one before it.
// TLS 1.3 (RFC 8446, Section 4.4.2) lets receivers tolerate any order, but older senders do not.
function orderProblems(certificates: ParsedCertificate[], path: BuiltPath): ChainProblem[] {
  const problems: ChainProblem[] = [];

  // A copy of a certificate on the path stands in for it in the served order: with an old
  // intermediate sent before its renewed copy, each certificate is still followed by one that
  // issues it.
  const copies = path.copies.map((copy) => copy.index);
  const rank = (index: number) => index - copies.filter((copy) => copy < index).length;
  const outOfOrder = path.steps.findIndex((index, position) => rank(index) !== position);
  if (outOfOrder >= 0) {
    const order = path.steps.map((index) => index + 1).join(' → ');
    problems.push({
      code: 'bad-order',
      detail:
        `the certificates are not sent in chain order: counted from 1 as sent, the chain runs ` +
        `${order}, but each certificate should be followed by its issuer`,
      certificate: path.steps[outOfOrder],
    });
  }

  certificates.forEach((certificate, index) => {
    if (index > 0 && certificate.info.selfSigned) {
      problems.push({
        code: 'root-sent',
        detail:
          `${label(certificates, index)} is a self-signed root: senders use their own copy, ` +
          'so sending it only adds bytes to every handshake',
        certificate: index,
      });
    }
  });

  return problems;
}

function usageProblems(certificates: ParsedCertificate[], path: BuiltPath): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const leaf = certificates[0];

  // RFC 5280, Section 4.2.1.12; a CA's extendedKeyUsage also restricts what it may issue for,
  // which OpenSSL and the Web PKI enforce.
  for (const index of path.steps) {
    const usages = certificates[index].extendedKeyUsage;
    const who = label(certificates, index);
    if (usages && !usages.includes(SERVER_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
      problems.push({
        code: 'not-server-auth',
        detail: `${who} has an extended key usage without serverAuth (${usages.join(', ')})`,
        certificate: index,
      });
    }
  }

  // RFC 5280, Section 4.2.1.3: with ECDHE and TLS 1.3 the leaf key signs the handshake.
  if (leaf.keyUsage !== null && (leaf.keyUsage & DIGITAL_SIGNATURE) === 0) {
    const forRsa = leaf.info.keyType === 'RSA' && (leaf.keyUsage & KEY_ENCIPHERMENT) !== 0;
    const forEcdh = (leaf.keyUsage & KEY_AGREEMENT) !== 0;
    problems.push({
      code: 'not-server-auth',
      detail:
        'the leaf key usage lacks digitalSignature, which ECDHE suites and TLS 1.3 need' +
        (forRsa ? ' (only RSA key exchange can use it)' : forEcdh ? ' (only static ECDH)' : ''),
      certificate: 0,
    });
  }

  // RFC 5280, Sections 4.2.1.9 and 6.1.4: every issuer on the path must be a CA allowed to sign
  // certificates, with no more intermediates below it than its pathLenConstraint.
  path.steps.forEach((index, position) => {
    if (position === 0) {
      return;
    }
    const issuer = certificates[index];
    const who = label(certificates, index);
    const basic = issuer.basicConstraints;

    if (!basic?.ca) {
      problems.push({
        code: 'bad-basic-constraints',
        detail:
          `${who} issues another certificate but is not a CA ` +
          `(basicConstraints ${basic ? 'cA false' : 'missing'})`,
        certificate: index,
      });
    } else if (basic.pathLength !== undefined && position - 1 > basic.pathLength) {
      problems.push({
        code: 'bad-basic-constraints',
        detail:
          `${who} allows ${basic.pathLength} intermediates below it (pathLenConstraint), ` +
          `but ${position - 1} follow`,
        certificate: index,
      });
    }

    if (issuer.keyUsage !== null && (issuer.keyUsage & KEY_CERT_SIGN) === 0) {
      problems.push({
        code: 'bad-basic-constraints',
        detail: `${who} issues another certificate, but its key usage lacks keyCertSign`,
        certificate: index,
      });
    }
  });

  return problems;
}
