// The cheap reading of certificate names that indexes the trust anchors: it must give two names
// the same key whenever node:crypto prints them alike, or a path would miss its anchor.

import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateNames } from '../../src/cert/der.js';
import { pemCertificates } from '../../src/cert/index.js';
import { type IssuedCertificate, issueIntermediate, issueLeaf, makeRoot } from '../support/pki.js';

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  const length = body.length < 0x80 ? [body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const COMMON_NAME = tlv(0x06, Buffer.from([0x55, 0x04, 0x03]));

function name(valueTag: number, value: Buffer): Uint8Array {
  return tlv(0x30, tlv(0x31, tlv(0x30, COMMON_NAME, tlv(valueTag, value))));
}

/** A structure shaped like a certificate as far as the subject: enough for the reader. */
function certificateShape(issuer: Uint8Array, subject: Uint8Array): Uint8Array {
  const version = tlv(0xa0, tlv(0x02, Buffer.from([2])));
  const serial = tlv(0x02, Buffer.from([1]));
  const tbs = tlv(0x30, version, serial, tlv(0x30), issuer, tlv(0x30), subject, tlv(0x30));
  return tlv(0x30, tbs, tlv(0x30), tlv(0x03, Buffer.from([0])));
}

describe('certificateNames', () => {
  let leaf: IssuedCertificate;

  beforeAll(async () => {
    const root = await makeRoot({ subject: 'CN=Der Test Root, O=Test' });
    const intermediate = await issueIntermediate(root, { subject: 'CN=Der Test CA, O=Test' });
    leaf = await issueLeaf(intermediate, { subject: 'hooks.example.test' });
  });

  it('gives every bundled root a key, equal exactly when node prints the subjects alike', () => {
    const roots = pemCertificates(rootCertificates.join('\n'));
    const keys = new Map<string, string>();
    for (const der of roots) {
      const names = certificateNames(der);
      expect(names).not.toBeNull();
      const printed = new X509Certificate(der).subject;
      const known = keys.get(names!.subject);
      if (known !== undefined) {
        expect(known).toBe(printed);
      }
      keys.set(names!.subject, printed);
    }
    expect(new Set(keys.values()).size).toBe(keys.size);
  });

  it("reads a leaf's issuer as its issuer's subject, and tells the two names apart", () => {
    const names = certificateNames(leaf.certDer)!;
    const issuer = certificateNames(leaf.issuers[0].certDer)!;
    expect(names.issuer).toBe(issuer.subject);
    expect(names.subject).not.toBe(issuer.subject);
  });

  it('matches a value whether encoded as PrintableString, UTF8String or BMPString', () => {
    const text = 'Example CA';
    const printable = name(0x13, Buffer.from(text, 'latin1'));
    const utf8 = name(0x0c, Buffer.from(text, 'utf8'));
    const bmp = name(0x1e, Buffer.from(text, 'utf16le').swap16());
    const other = name(0x0c, Buffer.from('Example CB', 'utf8'));

    const keyOf = (subject: Uint8Array) => certificateNames(certificateShape(other, subject));
    expect(keyOf(printable)?.subject).toBe(keyOf(utf8)?.subject);
    expect(keyOf(bmp)?.subject).toBe(keyOf(utf8)?.subject);
    expect(keyOf(utf8)?.issuer).not.toBe(keyOf(utf8)?.subject);
  });

  it('gives null for bytes that are not DER, and for truncated certificates', () => {
    expect(certificateNames(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(certificateNames(leaf.certDer.subarray(0, 40))).toBeNull();
    expect(certificateNames(new Uint8Array())).toBeNull();
  });
});
