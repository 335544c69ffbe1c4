// The byte Writer and Reader: nested length prefixes, truncation and trailing bytes as values.

import { describe, expect, it } from 'vitest';
import { fromHex, Reader, toHex, Writer } from '../../src/wire/bytes.js';

describe('Writer', () => {
  it('writes nested length-prefixed vectors without hand-computed lengths', () => {
    const w = new Writer();
    w.u8(1).block16((w) => {
      w.u16(0xabcd);
      w.block8((w) => w.bytes(fromHex('0102 03')));
      w.block24(() => {});
    });
    expect(toHex(w.finish())).toBe('01' + '0009' + 'abcd' + '03010203' + '000000');
  });

  it('grows past its first buffer and refuses values that do not fit', () => {
    const w = new Writer();
    w.block16((w) => w.zeros(5000));
    const bytes = w.finish();
    expect(bytes.length).toBe(5002);
    expect(bytes[0] * 256 + bytes[1]).toBe(5000);

    expect(() => new Writer().u8(256)).toThrow(RangeError);
    expect(() => new Writer().u16(-1)).toThrow(RangeError);
    expect(() => new Writer().block8((w) => w.zeros(256))).toThrow(/exceeds/);
  });
});

describe('Reader', () => {
  it('reads what the Writer wrote', () => {
    const w = new Writer();
    w.u16(0x0303)
      .block8((w) => w.bytes(fromHex('aabb')))
      .u24(0x010203);
    const r = new Reader(w.finish(), 'test');
    expect(r.u16()).toBe(0x0303);
    expect(toHex(r.opaque8('v'))).toBe('aabb');
    expect(r.u24()).toBe(0x010203);
    expect(r.result('done')).toEqual({ ok: true, value: 'done' });
  });

  it('returns truncation as a value and reads zeros afterwards', () => {
    const r = new Reader(fromHex('0005 0102'), 'thing');
    const inner = r.vector16('list');
    expect(inner.remaining).toBe(0);
    expect(r.u8()).toBe(0);
    const result = r.result(null);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/thing: truncated list: needs 5/);
  });

  it('refuses trailing bytes, in the outer structure and in vectors', () => {
    const outer = new Reader(fromHex('01 02'), 'outer');
    outer.u8();
    expect(outer.result(1).ok).toBe(false);

    const r = new Reader(fromHex('02 aa bb'), 'outer');
    const vector = r.vector8('v');
    vector.u8();
    vector.end();
    const result = r.result(1);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/outer v: 1 trailing byte/);
  });

  it('enforces a vector minimum length', () => {
    const r = new Reader(fromHex('00'), 'x');
    r.opaque8('name', 1);
    expect(r.failed).toBe(true);
  });
});
