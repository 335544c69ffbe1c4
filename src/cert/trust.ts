// The trust anchors a webhook sender built on Node uses: the Mozilla roots bundled with Node
// (tls.rootCertificates), the certificates of NODE_EXTRA_CA_CERTS, and a ca-file of our own.
// Nothing is fetched: a sender does not download missing intermediates, so neither do we.

import { X509Certificate as NodeCertificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export type AnchorSource = 'bundled' | 'extra-ca' | 'NODE_EXTRA_CA_CERTS';

/**
 * One trusted certificate, parsed only as far as path building needs: a few hundred of them are
 * loaded, and full parsing would cost a second; callers parse the one a path ends at.
 */
export interface TrustAnchor {
  der: Uint8Array;
  node: NodeCertificate;
  /** DER of the SubjectPublicKeyInfo. */
  spki: Buffer;
  source: AnchorSource;
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
    anchors.push({ der, node, spki, source });
  }
  return anchors;
}

function bundledAnchors(): TrustAnchor[] {
  bundled ??= parseAnchors(rootCertificates.join('\n'), 'bundled');
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
    fromEnvironment = { file, anchors: parseAnchors(pem, 'NODE_EXTRA_CA_CERTS') };
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
