const DIGITS = /^[0-9]+$/;

/**
 * ISO/IEC 7812-1 Annex B (Luhn formula): the check digit to append to
 * `payload`, a string of decimal digits.
 */
export function luhnCheckDigit(payload: string): string {
  if (!DIGITS.test(payload)) throw new TypeError('Luhn payload must be decimal digits');
  // Doubling starts at the rightmost payload digit, the one next to the check digit.
  return String((10 - (luhnSum(payload, true) % 10)) % 10);
}

/** True when the last digit of `digits` is the Luhn check digit of the rest. */
export function isLuhnValid(digits: string): boolean {
  return DIGITS.test(digits) && digits.length >= 2 && luhnSum(digits, false) % 10 === 0;
}

function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0;
  let double = doubleRightmost;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}
