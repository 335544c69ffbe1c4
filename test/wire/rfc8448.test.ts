// RFC 8448 Section 3: our parsers read the published ClientHello and ServerHello, and our TLS 1.3
// key schedule derives the published server handshake key and decrypts the published flight
// to the server's certificate.

import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/wire/bytes.js';
import { Group } from '../../src/wire/groups.js';
import { keyShareFromPrivateKey } from '../../src/wire/keyshare.js';
import { FlightReader, parseClientHello, parseServerHello } from '../../src/wire/parse.js';
import { encodeRecord } from '../../src/wire/server.js';
import { suiteByCode } from '../../src/wire/suites.js';
import {
  handshakeSecrets,
  sealRecord,
  suiteAead,
  tls13Decryption,
  trafficKeys,
} from '../../src/wire/tls13.js';
import { ContentType, ExtensionType } from '../../src/wire/versions.js';
import * as v from './rfc8448-vectors.js';

const clientHelloMessage = fromHex(v.CLIENT_HELLO);
const serverHelloMessage = fromHex(v.SERVER_HELLO);

describe('RFC 8448 simple 1-RTT handshake', () => {
  it('parses the ClientHello', () => {
    expect(clientHelloMessage.length).toBe(196);
    const parsed = parseClientHello(clientHelloMessage);
    if (!parsed.ok) throw new Error(parsed.error);
    const hello = parsed.value;

    expect(hello.legacyVersion).toBe(0x0303);
    expect(toHex(hello.random.subarray(0, 4))).toBe('cb34ecb1');
    expect(hello.sessionId.length).toBe(0);
    expect(hello.suites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(hello.serverName).toBe('server');
    expect(hello.groups).toEqual([29, 23, 24, 25, 256, 257, 258, 259, 260]);
    expect(hello.supportedVersions).toEqual([0x0304]);
    expect(hello.keyShares).toHaveLength(1);
    expect(hello.keyShares[0].group).toBe(Group.x25519);
    expect(hello.keyShares[0].keyExchange).toEqual(fromHex(v.CLIENT_X25519_PUBLIC));
    expect(hello.signatureSchemes).toHaveLength(15);
    expect(hello.extensions.map((extension) => extension.type)).toEqual([
      ExtensionType.serverName,
      ExtensionType.renegotiationInfo,
      ExtensionType.supportedGroups,
      ExtensionType.sessionTicket,
      ExtensionType.keyShare,
      ExtensionType.supportedVersions,
      ExtensionType.signatureAlgorithms,
      ExtensionType.pskKeyExchangeModes,
      ExtensionType.recordSizeLimit,
    ]);
  });

  it('reads the ServerHello through the flight parser, split over two records', () => {
    const records = concatBytes([
      encodeRecord(ContentType.handshake, 0x0303, serverHelloMessage.subarray(0, 10)),
      encodeRecord(ContentType.handshake, 0x0303, serverHelloMessage.subarray(10)),
    ]);
    const reader = new FlightReader({
      offer: {
        versions: [0x0304],
        suites: [0x1301, 0x1303, 0x1302],
        groups: [29, 23],
        keyShareGroups: [29],
      },
    });
    for (const byte of records) reader.push(Uint8Array.of(byte));

    const flight = reader.flight;
    expect(flight.end).toBe('complete');
    const hello = flight.serverHello;
    expect(hello?.legacyVersion).toBe(0x0303);
    expect(hello?.version).toBe(0x0304);
    expect(hello?.selectedVersion).toBe(0x0304);
    expect(hello?.suite).toBe(0x1301);
    expect(hello?.helloRetryRequest).toBe(false);
    expect(hello?.keyShare?.group).toBe(Group.x25519);
    expect(toHex(hello?.keyShare?.keyExchange ?? new Uint8Array())).toMatch(/^c9828876/);
    expect(flight.serverHelloMessage).toEqual(serverHelloMessage);
  });

  it('derives the published server handshake traffic key and IV', () => {
    const client = keyShareFromPrivateKey(Group.x25519, fromHex(v.CLIENT_X25519_PRIVATE));
    expect(client.publicKey).toEqual(fromHex(v.CLIENT_X25519_PUBLIC));
    const server = parseServerHello(serverHelloMessage.subarray(4));
    if (!server.ok) throw new Error(server.error);

    const shared = client.sharedSecret(server.value.keyShare?.keyExchange ?? new Uint8Array());
    expect(shared).not.toBeNull();
    const secrets = handshakeSecrets('sha256', shared as Uint8Array, [
      clientHelloMessage,
      serverHelloMessage,
    ]);
    const aead = suiteAead(suiteByCode(0x1301)!);
    const keys = trafficKeys('sha256', aead!, secrets.serverHandshakeTrafficSecret);
    expect(keys.key).toEqual(fromHex(v.SERVER_HANDSHAKE_KEY));
    expect(keys.iv).toEqual(fromHex(v.SERVER_HANDSHAKE_IV));

    // Sealing the decrypted flight again gives back the published record byte for byte.
    const record = fromHex(v.SERVER_FLIGHT_RECORD);
    const decryptor = tls13Decryption([clientHelloMessage], [client])(
      server.value,
      serverHelloMessage,
    );
    if (!decryptor.ok) throw new Error(decryptor.error);
    const opened = decryptor.value.open(record.subarray(0, 5), record.subarray(5));
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.value.type).toBe(ContentType.handshake);
    expect(opened.value.content.length).toBe(657);
    const resealed = sealRecord(
      'sha256',
      aead!,
      secrets.serverHandshakeTrafficSecret,
      0n,
      ContentType.handshake,
      opened.value.content,
    );
    expect(resealed).toEqual(record);
  });

  it('decrypts the server flight to the certificate', () => {
    const client = keyShareFromPrivateKey(Group.x25519, fromHex(v.CLIENT_X25519_PRIVATE));
    const reader = new FlightReader({
      decryptTls13: tls13Decryption([clientHelloMessage], [client]),
    });
    const flightBytes = concatBytes([
      encodeRecord(ContentType.handshake, 0x0303, serverHelloMessage),
      encodeRecord(ContentType.changeCipherSpec, 0x0303, Uint8Array.of(1)),
      fromHex(v.SERVER_FLIGHT_RECORD),
    ]);
    reader.push(flightBytes);

    const flight = reader.flight;
    expect(flight.end).toBe('complete');
    expect(flight.encrypted).toBe('decrypted');
    expect(flight.messages).toEqual(['serverHello', 'encryptedExtensions', 'certificate']);
    expect(flight.certificates).toHaveLength(1);
    expect(flight.certificates[0].length).toBe(v.CERTIFICATE_LENGTH);
    expect(toHex(flight.certificates[0].subarray(0, 16))).toBe(
      v.CERTIFICATE_PREFIX.replace(/ /g, ''),
    );
  });

  it('reports a flight it cannot decrypt instead of failing the probe', () => {
    const stranger = keyShareFromPrivateKey(Group.x25519, null);
    const wrong = { ...stranger, group: Group.x25519 };
    const client = keyShareFromPrivateKey(Group.x25519, fromHex(v.CLIENT_X25519_PRIVATE));
    // The right group but a transcript that differs from what the server hashed.
    const reader = new FlightReader({
      decryptTls13: tls13Decryption([clientHelloMessage.subarray(0, 100)], [client, wrong]),
    });
    reader.push(encodeRecord(ContentType.handshake, 0x0303, serverHelloMessage));
    reader.push(fromHex(v.SERVER_FLIGHT_RECORD));
    expect(reader.flight.end).toBe('complete');
    expect(reader.flight.encrypted).toBe('failed');
    expect(reader.flight.decryptError).toMatch(/bad_record_mac/);
    expect(reader.flight.certificates).toEqual([]);
  });
});
