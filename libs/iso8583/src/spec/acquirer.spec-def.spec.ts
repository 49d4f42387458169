import { primitive } from '@tillgate/emv';
import { Iso8583Error } from '../codec/iso8583.error';
import { pack, unpack } from '../codec/message.codec';
import { anAcquirerMessage } from '../test-data/acquirer-message.builder';
import { ACQUIRER_SPEC } from './acquirer.spec-def';
import type { IsoMessage, MessageSpec } from './field-spec.types';
import { validateMessageSpec } from './spec.validator';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const NO_RULES: MessageSpec = {
  ...ACQUIRER_SPEC,
  name: 'acquirer without message rules',
  messages: undefined,
};

function error(fn: () => unknown): Iso8583Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Iso8583Error) return e;
    throw e;
  }
  throw new Error('expected an Iso8583Error');
}

/** Byte offset of field `n` inside `pack(message)`. */
function offsetOf(message: IsoMessage, n: number): number {
  const numbers = Object.keys(message.fields)
    .map(Number)
    .sort((a, b) => a - b);
  const bitmapBytes = numbers.some((k) => k > 64) ? 16 : 8;
  let offset = 4 + bitmapBytes;
  for (const k of numbers.filter((k) => k < n)) {
    const alone = pack({ mti: message.mti, fields: { [k]: message.fields[k] } }, NO_RULES);
    offset += alone.length - 4 - (k > 64 ? 16 : 8);
  }
  return offset;
}

function splice(
  bytes: Uint8Array,
  at: number,
  replacement: Uint8Array,
  removed = replacement.length,
): Uint8Array {
  return new Uint8Array([
    ...bytes.subarray(0, at),
    ...replacement,
    ...bytes.subarray(at + removed),
  ]);
}

