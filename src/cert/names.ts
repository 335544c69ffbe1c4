// Whether a certificate covers the name a webhook sender connects to, the way TLS clients check
// it today (RFC 9525, which replaced RFC 6125): DNS names against dNSName subject alternative
// names, IP addresses against iPAddress ones, and never the subject's common name.

import { isIP, SocketAddress } from 'node:net';

/** The name a sender expects the certificate to cover. */
export interface ExpectedName {
  host: string;
  hostIsIp: boolean;
}

/** The subject alternative names of one certificate. */
export interface CoveredNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/** True when the certificate's subject alternative names cover the endpoint's name. */
export function nameMatches(names: CoveredNames, expected: ExpectedName): boolean {
  if (expected.hostIsIp) {
    const wanted = normaliseIp(expected.host);
    return wanted !== null && names.ipAddresses.some((ip) => normaliseIp(ip) === wanted);
  }

  const host = normaliseDns(expected.host);
  return names.dnsNames.some((pattern) => dnsNameMatches(normaliseDns(pattern), host));
}

// Certificates of shared hosting carry hundreds of names; evidence shows the first few.
const NAMES_SHOWN = 10;

/**
 * "a.test, *.b.test (DNS) and 192.0.2.1 (IP)", or "no DNS or IP subject alternative names",
 * for the evidence; a long list ends "and 891 more".
 */
export function describeNames(names: CoveredNames): string {
  const parts: string[] = [];
  if (names.dnsNames.length > 0) {
    parts.push(`${firstNames(names.dnsNames)} (DNS)`);
  }
  if (names.ipAddresses.length > 0) {
    parts.push(`${firstNames(names.ipAddresses)} (IP)`);
  }
  return parts.length > 0 ? parts.join(' and ') : 'no DNS or IP subject alternative names';
}

function firstNames(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/**
 * For an IP endpoint whose address the certificate holds only as a DNS name, the words that
 * say why it still does not match: RFC 2818, Section 3.1, wants an iPAddress name.
 */
export function ipAsDnsNote(names: CoveredNames, expected: ExpectedName): string {
  const wanted = expected.hostIsIp ? normaliseIp(expected.host) : null;
  const asDns = wanted !== null && names.dnsNames.some((name) => normaliseIp(name) === wanted);
  return asDns
    ? `; ${expected.host} is there as a DNS name, but senders match an IP address only ` +
        'against IP address names (RFC 2818, Section 3.1)'
    : '';
}

// A reference identifier or a presented identifier: ASCII case-insensitive, and a final dot
// (an absolute name) changes nothing (RFC 9525, Section 6.3).
function normaliseDns(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function normaliseIp(address: string): string | null {
  const family = isIP(address);
  if (family === 0) {
    return null;
  }
  return new SocketAddress({ address, family: family === 6 ? 'ipv6' : 'ipv4' }).address;
}

// RFC 9525, Section 6.3: the wildcard is the whole left-most label and stands for exactly one
// label; "f*o.example" style partial wildcards are not honoured. Like OpenSSL and browsers, a
// wildcard needs at least two labels after it, so "*.test" covers nothing.
function dnsNameMatches(pattern: string, host: string): boolean {
  if (pattern.length === 0 || host.length === 0) {
    return false;
  }

  if (!pattern.startsWith('*.')) {
    return !pattern.includes('*') && pattern === host;
  }

  const suffix = pattern.slice(2);
  if (suffix.includes('*') || suffix.split('.').length < 2) {
    return false;
  }

  const firstDot = host.indexOf('.');
  if (firstDot <= 0) {
    return false;
  }
  return host.slice(firstDot + 1) === suffix;
}
