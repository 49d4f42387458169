/**
 * Field names that carry card data, PINs or keys. pino removes them from any
 * log object (at the top level and nested up to two levels), so a careless
 * `logger.info({ request })` cannot leak them.
 */
export const REDACTED_FIELDS = [
  'pan',
  'primaryAccountNumber',
  'track1',
  'track2',
  'track2Equivalent',
  'encryptedTrack2',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'pin',
  'pinBlock',
  'encryptedPinBlock',
  'key',
  'bdk',
  'ipek',
  'clearKey',
  'keyComponent',
  'masterKey',
  'password',
  'authorization',
];

export const REDACTION_PATHS = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** ISO/IEC 7812 check digit (Luhn). */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const PAN_LIKE = /(?<!\d)\d{13,19}(?!\d)/g;

/**
 * Masks every run of 13-19 digits that passes the Luhn check to first 6 +
 * last 4 (PCI DSS 3.4 display rule). A second line of defence behind the
 * field list: it catches a PAN pasted into a message string.
 */
export function maskPanLike(text: string): string {
  return text.replace(PAN_LIKE, (digits) =>
    passesLuhn(digits)
      ? `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`
      : digits,
  );
}

/** Deep copy of a log object with PAN-like digit runs masked in every string. */
export function maskPanLikeDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPanLike(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskPanLikeDeep(v, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: maskPanLike(value.message) };
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, maskPanLikeDeep(v, depth + 1)]),
  );
}
