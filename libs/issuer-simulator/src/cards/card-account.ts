import { CRYPTOGRAM_VERSIONS } from '@tillgate/crypto';
import type { CardProfile } from '@tillgate/emv';

export type CryptogramVersionName = keyof typeof CRYPTOGRAM_VERSIONS;

export const CRYPTOGRAM_VERSION_NAMES = Object.keys(CRYPTOGRAM_VERSIONS) as CryptogramVersionName[];

/** The issuer's terms for one card: what the profile (the chip) does not say. */
export interface AccountTerms {
  /** Available balance at start-up, minor units of `currency`. */
  readonly balance: number;
  /** ISO 4217 numeric, as in field 49. */
  readonly currency: string;
  /** The CVN the card's application uses; fixes the ARQC and ARPC method. */
  readonly cryptogramVersion: CryptogramVersionName;
  /** Wrong PINs in a row before the card answers 75. */
  readonly pinTryLimit: number;
  /** Largest single amount, minor units; none when absent. */
  readonly perTransactionLimit?: number;
  /** Largest approved total per UTC day, minor units; none when absent. */
  readonly dailyLimit?: number;
}

export interface CardAccount {
  readonly profile: CardProfile;
  readonly terms: AccountTerms;
}

/** Visa BINs start with 4 (CVN 18, ARPC method 2); anything else is treated as Mastercard (CVN 16, method 1). */
export function defaultCryptogramVersion(pan: string): CryptogramVersionName {
  return pan.startsWith('4') ? 'visaCvn18' : 'mastercardCvn16';
}

export function defaultTerms(
  profile: CardProfile,
  overrides: Partial<AccountTerms> = {},
): AccountTerms {
  return {
    balance: 100_000,
    currency: '156',
    cryptogramVersion: defaultCryptogramVersion(profile.pan),
    pinTryLimit: 3,
    ...overrides,
  };
}
