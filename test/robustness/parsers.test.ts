// Parser hardening: the record and handshake parsers read whatever a hostile server sends,
// random, truncated, oversized or mutated, and always come back with a value or a reason,
// never an exception, never past their size caps, never in an endless loop. A loop that did not
// end would hold the test until vitest's timeout, so each property also bounds its time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseChain } from '../../src/cert/index.js';
import { CertificateParseError } from '../../src/cert/info.js';
import { concatBytes } from '../../src/wire/bytes.js';
import { buildHello } from '../../src/wire/hello.js';
import {
  parseCertificate,
  parseCertificate13,
  parseCertificateRequest,
  parseCertificateStatus,
  parseEncryptedExtensions,
  parseServerKeyExchange,
} from '../../src/wire/messages.js';
import {
  DEFAULT_FLIGHT_LIMITS,
  type Flight,
  type FlightLimits,
  type FlightOptions,
  FlightReader,
  parseClientHello,
  parseServerHello,
  readFlight,
} from '../../src/wire/parse.js';
import {
  encodeAlert,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateStatus,
  encodeFlight,
  encodeRecord,
  encodeRecords,
  encodeServerHello,
  encodeServerHelloDone,
  encodeServerKeyExchange,
  encodeTls13ServerFlight,
} from '../../src/wire/server.js';
import { SUITES } from '../../src/wire/suites.js';
import { tls13Decryption } from '../../src/wire/tls13.js';
import { ContentType } from '../../src/wire/versions.js';
import { issueLeaf, makeRoot } from '../support/pki.js';

const ENDS = [null, 'complete', 'alert', 'close-notify', 'not-tls', 'violation'];
const LEAF = new Uint8Array(900).fill(0x30);
const ISSUER = new Uint8Array(600).fill(0x31);

// A TLS 1.2 hello and the flights a server could answer it with: the mutations start from
// these, so that most of them get past the first bytes into the deeper parsers.
const HELLO12 = buildHello({ version: 'TLSv1.2', suites: [0xc02f, 0x009e, 0xc013, 0x0035] });

const FLIGHTS12: Uint8Array[] = [
  encodeFlight(0x0303, [
    encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f, statusRequest: true }),
    encodeCertificate([LEAF, ISSUER]),
    encodeCertificateStatus(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00)),
    encodeServerKeyExchange({ kind: 'ecdhe', group: 23, publicKey: new Uint8Array(65).fill(4) }),
    encodeCertificateRequest(),
    encodeServerHelloDone(),
  ]),
  encodeFlight(0x0303, [
    encodeServerHello({ version: 'TLSv1.2', suite: 0x009e }),
    encodeCertificate([LEAF]),
    encodeServerKeyExchange({
      kind: 'dhe',
      prime: new Uint8Array(256).fill(0xff),
      generator: Uint8Array.of(2),
      publicKey: new Uint8Array(256).fill(7),
    }),
    encodeServerHelloDone(),
  ]),
  concatBytes([
    encodeRecord(ContentType.alert, 0x0303, encodeAlert(1, 112)),
    encodeRecords(
      ContentType.handshake,
      0x0303,
      concatBytes([
        encodeServerHello({ version: 'TLSv1.2', suite: 0xc013 }),
        encodeCertificate([LEAF]),
        encodeServerHelloDone(),
      ]),
      97,
    ),
  ]),
  encodeRecord(ContentType.alert, 0x0303, encodeAlert(2, 40)),
];

