// The flight parser: records split and packed, alerts, plaintext and SSL 2.0 replies, caps,
// truncation and the ServerHello checks against what the hello offered.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/wire/bytes.js';
import { FlightReader, type Offer, readFlight } from '../../src/wire/parse.js';
import {
  encodeAlert,
  encodeCertificate,
  encodeCertificateStatus,
  encodeFlight,
  encodeRecord,
  encodeRecords,
  encodeServerHello,
  encodeServerHelloDone,
  encodeServerKeyExchange,
} from '../../src/wire/server.js';
import { ContentType } from '../../src/wire/versions.js';

const OFFER: Offer = {
  versions: [0x0301, 0x0302, 0x0303],
  suites: [0xc02f, 0x009e, 0x002f],
  groups: [29, 23],
  keyShareGroups: [],
};

const CERTIFICATES = [new Uint8Array(700).fill(0x30), new Uint8Array(500).fill(0x31)];

function tls12Flight(): Uint8Array {
  return encodeFlight(0x0303, [
    encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f, statusRequest: true }),
    encodeCertificate(CERTIFICATES),
    encodeCertificateStatus(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00)),
    encodeServerKeyExchange({ kind: 'ecdhe', group: 23, publicKey: new Uint8Array(65).fill(4) }),
    encodeServerHelloDone(),
  ]);
}

