import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import {
  aesKsnWithCounter,
  nextKsn,
  nextTransactionCounter,
  oneBits,
  parseKsn,
  tdesInitialKsn,
  tdesKsnWithCounter,
} from './ksn';
import extra from './test-data/dukpt_tdes_extra.json';

const FC = { seed: 20240604, numRuns: 200 };

describe('parseKsn', () => {
  it('reads a 10-byte TDES KSN: 21-bit counter under the initial KSN', () => {
    const ksn = parseKsn(hexToBytes('FFFF9876543210EFF801'));
    expect(ksn.scheme).toBe('tdes');
    if (ksn.scheme !== 'tdes') return;
    expect(ksn.counter).toBe(0x0ff801);
    expect(bytesToHex(ksn.initialKsn)).toBe('FFFF9876543210E00000');
  });

  it('reads a 12-byte AES KSN: initial key ID (BDK ID, derivation ID) and 32-bit counter', () => {
    const ksn = parseKsn(hexToBytes('1234567890123456FFFE4000'));
    expect(ksn.scheme).toBe('aes');
    if (ksn.scheme !== 'aes') return;
    expect(ksn.counter).toBe(0xfffe4000);
    expect(bytesToHex(ksn.initialKeyId)).toBe('1234567890123456');
    expect(bytesToHex(ksn.bdkId)).toBe('12345678');
    expect(bytesToHex(ksn.derivationId)).toBe('90123456');
  });

  it.each([8, 9, 11, 16])('rejects a KSN of %i bytes with INVALID_KSN', (length) => {
    expect(() => parseKsn(Buffer.alloc(length, 0xff))).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN', field: 'ksn' }),
    );
  });

  it.each([
    ['TDES counter 0', 'FFFF9876543210E00000'],
    ['TDES counter with 11 one bits', 'FFFF9876543210E007FF'],
    ['TDES counter with 21 one bits', 'FFFF9876543210FFFFFF'],
    ['AES counter 0', '123456789012345600000000'],
    ['AES counter with 17 one bits', '12345678901234560001FFFF'],
    ['AES counter with 32 one bits', '1234567890123456FFFFFFFF'],
  ])('rejects a %s with INVALID_KSN_COUNTER', (_, hex) => {
    expect(() => parseKsn(hexToBytes(hex))).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }),
    );
  });

  it('accepts the extreme counters a device can use', () => {
    expect(parseKsn(hexToBytes('FFFF9876543210FFF800')).counter).toBe(0x1ff800);
    expect(parseKsn(hexToBytes('1234567890123456FFFF0000')).counter).toBe(0xffff0000);
  });
});

describe('KSN construction', () => {
  it('clears the TDES counter bits only', () => {
    expect(bytesToHex(tdesInitialKsn(hexToBytes('FFFF9876543210FFFFFF')))).toBe(
      'FFFF9876543210E00000',
    );
  });

  it('rejects counters outside the counter field', () => {
    expect(() => tdesKsnWithCounter(hexToBytes('FFFF9876543210E00000'), 0x200000)).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER', field: 'counter' }),
    );
    expect(() => aesKsnWithCounter(hexToBytes('1234567890123456'), 2 ** 32)).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }),
    );
    expect(() => aesKsnWithCounter(hexToBytes('1234567890123456'), -1)).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }),
    );
  });

  it('round-trips any valid counter through parseKsn', () => {
    const tdesCounter = fc.integer({ min: 1, max: 0x1fffff }).filter((c) => oneBits(c) <= 10);
    const aesCounter = fc.integer({ min: 1, max: 0xffffffff }).filter((c) => oneBits(c) <= 16);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        tdesCounter,
        (bytes, counter) => {
          const ksn = tdesKsnWithCounter(Buffer.from(bytes), counter);
          const parsed = parseKsn(ksn);
          expect(parsed.counter).toBe(counter);
          expect(parsed.scheme === 'tdes' && bytesToHex(parsed.initialKsn)).toBe(
            bytesToHex(tdesInitialKsn(Buffer.from(bytes))),
          );
        },
      ),
      FC,
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), aesCounter, (id, counter) => {
        const parsed = parseKsn(aesKsnWithCounter(Buffer.from(id), counter));
        expect(parsed.counter).toBe(counter);
        expect(parsed.scheme === 'aes' && bytesToHex(parsed.initialKeyId)).toBe(bytesToHex(id));
      }),
      FC,
    );
  });
});

describe('nextKsn (dukpt_tdes_extra.json and X9.24 counter rules)', () => {
  it.each(
    extra.next_ksn_vectors.map((v): [string, string, string] => [v.ksn, v.expected_next, v.source]),
  )('%s -> %s', (ksn, expected) => {
    if (expected === 'exhausted') {
      expect(() => nextKsn(hexToBytes(ksn))).toThrow(
        expect.objectContaining({ code: 'KSN_COUNTER_EXHAUSTED' }),
      );
    } else {
      expect(bytesToHex(nextKsn(hexToBytes(ksn)))).toBe(expected);
    }
  });

  it('advances AES counters, skipping those with more than 16 one bits', () => {
    expect(bytesToHex(nextKsn(hexToBytes('123456789012345600000000')))).toBe(
      '123456789012345600000001',
    );
    expect(bytesToHex(nextKsn(hexToBytes('12345678901234560000FFFF')))).toBe(
      '123456789012345600010000',
    );
    expect(bytesToHex(nextKsn(hexToBytes('12345678901234560001FFFE')))).toBe(
      '123456789012345600020000',
    );
    expect(bytesToHex(nextKsn(hexToBytes('1234567890123456FFFE8000')))).toBe(
      '1234567890123456FFFF0000',
    );
    expect(() => nextKsn(hexToBytes('1234567890123456FFFF0000'))).toThrow(
      expect.objectContaining({ code: 'KSN_COUNTER_EXHAUSTED' }),
    );
  });

  it('gives a TDES device exactly 2^20 - 1 usable counters, each valid and increasing', () => {
    const space = extra.counter_space;
    let counter = 0;
    let used = 0;
    for (;;) {
      let next: number;
      try {
        next = nextTransactionCounter('tdes', counter);
      } catch (error) {
        expect(error).toMatchObject({ code: 'KSN_COUNTER_EXHAUSTED' });
        break;
      }
      if (next <= counter || oneBits(next) > 10)
        throw new Error(`bad successor ${next} of ${counter}`);
      counter = next;
      used++;
    }
    expect(used).toBe(space.usable_counters);
    expect(bytesToHex(tdesKsnWithCounter(hexToBytes(space.initial_ksn), counter))).toBe(
      space.last_ksn,
    );
  });

  it('never skips a valid AES counter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xfffeffff }).filter((c) => oneBits(c) <= 16),
        (counter) => {
          const next = nextTransactionCounter('aes', counter);
          expect(next).toBeGreaterThan(counter);
          expect(oneBits(next)).toBeLessThanOrEqual(16);
          for (let skipped = counter + 1; skipped < next && skipped < counter + 4096; skipped++) {
            expect(oneBits(skipped)).toBeGreaterThan(16);
          }
        },
      ),
      FC,
    );
  });

  it('refuses to advance from a counter no device can hold', () => {
    expect(() => nextTransactionCounter('tdes', 0x7ff)).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }),
    );
  });
});
