import {
  CRYPTOGRAM_VERSIONS,
  EmvError,
  TRANSACTION_TAG_LENGTHS,
  buildAcInput,
  parseIssuerApplicationData,
  verifyApplicationCryptogram,
  type CryptogramVersion,
  type TransactionTag,
} from '@tillgate/crypto';
import { TlvError, flattenTlv, type TlvNode } from '@tillgate/emv';
import type { CardRecord } from '../cards/card-record';
import { acKeysFor, type AcKeys } from './application-cryptogram-keys';

/** Card-side data elements of an ARQC request besides the transaction data (Book 3 Annex A). */
const CARD_TAGS = { '9F26': 8, '9F10': undefined } as const;
/** Every data element field 55 must carry, with its fixed length (undefined: variable). */
const REQUIRED_TAGS: readonly (readonly [string, number | undefined])[] = Object.entries({
  ...TRANSACTION_TAG_LENGTHS,
  ...CARD_TAGS,
});
/** The data elements of {@link TransactionData}. */
const TRANSACTION_TAGS = [...Object.keys(TRANSACTION_TAG_LENGTHS), '9F10'];

/** The outcome of checking field 55 against the card and the message. */
export type ChipDataCheck =
  | {
      readonly outcome: 'verified';
      readonly version: CryptogramVersion;
      /** The keys the ARQC verified under; the ARPC is made with them. */
      readonly keys: AcKeys;
      readonly arqc: Buffer;
      readonly atc: number;
    }
  /** A data element is missing or has the wrong length: field 39 '30'. */
  | { readonly outcome: 'format-error'; readonly reason: string }
  /** The card is not authenticated for this transaction: field 39 '05'. */
  | { readonly outcome: 'not-authenticated'; readonly reason: string };

export interface MessageAmounts {
  /** Field 4, 12 digits. */
  readonly amount: string;
  /** Field 49, 3 digits. */
  readonly currency: string;
}

/** Tag 9F02 / 5F2A are BCD (format n): their hex is their digits. */
const bcd = (value: Buffer): string => value.toString('hex');

/**
 * The issuer half of the two-way check (EMV Book 2 §8.1): recompute the
 * ARQC from the card's issuer master key and the data field 55 carries,
 * under the CVN the issuer set up for the card; and make sure the cryptogram
 * covers this message (amount and currency) and is not a replay (ATC).
 */
export function checkChipData(
  iccData: readonly TlvNode[],
  card: CardRecord,
  message: MessageAmounts,
): ChipDataCheck {
  let objects: Map<string, Uint8Array>;
  try {
    objects = flattenTlv(iccData);
  } catch (error) {
    if (error instanceof TlvError) return { outcome: 'format-error', reason: error.message };
    throw error;
  }
  const get = (tag: string, length: number | undefined): Buffer | string => {
    const value = objects.get(tag);
    if (!value) return `field 55 has no tag ${tag}`;
    if (length !== undefined && value.length !== length) {
      return `tag ${tag} is ${value.length} bytes, expected ${length}`;
    }
    return Buffer.from(value);
  };
  const data: Partial<Record<string, Buffer>> = {};
  for (const [tag, length] of REQUIRED_TAGS) {
    const value = get(tag, length);
    if (typeof value === 'string') return { outcome: 'format-error', reason: value };
    data[tag] = value;
  }
  const transaction = Object.fromEntries(TRANSACTION_TAGS.map((tag) => [tag, data[tag]])) as {
    [T in TransactionTag | '9F10']: Buffer;
  };
  const arqc = data['9F26'] as Buffer;

  if (
    bcd(transaction['9F02']) !== message.amount ||
    bcd(transaction['5F2A']) !== `0${message.currency}`
  ) {
    return {
      outcome: 'not-authenticated',
      reason: 'the cryptogram covers another amount or currency than fields 4 and 49',
    };
  }

  const version: CryptogramVersion = CRYPTOGRAM_VERSIONS[card.account.terms.cryptogramVersion];
  try {
    const cvn = parseIssuerApplicationData(
      version.scheme,
      transaction['9F10'],
    ).cryptogramVersionNumber;
    if (cvn !== version.cvn) {
      return {
        outcome: 'not-authenticated',
        reason: `9F10 names CVN ${cvn.toString(16).toUpperCase()}, the card uses ${version.name}`,
      };
    }
    const acInput = buildAcInput(version, transaction);
    const keys = acKeysFor(version, card.iccMasterKey, transaction);
    if (!verifyApplicationCryptogram(keys.sessionKey, acInput, arqc, version.acPadding)) {
      return { outcome: 'not-authenticated', reason: 'the ARQC does not verify' };
    }
    const atc = transaction['9F36'].readUInt16BE(0);
    if (!card.isFreshAtc(atc)) {
      return {
        outcome: 'not-authenticated',
        reason: `ATC ${atc} is not above the last one seen (replay)`,
      };
    }
    return { outcome: 'verified', version, keys, arqc, atc };
  } catch (error) {
    if (error instanceof EmvError) {
      return error.code === 'EMV_INVALID_DATA'
        ? { outcome: 'format-error', reason: error.message }
        : { outcome: 'not-authenticated', reason: error.message };
    }
    throw error;
  }
}
