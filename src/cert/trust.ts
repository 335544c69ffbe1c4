// The trust anchors a webhook sender built on Node uses: the Mozilla roots bundled with Node
// (tls.rootCertificates), the certificates of NODE_EXTRA_CA_CERTS, and a ca-file of our own.
// Nothing is fetched: a sender does not download missing intermediates, so neither do we.

import { X509Certificate as NodeCertificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { certificateNames } from './der.js';

export type AnchorSource = 'bundled' | 'extra-ca' | 'NODE_EXTRA_CA_CERTS';

/**
 * One trusted certificate. The bundled roots are many and most scans use none or one of them, so
 * an anchor is parsed (node:crypto) only when a path reaches it; until then the key of its
 * subject name (nameKey) tells which anchors can issue a certificate.
 */
export interface TrustAnchor {
  der: Uint8Array;
  readonly node: NodeCertificate;
  /** DER of the SubjectPublicKeyInfo. */
  readonly spki: Buffer;
  source: AnchorSource;
  /** nameKey of the subject, or null when the cheap reading failed (then always a candidate). */
  subjectKey: string | null;
  /** True when node:crypto cannot read it after all: such an anchor is never used. */
  readonly broken?: boolean;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text (a bundle may hold many), as DER. */
export function pemCertificates(pem: string): Uint8Array[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => {
    const base64 = block
      .replace('-----BEGIN CERTIFICATE-----', '')
      .replace('-----END CERTIFICATE-----', '')
      .replace(/\s+/g, '');
    return new Uint8Array(Buffer.from(base64, 'base64'));
  });
}

// The bundled roots are parsed once per process and kept.
let bundled: TrustAnchor[] | null = null;
let fromEnvironment: { file: string; anchors: TrustAnchor[] } | null = null;
const extraCache = new Map<string, TrustAnchor[]>();

function parseAnchors(pem: string, source: AnchorSource): TrustAnchor[] {
  const anchors: TrustAnchor[] = [];
  for (const der of pemCertificates(pem)) {
    let node: NodeCertificate;
    try {
      node = new NodeCertificate(der);
    } catch {
      // A broken entry in a CA file is skipped, as OpenSSL skips it when loading a store.
      continue;
    }
    const spki = node.publicKey.export({ type: 'spki', format: 'der' });
    anchors.push({ der, node, spki, source, subjectKey: certificateNames(der)?.subject ?? null });
  }
  return anchors;
}

/**
 * An anchor parsed on first use. Our DER reader has read its names; should node:crypto still
 * fail on it (a broken entry of a CA file), it is `broken` and never used, as OpenSSL skips
 * such an entry when loading a store.
 */
class LazyAnchor implements TrustAnchor {
  private parsed: { node: NodeCertificate; spki: Buffer } | null = null;
  private unreadable = false;

  constructor(
    readonly der: Uint8Array,
    readonly subjectKey: string | null,
    readonly source: AnchorSource,
  ) {}

  get broken(): boolean {
    if (this.parsed === null && !this.unreadable) {
      try {
        this.parse();
      } catch {
        this.unreadable = true;
      }
    }
    return this.unreadable;
  }

  get node(): NodeCertificate {
    return this.parse().node;
  }

  get spki(): Buffer {
    return this.parse().spki;
  }

  private parse(): { node: NodeCertificate; spki: Buffer } {
    if (!this.parsed) {
      const node = new NodeCertificate(this.der);
      this.parsed = { node, spki: node.publicKey.export({ type: 'spki', format: 'der' }) };
    }
    return this.parsed;
  }
}

function lazyAnchors(pem: string, source: AnchorSource): TrustAnchor[] {
  return pemCertificates(pem)
    .map((der) => {
      const names = certificateNames(der);
      return names
        ? new LazyAnchor(der, names.subject, source)
        : parseAnchors(toPem(der), source)[0];
    })
    .filter((anchor) => anchor !== undefined);
}

function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----`;
}

function bundledAnchors(): TrustAnchor[] {
  bundled ??= lazyAnchors(rootCertificates.join('\n'), 'bundled');
  return bundled;
}

// Node reads NODE_EXTRA_CA_CERTS once at start-up and warns when it cannot; a missing file
// here just adds nothing, as in Node.
function environmentAnchors(): TrustAnchor[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) {
    return [];
  }
  if (fromEnvironment?.file !== file) {
    let pem = '';
    try {
      pem = readFileSync(file, 'utf8');
    } catch {
      pem = '';
    }
    // A system bundle here holds a hundred roots or more, of which a scan uses one or none.
    fromEnvironment = { file, anchors: lazyAnchors(pem, 'NODE_EXTRA_CA_CERTS') };
  }
  return fromEnvironment.anchors;
}

/** The trust anchors for one scan: bundled roots, NODE_EXTRA_CA_CERTS, then `extraCaPem`. */
export function trustAnchors(extraCaPem: string[]): TrustAnchor[] {
  const extra: TrustAnchor[] = [];
  for (const pem of extraCaPem) {
    let anchors = extraCache.get(pem);
    if (!anchors) {
      anchors = parseAnchors(pem, 'extra-ca');
      extraCache.set(pem, anchors);
    }
    extra.push(...anchors);
  }
  return [...bundledAnchors(), ...environmentAnchors(), ...extra];
}
