// The few facts of one endpoint that the overview shows: versions accepted, the suite a sender
// gets, forward secrecy, certificate days left and SNI. An endpoint may resolve to several
// addresses; the overview shows what a sender can run into, so it takes the union of accepted
// versions, the worst forward secrecy and the soonest expiry, and lists differing values.

import { earliestExpiry } from '../cert/expiry.js';
import type { AddressScan, EndpointResult, Finding, Severity, TlsVersion } from '../model.js';
import { TLS_VERSIONS } from '../model.js';
import {
  daysLeftText,
  notYetValid,
  outcomeText,
  plural,
  suiteText,
  validityText,
  verdictText,
  versionText,
} from './words.js';

export const NONE = '—';

export interface EndpointFacts {
  endpoint: string;
  verdict: string;
  versions: string;
  senderSuite: string;
  forwardSecrecy: string;
  certificateDaysLeft: string;
  sni: string;
  /** Findings not suppressed, per severity. */
  counts: Record<Severity, number>;
}

export function factsOf(result: EndpointResult): EndpointFacts {
  const addresses = reachableAddresses(result);
  const scanned = result.scan.status === 'scanned' && addresses.length > 0;

  return {
    endpoint: result.scan.endpoint.input,
    verdict: verdictText(result),
    versions: scanned ? versionsText(addresses) : NONE,
    senderSuite: scanned ? distinct(addresses.map(senderText)) : NONE,
    forwardSecrecy: scanned ? forwardSecrecyText(addresses) : NONE,
    certificateDaysLeft: scanned ? certificateText(result, addresses) : NONE,
    sni: scanned ? sniText(result, addresses) : NONE,
    counts: countFindings(result.findings),
  };
}

/**
 * The addresses that were scanned. An address that could not be (refused, timed out) while
 * another could holds no results, and must not read as one that refused every version.
 */
export function reachableAddresses(result: EndpointResult): AddressScan[] {
  return result.scan.addresses.filter((address) => !address.notScanned);
}

export function countFindings(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };

  for (const finding of findings) {
    if (!finding.suppressed) {
      counts[finding.severity] += 1;
    }
  }

  return counts;
}

/** Versions accepted on any address, oldest first; inconclusive ones are named as unknown. */
export function acceptedVersions(addresses: AddressScan[]): TlsVersion[] {
  return TLS_VERSIONS.filter((version) =>
    addresses.some((address) =>
      address.versions.some((entry) => entry.version === version && entry.accepted === true),
    ),
  );
}

function versionsText(addresses: AddressScan[]): string {
  const accepted = acceptedVersions(addresses);
  const unknown = TLS_VERSIONS.filter(
    (version) =>
      !accepted.includes(version) &&
      addresses.some((address) =>
        address.versions.some((entry) => entry.version === version && entry.accepted === null),
      ),
  );

  const text = accepted.length > 0 ? accepted.map(versionText).join(', ') : 'none';
  return unknown.length > 0 ? `${text} (${unknown.map(versionText).join(', ')} unknown)` : text;
}

/** The suite a sender offering exactly the listed suites ends up with, or how it was refused. */
export function senderText(address: AddressScan): string {
  const outcome = address.sender.outcome;
  if (outcome.kind !== 'accepted') {
    return `none, ${outcomeText(outcome)}`;
  }
  // A ServerHello names a suite, but no handshake gets past it: the sender gets nothing.
  return stalls(address)
    ? `none: ${suiteText(outcome.suite)} named, then the handshake stalls`
    : suiteText(outcome.suite);
}

/** The certificate hellos got a ServerHello and then nothing (endpoint.handshake-stalls). */
function stalls(address: AddressScan): boolean {
  return (
    address.certificates.primary === null && address.certificates.stalledAfterServerHello === true
  );
}

function forwardSecrecyText(addresses: AddressScan[]): string {
  const values = addresses
    .filter((address) => !stalls(address))
    .map((address) => address.sender.forwardSecret);

  if (values.includes(false)) return 'no';
  if (values.includes(true)) return 'yes';
  return NONE;
}

// The findings that make a sender refuse the certificate, in a word each, in this order.
const CERTIFICATE_FAILURES: Record<string, string> = {
  'certificate.name-mismatch': 'name',
  'certificate.untrusted': 'chain',
  'certificate.self-signed': 'chain',
  'certificate.incomplete-chain': 'chain',
  'certificate.wrong-intermediate': 'chain',
  'certificate.bad-basic-constraints': 'chain',
  'certificate.expired-in-chain': 'chain',
  'certificate.weak-key': 'key',
  'certificate.key-type-not-allowed': 'key',
  'certificate.curve-not-allowed': 'key',
  'certificate.rsa-key-too-small': 'key',
  'certificate.weak-signature': 'signature',
  'certificate.signature-not-allowed': 'signature',
  'certificate.not-server-auth': 'usage',
};

