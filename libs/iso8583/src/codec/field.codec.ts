import { decodeTlv, encodeTlv, TlvError, type TlvNode } from '@tillgate/emv';
import {
  isCompositeSpec,
  type CompositeFieldSpec,
  type CompositeValue,
  type FieldSpec,
  type FieldValue,
  type ScalarFieldSpec,
  type TlvFieldSpec,
} from '../spec/field-spec.types';
import { maxPrefixValue } from '../spec/spec.validator';
import { encodedLength, firstInvalid, firstInvalidChar, PREFIX_DIGITS } from './content-class';
import { Iso8583Error, type Iso8583ErrorCode } from './iso8583.error';

/** Where an error belongs: data element number and, inside a composite, the subfield. */
export interface FieldContext {
  readonly field: number;
  readonly subfield?: string;
}

function error(
  code: Iso8583ErrorCode,
  ctx: FieldContext,
  message: string,
  offset?: number,
  cause?: unknown,
): Iso8583Error {
  return new Iso8583Error(code, ctx.field, message, { subfield: ctx.subfield, offset, cause });
}

/** A bounded cursor over the input; running past `end` is TRUNCATED (or COMPOSITE_LENGTH inside a composite). */
export class ByteReader {
  pos: number;
  /** The input as a Buffer (a view, not a copy): text fields are read from it without slicing. */
  readonly buf: Buffer;

  constructor(
    input: Uint8Array,
    readonly end: number = input.length,
    start = 0,
    private readonly overrun: Iso8583ErrorCode = 'TRUNCATED',
  ) {
    this.buf = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.pos = start;
  }

  take(n: number, ctx: FieldContext, what: string): Uint8Array {
    const at = this.skip(n, ctx, what);
    return this.buf.subarray(at, at + n);
  }

