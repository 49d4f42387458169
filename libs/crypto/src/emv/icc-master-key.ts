import { createHash } from 'node:crypto';
import { adjustOddParity, tdesEncryptEcb } from '../primitives';
import { Pan } from '../secret/pan';
import { EmvError, requireLength } from './emv-error';

export type MasterKeyDerivationOption = 'A' | 'B';

/** The application PAN (tag 5A) and PAN sequence number (tag 5F34) that diversify the issuer master key. */
export interface CardIdentity {
  /** A `Pan`, or the digits of tag 5A when they need not pass Luhn (test cards, tokens). */
  readonly pan: Pan | string;
  /** Two decimal digits; absent means '00' (EMV Book 2 A1.4.1). */
  readonly psn?: string;
}

/**
 * EMV 4.4 Book 2 Annex A1.4: derives the ICC master key (MK) from the issuer
 * master key (IMK, 2-key TDES) by option A or B. The result has odd parity.
 */
export function deriveIccMasterKey(
  issuerMasterKey: Buffer,
  card: CardIdentity,
  option: MasterKeyDerivationOption,
): Buffer {
  requireLength(issuerMasterKey, 16, 'issuerMasterKey');
  const { pan, psn } = cardDigits(card);
  switch (option) {
    case 'A':
      return optionA(issuerMasterKey, pan + psn);
    case 'B':
      return optionB(issuerMasterKey, pan, psn);
  }
}

// A1.4.1: Y = rightmost 16 digits of PAN || PSN (left-padded with zeros),
// MK = DES3(IMK)[Y] || DES3(IMK)[Y xor 'FF..FF'].
function optionA(imk: Buffer, digits: string): Buffer {
  const y = Buffer.from(digits.slice(-16).padStart(16, '0'), 'hex');
  const yInverted = Buffer.from(y.map((b) => b ^ 0xff));
  return adjustOddParity(tdesEncryptEcb(imk, Buffer.concat([y, yInverted])));
}

// A1.4.2: for PANs over 16 digits, Y is the first 16 decimal digits of
// SHA-1(PAN || PSN) (packed, left-padded to whole bytes); hex digits A-F are
// decimalised to 0-5 and used, in order, only if there are fewer than 16
// decimal digits. PANs of 16 digits or fewer use option A.
function optionB(imk: Buffer, pan: string, psn: string): Buffer {
  if (pan.length <= 16) return optionA(imk, pan + psn);
  const x = pan + psn;
  const digest = createHash('sha1')
    .update(Buffer.from(x.length % 2 === 0 ? x : '0' + x, 'hex'))
    .digest('hex');
  const decimal = [...digest].filter((d) => d >= '0' && d <= '9');
  const decimalised = [...digest]
    .filter((d) => d >= 'a' && d <= 'f')
    .map((d) => String(d.charCodeAt(0) - 97));
  const y = [...decimal, ...decimalised].slice(0, 16).join('');
  return optionA(imk, y);
}

function cardDigits(card: CardIdentity): { pan: string; psn: string } {
  const pan = card.pan instanceof Pan ? card.pan.reveal() : card.pan;
  if (typeof pan !== 'string' || !/^[0-9]{1,19}$/.test(pan)) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      'application PAN (5A) must be 1 to 19 decimal digits',
      'pan',
    );
  }
  const psn = card.psn ?? '00';
  if (!/^[0-9]{2}$/.test(psn)) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      'PAN sequence number (5F34) must be two decimal digits',
      'psn',
    );
  }
  return { pan, psn };
}
