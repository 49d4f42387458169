import type { FieldValue, IsoMessage, MessageRule, MessageSpec } from '../spec/field-spec.types';
import { validateMessageSpec } from '../spec/spec.validator';
import { ByteReader, concat, decodeField, encodeField } from './field.codec';
import { Iso8583Error } from './iso8583.error';

const MTI = 0;
const BITMAP = 1;

// ----- MTI -----------------------------------------------------------------

function readMti(r: ByteReader, spec: MessageSpec): string {
  const at = r.pos;
  if (spec.mtiEncoding === 'ascii') {
    const text = String.fromCharCode(...r.take(4, { field: MTI }, 'MTI'));
    if (!/^\d{4}$/.test(text))
      throw new Iso8583Error('BAD_MTI', MTI, 'MTI is not four ASCII digits', { offset: at });
    return text;
  }
  const hex = Buffer.from(r.take(2, { field: MTI }, 'MTI')).toString('hex');
  if (!/^\d{4}$/.test(hex))
    throw new Iso8583Error('BAD_MTI', MTI, 'MTI is not four BCD digits', { offset: at });
  return hex;
}

function writeMti(mti: string, spec: MessageSpec): Uint8Array {
  return spec.mtiEncoding === 'ascii'
    ? Uint8Array.from(mti, (c) => c.charCodeAt(0))
    : new Uint8Array(Buffer.from(mti, 'hex'));
}

function ruleFor(mti: string, spec: MessageSpec, offset?: number): MessageRule | undefined {
  if (!spec.messages) return undefined;
  const rule = spec.messages[mti];
  if (!rule)
    throw new Iso8583Error(
      'UNSUPPORTED_MTI',
      MTI,
      `MTI ${mti} is not part of spec "${spec.name}"`,
      { offset },
    );
  return rule;
}

const ALLOWED_FIELDS = new WeakMap<MessageRule, ReadonlySet<number>>();

/** The fields a message of `rule` may carry, built once per rule. */
function allowedFieldsOf(rule: MessageRule): ReadonlySet<number> {
  let allowed = ALLOWED_FIELDS.get(rule);
  if (!allowed) {
    allowed = new Set([...rule.mandatory, ...rule.optional]);
    ALLOWED_FIELDS.set(rule, allowed);
  }
  return allowed;
}

function checkRule(
  mti: string,
  rule: MessageRule | undefined,
  present: readonly number[],
  offset?: number,
): void {
  if (!rule) return;
  const allowed = allowedFieldsOf(rule);
  const extra = present.find((n) => !allowed.has(n));
  if (extra !== undefined) {
    throw new Iso8583Error(
      'FIELD_NOT_PERMITTED',
      extra,
      `is not allowed in a ${mti} (${rule.name})`,
      { offset },
    );
  }
  const missing = rule.mandatory.find((n) => !present.includes(n));
  if (missing !== undefined) {
    throw new Iso8583Error('MISSING_FIELD', missing, `is mandatory in a ${mti} (${rule.name})`, {
      offset,
    });
  }
}

// ----- bitmaps ---------------------------------------------------------------

/** Bit 1 announces the secondary bitmap; with three bitmaps, bit 65 announces the tertiary. */
function isIndicatorBit(n: number, spec: MessageSpec): boolean {
  return n === 1 || (n === 65 && (spec.maxBitmaps ?? 2) === 3);
}

