import fc from 'fast-check';
import { xor } from '../primitives/bytes';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import { buildFormat4PinField, format4PanField, parseFormat4PinField } from './pin-block-format4';
import { PinblockVector, fieldOf, formatOf, pinblockVectors } from './test-data/pinblock-vectors';
import extra from './test-data/pinblock_extra.json';

const format4 = pinblockVectors.filter((v) => formatOf(v) === 4);

describe('format 4 PIN and PAN fields (ISO 9564-1:2017 §9.4.2)', () => {
  it.each(format4.map((v): [string, PinblockVector] => [`${v.direction}: ${v.source}`, v]))(
    'pinblock.json %s',
    (_, v) => {
      const pinField = fieldOf(v, 'plain_pin_field');
      const panField = fieldOf(v, 'pan_field');
      const { pin, pan } = v.inputs;
      if (pinField) {
        expect(parseFormat4PinField(hexToBytes(pinField))).toBe(v.expected.pin ?? pin);
        if (pin) {
          const random = () => hexToBytes(pinField).subarray(8);
          expect(bytesToHex(buildFormat4PinField(pin, random))).toBe(pinField);
        }
      }
      if (panField && pan) expect(bytesToHex(format4PanField(pan))).toBe(panField);
      if (v.expected.first_8_bytes_of_pin_field_xor_pan_field) {
        const mixed = xor(buildFormat4PinField(pin!), format4PanField(pan!)).subarray(0, 8);
        expect(bytesToHex(mixed)).toBe(v.expected.first_8_bytes_of_pin_field_xor_pan_field);
      }
    },
  );

  it.each(
    extra.format4_fields.map((v): [string, (typeof extra.format4_fields)[number]] => [v.source, v]),
  )('pinblock_extra.json %s', (_, v) => {
    const field = buildFormat4PinField(v.pin);
    expect(bytesToHex(field.subarray(0, 8))).toBe(v.expected_pin_field_first_half);
    expect(parseFormat4PinField(field)).toBe(v.pin);
    expect(bytesToHex(format4PanField(v.pan))).toBe(v.expected_pan_field);
  });

  it('takes its 8 random bytes from the injected source', () => {
    const field = buildFormat4PinField('123456789012', () => hexToBytes('0011223344556677'));
    expect(bytesToHex(field)).toBe('4C123456789012AA0011223344556677');
  });

  it.each([
    ['control 3', '341234AAAAAAAAAA0000000000000000'],
    ['PIN length 3', '43123AAAAAAAAAAA0000000000000000'],
    ['fill other than A', '441234AAAAAAAAAB0000000000000000'],
    ['a non-digit PIN', '44123BAAAAAAAAAA0000000000000000'],
    ['8 bytes', '441234AAAAAAAAAA'],
  ])('rejects a PIN field with %s', (_, hex) => {
    expect(() => parseFormat4PinField(hexToBytes(hex))).toThrow(
      expect.objectContaining({ code: 'INVALID_PIN_BLOCK' }),
    );
  });

  it('round-trips any PIN through the PIN field', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{4,12}$/),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (pin, fill) => {
          const field = buildFormat4PinField(pin, () => Buffer.from(fill));
          expect(parseFormat4PinField(field)).toBe(pin);
        },
      ),
      { seed: 20240606, numRuns: 300 },
    );
  });

  it('encodes the PAN length nibble M for every PAN length 1-19', () => {
    for (let length = 1; length <= 19; length++) {
      const field = bytesToHex(format4PanField('9'.repeat(length)));
      expect(field[0]).toBe(String(Math.max(0, length - 12)));
      expect(field.slice(1).replace(/0+$/, '').replace(/^0+/, '')).toBe('9'.repeat(length));
    }
  });
});
