/**
 * Field 39 codes the simulator answers with (ISO 8583:1987 Annex A), and
 * what makes it choose each one. docs/iso8583.md carries the same table.
 */
export const RESPONSE_CODES = {
  '00': 'Approved (reversals: reversal accepted)',
  '05': 'Do not honour: the ARQC did not verify (or the chip data do not match the message)',
  '12': 'Invalid transaction: processing code or network management code not supported',
  '13': 'Invalid amount: zero, in a currency other than the account’s, or a reversal amount that differs from the original',
  '14': 'Invalid card number: not Luhn-valid, or no such card',
  '25': 'Unable to locate record: a reversal whose original is unknown',
  '30': 'Format error: a field the simulator needs is missing or malformed',
  '51': 'Not sufficient funds',
  '54': 'Expired card, or the expiry date presented differs from the card’s',
  '55': 'Incorrect PIN',
  '61': 'Exceeds amount limit (per transaction or per day)',
  '75': 'Allowable number of PIN tries exceeded',
  '91': 'Issuer inoperative (only by fault injection)',
  '94': 'Duplicate transmission: same terminal, STAN and transmission date and time',
  '96': 'System malfunction: a PIN block that does not decipher under the zone PIN key, or an internal error',
} as const;

export type ResponseCode = keyof typeof RESPONSE_CODES;

export const isResponseCode = (code: string): code is ResponseCode => code in RESPONSE_CODES;