/** Feeds `bytes` to a reader in the chunks `sizes` cycles through, then ends the stream. */
function feed(bytes: Uint8Array, sizes: number[], options: FlightOptions = {}): Flight {
  const reader = new FlightReader(options);
  let offset = 0;
  for (let index = 0; offset < bytes.length && !reader.ended; index++) {
    const size = sizes[index % sizes.length];
    reader.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return reader.endOfStream();
}

/** What every flight must satisfy, whatever it was read from. */
function expectSane(flight: Flight, limits: FlightLimits = DEFAULT_FLIGHT_LIMITS): void {
  expect(ENDS).toContain(flight.end);
  if (flight.end === 'not-tls' || flight.end === 'violation') {
    expect(typeof flight.detail).toBe('string');
    expect(flight.detail!.length).toBeGreaterThan(0);
  }
  if (flight.end === 'alert') expect(flight.fatalAlert).not.toBeNull();
  expect(flight.certificates.length).toBeLessThanOrEqual(limits.maxCertificates);
  const chainBytes = flight.certificates.reduce((sum, der) => sum + der.length, 0);
  expect(chainBytes).toBeLessThanOrEqual(limits.maxChainBytes);
}

/** A valid flight with some bytes overwritten, some cut out and some inserted. */
const mutatedFlight = (flights: Uint8Array[]) =>
  fc
    .record({
      base: fc.constantFrom(...flights),
      writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 }))),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 32 }))),
    })
    .map(({ base, writes, cut, insert }) => {
      let bytes: Uint8Array = base.slice();
      for (const [position, value] of writes) bytes[position % bytes.length] = value;
      if (cut) {
        const at = cut[0] % bytes.length;
        bytes = concatBytes([bytes.subarray(0, at), bytes.subarray(at + cut[1])]);
      }
      if (insert) {
        const at = insert[0] % (bytes.length + 1);
        bytes = concatBytes([bytes.subarray(0, at), insert[1], bytes.subarray(at)]);
      }
      return bytes;
    });

const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 12 });

