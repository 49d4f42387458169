import fc from 'fast-check';
import { bytesToHex, hexToBytes } from './hex';
import { Iso9797Padding, padIso9797 } from './padding';

describe('padIso9797 (ISO/IEC 9797-1 §6.3)', () => {
  it.each([
    [1, '', 8, '0000000000000000'],
    [1, '0102', 8, '0102000000000000'],
    [1, '0102030405060708', 8, '0102030405060708'],
    [2, '', 8, '8000000000000000'],
    [2, '0102', 8, '0102800000000000'],
    [2, '0102030405060708', 8, '01020304050607088000000000000000'],
    [3, '', 8, '0000000000000000'],
    [3, '0102', 8, '00000000000000100102000000000000'],
    [3, '0102030405060708', 8, '00000000000000400102030405060708'],
    [2, '01', 16, '01800000000000000000000000000000'],
    [3, '01', 16, '0000000000000000000000000000000801000000000000000000000000000000'],
  ] as const)('method %i of %s (block %i)', (method, data, blockSize, expected) => {
    expect(bytesToHex(padIso9797(hexToBytes(data), method, blockSize))).toBe(expected);
  });

  it('encodes the length block of method 3 in bits, big-endian', () => {
    const padded = padIso9797(Buffer.alloc(300), 3, 8);
    expect(bytesToHex(padded.subarray(0, 8))).toBe('0000000000000960');
  });

  it('always yields a positive multiple of the block with the data as prefix (methods 1, 2)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom<Iso9797Padding>(1, 2),
        fc.constantFrom(8, 16),
        (data, method, blockSize) => {
          const padded = padIso9797(Buffer.from(data), method, blockSize);
          expect(padded.length % blockSize).toBe(0);
          expect(padded.length).toBeGreaterThan(0);
          expect(padded.subarray(0, data.length)).toEqual(Buffer.from(data));
        },
      ),
      { seed: 20240603, numRuns: 200 },
    );
  });

  it('rejects an unknown method or block size', () => {
    expect(() => padIso9797(Buffer.alloc(1), 4 as Iso9797Padding, 8)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'method' }),
    );
    expect(() => padIso9797(Buffer.alloc(1), 1, 12)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'blockSize' }),
    );
  });
});
