// The TLS 1.2 finish of a handshake without a client certificate: the PRF against the published
// vector, and how the server's answer is read. Real servers verify the whole flight (Finished
// included) in test/cert/client-certificate.test.ts.

import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { prf, Tls12AnswerReader } from '../../src/wire/tls12.js';
import { ContentType, HandshakeType } from '../../src/wire/versions.js';

describe('the TLS 1.2 PRF (RFC 5246 Section 5)', () => {
  // The P_SHA256 vector posted to the IETF TLS list (msg03416), used by many implementations.
  it('gives the published P_SHA256 output', () => {
    const output = prf(
      'sha256',
      fromHex('9bbe436ba940f017b17652849a71db35'),
      'test label',
      fromHex('a0ba9f936cda311827a6f796ffd5198c'),
      100,
    );
    expect(toHex(output)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a4' +
        '6b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d1' +
        '22ee42c5a72e5a5110fff70187347b66',
    );
  });
});

const record = (type: number, ...body: number[]) =>
  Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff, ...body);

describe('the answer to a TLS 1.2 handshake finished without a client certificate', () => {
  it('is a refusal on a fatal alert in the clear', () => {
    const reader = new Tls12AnswerReader();
    expect(reader.push(record(ContentType.alert, 2, 40))).toBe(true);
    expect(reader.answer).toEqual({ kind: 'refused', alert: 40 });
  });

  it('is completed on the server ChangeCipherSpec, even split across reads', () => {
    const reader = new Tls12AnswerReader();
    const changeCipherSpec = record(ContentType.changeCipherSpec, 1);
    expect(reader.push(changeCipherSpec.subarray(0, 3))).toBe(false);
    expect(reader.push(changeCipherSpec.subarray(3))).toBe(true);
    expect(reader.answer).toEqual({
      kind: 'completed',
      detail: 'the server sent its ChangeCipherSpec',
    });
  });

  it('is completed on a NewSessionTicket, which comes before the ChangeCipherSpec', () => {
    const reader = new Tls12AnswerReader();
    const ticket = record(ContentType.handshake, HandshakeType.newSessionTicket, 0, 0, 0);
    expect(reader.push(ticket)).toBe(true);
    expect(reader.answer?.kind).toBe('completed');
  });

  it('reads on past a warning user_canceled, and is unknown when the server just closes', () => {
    const reader = new Tls12AnswerReader();
    expect(reader.push(record(ContentType.alert, 1, 90))).toBe(false);
    reader.endOfStream();
    expect(reader.answer?.kind).toBe('unknown');
  });

  it('is unknown on a record no server sends here', () => {
    const reader = new Tls12AnswerReader();
    expect(reader.push(record(ContentType.applicationData, 1, 2, 3))).toBe(true);
    expect(reader.answer).toEqual({
      kind: 'unknown',
      detail: 'a record of type 23 after our Finished',
    });
  });
});
