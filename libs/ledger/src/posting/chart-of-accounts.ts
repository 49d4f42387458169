import type { Account, AccountFlags, AccountType } from '../domain/ledger.types';

/**
 * Where the gateway's books keep their accounts: one per (type, owner,
 * currency), with an id derived from them so posting rules can name an
 * account without looking it up.
 */
export interface AccountRef {
  type: AccountType;
  /** Merchant, scheme, wallet provider or partner id; none for fee revenue and suspense. */
  owner: string | null;
  currency: string;
}

/** Flags by account type. A partner float is prepaid money: what we consume (credit) never exceeds what was funded (debit). */
export const FLAGS_BY_TYPE: Record<AccountType, AccountFlags> = {
  merchant_payable: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false },
  scheme_receivable: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false },
  wallet_provider_receivable: {
    debitsMustNotExceedCredits: false,
    creditsMustNotExceedDebits: false,
  },
  fee_revenue: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false },
  partner_float: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: true },
  suspense: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false },
};

/** `merchant_payable:m-42:EUR`, `fee_revenue:EUR`. */
export function accountIdOf(ref: AccountRef): string {
  return ref.owner === null
    ? `${ref.type}:${ref.currency}`
    : `${ref.type}:${ref.owner}:${ref.currency}`;
}

export function accountFor(ref: AccountRef): Account {
  return {
    id: accountIdOf(ref),
    type: ref.type,
    currency: ref.currency,
    flags: { ...FLAGS_BY_TYPE[ref.type] },
    reference: ref.owner ?? '',
  };
}
