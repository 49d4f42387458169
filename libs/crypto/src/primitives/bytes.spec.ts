import fc from 'fast-check';
import { adjustOddParity, constantTimeEqual, hasOddParity, xor } from './bytes';
import { CryptoError } from './crypto-error';
import { bytesToHex, hexToBytes } from './hex';

const FC = { seed: 20240601, numRuns: 200 };

describe('hexToBytes / bytesToHex', () => {
  it('decodes either case and encodes upper case', () => {
    expect(bytesToHex(hexToBytes('0a1B2c'))).toBe('0A1B2C');
    expect(hexToBytes('')).toEqual(Buffer.alloc(0));
  });

  it.each([
    ['odd length', 'ABC'],
    ['non-hex character', 'GG'],
    ['whitespace', '0A 1B'],
    ['0x prefix', '0x0A'],
  ])('rejects %s with INVALID_HEX', (_, input) => {
    expect(() => hexToBytes(input)).toThrow(expect.objectContaining({ code: 'INVALID_HEX' }));
  });

  it('names the field at fault', () => {
    expect(() => hexToBytes('F', 'bdk')).toThrow(expect.objectContaining({ field: 'bdk' }));
    expect(() => hexToBytes('F', 'bdk')).toThrow(CryptoError);
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(hexToBytes(bytesToHex(bytes))).toEqual(Buffer.from(bytes));
      }),
      FC,
    );
  });
});

describe('xor', () => {
  it('XORs byte-wise without touching its inputs', () => {
    const a = hexToBytes('FF00AA');
    const b = hexToBytes('0F0F0F');
    expect(bytesToHex(xor(a, b))).toBe('F00FA5');
    expect(bytesToHex(a)).toBe('FF00AA');
  });

  it('rejects operands of different lengths', () => {
    expect(() => xor(Buffer.alloc(8), Buffer.alloc(16))).toThrow(
      expect.objectContaining({ code: 'LENGTH_MISMATCH' }),
    );
  });
});

describe('constantTimeEqual', () => {
  it('compares content and length', () => {
    expect(constantTimeEqual(hexToBytes('0102'), hexToBytes('0102'))).toBe(true);
    expect(constantTimeEqual(hexToBytes('0102'), hexToBytes('0103'))).toBe(false);
    expect(constantTimeEqual(hexToBytes('0102'), hexToBytes('010200'))).toBe(false);
  });
});

describe('odd parity (FIPS 46-3 §3)', () => {
  it('sets the low bit of each byte so its bit count is odd', () => {
    expect(bytesToHex(adjustOddParity(hexToBytes('0000FFFE0102')))).toBe('0101FEFE0102');
    expect(hasOddParity(hexToBytes('0123456789ABCDEF'))).toBe(true);
    expect(hasOddParity(hexToBytes('0023456789ABCDEF'))).toBe(false);
  });

  it('only ever changes the parity bit, and is idempotent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 24 }), (bytes) => {
        const key = Buffer.from(bytes);
        const adjusted = adjustOddParity(key);
        expect(hasOddParity(adjusted)).toBe(true);
        expect(adjustOddParity(adjusted)).toEqual(adjusted);
        adjusted.forEach((byte, i) => expect(byte & 0xfe).toBe(key[i]! & 0xfe));
      }),
      FC,
    );
  });
});
