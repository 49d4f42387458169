/**
 * The card scheme from the leading digits of the PAN (issuer identification
 * number). Ranges as the schemes publish them; the first match wins, so
 * narrower ranges come before the wider ones they sit in.
 */
const RANGES: readonly (readonly [scheme: string, from: string, to: string])[] = [
  ['visa', '4', '4'],
  ['mastercard', '51', '55'],
  ['mastercard', '2221', '2720'],
  ['amex', '34', '34'],
  ['amex', '37', '37'],
  ['jcb', '3528', '3589'],
  ['discover', '6011', '6011'],
  ['discover', '644', '649'],
  ['discover', '65', '65'],
  ['unionpay', '62', '62'],
  ['diners', '36', '36'],
  ['diners', '300', '305'],
  ['maestro', '50', '50'],
  ['maestro', '56', '58'],
  ['maestro', '6', '6'],
];

/** 'visa', 'mastercard', ... or 'unknown'. */
export function cardSchemeOf(panDigits: string): string {
  for (const [scheme, from, to] of RANGES) {
    const prefix = panDigits.slice(0, from.length);
    if (prefix.length === from.length && prefix >= from && prefix <= to) return scheme;
  }
  return 'unknown';
}