describe('FlightReader', () => {
  it('reads a whole TLS 1.2 flight packed into one record', () => {
    const flight = readFlight(tls12Flight(), { offer: OFFER });
    expect(flight.end).toBe('complete');
    expect(flight.serverHello?.suite).toBe(0xc02f);
    expect(flight.serverHello?.version).toBe(0x0303);
    expect(flight.certificates).toEqual(CERTIFICATES);
    expect(flight.ocspResponse).toEqual(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00));
    expect(flight.keyExchange).toEqual({
      kind: 'ecdhe',
      group: 23,
      publicKey: new Uint8Array(65).fill(4),
    });
    expect(flight.messages).toEqual([
      'serverHello',
      'certificate',
      'certificateStatus',
      'serverKeyExchange',
      'serverHelloDone',
    ]);
  });

  it('gives the same result however the bytes are split into records and reads', () => {
    const messages = concatBytes([
      encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f }),
      encodeCertificate(CERTIFICATES),
      encodeServerHelloDone(),
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
        (fragmentSize, reads) => {
          const bytes = encodeRecords(ContentType.handshake, 0x0303, messages, fragmentSize);
          const reader = new FlightReader({ offer: OFFER });
          let offset = 0;
          for (let i = 0; offset < bytes.length; i++) {
            const size = reads[i % reads.length];
            reader.push(bytes.subarray(offset, offset + size));
            offset += size;
          }
          expect(reader.flight.end).toBe('complete');
          expect(reader.flight.certificates).toEqual(CERTIFICATES);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a large flight fed byte by byte in linear time', () => {
    const chain = Array.from({ length: 20 }, (_, index) => new Uint8Array(10_000).fill(index));
    const bytes = encodeFlight(0x0303, [
      encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f }),
      encodeCertificate(chain),
      encodeServerHelloDone(),
    ]);
    const reader = new FlightReader({ offer: OFFER });
    const started = performance.now();
    for (let offset = 0; offset < bytes.length; offset++) {
      reader.push(bytes.subarray(offset, offset + 1));
    }
    const elapsed = performance.now() - started;
    expect(reader.flight.end).toBe('complete');
    expect(reader.flight.certificates).toEqual(chain);
    expect(elapsed).toBeLessThan(3000);
  });

  it('waits on a truncated flight and ends nothing at end of stream', () => {
    const messages = tls12Flight().subarray(5); // one record: the messages follow its header
    const bytes = encodeRecords(ContentType.handshake, 0x0303, messages, 100);
    const reader = new FlightReader({ offer: OFFER });
    reader.push(bytes.subarray(0, bytes.length - 3));
    expect(reader.ended).toBe(false);
    const flight = reader.endOfStream();
    expect(flight.end).toBeNull();
    expect(flight.serverHello?.suite).toBe(0xc02f);
  });

  it('reads through a warning alert to the flight that follows', () => {
    const bytes = concatBytes([
      encodeRecord(ContentType.alert, 0x0303, encodeAlert(1, 112)),
      tls12Flight(),
    ]);
    const flight = readFlight(bytes, { offer: OFFER });
    expect(flight.warnings).toEqual([112]);
    expect(flight.end).toBe('complete');
  });

  it('ends on a fatal alert and on close_notify', () => {
    const fatal = readFlight(encodeRecord(ContentType.alert, 0x0301, encodeAlert(2, 40)));
    expect(fatal.end).toBe('alert');
    expect(fatal.fatalAlert).toBe(40);

    const warningThenFatal = readFlight(
      encodeRecord(
        ContentType.alert,
        0x0303,
        concatBytes([encodeAlert(1, 112), encodeAlert(2, 112)]),
      ),
    );
    expect(warningThenFatal.warnings).toEqual([112]);
    expect(warningThenFatal.fatalAlert).toBe(112);

    const closing = readFlight(encodeRecord(ContentType.alert, 0x0303, encodeAlert(1, 0)));
    expect(closing.end).toBe('close-notify');
    expect(closing.fatalAlert).toBeNull();
  });

  it('recognises plaintext HTTP and SSL 2.0 replies', () => {
    const http = readFlight(
      new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n'),
    );
    expect(http.end).toBe('not-tls');
    expect(http.detail).toBe('plaintext HTTP reply: "HTTP/1.1 400 Bad Request"');

    const short = new FlightReader();
    short.push(new TextEncoder().encode('HTTP'));
    expect(short.ended).toBe(false);
    expect(short.endOfStream().end).toBe('not-tls');

    const sslv2 = readFlight(Uint8Array.of(0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02));
    expect(sslv2.end).toBe('not-tls');
    expect(sslv2.detail).toMatch(/SSL 2\.0 ServerHello/);

    const garbage = readFlight(Uint8Array.of(0x00, 0x01, 0x02, 0x03, 0x04, 0x05));
    expect(garbage.end).toBe('not-tls');
  });

  it('caps record, message and chain sizes', () => {
    const header = Uint8Array.of(22, 3, 3, 0x48, 0x01); // 2^14 + 2048 + 1
    expect(readFlight(header).detail).toMatch(/exceeds the record size limit/);

    const bigMessage = Uint8Array.of(22, 3, 3, 0, 4, 11, 0x10, 0, 0);
    const bigFlight = readFlight(
      concatBytes([
        encodeFlight(0x0303, [encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f })]),
        bigMessage,
      ]),
    );
    expect(bigFlight.end).toBe('violation');
    expect(bigFlight.detail).toMatch(/certificate of 1048576 bytes exceeds/);

    const manyCertificates = Array.from({ length: 40 }, () => new Uint8Array(10));
    const chain = readFlight(
      encodeFlight(0x0303, [
        encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f }),
        encodeCertificate(manyCertificates),
      ]),
    );
    expect(chain.end).toBe('violation');
    expect(chain.detail).toMatch(/40 certificates/);

    const reader = new FlightReader({ limits: { maxTotalBytes: 100 } });
    reader.push(tls12Flight());
    expect(reader.flight.detail).toMatch(/more than 100 bytes/);
  });

  it('refuses malformed records and messages', () => {
    expect(readFlight(Uint8Array.of(22, 3, 3, 0, 0)).detail).toMatch(/empty handshake record/);
    expect(readFlight(Uint8Array.of(21, 3, 3, 0, 3, 2, 40, 1)).detail).toMatch(/alert record of 3/);

    const badHello = Uint8Array.of(22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3);
    expect(readFlight(badHello).detail).toMatch(/ServerHello: truncated random/);

    const certificateFirst = encodeFlight(0x0303, [encodeCertificate(CERTIFICATES)]);
    expect(readFlight(certificateFirst).detail).toBe('certificate before the ServerHello');

    const appData = encodeRecord(ContentType.applicationData, 0x0303, new Uint8Array(20));
    expect(readFlight(appData).end).toBe('violation');
  });

  it('reads DHE parameters and reports the prime size', () => {
    const prime = new Uint8Array(256).fill(0xff);
    const flight = readFlight(
      encodeFlight(0x0303, [
        encodeServerHello({ version: 'TLSv1.2', suite: 0x009e }),
        encodeServerKeyExchange({
          kind: 'dhe',
          prime,
          generator: Uint8Array.of(2),
          publicKey: prime,
        }),
        encodeServerHelloDone(),
      ]),
      { offer: OFFER },
    );
    expect(flight.keyExchange).toMatchObject({ kind: 'dhe', primeBits: 2048 });
  });
});

