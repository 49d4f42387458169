import { Iso8583SpecError } from '../codec/iso8583.error';
import type { FieldSpec, MessageSpec } from './field-spec.types';
import { validateMessageSpec } from './spec.validator';

const specWith = (
  fields: Record<number, unknown>,
  extra: Record<string, unknown> = {},
): MessageSpec =>
  ({
    name: 't',
    mtiEncoding: 'ascii',
    bitmapEncoding: 'binary',
    fields,
    ...extra,
  }) as unknown as MessageSpec;

const n3: FieldSpec = { name: 'x', type: 'fixed', length: 3, content: 'n', encoding: 'ascii' };

describe('message spec validation', () => {
  it.each<[string, MessageSpec, string]>([
    ['field 1 (the secondary bitmap bit)', specWith({ 1: n3 }), 'fields.1'],
    ['a field beyond 128 with two bitmaps', specWith({ 129: n3 }), 'fields.129'],
    ['field 65 with three bitmaps', specWith({ 65: n3 }, { maxBitmaps: 3 }), 'fields.65'],
    [
      'BCD for ans content',
      specWith({ 2: { ...n3, content: 'ans', encoding: 'bcd' } }),
      'fields.2',
    ],
    ['binary encoding for n content', specWith({ 2: { ...n3, encoding: 'binary' } }), 'fields.2'],
    ['an LLVAR maximum of 100', specWith({ 2: { ...n3, type: 'llvar', length: 100 } }), 'fields.2'],
    ['a zero length', specWith({ 2: { ...n3, length: 0 } }), 'fields.2'],
    ['bcdPad on an ASCII field', specWith({ 2: { ...n3, bcdPad: 'right' } }), 'fields.2'],
    [
      'fixed subfields that do not add up',
      specWith({ 3: { name: 'pc', type: 'fixed', length: 6, subfields: [{ ...n3, id: 'a' }] } }),
      'fields.3',
    ],
    [
      'a repeated subfield id',
      specWith({
        3: {
          name: 'pc',
          type: 'fixed',
          length: 6,
          subfields: [
            { ...n3, id: 'a' },
            { ...n3, id: 'a' },
          ],
        },
      }),
      'fields.3.subfields[1]',
    ],
    [
      'a ber-tlv field in hex',
      specWith({
        55: { name: 'icc', type: 'lllvar', length: 255, content: 'ber-tlv', encoding: 'hex' },
      }),
      'fields.55',
    ],
    [
      'allowedLengths on a fixed field',
      specWith({ 2: { ...n3, allowedLengths: [3] } }),
      'fields.2',
    ],
    [
      'an empty allowedLengths',
      specWith({ 2: { ...n3, type: 'llvar', allowedLengths: [] } }),
      'fields.2',
    ],
    [
      'an allowed length over the maximum',
      specWith({ 2: { ...n3, type: 'llvar', allowedLengths: [2, 4] } }),
      'fields.2',
    ],
    [
      'allowed lengths out of order',
      specWith({ 2: { ...n3, type: 'llvar', allowedLengths: [3, 1] } }),
      'fields.2',
    ],
    [
      'allowedLengths on a ber-tlv field',
      specWith({
        55: {
          name: 'icc',
          type: 'lllvar',
          length: 255,
          content: 'ber-tlv',
          encoding: 'binary',
          allowedLengths: [8],
        },
      }),
      'fields.55',
    ],
    [
      'a message rule naming an undefined field',
      specWith({ 2: n3 }, { messages: { '0100': { name: 'r', mandatory: [3], optional: [] } } }),
      'messages.0100',
    ],
    [
      'a three-digit MTI in the rules',
      specWith({ 2: n3 }, { messages: { '100': { name: 'r', mandatory: [2], optional: [] } } }),
      'messages.100',
    ],
  ])('refuses %s', (_name, spec, path) => {
    expect(() => validateMessageSpec(spec)).toThrow(expect.objectContaining({ path }));
    expect(() => validateMessageSpec(spec)).toThrow(Iso8583SpecError);
  });

  it('accepts binary LLLVAR prefixes up to 65535', () => {
    const spec = specWith({
      60: {
        name: 'x',
        type: 'lllvar',
        length: 4000,
        content: 'b',
        encoding: 'binary',
        lengthEncoding: 'binary',
      },
    });
    expect(validateMessageSpec(spec)).toBe(spec);
  });
});
