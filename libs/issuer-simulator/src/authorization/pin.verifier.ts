import { CryptoError, constantTimeEqual, decryptPinBlock, type Secret } from '@tillgate/crypto';
import type { CardRecord } from '../cards/card-record';

/** PIN block formats tied to the PAN. Format 1 is refused: it does not bind the PIN to the card. */
export type ZonePinBlockFormat = 0 | 3;

export type PinCheck = 'correct' | 'wrong' | 'undecipherable';

/**
 * Deciphers field 52 under the zone PIN key and compares the PIN with the
 * card's in constant time. A block that does not decipher (wrong key, wrong
 * PAN, damaged) is `undecipherable`: a fault between acquirer and issuer,
 * not the cardholder's, so it must not count as a PIN try.
 */
export function checkPin(
  pinBlock: Uint8Array,
  card: CardRecord,
  zonePinKey: Secret<Buffer>,
  format: ZonePinBlockFormat,
): PinCheck {
  let pin: string;
  try {
    pin = decryptPinBlock({
      format,
      key: zonePinKey.expose(),
      pinBlock: Buffer.from(pinBlock),
      pan: card.pan.reveal(),
    });
  } catch (error) {
    if (error instanceof CryptoError) return 'undecipherable';
    throw error;
  }
  return constantTimeEqual(Buffer.from(pin), Buffer.from(card.account.profile.pin))
    ? 'correct'
    : 'wrong';
}
