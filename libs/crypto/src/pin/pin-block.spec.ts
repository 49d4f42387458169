import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import {
  buildPinBlock,
  BuildPinBlockInput,
  parsePinBlock,
  pinBlockPanField,
  PinBlockFormat8,
} from './pin-block';
import { PinblockVector, formatOf, pinblockVectors } from './test-data/pinblock-vectors';
import extra from './test-data/pinblock_extra.json';

const FC = { seed: 20240605, numRuns: 300 };

const cases = pinblockVectors
  .filter((v) => formatOf(v) !== 4)
  .map((v): [string, PinblockVector] => [`${v.format} ${v.direction}: ${v.source}`, v]);

/** A random source that always returns the same bytes, so random fill is reproducible. */
const fixedRandom = (byte: number) => (n: number) => Buffer.alloc(n, byte);

const buildInput = (
  format: PinBlockFormat8,
  pin: string,
  pan: string | undefined,
  random = fixedRandom(0x5a),
) => ({ format, pin, pan, random }) as BuildPinBlockInput;

describe('PIN blocks formats 0-3 (pinblock.json)', () => {
  it.each(cases)('%s', (_, v) => {
    const format = formatOf(v) as PinBlockFormat8;
    const { pin, pan } = v.inputs;
    const clear = v.inputs.clear_pin_block ?? v.expected.clear_pin_block;
    const expectedPin = v.expected.pin ?? pin;

    if (v.expected.clear_pin_block && pin) {
      expect(bytesToHex(buildPinBlock(buildInput(format, pin, pan)))).toBe(
        v.expected.clear_pin_block,
      );
    }
    if (clear && expectedPin) {
      expect(parsePinBlock(hexToBytes(clear), { format, pan })).toEqual({
        format,
        pin: expectedPin,
      });
    }
    if (v.expected.clear_pin_block_prefix) {
      const block = bytesToHex(buildPinBlock(buildInput(format, pin!, pan)));
      expect(block.startsWith(v.expected.clear_pin_block_prefix)).toBe(true);
    }
    if (v.expected.pan_block) {
      expect(bytesToHex(pinBlockPanField(pan!))).toBe(v.expected.pan_block);
    }
  });
});

describe('PIN blocks formats 0-3 (pinblock_extra.json)', () => {
  type Extra = {
    format: number;
    direction: string;
    source: string;
    pin?: string;
    pan?: string;
    clear_pin_block?: string;
    expected_pin?: string;
    expected_clear_pin_block?: string;
    expected_clear_pin_block_prefix?: string;
  };
  const extraVectors: readonly Extra[] = extra.vectors;

  it.each(
    extraVectors.map((v): [string, Extra] => [`format ${v.format} ${v.direction}: ${v.source}`, v]),
  )('%s', (_, v) => {
    const format = v.format as PinBlockFormat8;
    const { pin, pan } = v;
    if (v.expected_clear_pin_block && pin) {
      expect(bytesToHex(buildPinBlock(buildInput(format, pin, pan)))).toBe(
        v.expected_clear_pin_block,
      );
      expect(parsePinBlock(hexToBytes(v.expected_clear_pin_block), { pan }).pin).toBe(pin);
    }
    if (v.clear_pin_block) {
      expect(parsePinBlock(hexToBytes(v.clear_pin_block), { format }).pin).toBe(v.expected_pin);
    }
    if (v.expected_clear_pin_block_prefix && pin) {
      const block = bytesToHex(buildPinBlock(buildInput(format, pin, pan)));
      expect(block.startsWith(v.expected_clear_pin_block_prefix)).toBe(true);
    }
  });
});

describe('PIN block fill', () => {
  it('fills format 1 from the random source, nibble by nibble', () => {
    const block = buildPinBlock({
      format: 1,
      pin: '1234',
      random: () => hexToBytes('0123456789AB'),
    });
    expect(bytesToHex(block)).toBe('1412340123456789');
  });

  it('fills format 3 with A-F only, without modulo bias (bytes of 252 and above are drawn again)', () => {
    const draws = [hexToBytes('FCFDFEFF000102030405'), hexToBytes('06070809')];
    const block = buildPinBlock({
      format: 3,
      pin: '1234',
      pan: '0000000000000',
      random: () => draws.shift()!,
    });
    expect(bytesToHex(block)).toBe('341234ABCDEFABCD');
  });

  it('refuses a random source that never yields a usable byte', () => {
    expect(() =>
      buildPinBlock({ format: 3, pin: '1234', pan: '4012345678909', random: fixedRandom(0xff) }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'random' }));
  });

  it('refuses a random source that returns too few bytes', () => {
    expect(() => buildPinBlock({ format: 1, pin: '1234', random: () => Buffer.alloc(1) })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'random' }),
    );
  });
});