describe('ServerHello checks against the offer', () => {
  function verdict(hello: Uint8Array, offer: Offer = OFFER) {
    return readFlight(encodeFlight(0x0303, [hello]), { offer });
  }

  it('refuses a suite that was not offered', () => {
    const flight = verdict(encodeServerHello({ version: 'TLSv1.2', suite: 0xc030 }));
    expect(flight.end).toBe('violation');
    expect(flight.detail).toBe(
      'server chose suite TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030), not offered',
    );
  });

  it('refuses a version that was not offered, and TLS 1.3 without supported_versions', () => {
    const offer10 = { ...OFFER, versions: [0x0301] };
    expect(verdict(encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f }), offer10).detail).toBe(
      'server chose TLSv1.2, which was not offered',
    );
    const bare13 = encodeServerHello({ version: 'TLSv1.2', legacyVersion: 0x0304, suite: 0xc02f });
    expect(verdict(bare13).detail).toMatch(/without supported_versions/);
    expect(
      verdict(encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f, compression: 1 })).detail,
    ).toMatch(/compression method 1/);
  });

  it('accepts a version below the lowest offered: the server negotiated down', () => {
    // A TLS 1.1 server answering a hello whose supported_versions lists TLS 1.3 and 1.2 reads
    // legacy_version 0x0303 and answers TLS 1.1 (RFC 5246 Appendix E.1).
    const offer = { ...OFFER, versions: [0x0304, 0x0303], suites: [0xc014] };
    const flight = verdict(encodeServerHello({ version: 'TLSv1.1', suite: 0xc014 }), offer);
    expect(flight.end).not.toBe('violation');
    expect(flight.serverHello?.legacyVersion).toBe(0x0302);
  });

  it('accepts SSL 3.0 ServerHellos without extensions', () => {
    const offer = { ...OFFER, versions: [0x0300], suites: [0x000a] };
    const flight = readFlight(
      encodeFlight(0x0300, [
        encodeServerHello({ version: 'SSLv3', suite: 0x000a, omitExtensions: true }),
        encodeServerHelloDone(),
      ]),
      { offer },
    );
    expect(flight.end).toBe('complete');
    expect(flight.serverHello?.extensions).toEqual([]);
  });

  it('reads a HelloRetryRequest by its random and checks the group it asks for', () => {
    const offer: Offer = {
      versions: [0x0304, 0x0303],
      suites: [0x1301, 0xc02f],
      groups: [29, 23, 24],
      keyShareGroups: [29],
    };
    const retry = encodeServerHello({
      version: 'TLSv1.3',
      suite: 0x1301,
      helloRetryRequest: { group: 23 },
    });
    const flight = verdict(retry, offer);
    expect(flight.end).toBe('complete');
    expect(flight.serverHello?.helloRetryRequest).toBe(true);
    expect(flight.serverHello?.requestedGroup).toBe(23);

    const unoffered = encodeServerHello({
      version: 'TLSv1.3',
      suite: 0x1301,
      helloRetryRequest: { group: 30 },
    });
    expect(verdict(unoffered, offer).detail).toMatch(/group 30, which was not offered/);
    const shared = encodeServerHello({
      version: 'TLSv1.3',
      suite: 0x1301,
      helloRetryRequest: { group: 29 },
    });
    expect(verdict(shared, offer).detail).toMatch(/already had a key share/);

    const noShare = encodeServerHello({ version: 'TLSv1.3', suite: 0x1301 });
    expect(verdict(noShare, offer).detail).toBe('TLS 1.3 ServerHello without key_share');
    const wrongSuite = encodeServerHello({
      version: 'TLSv1.3',
      suite: 0xc02f,
      keyShare: { group: 29, keyExchange: new Uint8Array(32) },
    });
    expect(verdict(wrongSuite, offer).detail).toMatch(/cannot be used with TLSv1.3/);
  });
});
