/**
 * The ledger's books as plain TypeScript: accounts, transfers and the
 * per-item result codes, modelled on TigerBeetle's data model
 * (https://docs.tigerbeetle.com/reference/). Amounts are integer minor units
 * as bigint; a currency is an ISO 4217 alphabetic code and plays the role
 * of TigerBeetle's `ledger`: money never moves between currencies.
 */

export const ACCOUNT_TYPES = [
  'merchant_payable',
  'scheme_receivable',
  'wallet_provider_receivable',
  'fee_revenue',
  'partner_float',
  'suspense',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface AccountFlags {
  /** A debit (posted or pending) may never take debits above posted credits: a float that cannot go negative. */
  debitsMustNotExceedCredits: boolean;
  /** The mirror image, for accounts whose normal balance is a debit. */
  creditsMustNotExceedDebits: boolean;
}

export interface Account {
  id: string;
  type: AccountType;
  currency: string;
  flags: AccountFlags;
  /** Caller's free-form reference (e.g. the merchant id); not interpreted. */
  reference: string;
}

/** TigerBeetle's four balance fields, in minor units. */
export interface AccountBalance {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

export const zeroBalance = (): AccountBalance => ({
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted: 0n,
});

/** Amounts are stored in Postgres BIGINT and carried as int64 on the wire. */
export const MAX_AMOUNT = 2n ** 63n - 1n;

interface TransferBase {
  /** Idempotency key: a retry with the same id and body returns `exists`. */
  id: string;
  /** The item and the next one succeed or fail together (TigerBeetle `flags.linked`). */
  linked?: boolean;
}

/** Moves `amount` from the debit to the credit account at once. */
export interface SingleTransferRequest extends TransferBase {
  kind: 'single';
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  /** Business reason, e.g. `card_payment_captured`. */
  code: string;
}

/** Reserves `amount` (phase one); it expires `timeoutSeconds` after it was recorded (0 = never). */
export interface PendingTransferRequest extends TransferBase {
  kind: 'pending';
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  code: string;
  timeoutSeconds: number;
}

/** Posts a reservation: all of it (`amount` null) or part of it, releasing the rest. */
export interface PostPendingRequest extends TransferBase {
  kind: 'post_pending';
  pendingId: string;
  amount: bigint | null;
}

/** Releases a reservation without moving money. */
export interface VoidPendingRequest extends TransferBase {
  kind: 'void_pending';
  pendingId: string;
}

export type TransferRequest =
  SingleTransferRequest | PendingTransferRequest | PostPendingRequest | VoidPendingRequest;
export type TransferKind = TransferRequest['kind'];

/** A transfer as recorded: the request as received plus what the ledger derived from it. */
export interface Transfer {
  id: string;
  kind: TransferKind;
  debitAccountId: string;
  creditAccountId: string;
  /** What moved (or was reserved, or released by a void). */
  amount: bigint;
  /** The amount the caller asked for: null for a full post and for a void. */
  requestedAmount: bigint | null;
  currency: string;
  code: string;
  pendingId: string | null;
  timeoutSeconds: number;
  /** Milliseconds since the epoch, from the injected clock. */
  recordedAt: number;
  /** Only for `pending` with a timeout. */
  expiresAt: number | null;
}

export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

export const CREATE_ACCOUNT_RESULTS = [
  'ok',
  'exists',
  'id_must_not_be_empty',
  'currency_must_be_iso_4217',
  'flags_are_mutually_exclusive',
  'exists_with_different_type',
  'exists_with_different_currency',
  'exists_with_different_flags',
  'exists_with_different_reference',
] as const;
export type CreateAccountResult = (typeof CREATE_ACCOUNT_RESULTS)[number];

/**
 * Per-item outcome of CreateTransfers. `ok` and `exists` (an identical
 * retry) are successes; every other code means nothing was recorded for
 * the item (nor for the rest of its linked chain).
 */
export const CREATE_TRANSFER_RESULTS = [
  'ok',
  'exists',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_must_not_be_empty',
  'amount_must_be_positive',
  'amount_exceeds_maximum',
  'accounts_must_be_different',
  'currency_must_be_iso_4217',
  'timeout_must_not_be_negative',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_currency',
  'transfer_must_have_the_same_currency_as_accounts',
  'exceeds_credits',
  'exceeds_debits',
  'pending_id_must_not_be_empty',
  'pending_id_must_be_different',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'exceeds_pending_transfer_amount',
  'exists_with_different_kind',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_currency',
  'exists_with_different_code',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
] as const;
export type CreateTransferResult = (typeof CREATE_TRANSFER_RESULTS)[number];

export const isSuccess = (result: CreateTransferResult | CreateAccountResult): boolean =>
  result === 'ok' || result === 'exists';
