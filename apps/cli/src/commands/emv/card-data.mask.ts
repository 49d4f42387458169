/**
 * Masking for the readable views of the CLI, which end up pasted into
 * tickets: PCI DSS 3.4 allows the first six and last four digits of a PAN.
 * Applied whether or not the number passes Luhn (test PANs often do not).
 */
export function maskPan(digits: string): string {
  const shown = digits.length > 10 ? 6 : Math.max(0, digits.length - 9);
  const hidden = Math.max(0, digits.length - shown - 4);
  return `${digits.slice(0, shown)}${'*'.repeat(hidden)}${digits.slice(shown + hidden)}`;
}

/**
 * Track 2 (field 35 with '=', tag 57 in hex with 'D'): PAN masked, expiry
 * and service code shown, discretionary data (PVV, CVV, iCVV) hidden.
 */
export function maskTrack2(track2: string, separator: '=' | 'D'): string {
  const at = track2.indexOf(separator);
  if (at < 0) return '*'.repeat(track2.length);
  const rest = track2.slice(at + 1);
  return `${maskPan(track2.slice(0, at))}${separator}${rest.slice(0, 7)}${'*'.repeat(Math.max(0, rest.length - 7))}`;
}
