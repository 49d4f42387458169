import vectors from './test-data/luhn.json';
import { isCryptoError } from '../primitives';
import { Pan } from './pan';
import { PanError } from './secret-errors';

function parseError(input: string): PanError {
  try {
    Pan.parse(input);
  } catch (error) {
    if (error instanceof PanError) return error;
    throw error;
  }
  throw new Error('expected Pan.parse to throw');
}

describe('Pan', () => {
  it.each(vectors.valid_pans)('parses published test PAN $pan', ({ pan }) => {
    expect(Pan.parse(pan).reveal()).toBe(pan);
    expect(Pan.isValid(pan)).toBe(true);
  });

  it.each(vectors.invalid_pans)('refuses "$pan" ($why) with $code', ({ pan, code }) => {
    const error = parseError(pan);
    expect(error.code).toBe(code);
    expect(error.field).toBe('pan');
    expect(isCryptoError(error, code as PanError['code'])).toBe(true);
    expect(Pan.isValid(pan)).toBe(false);
  });

  it('never puts the digits into the error message', () => {
    for (const { pan } of vectors.invalid_pans.filter((v) => v.pan.length >= 8)) {
      const error = parseError(pan);
      expect(error.message).not.toContain(pan);
      expect(error.message).not.toContain(pan.slice(0, 8));
    }
  });

  it.each([
    ['4761739001010010', '476173******0010', '476173', '0010'],
    ['6205500000000000004', '620550*********0004', '620550', '0004'],
    ['378282246310005', '378282*****0005', '378282', '0005'],
    // Short PANs show fewer leading digits so that five stay hidden.
    ['36227206271667', '36227*****1667', '36227', '1667'],
  ])('masks %s as %s', (digits, masked, leading, lastFour) => {
    const pan = Pan.parse(digits);
    expect(pan.masked).toBe(masked);
    expect(pan.leading).toBe(leading);
    expect(pan.lastFour).toBe(lastFour);
    expect(pan.length).toBe(digits.length);
  });

  it('hides at least five digits for every allowed length', () => {
    for (let length = 12; length <= 19; length++) {
      const body = '4'.repeat(length - 1);
      const digits = body + String((10 - (sumForCheckDigit(body) % 10)) % 10);
      const masked = Pan.parse(digits).masked;
      expect(masked).toHaveLength(length);
      expect(masked.replace(/[^*]/g, '').length).toBeGreaterThanOrEqual(5);
      expect(masked.endsWith(digits.slice(-4))).toBe(true);
    }
  });

  it('compares by value', () => {
    expect(Pan.parse('4242424242424242').equals(Pan.parse('4242424242424242'))).toBe(true);
    expect(Pan.parse('4242424242424242').equals(Pan.parse('4111111111111111'))).toBe(false);
    expect(Pan.parse('4242424242424242').equals(Pan.parse('378282246310005'))).toBe(false);
  });
});

function sumForCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum;
}
