import { CryptoError, constantTimeEqual, decryptPinBlock, type Secret } from '@tillgate/crypto';
import type { CardRecord } from '../cards/card-record';

/**
 * ISO 9564 formats of an 8-byte PIN block under a TDES zone PIN key, both
 * tied to the PAN. Format 1 is refused: it does not bind the PIN to the card.
 */
export type ZonePinBlockFormat = 0 | 3;

/** Every format the simulator reads: 0 and 3 under TDES, 4 (16 bytes) under AES. */
export type IssuerPinBlockFormat = ZonePinBlockFormat | 4;

export type PinCheck = 'correct' | 'wrong' | 'undecipherable';

/**
 * The zone PIN keys shared with the acquirer. Field 52's length says which
 * one a block is under (docs/iso8583.md, "Field 52"): 8 bytes the TDES key
 * in `tdesFormat`, 16 bytes the AES key in format 4, the only ISO 9564
 * format for AES.
 */
export interface ZonePinKeys {
  /** 2- or 3-key TDES. */
  readonly tdes: Secret<Buffer>;
  readonly tdesFormat: ZonePinBlockFormat;
  /** AES-128, -192 or -256. Absent: a 16-byte block is undecipherable here. */
  readonly aes?: Secret<Buffer>;
}

const TDES_BLOCK = 8;
const AES_BLOCK = 16;

/**
 * Field 52 as received: picks the zone key and format by the block's
 * length, then {@link checkPin}. A length that is neither, or a 16-byte
 * block without an AES key, is `undecipherable`: the acquirer and this host
 * do not agree on the link's keys, which is not the cardholder's fault.
 */
export function checkFieldPin(pinBlock: Uint8Array, card: CardRecord, keys: ZonePinKeys): PinCheck {
  if (pinBlock.length === TDES_BLOCK) return checkPin(pinBlock, card, keys.tdes, keys.tdesFormat);
  if (pinBlock.length === AES_BLOCK && keys.aes) return checkPin(pinBlock, card, keys.aes, 4);
  return 'undecipherable';
}

/**
 * Deciphers a PIN block under a zone PIN key and compares the PIN with the
 * card's in constant time. A block that does not decipher (wrong key, wrong
 * PAN, damaged, wrong size for the format) is `undecipherable`: a fault
 * between acquirer and issuer, not the cardholder's, so it must not count
 * as a PIN try. Format 4 is read by @tillgate/crypto (ISO 9564-1:2017
 * §9.4.2), which checks the control field, PIN length, fill and PAN binding.
 */
export function checkPin(
  pinBlock: Uint8Array,
  card: CardRecord,
  zonePinKey: Secret<Buffer>,
  format: IssuerPinBlockFormat,
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
