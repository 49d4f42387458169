import fc from 'fast-check';
import { constructed, primitive, type TlvNode } from '@tillgate/emv';
import {
  isCompositeSpec,
  type ContentClass,
  type FieldSpec,
  type FieldValue,
  type IsoMessage,
  type MessageSpec,
  type ScalarFieldSpec,
} from '../spec/field-spec.types';

const range = (from: number, to: number): string =>
  String.fromCharCode(...Array.from({ length: to - from + 1 }, (_, i) => from + i));
const DIGITS = range(0x30, 0x39);
const LETTERS = range(0x41, 0x5a) + range(0x61, 0x7a);
const SPECIALS = Array.from(range(0x20, 0x7e))
  .filter((c) => !DIGITS.includes(c) && !LETTERS.includes(c))
  .join('');

const CHARSETS: Record<Exclude<ContentClass, 'b' | 'ber-tlv' | 'xn'>, string> = {
  a: LETTERS,
  n: DIGITS,
  s: SPECIALS,
  an: LETTERS + DIGITS,
  as: LETTERS + SPECIALS,
  ns: DIGITS + SPECIALS,
  ans: range(0x20, 0x7e),
  z: range(0x30, 0x3f),
};

/** Variable lengths are drawn up to this, plus the exact maximum now and then. */
const TYPICAL_MAX = 40;

function lengthOf(spec: ScalarFieldSpec): fc.Arbitrary<number> {
  if (spec.type === 'fixed') return fc.constant(spec.length);
  if (spec.allowedLengths) return fc.constantFrom(...spec.allowedLengths);
  return fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 0, max: Math.min(spec.length, TYPICAL_MAX) }) },
    fc.constant(spec.length),
  );
}

/** `n` characters from `chars`, drawn as bytes (much cheaper than a per-character arbitrary). */
function textOf(chars: string, n: number): fc.Arbitrary<string> {
  return fc
    .uint8Array({ minLength: n, maxLength: n })
    .map((bytes) => Array.from(bytes, (b) => chars[b % chars.length]).join(''));
}

function scalarValue(spec: ScalarFieldSpec): fc.Arbitrary<string | Uint8Array> {
  if (spec.content === 'b')
    return lengthOf(spec).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  if (spec.content === 'xn') {
    return fc
      .tuple(
        fc.constantFrom('C', 'D'),
        lengthOf(spec).chain((n) => textOf(DIGITS, n - 1)),
      )
      .map(([sign, digits]) => sign + digits);
  }
  const chars = CHARSETS[spec.content];
  return lengthOf(spec).chain((n) => textOf(chars, n));
}

const PRIMITIVE_TAGS = [
  '9F26',
  '9F27',
  '9F10',
  '9F37',
  '9F36',
  '95',
  '9A',
  '9C',
  '9F02',
  '5F2A',
  '82',
  '91',
  '8A',
  'DF8101',
];

/** Small BER-TLV lists: primitives and one level of templates, under 255 bytes encoded. */
export const tlvNodes: fc.Arbitrary<TlvNode[]> = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...PRIMITIVE_TAGS), fc.uint8Array({ maxLength: 16 }))
        .map(([t, v]) => primitive(t, v)),
    },
    fc
      .tuple(
        fc.constantFrom('71', '72', 'E1', 'BF0C'),
        fc.array(fc.tuple(fc.constantFrom('86', '9F18'), fc.uint8Array({ maxLength: 12 })), {
          maxLength: 3,
        }),
      )
      .map(([t, children]) =>
        constructed(
          t,
          children.map(([ct, v]) => primitive(ct, v)),
        ),
      ),
  ),
  { maxLength: 6 },
);

export function fieldValue(spec: FieldSpec): fc.Arbitrary<FieldValue> {
  if (isCompositeSpec(spec)) {
    return fc.record(Object.fromEntries(spec.subfields.map((s) => [s.id, scalarValue(s)])));
  }
  if (spec.content === 'ber-tlv') return tlvNodes;
  return scalarValue(spec as ScalarFieldSpec);
}

/** Messages `pack` must accept under `spec`: its MTIs with mandatory and some optional fields. */
export function validMessage(spec: MessageSpec): fc.Arbitrary<IsoMessage> {
  const defined = Object.keys(spec.fields).map(Number);
  const layout: fc.Arbitrary<{ mti: string; fields: number[] }> = spec.messages
    ? fc
        .constantFrom(...Object.entries(spec.messages))
        .chain(([mti, rule]) =>
          fc
            .subarray([...rule.optional])
            .map((optional) => ({ mti, fields: [...rule.mandatory, ...optional] })),
        )
    : fc
        .tuple(
          fc.stringOf(fc.constantFrom(...DIGITS), { minLength: 4, maxLength: 4 }),
          fc.subarray(defined),
        )
        .map(([mti, fields]) => ({ mti, fields }));
  return layout.chain(({ mti, fields }) =>
    fc
      .record(Object.fromEntries(fields.map((n) => [n, fieldValue(spec.fields[n])])))
      .map((values) => ({
        mti,
        fields: values as Record<number, FieldValue>,
      })),
  );
}