  /** Moves past `n` bytes and returns the offset they start at. */
  skip(n: number, ctx: FieldContext, what: string): number {
    if (n > this.end - this.pos) {
      throw error(
        this.overrun,
        ctx,
        `${what} needs ${n} bytes, ${this.end - this.pos} left`,
        this.pos,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

/** One character per byte (Latin-1), as String.fromCharCode(...bytes). */
const ascii = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** The low byte of each character: callers pass characters already checked to be ASCII. */
function writeAscii(text: string, out: Uint8Array, at: number): void {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

const asciiBytes = (text: string): Uint8Array => {
  const out = new Uint8Array(text.length);
  writeAscii(text, out, 0);
  return out;
};

// ----- length prefixes ---------------------------------------------------

function readPrefix(spec: FieldSpec, r: ByteReader, ctx: FieldContext): number {
  if (spec.type === 'fixed') return spec.length;
  const encoding = spec.lengthEncoding ?? 'ascii';
  const at = r.pos;
  const prefix = r.take(prefixLength(spec), ctx, 'length prefix');
  let length = 0;
  if (encoding === 'ascii') {
    for (const b of prefix) {
      if (b < 0x30 || b > 0x39)
        throw error('BAD_LENGTH_HEADER', ctx, 'ASCII length prefix has a non-digit', at);
      length = length * 10 + (b - 0x30);
    }
  } else if (encoding === 'bcd') {
    for (const b of prefix) {
      if (b >> 4 > 9 || (b & 0x0f) > 9)
        throw error('BAD_LENGTH_HEADER', ctx, 'BCD length prefix has a nibble above 9', at);
      length = length * 100 + (b >> 4) * 10 + (b & 0x0f);
    }
  } else {
    for (const b of prefix) length = length * 256 + b;
  }
  if (length > spec.length) {
    throw error('LENGTH_OVER_MAX', ctx, `length ${length} exceeds the maximum ${spec.length}`, at);
  }
  const allowed = allowedLengthsOf(spec);
  if (allowed && !allowed.includes(length)) {
    throw error('LENGTH_MISMATCH', ctx, `length ${length} is not one of ${allowed.join(', ')}`, at);
  }
  return length;
}

/** The only lengths a variable scalar field may have, when its spec restricts them. */
function allowedLengthsOf(spec: FieldSpec): readonly number[] | undefined {
  return 'allowedLengths' in spec ? spec.allowedLengths : undefined;
}

/** Bytes of the length prefix of a field: 0 for a fixed field. */
function prefixLength(spec: FieldSpec): number {
  if (spec.type === 'fixed') return 0;
  const digits = PREFIX_DIGITS[spec.type];
  switch (spec.lengthEncoding ?? 'ascii') {
    case 'ascii':
      return digits;
    case 'bcd':
      return Math.ceil(digits / 2);
    case 'binary':
      return digits === 2 ? 1 : 2;
  }
}

/**
 * Writes the length prefix at `out[at]` ({@link prefixLength} bytes).
 * `length` has been checked to fit the prefix (checkLength).
 */
function writePrefixInto(spec: FieldSpec, length: number, out: Uint8Array, at: number): void {
  const size = prefixLength(spec);
  switch (spec.type === 'fixed' ? undefined : (spec.lengthEncoding ?? 'ascii')) {
    case 'ascii':
      for (let i = size - 1, rest = length; i >= 0; i--, rest = Math.floor(rest / 10)) {
        out[at + i] = 0x30 + (rest % 10);
      }
      return;
    case 'bcd':
      for (let i = size - 1, rest = length; i >= 0; i--, rest = Math.floor(rest / 100)) {
        out[at + i] = (Math.floor((rest % 100) / 10) << 4) | (rest % 10);
      }
      return;
    case 'binary':
      if (size === 2) out[at++] = length >> 8;
      out[at] = length & 0xff;
      return;
  }
}

/** The length prefix of `length`, then `data`, in one new array. */
function withPrefix(spec: FieldSpec, length: number, data: Uint8Array): Uint8Array {
  const size = prefixLength(spec);
  const out = new Uint8Array(size + data.length);
  writePrefixInto(spec, length, out, 0);
  out.set(data, size);
  return out;
}

function checkLength(spec: FieldSpec, length: number, ctx: FieldContext, unit: string): void {
  if (spec.type === 'fixed' && length !== spec.length) {
    throw error(
      'LENGTH_MISMATCH',
      ctx,
      `is ${length} ${unit}; the field is fixed at ${spec.length} (pad it explicitly)`,
    );
  }
  if (
    spec.type !== 'fixed' &&
    length > Math.min(spec.length, maxPrefixValue(spec.type, spec.lengthEncoding ?? 'ascii'))
  ) {
    throw error('LENGTH_OVER_MAX', ctx, `is ${length} ${unit}; the maximum is ${spec.length}`);
  }
  const allowed = allowedLengthsOf(spec);
  if (allowed && !allowed.includes(length)) {
    throw error('LENGTH_MISMATCH', ctx, `is ${length} ${unit}; allowed: ${allowed.join(', ')}`);
  }
}

// ----- BCD ---------------------------------------------------------------

function padNibble(spec: ScalarFieldSpec): number {
  return (spec.bcdPad ?? 'left') === 'left' || spec.content === 'n' ? 0x0 : 0xf;
}

function unpackBcd(
  spec: ScalarFieldSpec,
  bytes: Uint8Array,
  length: number,
  ctx: FieldContext,
  at: number,
): string {
  const nibbles: number[] = [];
  for (const b of bytes) nibbles.push(b >> 4, b & 0x0f);
  if (length % 2 === 1) {
    const left = (spec.bcdPad ?? 'left') === 'left';
    const pad = left ? nibbles.shift()! : nibbles.pop()!;
    if (pad !== padNibble(spec)) {
      throw error(
        'BAD_PADDING',
        ctx,
        `pad nibble ${pad.toString(16).toUpperCase()} where ${padNibble(spec).toString(16).toUpperCase()} is expected`,
        at,
      );
    }
  }
  if (spec.content === 'n') {
    const bad = nibbles.findIndex((n) => n > 9);
    if (bad >= 0)
      throw error(
        'INVALID_CHARACTER',
        ctx,
        'BCD digit above 9 in a numeric field',
        at + Math.floor(bad / 2),
      );
  }
  // Track data (z): the nibble is the low half of the ISO/IEC 7813 character ('=' is D).
  return String.fromCharCode(...nibbles.map((n) => 0x30 + n));
}

function packBcd(spec: ScalarFieldSpec, value: string): Uint8Array {
  const nibbles = Array.from(value, (c) => c.charCodeAt(0) - 0x30);
  if (nibbles.length % 2 === 1) {
    if ((spec.bcdPad ?? 'left') === 'left') nibbles.unshift(padNibble(spec));
    else nibbles.push(padNibble(spec));
  }
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
  return out;
}

// ----- scalar ------------------------------------------------------------

function decodeScalar(
  spec: ScalarFieldSpec,
  r: ByteReader,
  ctx: FieldContext,
): string | Uint8Array {
  const length = readPrefix(spec, r, ctx);
  const at = r.pos;
  if (spec.encoding === 'ascii') {
    // Read in place: no view of the value is made for the most common fields.
    const end = r.skip(length, ctx, 'value') + length;
    const content = spec.content as Exclude<typeof spec.content, 'b'>;
    const bad = firstInvalid(content, r.buf, at, end);
    if (bad >= 0)
      throw error(
        'INVALID_CHARACTER',
        ctx,
        `byte ${r.buf[at + bad]} is not allowed in ${spec.content}`,
        at + bad,
      );
    return r.buf.toString('latin1', at, end);
  }
  const bytes = r.take(encodedLength(length, spec.encoding), ctx, 'value');
  switch (spec.encoding) {
    case 'binary':
      return new Uint8Array(bytes);
    case 'hex': {
      const text = ascii(bytes);
      if (!/^[0-9A-Fa-f]*$/.test(text))
        throw error('INVALID_CHARACTER', ctx, 'non-hex character in a hex binary field', at);
      return new Uint8Array(Buffer.from(text, 'hex'));
    }
    case 'bcd':
      return unpackBcd(spec, bytes, length, ctx, at);
  }
}

function encodeScalar(spec: ScalarFieldSpec, value: unknown, ctx: FieldContext): Uint8Array {
  if (spec.content === 'b') {
    if (!(value instanceof Uint8Array))
      throw error('INVALID_VALUE', ctx, 'binary content takes a Uint8Array');
    checkLength(spec, value.length, ctx, 'bytes');
    const data =
      spec.encoding === 'hex'
        ? asciiBytes(Buffer.from(value).toString('hex').toUpperCase())
        : value;
    return withPrefix(spec, value.length, data);
  }
  if (typeof value !== 'string')
    throw error('INVALID_VALUE', ctx, `${spec.content} content takes a string`);
  const bad = firstInvalidChar(spec.content, value);
  if (bad >= 0)
    throw error(
      'INVALID_CHARACTER',
      ctx,
      `character ${JSON.stringify(value[bad])} is not allowed in ${spec.content}`,
    );
  checkLength(
    spec,
    value.length,
    ctx,
    spec.content === 'n' || spec.content === 'z' ? 'digits' : 'characters',
  );
  if (spec.encoding === 'bcd') return withPrefix(spec, value.length, packBcd(spec, value));
  // Every character is in its class, hence ASCII: one byte each.
  const size = prefixLength(spec);
  const out = new Uint8Array(size + value.length);
  writePrefixInto(spec, value.length, out, 0);
  writeAscii(value, out, size);
  return out;
}

// ----- composite ---------------------------------------------------------

function decodeComposite(
  spec: CompositeFieldSpec,
  r: ByteReader,
  ctx: FieldContext,
): CompositeValue {
  const length = readPrefix(spec, r, ctx);
  const start = r.skip(length, ctx, 'value');
  const inner = new ByteReader(r.buf, start + length, start, 'COMPOSITE_LENGTH');
  const value: Record<string, string | Uint8Array> = {};
  for (const sub of spec.subfields) {
    value[sub.id] = decodeScalar(sub, inner, { field: ctx.field, subfield: sub.id });
  }
  if (inner.pos !== inner.end) {
    throw error(
      'COMPOSITE_LENGTH',
      ctx,
      `subfields end ${inner.end - inner.pos} bytes before the field does`,
      inner.pos,
    );
  }
  return value;
}

function encodeComposite(spec: CompositeFieldSpec, value: unknown, ctx: FieldContext): Uint8Array {
  if (
    typeof value !== 'object' ||
    value === null ||
    value instanceof Uint8Array ||
    Array.isArray(value)
  ) {
    throw error('INVALID_VALUE', ctx, 'a composite field takes an object of subfields');
  }
  const record = value as Record<string, unknown>;
  const known = new Set(spec.subfields.map((s) => s.id));
  const extra = Object.keys(record).find((k) => !known.has(k));
  if (extra !== undefined)
    throw error('INVALID_VALUE', { ...ctx, subfield: extra }, 'is not a subfield of this field');
  const parts = spec.subfields.map((sub) => {
    const subCtx = { field: ctx.field, subfield: sub.id };
    if (!(sub.id in record)) throw error('INVALID_VALUE', subCtx, 'is missing');
    return encodeScalar(sub, record[sub.id], subCtx);
  });
  const data = concat(...parts);
  checkLength(spec, data.length, ctx, 'bytes of subfields');
  return withPrefix(spec, data.length, data);
}

// ----- BER-TLV -------------------------------------------------------------

function decodeTlvField(spec: TlvFieldSpec, r: ByteReader, ctx: FieldContext): TlvNode[] {
  const length = readPrefix(spec, r, ctx);
  const at = r.pos;
  const bytes = r.take(length, ctx, 'value');
  try {
    return decodeTlv(bytes);
  } catch (e) {
    if (e instanceof TlvError) {
      throw error('INVALID_TLV', ctx, `not BER-TLV: ${e.code}`, at + (e.offset ?? 0), e);
    }
    throw e;
  }
}

function encodeTlvField(spec: TlvFieldSpec, value: unknown, ctx: FieldContext): Uint8Array {
  if (!Array.isArray(value))
    throw error('INVALID_VALUE', ctx, 'a BER-TLV field takes an array of TLV nodes');
  let data: Uint8Array;
  try {
    data = encodeTlv(value as TlvNode[]);
  } catch (e) {
    if (e instanceof TlvError)
      throw error('INVALID_VALUE', ctx, `cannot encode TLV: ${e.message}`, undefined, e);
    throw e;
  }
  checkLength(spec, data.length, ctx, 'bytes');
  return withPrefix(spec, data.length, data);
}

// ----- dispatch ----------------------------------------------------------

export function decodeField(spec: FieldSpec, r: ByteReader, field: number): FieldValue {
  const ctx = { field };
  if (isCompositeSpec(spec)) return decodeComposite(spec, r, ctx);
  if (spec.content === 'ber-tlv') return decodeTlvField(spec as TlvFieldSpec, r, ctx);
  return decodeScalar(spec as ScalarFieldSpec, r, ctx);
}

export function encodeField(spec: FieldSpec, value: unknown, field: number): Uint8Array {
  const ctx = { field };
  if (isCompositeSpec(spec)) return encodeComposite(spec, value, ctx);
  if (spec.content === 'ber-tlv') return encodeTlvField(spec as TlvFieldSpec, value, ctx);
  return encodeScalar(spec as ScalarFieldSpec, value, ctx);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