/**
 * The days left, or, when an error finding fails the certificate, what fails: days left alone
 * read as healthy for a certificate senders refuse ("fails: name, chain"). Dates are said by
 * the days left ("expired 3 days ago"), kept beside the words when they fail too.
 */
function certificateText(result: EndpointResult, addresses: AddressScan[]): string {
  const failing = new Set(
    result.findings
      .filter((finding) => finding.severity === 'error' && !finding.suppressed)
      .map((finding) => finding.id),
  );
  const words = Object.entries(CERTIFICATE_FAILURES)
    .filter(([id]) => failing.has(id))
    .map(([, word]) => word);

  const days = daysLeftOf(addresses);
  if (words.length === 0) {
    return days;
  }
  const dateFails = days.startsWith('expired') || days.startsWith('not yet valid');
  return `fails: ${[...new Set(words)].join(', ')}${dateFails ? `, ${days}` : ''}`;
}

// A leaf that is not valid yet fails every sender however many days it has left, so it shows
// ahead of the soonest expiry. The soonest expiry is that of the whole chain a sender builds,
// named when it is not the leaf's: an intermediate that expires first stops deliveries first.
function daysLeftOf(addresses: AddressScan[]): string {
  const chains = addresses.flatMap((address) => {
    const chain = address.certificates.primary;
    return chain && chain.served.length > 0 ? [chain] : [];
  });
  const early = chains.find((chain) => notYetValid(chain, 0));

  if (early) {
    return validityText(early.served[0], true);
  }

  const firsts = chains.flatMap((chain) => earliestExpiry(chain) ?? []);
  if (firsts.length === 0) {
    return NONE;
  }
  const first = firsts.reduce((soonest, each) =>
    each.certificate.daysLeft < soonest.certificate.daysLeft ? each : soonest,
  );
  const which = first.position === 0 ? '' : ` (${first.role.replace(/^the /, '')})`;
  return `${daysLeftText(first.certificate.daysLeft)}${which}`;
}

function sniText(result: EndpointResult, addresses: AddressScan[]): string {
  if (result.scan.endpoint.hostIsIp) {
    return 'not sent (IP address)';
  }

  return distinct(
    addresses.map((address) => {
      const sni = address.certificates.sni;
      // With no certificate seen there is nothing to compare names by (case 5: the key type
      // matches no suite), whatever the SNI probes concluded.
      if (!hasChain(address)) return 'unknown';
      if (sni.required === true) return 'required';
      if (sni.honoured === true) return 'honoured';
      // The same certificate for every name tried: a single-site server, which needs no SNI.
      // Only the names tried are known; another name may have a site of its own.
      if (sni.honoured === false) return 'same for all names tried';
      return 'unknown';
    }),
  );
}

/** Whether a certificate chain was obtained from the address with the endpoint's SNI. */
export function hasChain(address: AddressScan): boolean {
  return (address.certificates.primary?.served.length ?? 0) > 0;
}

/** One value when every address agrees, otherwise each distinct value in address order. */
function distinct(values: string[]): string {
  const unique = [...new Set(values)];
  return unique.length === 0 ? NONE : unique.join(' / ');
}

export interface VerdictCounts {
  total: number;
  compliant: number;
  nonCompliant: number;
  notScanned: number;
}

export function verdictCounts(results: EndpointResult[]): VerdictCounts {
  return {
    total: results.length,
    compliant: results.filter((result) => result.verdict === 'compliant').length,
    nonCompliant: results.filter((result) => result.verdict === 'non-compliant').length,
    notScanned: results.filter((result) => result.verdict === 'not-scanned').length,
  };
}

/**
 * The one-line outcome of a run: "all 4 endpoints compliant", or how many are non-compliant
 * and how many could not be scanned, never adding the two together.
 */
export function headline(results: EndpointResult[]): string {
  const counts = verdictCounts(results);

  if (counts.total === 0) {
    return 'no endpoints';
  }

  if (counts.compliant === counts.total) {
    return counts.total === 1
      ? 'the endpoint is compliant'
      : `all ${counts.total} endpoints compliant`;
  }

  const parts: string[] = [];

  if (counts.nonCompliant > 0) {
    parts.push(`${counts.nonCompliant} of ${plural(counts.total, 'endpoint')} non-compliant`);
  }

  if (counts.notScanned > 0) {
    parts.push(`could not scan ${counts.notScanned} of ${plural(counts.total, 'endpoint')}`);
  }

  return parts.join(', ');
}