function readBitmap(r: ByteReader, spec: MessageSpec): Uint8Array {
  const at = r.pos;
  if (spec.bitmapEncoding === 'binary') return r.take(8, { field: BITMAP }, 'bitmap');
  const text = String.fromCharCode(...r.take(16, { field: BITMAP }, 'bitmap'));
  if (!/^[0-9A-Fa-f]{16}$/.test(text)) {
    throw new Iso8583Error('BAD_BITMAP', BITMAP, 'hex bitmap has a non-hex character', {
      offset: at,
    });
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function readFieldNumbers(r: ByteReader, spec: MessageSpec): number[] {
  const maps = [readBitmap(r, spec)];
  if (maps[0][0] & 0x80) maps.push(readBitmap(r, spec));
  if ((spec.maxBitmaps ?? 2) === 3 && maps.length === 2 && maps[1][0] & 0x80)
    maps.push(readBitmap(r, spec));
  const fields: number[] = [];
  maps.forEach((map, m) => {
    for (let bit = 0; bit < 64; bit++) {
      const n = m * 64 + bit + 1;
      if (map[bit >> 3] & (0x80 >> (bit & 7)) && !isIndicatorBit(n, spec)) fields.push(n);
    }
  });
  return fields;
}

function writeBitmaps(fields: readonly number[], spec: MessageSpec): Uint8Array {
  const highest = fields.length ? fields[fields.length - 1] : 0;
  const count = highest > 128 ? 3 : highest > 64 ? 2 : 1;
  const maps = new Uint8Array(8 * count);
  const set = (n: number): void => {
    maps[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
  };
  if (count >= 2) set(1);
  if (count === 3) set(65);
  fields.forEach(set);
  return spec.bitmapEncoding === 'binary'
    ? maps
    : Uint8Array.from(Buffer.from(maps).toString('hex').toUpperCase(), (c) => c.charCodeAt(0));
}

// ----- pack / unpack ---------------------------------------------------------

/**
 * Encodes a message with `spec`: MTI, bitmaps, then the fields in ascending
 * order. Values are written as given, never padded or truncated: a value
 * that does not fit its field is an {@link Iso8583Error} naming the field.
 */
export function pack(message: IsoMessage, spec: MessageSpec): Uint8Array {
  validateMessageSpec(spec);
  if (typeof message.mti !== 'string' || !/^\d{4}$/.test(message.mti)) {
    throw new Iso8583Error('BAD_MTI', MTI, 'MTI must be four digits');
  }
  const rule = ruleFor(message.mti, spec);
  if (typeof message.fields !== 'object' || message.fields === null) {
    throw new Iso8583Error(
      'INVALID_VALUE',
      BITMAP,
      'message.fields must be an object keyed by field number',
    );
  }
  const entries = Object.entries(message.fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [Number(key), value] as [number, FieldValue])
    .sort(([a], [b]) => a - b);
  for (const [n] of entries) {
    if (!Number.isInteger(n) || !spec.fields[n] || isIndicatorBit(n, spec)) {
      throw new Iso8583Error(
        'UNDEFINED_FIELD',
        Number.isInteger(n) ? n : -1,
        `is not defined in spec "${spec.name}"`,
      );
    }
  }
  const numbers = entries.map(([n]) => n);
  checkRule(message.mti, rule, numbers);
  return concat(
    writeMti(message.mti, spec),
    writeBitmaps(numbers, spec),
    ...entries.map(([n, value]) => encodeField(spec.fields[n], value, n)),
  );
}

/**
 * Decodes a message with `spec`. Untrusted input can only make it throw
 * {@link Iso8583Error}; `unpack(pack(m, spec), spec)` equals `m` for every
 * message `pack` accepts.
 */
export function unpack(bytes: Uint8Array, spec: MessageSpec): IsoMessage {
  validateMessageSpec(spec);
  const r = new ByteReader(bytes);
  const mti = readMti(r, spec);
  const rule = ruleFor(mti, spec, 0);
  const bitmapAt = r.pos;
  const numbers = readFieldNumbers(r, spec);
  const undefinedField = numbers.find((n) => !spec.fields[n]);
  if (undefinedField !== undefined) {
    throw new Iso8583Error(
      'UNDEFINED_FIELD',
      undefinedField,
      `is set in the bitmap but not defined in spec "${spec.name}"`,
      {
        offset: bitmapAt,
      },
    );
  }
  checkRule(mti, rule, numbers, bitmapAt);
  const fields: Record<number, FieldValue> = {};
  for (const n of numbers) fields[n] = decodeField(spec.fields[n], r, n);
  if (r.pos < bytes.length) {
    const last = numbers.length ? numbers[numbers.length - 1] : BITMAP;
    throw new Iso8583Error(
      'TRAILING_DATA',
      last,
      `${bytes.length - r.pos} bytes after the last field`,
      { offset: r.pos },
    );
  }
  return { mti, fields };
}
