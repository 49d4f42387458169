/**
 * ISO 8583 field 39 codes the service interprets. Approval is '00', '08'
 * (honour with identification) or '11' (approved, VIP); every other code
 * declines. '10' (partial approval) is a decline here: the issuer port
 * carries no approved amount, and approving a smaller amount than asked
 * without telling the terminal would be wrong.
 */
export const APPROVAL_CODES: ReadonlySet<string> = new Set(['00', '08', '11']);

const REASONS: Record<string, string> = {
  '01': 'refer to card issuer',
  '03': 'invalid merchant',
  '04': 'pick up card',
  '05': 'do not honour',
  '12': 'invalid transaction',
  '13': 'invalid amount',
  '14': 'invalid card number',
  '41': 'lost card',
  '43': 'stolen card',
  '51': 'insufficient funds',
  '54': 'expired card',
  '55': 'incorrect PIN',
  '57': 'transaction not permitted to cardholder',
  '61': 'exceeds withdrawal limit',
  '62': 'restricted card',
  '65': 'exceeds withdrawal frequency',
  '75': 'PIN tries exceeded',
  '91': 'issuer or switch inoperative',
  '96': 'system malfunction',
};

export function declineReason(responseCode: string): string {
  return REASONS[responseCode] ?? `declined by the issuer (${responseCode})`;
}
