// How a server answers a TLS 1.3 handshake finished without a client certificate, read from the
// records it sends after our Finished. Real servers show the refusal (openssl s_server -Verify,
// gnutls-serv --require-client-cert) and the NewSessionTicket (s_server -verify) in
// test/cert/client-certificate.test.ts; the rest of the ways an answer can come are here.

import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/wire/bytes.js';
import { suiteByCode } from '../../src/wire/suites.js';
import { AnswerReader, recordDecryptor, sealRecord, suiteAead } from '../../src/wire/tls13.js';
import { ContentType, HandshakeType } from '../../src/wire/versions.js';

const aead = suiteAead(suiteByCode(0x1301)!)!;
const secret = new Uint8Array(32).fill(7);
const seal = (sequence: bigint, type: number, content: Uint8Array) =>
  sealRecord('sha256', aead, secret, sequence, type, content);
const reader = () => new AnswerReader(recordDecryptor('sha256', aead, secret));

describe('the answer to a handshake finished without a client certificate', () => {
  it('is a refusal when a fatal alert comes under the application keys', () => {
    const answer = reader();
    expect(answer.push(seal(0n, ContentType.alert, Uint8Array.of(2, 116)))).toBe(true);
    expect(answer.answer).toEqual({ kind: 'refused', alert: 116 });
  });

  it('is a refusal when the alert comes in the clear, after a ChangeCipherSpec', () => {
    const answer = reader();
    const records = Uint8Array.of(20, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2, 2, 40);
    expect(answer.push(records)).toBe(true);
    expect(answer.answer).toEqual({ kind: 'refused', alert: 40 });
  });

  it('is completed on a NewSessionTicket, even one split across reads', () => {
    const ticket = seal(
      0n,
      ContentType.handshake,
      Uint8Array.of(HandshakeType.newSessionTicket, 0, 0, 0),
    );
    const answer = reader();
    expect(answer.push(ticket.subarray(0, 7))).toBe(false);
    expect(answer.push(ticket.subarray(7))).toBe(true);
    expect(answer.answer).toEqual({
      kind: 'completed',
      detail: 'the server sent a NewSessionTicket',
    });
  });

  it('is completed on a close_notify answering ours; user_canceled is read past', () => {
    const answer = reader();
    const records = concatBytes([
      seal(0n, ContentType.alert, Uint8Array.of(1, 90)),
      seal(1n, ContentType.alert, Uint8Array.of(1, 0)),
    ]);
    expect(answer.push(records)).toBe(true);
    expect(answer.answer?.kind).toBe('completed');
  });

  it('is unknown when a record does not open, or the server leaves saying nothing', () => {
    const wrong = new AnswerReader(recordDecryptor('sha256', aead, new Uint8Array(32)));
    expect(wrong.push(seal(0n, ContentType.alert, Uint8Array.of(2, 116)))).toBe(true);
    expect(wrong.answer?.kind).toBe('unknown');

    const silent = reader();
    silent.endOfStream();
    expect(silent.answer).toEqual({
      kind: 'unknown',
      detail: 'the server closed the connection, saying nothing',
    });
  });
});
