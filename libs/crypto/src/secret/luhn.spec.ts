import vectors from './test-data/luhn.json';
import { isLuhnValid, luhnCheckDigit } from './luhn';

describe('Luhn (ISO/IEC 7812-1 Annex B)', () => {
  it.each(vectors.check_digits)(
    'computes check digit $check_digit for $payload',
    ({ payload, check_digit }) => {
      expect(luhnCheckDigit(payload)).toBe(check_digit);
      expect(isLuhnValid(payload + check_digit)).toBe(true);
    },
  );

  it.each(vectors.valid_pans)('accepts published test PAN $pan', ({ pan }) => {
    expect(isLuhnValid(pan)).toBe(true);
    expect(luhnCheckDigit(pan.slice(0, -1))).toBe(pan.slice(-1));
  });

  it('rejects every single-digit change of a valid number', () => {
    const pan = '4761739001010010';
    for (let i = 0; i < pan.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === pan[i]) continue;
        expect(isLuhnValid(pan.slice(0, i) + d + pan.slice(i + 1))).toBe(false);
      }
    }
  });

  it('rejects non-digits and too-short input', () => {
    expect(isLuhnValid('')).toBe(false);
    expect(isLuhnValid('0')).toBe(false);
    expect(isLuhnValid('42x2')).toBe(false);
    expect(() => luhnCheckDigit('12a')).toThrow(TypeError);
  });
});
