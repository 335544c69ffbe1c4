// Byte building and reading for TLS structures (RFC 8446 Section 3, "Presentation Language").
//
// The Writer nests length-prefixed vectors as blocks, so the shape of the code follows the
// `opaque x<0..2^16-1>` shape of the RFC and no length is ever computed by hand. The Reader
// never throws: the first failure (truncation, trailing bytes, a bad length) is recorded and
// every later read returns zero or empty, so a parser reads straight through and checks
// `reader.error` once at the end.

/** The result of a parse: a value, or the reason the bytes were refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refused<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

export class Writer {
  private buffer = new Uint8Array(256);
  private length = 0;

  get size(): number {
    return this.length;
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = checked(value, 0xff);
    return this;
  }

  u16(value: number): this {
    checked(value, 0xffff);
    this.reserve(2);
    this.buffer[this.length++] = value >>> 8;
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  u24(value: number): this {
    checked(value, 0xffffff);
    this.reserve(3);
    this.buffer[this.length++] = value >>> 16;
    this.buffer[this.length++] = (value >>> 8) & 0xff;
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  zeros(count: number): this {
    this.reserve(count);
    this.buffer.fill(0, this.length, this.length + count);
    this.length += count;
    return this;
  }

  /** A vector with a 1-byte length prefix: `opaque x<0..2^8-1>`. */
  block8(fill: (w: this) => void): this {
    return this.block(1, 0xff, fill);
  }

  /** A vector with a 2-byte length prefix: `opaque x<0..2^16-1>`. */
  block16(fill: (w: this) => void): this {
    return this.block(2, 0xffff, fill);
  }

  /** A vector with a 3-byte length prefix: `opaque x<0..2^24-1>`. */
  block24(fill: (w: this) => void): this {
    return this.block(3, 0xffffff, fill);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private block(prefixBytes: number, max: number, fill: (w: this) => void): this {
    const start = this.length;
    this.zeros(prefixBytes);

    fill(this);

    const contentLength = this.length - start - prefixBytes;
    if (contentLength > max) {
      throw new RangeError(`vector of ${contentLength} bytes exceeds its ${max}-byte limit`);
    }
    for (let i = 0; i < prefixBytes; i++) {
      this.buffer[start + i] = (contentLength >>> (8 * (prefixBytes - 1 - i))) & 0xff;
    }
    return this;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

function checked(value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`value ${value} does not fit in 0..${max}`);
  }
  return value;
}

/** Shared failure state of a reader and the sub-readers of its vectors. */
interface FailureSink {
  error: string | null;
}

export class Reader {
  private offset = 0;
  private readonly data: Uint8Array;
  private readonly sink: FailureSink;
  private readonly context: string;

  constructor(data: Uint8Array, context = 'message', sink: FailureSink = { error: null }) {
    this.data = data;
    this.context = context;
    this.sink = sink;
  }

  /** The first failure of this reader or of any sub-reader, or null. */
  get error(): string | null {
    return this.sink.error;
  }

  get failed(): boolean {
    return this.sink.error !== null;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  /** Records a failure found by the caller (a bad value rather than bad framing). */
  fail(reason: string): void {
    if (this.sink.error === null) this.sink.error = `${this.context}: ${reason}`;
  }

  u8(what = 'byte'): number {
    const bytes = this.take(1, what);
    return bytes.length === 1 ? bytes[0] : 0;
  }

  u16(what = 'uint16'): number {
    const bytes = this.take(2, what);
    return bytes.length === 2 ? (bytes[0] << 8) | bytes[1] : 0;
  }

  u24(what = 'uint24'): number {
    const bytes = this.take(3, what);
    return bytes.length === 3 ? (bytes[0] << 16) | (bytes[1] << 8) | bytes[2] : 0;
  }

  /** Exactly `count` bytes (a view, not a copy), or empty after recording a truncation. */
  bytes(count: number, what = 'bytes'): Uint8Array {
    return this.take(count, what);
  }

  /** Everything left. */
  rest(): Uint8Array {
    return this.take(this.remaining, 'rest');
  }

  /** A sub-reader over a vector with a 1-, 2- or 3-byte length prefix. */
  vector8(what: string, min = 0): Reader {
    return this.vector(this.u8(`${what} length`), what, min);
  }

  vector16(what: string, min = 0): Reader {
    return this.vector(this.u16(`${what} length`), what, min);
  }

  vector24(what: string, min = 0): Reader {
    return this.vector(this.u24(`${what} length`), what, min);
  }

  /** The bytes of a vector with a 1-, 2- or 3-byte length prefix. */
  opaque8(what: string, min = 0): Uint8Array {
    return this.vector8(what, min).rest();
  }

  opaque16(what: string, min = 0): Uint8Array {
    return this.vector16(what, min).rest();
  }

  opaque24(what: string, min = 0): Uint8Array {
    return this.vector24(what, min).rest();
  }

  /** Records trailing bytes as a failure; call once the structure is read. */
  end(): void {
    if (this.remaining > 0 && !this.failed) {
      this.fail(`${this.remaining} trailing byte(s)`);
    }
  }

  /** The first failure as a refused result; for parsers that stop early. */
  refusal<T>(): Parsed<T> {
    return refused(this.sink.error ?? `${this.context}: refused`);
  }

  /** Ends the read and returns the value, or the first failure. */
  result<T>(value: T): Parsed<T> {
    this.end();
    return this.sink.error === null ? parsed(value) : refused(this.sink.error);
  }

  private vector(length: number, what: string, min: number): Reader {
    const content = this.take(length, what);
    if (!this.failed && length < min) this.fail(`${what} shorter than ${min} byte(s)`);
    return new Reader(content, `${this.context} ${what}`, this.sink);
  }

  private take(count: number, what: string): Uint8Array {
    if (this.failed) return EMPTY;
    if (count > this.remaining) {
      this.fail(`truncated ${what}: needs ${count} byte(s), ${this.remaining} left`);
      this.offset = this.data.length;
      return EMPTY;
    }
    const view = this.data.subarray(this.offset, this.offset + count);
    this.offset += count;
    return view;
  }
}

const EMPTY = new Uint8Array(0);

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

export function toHex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

/** Hex to bytes, ignoring whitespace (test vectors are printed in spaced, wrapped columns). */
export function fromHex(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 2 !== 0 || /[^0-9a-fA-F]/.test(compact)) {
    throw new Error('not a hex string');
  }
  return new Uint8Array(Buffer.from(compact, 'hex'));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