describe('acquirer spec (docs/iso8583.md)', () => {
  it('is a valid spec', () => {
    expect(() => validateMessageSpec(ACQUIRER_SPEC)).not.toThrow();
  });

  it.each(['0100', '0200', '0110', '0210', '0400', '0401', '0420', '0421', '0800'])(
    'round-trips a typical %s',
    (mti) => {
      const message = anAcquirerMessage(mti).build();
      expect(unpack(pack(message, ACQUIRER_SPEC), ACQUIRER_SPEC)).toEqual(message);
    },
  );

  it.each([
    ['0410', '0400'],
    ['0410', '0401'],
    ['0430', '0420'],
    ['0430', '0421'],
    ['0810', '0800'],
  ])('round-trips a %s answering a %s', (mti, request) => {
    const message = anAcquirerMessage(request).with(39, '00').without(22, 25, 35, 95).build();
    const response = { ...message, mti };
    expect(unpack(pack(response, ACQUIRER_SPEC), ACQUIRER_SPEC)).toEqual(response);
  });

  it('packs a 0800 echo test with a secondary bitmap because of field 70', () => {
    const bytes = pack(anAcquirerMessage('0800').build(), ACQUIRER_SPEC);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('0800');
    expect(Buffer.from(bytes.subarray(4, 20)).toString('hex').toUpperCase()).toBe(
      '82200000000000000400000000000000',
    );
    expect(Buffer.from(bytes.subarray(20)).toString()).toBe('0506100000000001301');
  });

  it('writes field 55 as an ASCII LLL length then the BER-TLV bytes', () => {
    const message = anAcquirerMessage('0100')
      .with(55, [primitive('9F27', '80')])
      .build();
    const bytes = pack(message, ACQUIRER_SPEC);
    const at = offsetOf(message, 55);
    expect(
      Buffer.from(bytes.subarray(at, at + 7))
        .toString('hex')
        .toUpperCase(),
    ).toBe('3030349F270180');
  });

  describe('field 52: a binary LLVAR of 8 (TDES) or 16 (AES, ISO 9564 format 4) bytes', () => {
    const TDES_BLOCK = '0123456789ABCDEF';
    const AES_BLOCK = '00112233445566778899AABBCCDDEEFF';
    const withPinBlock = (hex: string) =>
      anAcquirerMessage('0200')
        .with(52, new Uint8Array(Buffer.from(hex, 'hex')))
        .build();

    it.each([
      ['an 8-byte TDES block', TDES_BLOCK, '3038'],
      ['a 16-byte format 4 block', AES_BLOCK, '3136'],
    ])('writes %s after its ASCII LL length, and reads it back', (_name, hex, prefix) => {
      const message = withPinBlock(hex);
      const bytes = pack(message, ACQUIRER_SPEC);
      const at = offsetOf(message, 52);
      const field = bytes.subarray(at, at + 2 + hex.length / 2);
      expect(Buffer.from(field).toString('hex').toUpperCase()).toBe(prefix + hex);
      expect(offsetOf(message, 53)).toBe(at + 2 + hex.length / 2);
      expect(unpack(bytes, ACQUIRER_SPEC)).toEqual(message);
    });

    it.each([0, 7, 9, 12, 15])('refuses to pack a %i-byte block', (length) => {
      const message = withPinBlock('AB'.repeat(length));
      expect(error(() => pack(message, ACQUIRER_SPEC))).toMatchObject({
        code: 'LENGTH_MISMATCH',
        field: 52,
      });
    });

    it('refuses a 17-byte block as over the maximum', () => {
      expect(error(() => pack(withPinBlock('AB'.repeat(17)), ACQUIRER_SPEC))).toMatchObject({
        code: 'LENGTH_OVER_MAX',
        field: 52,
      });
    });

    it('refuses received lengths other than 8 and 16 at the length prefix', () => {
      const message = withPinBlock(AES_BLOCK);
      const valid = pack(message, ACQUIRER_SPEC);
      const at = offsetOf(message, 52);
      // "12": the remaining bytes would still parse as a shorter block and a shifted F53.
      const e = error(() => unpack(splice(valid, at, ascii('12')), ACQUIRER_SPEC));
      expect([e.code, e.field, e.offset]).toEqual(['LENGTH_MISMATCH', 52, at]);
      expect(error(() => unpack(splice(valid, at, ascii('17')), ACQUIRER_SPEC))).toMatchObject({
        code: 'LENGTH_OVER_MAX',
        field: 52,
      });
    });
  });

  describe('malformed input: Iso8583Error with code and field', () => {
    const message = anAcquirerMessage('0200').build();
    const valid = pack(message, ACQUIRER_SPEC);

    it.each<[string, () => Uint8Array, string, number]>([
      ['a non-digit MTI', () => splice(valid, 0, ascii('02X0')), 'BAD_MTI', 0],
      ['an MTI outside the spec', () => splice(valid, 0, ascii('0300')), 'UNSUPPORTED_MTI', 0],
      ['input ending inside the MTI', () => valid.subarray(0, 3), 'TRUNCATED', 0],
      ['input ending inside the bitmap', () => valid.subarray(0, 9), 'TRUNCATED', 1],
      [
        'a bitmap naming an undefined field (5)',
        () => splice(valid, 4, Uint8Array.of(valid[4] | 0x08), 1),
        'UNDEFINED_FIELD',
        5,
      ],
      [
        'a bitmap without mandatory field 4',
        () => splice(valid, 4, Uint8Array.of(valid[4] & ~0x10), 1),
        'MISSING_FIELD',
        4,
      ],
      [
        'a PAN length over 19',
        () => splice(valid, offsetOf(message, 2), ascii('20')),
        'LENGTH_OVER_MAX',
        2,
      ],
      [
        'a PAN length with a letter',
        () => splice(valid, offsetOf(message, 2), ascii('1A')),
        'BAD_LENGTH_HEADER',
        2,
      ],
      [
        'a non-numeric amount',
        () => splice(valid, offsetOf(message, 4) + 5, ascii('X')),
        'INVALID_CHARACTER',
        4,
      ],
      [
        'a control character in the terminal id',
        () => splice(valid, offsetOf(message, 41), Uint8Array.of(0x07)),
        'INVALID_CHARACTER',
        41,
      ],
      [
        'a digit in the country of field 43',
        () => splice(valid, offsetOf(message, 43) + 38, ascii('C1')),
        'INVALID_CHARACTER',
        43,
      ],
      [
        'a track 2 with a letter',
        () => splice(valid, offsetOf(message, 35) + 2, ascii('A')),
        'INVALID_CHARACTER',
        35,
      ],
      [
        'input ending inside field 42',
        () => valid.subarray(0, offsetOf(message, 42) + 3),
        'TRUNCATED',
        42,
      ],
      [
        'field 55 that is not BER-TLV',
        () => splice(valid, offsetOf(message, 55) + 3, Uint8Array.of(0x9f, 0x26, 0x80)),
        'INVALID_TLV',
        55,
      ],
      ['bytes after the last field', () => new Uint8Array([...valid, 0x00]), 'TRAILING_DATA', 64],
    ])('refuses %s', (_name, make, code, field) => {
      expect(error(() => unpack(make(), ACQUIRER_SPEC))).toMatchObject({ code, field });
    });

    it('names the subfield of a composite and the byte offset', () => {
      const at = offsetOf(message, 43) + 38;
      const e = error(() => unpack(splice(valid, at, ascii('C1')), ACQUIRER_SPEC));
      expect([e.subfield, e.offset]).toEqual(['country', at + 1]);
    });

    it('refuses a field the MTI does not allow (F4 in a 0800)', () => {
      const bytes = pack(
        { mti: '0800', fields: { 4: '000000000100', 7: '0506100000', 11: '000001', 70: '301' } },
        NO_RULES,
      );
      expect(error(() => unpack(bytes, ACQUIRER_SPEC))).toMatchObject({
        code: 'FIELD_NOT_PERMITTED',
        field: 4,
      });
    });

    it('refuses an xn fee without its C/D sign (field 95)', () => {
      const reversal = anAcquirerMessage('0400').build();
      const bytes = pack(reversal, ACQUIRER_SPEC);
      const at = offsetOf(reversal, 95) + 24;
      expect(error(() => unpack(splice(bytes, at, ascii('X')), ACQUIRER_SPEC))).toMatchObject({
        code: 'INVALID_CHARACTER',
        field: 95,
        subfield: 'actualTransactionFee',
      });
    });
  });

  describe('values that do not fit: refused on pack, never padded', () => {
    it.each<[string, IsoMessage, string, number, string?]>([
      ['a short amount', anAcquirerMessage('0200').with(4, '1000').build(), 'LENGTH_MISMATCH', 4],
      [
        'a 20-digit PAN',
        anAcquirerMessage('0200').with(2, '4'.repeat(20)).build(),
        'LENGTH_OVER_MAX',
        2,
      ],
      [
        'a PIN block given as text',
        anAcquirerMessage('0200').with(52, '0123456789ABCDEF').build(),
        'INVALID_VALUE',
        52,
      ],
      [
        'a missing subfield',
        anAcquirerMessage('0200').with(3, { transactionType: '00', fromAccount: '00' }).build(),
        'INVALID_VALUE',
        3,
        'toAccount',
      ],
      [
        'an unknown subfield',
        anAcquirerMessage('0200')
          .with(22, { panEntryMode: '05', pinEntryCapability: '1', extra: '1' })
          .build(),
        'INVALID_VALUE',
        22,
        'extra',
      ],
      [
        'a lower-case letter in an n field',
        anAcquirerMessage('0200').with(11, '00012a').build(),
        'INVALID_CHARACTER',
        11,
      ],
      [
        'a field outside the spec',
        anAcquirerMessage('0200').with(5, '000000000100').build(),
        'UNDEFINED_FIELD',
        5,
      ],
      [
        'a field the MTI does not allow',
        anAcquirerMessage('0200').with(70, '301').build(),
        'FIELD_NOT_PERMITTED',
        70,
      ],
      [
        'a missing mandatory field',
        anAcquirerMessage('0200').without(11).build(),
        'MISSING_FIELD',
        11,
      ],
      ['a letter in the MTI', { mti: '02A0', fields: {} }, 'BAD_MTI', 0],
      ['an unknown MTI', { mti: '0300', fields: {} }, 'UNSUPPORTED_MTI', 0],
      [
        'ICC data over 255 bytes',
        anAcquirerMessage('0200')
          .with(55, [primitive('9F10', 'AA'.repeat(253))])
          .build(),
        'LENGTH_OVER_MAX',
        55,
      ],
      [
        'an unencodable TLV tag',
        anAcquirerMessage('0200')
          .with(55, [primitive('9F', '00')])
          .build(),
        'INVALID_VALUE',
        55,
      ],
    ])('refuses %s', (_name, message, code, field, ...subfield) => {
      const e = error(() => pack(message, ACQUIRER_SPEC));
      expect({ code: e.code, field: e.field }).toEqual({ code, field });
      if (subfield.length) expect(e.subfield).toBe(subfield[0]);
    });
  });
});