describe('PIN block validation', () => {
  const pan = '4012345678909';
  const format0 = bytesToHex(buildPinBlock({ format: 0, pin: '1234', pan }));

  it('fails a format 0 block parsed under another PAN with PIN_BLOCK_PAN_MISMATCH', () => {
    expect(() => parsePinBlock(hexToBytes(format0), { pan: '4012345678917' })).toThrow(
      expect.objectContaining({ code: 'PIN_BLOCK_PAN_MISMATCH' }),
    );
  });

  it('fails a format 3 block parsed under another PAN', () => {
    const block = buildPinBlock({ format: 3, pin: '1234', pan, random: fixedRandom(0x00) });
    expect(() => parsePinBlock(block, { pan: '5555555551234567' })).toThrow(
      expect.objectContaining({ code: 'PIN_BLOCK_PAN_MISMATCH' }),
    );
  });

  it.each([
    ['control nibble 5', '541234FFFFFFFFFF', 'INVALID_PIN_BLOCK'],
    ['control nibble F', 'F41234FFFFFFFFFF', 'INVALID_PIN_BLOCK'],
    ['format 4 control nibble in an 8-byte block', '441234AAAAAAAAAA', 'INVALID_PIN_BLOCK'],
    ['PIN length 3', '23123FFFFFFFFFFF', 'INVALID_PIN_BLOCK'],
    ['PIN length 13', '2D1234567890123F', 'INVALID_PIN_BLOCK'],
    ['a non-digit in the PIN', '24123AFFFFFFFFFF', 'INVALID_PIN_BLOCK'],
    ['format 2 fill that is not F', '241234FFFFFFFFFE', 'INVALID_PIN_BLOCK'],
    ['a 16-byte block', '241234FFFFFFFFFF241234FFFFFFFFFF', 'INVALID_PIN_BLOCK'],
  ])('rejects %s', (_, hex, code) => {
    expect(() => parsePinBlock(hexToBytes(hex))).toThrow(expect.objectContaining({ code }));
  });

  it('rejects a block of another format than the one expected', () => {
    expect(() => parsePinBlock(hexToBytes('141234FFFFFFFFFF'), { format: 0, pan })).toThrow(
      expect.objectContaining({ code: 'INVALID_PIN_BLOCK' }),
    );
  });

  it('needs the PAN for formats 0 and 3', () => {
    expect(() => parsePinBlock(hexToBytes(format0))).toThrow(
      expect.objectContaining({ code: 'INVALID_PAN' }),
    );
    expect(() => buildPinBlock({ format: 3, pin: '1234' } as BuildPinBlockInput)).toThrow(
      expect.objectContaining({ code: 'INVALID_PAN' }),
    );
  });

  it.each([
    ['3 digits', '123'],
    ['13 digits', '1234567890123'],
    ['a letter', '12a4'],
    ['a space', '12 34'],
  ])('rejects a PIN of %s, without echoing it', (_, pin) => {
    expect(() => buildPinBlock({ format: 2, pin })).toThrow(
      expect.objectContaining({ code: 'INVALID_PIN' }),
    );
    try {
      buildPinBlock({ format: 2, pin });
    } catch (error) {
      expect((error as Error).message).not.toContain(pin);
    }
  });

  it.each([
    ['letters', '40123456789O9'],
    ['20 digits', '40123456789012345678'],
    ['nothing', ''],
  ])('rejects a PAN of %s, without echoing it', (_, badPan) => {
    expect(() => buildPinBlock({ format: 0, pin: '1234', pan: badPan })).toThrow(
      expect.objectContaining({ code: 'INVALID_PAN' }),
    );
    try {
      buildPinBlock({ format: 0, pin: '1234', pan: badPan });
    } catch (error) {
      expect(badPan === '' || !(error as Error).message.includes(badPan)).toBe(true);
    }
  });

  it('never puts the PIN or PAN in a parse error', () => {
    const pin = '987654';
    const block = buildPinBlock({ format: 0, pin, pan });
    try {
      parsePinBlock(block, { pan: '5555555551234567' });
      throw new Error('expected a mismatch');
    } catch (error) {
      expect((error as Error).message).not.toContain(pin);
      expect((error as Error).message).not.toContain('5555555551234567');
    }
  });
});

describe('PIN block round trips (property)', () => {
  const pin = fc.stringMatching(/^[0-9]{4,12}$/);
  const pan = fc.stringMatching(/^[0-9]{1,19}$/);
  const random = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => {
    let offset = 0;
    return (n: number) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = bytes[offset++ % bytes.length]! % 252;
      return out;
    };
  });

  it.each([0, 1, 2, 3] as const)('format %i: parse(build(pin)) = pin', (format) => {
    fc.assert(
      fc.property(pin, pan, random, (p, a, r) => {
        const block = buildPinBlock(buildInput(format, p, a, r));
        expect(block).toHaveLength(8);
        expect(block[0]! >> 4).toBe(format);
        expect(parsePinBlock(block, { format, pan: a })).toEqual({ format, pin: p });
      }),
      FC,
    );
  });

  it('format 0: a different PAN (different in its 12 significant digits) never yields the PIN silently', () => {
    fc.assert(
      fc.property(
        pin,
        fc.stringMatching(/^[0-9]{13,19}$/),
        fc.stringMatching(/^[0-9]{12}$/),
        (p, a, other) => {
          const otherPan = a.slice(0, -13) + other + a.slice(-1);
          fc.pre(a.slice(-13, -1) !== other);
          const block = buildPinBlock({ format: 0, pin: p, pan: a });
          let parsed: string | undefined;
          try {
            parsed = parsePinBlock(block, { pan: otherPan }).pin;
          } catch (error) {
            expect(error).toMatchObject({ code: 'PIN_BLOCK_PAN_MISMATCH' });
          }
          // A wrong PAN can only decode when it leaves the fill intact and the PIN digits decimal.
          if (parsed !== undefined) expect(parsed).not.toBe(p);
        },
      ),
      FC,
    );
  });
});