describe('the flight reader under random and mutated input', () => {
  it('reads random bytes, however they arrive, to a sane end', () => {
    const start = performance.now();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), chunkSizes, (bytes, sizes) => {
        expectSane(feed(bytes, sizes, { offer: HELLO12.offer }));
      }),
      { numRuns: 400 },
    );
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('reads random bytes behind a valid record header to a sane end', () => {
    // Random data that starts like TLS gets past the first-byte check into the record and
    // handshake layers, which plain random bytes rarely reach.
    const tlsShaped = fc
      .tuple(
        fc.constantFrom(20, 21, 22, 23, 24),
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.uint8Array({ maxLength: 2000 }),
      )
      .map(([type, minor, body]) =>
        concatBytes([Uint8Array.of(type, 3, minor, body.length >> 8, body.length & 0xff), body]),
      );
    fc.assert(
      fc.property(tlsShaped, chunkSizes, (bytes, sizes) => {
        expectSane(feed(bytes, sizes, { offer: HELLO12.offer }));
      }),
      { numRuns: 400 },
    );
  });

  it('reads mutated TLS 1.2 flights to a sane end, the same however they are split', () => {
    fc.assert(
      fc.property(mutatedFlight(FLIGHTS12), chunkSizes, (bytes, sizes) => {
        const whole = readFlight(bytes, { offer: HELLO12.offer });
        const split = feed(bytes, sizes, { offer: HELLO12.offer });
        expectSane(whole);
        expect(split.end).toBe(whole.end);
        // A binary non-TLS reply quotes the bytes that had arrived when it was recognised,
        // which depends on the split; every other detail must not.
        if (!whole.detail?.startsWith('reply is not TLS')) expect(split.detail).toBe(whole.detail);
        expect(split.certificates).toEqual(whole.certificates);
      }),
      { numRuns: 500 },
    );
  });

  it('quotes at most one short line of a plaintext reply, without control characters', () => {
    const text = `HTTP/1.1 400 \u001b]0;owned\u0007${'x'.repeat(5000)}\r\n\r\n`;
    const bytes = new TextEncoder().encode(text);
    for (const sizes of [[bytes.length], [1], [7, 300]]) {
      const flight = feed(bytes, sizes);
      expect(flight.end).toBe('not-tls');
      expect(flight.detail!.length).toBeLessThan(100);
      expect(flight.detail).toMatch(/^plaintext HTTP reply: "HTTP\/1\.1 400 \?\]0;owned\?x+"$/);
    }
  });

  it('reads every truncation of a valid flight without inventing an end', () => {
    for (const flight of FLIGHTS12) {
      for (let length = 0; length < flight.length; length += 7) {
        const reader = new FlightReader({ offer: HELLO12.offer });
        reader.push(flight.subarray(0, length));
        const read = reader.endOfStream();
        expectSane(read);
        // A truncated flight never reads as complete: ServerHelloDone is its last byte.
        expect(read.end).not.toBe('complete');
      }
    }
  });

  it('keeps to small caps on records, messages, chains and total bytes', () => {
    const limits: FlightLimits = {
      maxRecordLength: 600,
      maxMessageLength: 1200,
      maxCertificates: 1,
      maxChainBytes: 1000,
      maxTotalBytes: 2500,
    };
    fc.assert(
      fc.property(mutatedFlight(FLIGHTS12), chunkSizes, (bytes, sizes) => {
        const reader = new FlightReader({ offer: HELLO12.offer, limits });
        let offset = 0;
        for (let index = 0; offset < bytes.length && !reader.ended; index++) {
          const size = sizes[index % sizes.length];
          reader.push(bytes.subarray(offset, offset + size));
          offset += size;
        }
        const flight = reader.endOfStream();
        expectSane(flight, limits);
        // Nothing past the total cap is kept: a reader over it has stopped with a violation.
        if (flight.bytesReceived > limits.maxTotalBytes) expect(flight.end).toBe('violation');
        expect(reader.unread.length).toBeLessThanOrEqual(limits.maxTotalBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('stops at a length it will not accept without waiting for the bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: DEFAULT_FLIGHT_LIMITS.maxRecordLength + 1, max: 0xffff }),
        (length) => {
          const flight = readFlight(Uint8Array.of(22, 3, 3, length >> 8, length & 0xff));
          expect(flight.end).toBe('violation');
          expect(flight.detail).toMatch(/record size limit/);
        },
      ),
      { numRuns: 100 },
    );

    fc.assert(
      fc.property(
        fc.integer({ min: DEFAULT_FLIGHT_LIMITS.maxMessageLength + 1, max: 0xffffff }),
        fc.constantFrom(2, 11, 12, 13, 14, 22),
        (length, type) => {
          const hello = encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f });
          const header = Uint8Array.of(type, length >> 16, (length >> 8) & 0xff, length & 0xff);
          const bytes =
            type === 2
              ? encodeRecord(ContentType.handshake, 0x0303, header)
              : encodeFlight(0x0303, [hello, header]);
          const flight = readFlight(bytes, { offer: HELLO12.offer });
          expect(flight.end).toBe('violation');
          expect(flight.detail).toMatch(/message size limit/);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads mutated TLS 1.3 flights, decrypting them, to a sane end', async () => {
    const root = await makeRoot();
    const leaf = await issueLeaf(root, { dnsNames: ['fuzz.test'], keyType: 'p256' });
    const hello = buildHello({
      version: 'TLSv1.3',
      suites: [0x1301, 0x1302, 0x1303],
      groups: [29, 23],
      serverName: 'fuzz.test',
    });
    const parsedHello = parseClientHello(hello.message);
    if (!parsedHello.ok) throw new Error(parsedHello.error);
    const flights = [0x1301, 0x1302, 0x1303].map((suite) =>
      encodeTls13ServerFlight(parsedHello.value, {
        suite,
        certificates: [leaf.certDer, root.certDer],
        ocspResponse: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00),
      }),
    );
    const options = (): FlightOptions => ({
      offer: hello.offer,
      decryptTls13: tls13Decryption([hello.message], hello.keyShares),
    });

    // The untouched flights decrypt to the chain: the mutations below start from real ones.
    for (const flight of flights) {
      expect(readFlight(flight, options()).certificates).toEqual([leaf.certDer, root.certDer]);
    }

    fc.assert(
      fc.property(mutatedFlight(flights), chunkSizes, (bytes, sizes) => {
        const flight = feed(bytes, sizes, options());
        expectSane(flight);
        expect(['none', 'undecrypted', 'decrypted', 'failed']).toContain(flight.encrypted);
        if (flight.encrypted === 'failed') expect(flight.decryptError).toBeTruthy();
      }),
      { numRuns: 200 },
    );
  });
});

describe('the single-message parsers', () => {
  /** Each parser answers with a value or a reason; none may throw on any input. */
  const parsers: [string, (body: Uint8Array) => { ok: boolean; error?: string }][] = [
    ['ServerHello', (body) => parseServerHello(body)],
    ['Certificate', (body) => parseCertificate(body, DEFAULT_FLIGHT_LIMITS)],
    ['Certificate (TLS 1.3)', (body) => parseCertificate13(body, DEFAULT_FLIGHT_LIMITS)],
    ['CertificateStatus', (body) => parseCertificateStatus(body)],
    ['CertificateRequest', (body) => parseCertificateRequest(body, true)],
    ['CertificateRequest (TLS 1.1)', (body) => parseCertificateRequest(body, false)],
    ['EncryptedExtensions', (body) => parseEncryptedExtensions(body)],
    ['ClientHello', (body) => parseClientHello(body)],
  ];

  // One suite of every key exchange, so every branch of the ServerKeyExchange reader runs.
  const kexSuites = [...new Map(SUITES.map((suite) => [suite.kex, suite])).values()];
  for (const suite of SUITES.filter((s) => s.kex === 'RSA' && s.export).slice(0, 1)) {
    kexSuites.push(suite);
  }
  for (const suite of kexSuites) {
    parsers.push([
      `ServerKeyExchange (${suite.kex})`,
      (body) => parseServerKeyExchange(body, suite),
    ]);
  }

  // Valid message bodies to mutate: the header (4 bytes) is cut off.
  const bodies = [
    encodeServerHello({ version: 'TLSv1.2', suite: 0xc02f, statusRequest: true, alpn: 'h2' }),
    encodeServerHello({
      version: 'TLSv1.3',
      suite: 0x1301,
      keyShare: { group: 29, keyExchange: new Uint8Array(32).fill(9) },
    }),
    encodeServerHello({ version: 'TLSv1.3', suite: 0x1301, helloRetryRequest: { group: 23 } }),
    encodeCertificate([LEAF, ISSUER]),
    encodeCertificateStatus(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00)),
    encodeServerKeyExchange({ kind: 'ecdhe', group: 29, publicKey: new Uint8Array(32) }),
    encodeCertificateRequest(),
    HELLO12.message,
    buildHello({ version: 'TLSv1.3', suites: [0x1301], serverName: 'a.test' }).message,
  ].map((message) => message.subarray(4));

  for (const [name, parse] of parsers) {
    it(`${name}: a value or a reason for any body`, () => {
      const input = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutatedFlight(bodies));
      fc.assert(
        fc.property(input, (body) => {
          const result = parse(body);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.error).toMatch(/\w/);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('ClientHello: a value or a reason for mutated records too', () => {
    fc.assert(
      fc.property(mutatedFlight([HELLO12.records]), (records) => {
        const result = parseClientHello(records);
        if (!result.ok) expect(result.error).toMatch(/\w/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the chain analysis of what a server served', () => {
  it('takes any served bytes as a chain or refuses them as not X.509, nothing else', async () => {
    const root = await makeRoot();
    const leaf = await issueLeaf(root, { dnsNames: ['fuzz.test'], keyType: 'p256' });
    const options = { extraCaPem: [root.certPem], now: new Date() };
    const name = { host: 'fuzz.test', hostIsIp: false };
    expect(analyseChain([leaf.certDer], name, options).trusted).toBe(true);

    const served = fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        mutatedFlight([leaf.certDer, root.certDer]),
        fc.constant(leaf.certDer),
      ),
      { minLength: 0, maxLength: 3 },
    );
    fc.assert(
      fc.property(served, (chain) => {
        try {
          const result = analyseChain(chain, name, options);
          expect(typeof result.trusted).toBe('boolean');
        } catch (error) {
          expect(error).toBeInstanceOf(CertificateParseError);
        }
      }),
      { numRuns: 150 },
    );
  });
});
