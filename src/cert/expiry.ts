// Which certificate of a chain expires first, and how certificates are named to a reader. A
// sender checks the dates of every certificate on the path it builds, the trust anchor
// included (RFC 5280, Section 6.1.3 (a)(2); OpenSSL checks the anchor's too), so deliveries
// fail on the earliest notAfter of that path, which may be an intermediate's, not the leaf's.
// Only types are imported here: the reports use it without loading the X.509 library.

import type { CertificateInfo, ServedChain } from '../model.js';

/** The certificate of a chain that expires first, and where it is in the chain. */
export interface ChainExpiry {
  certificate: CertificateInfo;
  /** Its index in the served list, counted from 0, or 'anchor' for a trust anchor not sent. */
  position: number | 'anchor';
  /** How a reader is told which one it is: "the leaf", "the 2nd certificate sent", ... */
  role: string;
}

/**
 * The certificate of the path a sender builds (`built`) with the fewest days left, counted in
 * whole days as the reports count them; the one nearest the leaf among those expiring on the
 * same day, so that a CA renewed with its leaf is not named for minutes. A chain with no path
 * (nothing served) gives null.
 */
export function earliestExpiry(chain: ServedChain): ChainExpiry | null {
  let earliest: ChainExpiry | null = null;

  for (const step of chain.built) {
    const certificate = step === 'anchor' ? chain.anchor : chain.served[step];
    if (!certificate) continue;
    if (earliest && certificate.daysLeft >= earliest.certificate.daysLeft) {
      continue;
    }
    earliest = { certificate, position: step, role: certificateRole(step) };
  }

  const leaf = chain.served[0];
  return earliest ?? (leaf ? { certificate: leaf, position: 0, role: certificateRole(0) } : null);
}

/**
 * A certificate as a reader is told of it: counted from 1 in the order sent, the leaf first,
 * as the chain tables count them; a trust anchor the server did not send is "the trust anchor".
 */
export function certificateRole(position: number | 'anchor'): string {
  if (position === 'anchor') return 'the trust anchor';
  return position === 0 ? 'the leaf' : `the ${ordinal(position + 1)} certificate sent`;
}

/** "1st", "2nd", "11th", "23rd". */
export function ordinal(position: number): string {
  const tens = position % 100;
  if (tens >= 11 && tens <= 13) return `${position}th`;
  return `${position}${['th', 'st', 'nd', 'rd'][position % 10] ?? 'th'}`;
}
