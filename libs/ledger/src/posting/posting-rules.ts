import type { AccountType, SingleTransferRequest } from '../domain/ledger.types';
import { MAX_AMOUNT } from '../domain/ledger.types';
import { accountFor, accountIdOf, type AccountRef } from './chart-of-accounts';
import type { Account } from '../domain/ledger.types';

/** The business events the ledger books. */
export const BUSINESS_EVENT_KINDS = [
  'card_payment_captured',
  'card_payment_refunded',
  'card_payment_reversed',
  'card_payment_voided',
  'qr_payment_settled',
  'face_payment_settled',
  'bill_payment_fulfilled',
  'bill_payment_refunded',
  'top_up_fulfilled',
  'top_up_refunded',
] as const;
export type BusinessEventKind = (typeof BUSINESS_EVENT_KINDS)[number];

/** A payment fact as the ledger needs it, mapped from the tender's event at the consumer. */
export interface BusinessEvent {
  /** The source event's id: the entry's transfer ids derive from it, so a redelivery posts nothing new. */
  eventId: string;
  kind: BusinessEventKind;
  merchantId: string;
  /** Card scheme, wallet provider, or biller/top-up partner, per `kind`. */
  counterpartyId: string;
  currency: string;
  /** The payment's amount in minor units (a refund's refunded amount). */
  amount: bigint;
  /** The gateway's fee in minor units: taken (capture, settlement, fulfilment) or given back (refund, reversal, void). */
  fee: bigint;
}

/** An amount of a leg, from the event's amount and fee. */
type AmountOf = 'amount' | 'fee' | 'amount_less_fee';
/** Which party owns a leg's account. */
type Owner = 'merchant' | 'counterparty' | 'none';
interface Leg {
  debit: { type: AccountType; owner: Owner };
  credit: { type: AccountType; owner: Owner };
  amount: AmountOf;
}
interface PostingRule {
  /** Transfer `code` of every leg. */
  code: string;
  /** Whether the fee is part of `amount` (so at most `amount`) or charged on top of it. */
  fee: 'included' | 'on_top';
  legs: readonly Leg[];
}

const merchantPayable = { type: 'merchant_payable', owner: 'merchant' } as const;
const feeRevenue = { type: 'fee_revenue', owner: 'none' } as const;
const schemeReceivable = { type: 'scheme_receivable', owner: 'counterparty' } as const;
const walletReceivable = { type: 'wallet_provider_receivable', owner: 'counterparty' } as const;
const partnerFloat = { type: 'partner_float', owner: 'counterparty' } as const;

/** Receivable from the counterparty; merchant owed the amount less our fee. */
const settledBy = (receivable: Leg['debit']): readonly Leg[] => [
  { debit: receivable, credit: merchantPayable, amount: 'amount_less_fee' },
  { debit: receivable, credit: feeRevenue, amount: 'fee' },
];
/** The mirror of `settledBy`: the receivable shrinks, the merchant and (for the fee given back) we pay. */
const unwoundFrom = (receivable: Leg['credit']): readonly Leg[] => [
  { debit: merchantPayable, credit: receivable, amount: 'amount_less_fee' },
  { debit: feeRevenue, credit: receivable, amount: 'fee' },
];
/** The merchant collected cash for a biller/top-up partner: we owe them less, the partner's prepaid float is consumed. */
const fulfilled: readonly Leg[] = [
  { debit: merchantPayable, credit: partnerFloat, amount: 'amount' },
  { debit: merchantPayable, credit: feeRevenue, amount: 'fee' },
];
const refundedToFloat: readonly Leg[] = [
  { debit: partnerFloat, credit: merchantPayable, amount: 'amount' },
  { debit: feeRevenue, credit: merchantPayable, amount: 'fee' },
];

/**
 * One balanced journal entry per business event. Every leg is a transfer
 * (one debit, one equal credit), so an entry balances by construction;
 * its legs are posted as one linked chain, all or nothing.
 */
export const POSTING_RULES: Record<BusinessEventKind, PostingRule> = {
  card_payment_captured: {
    code: 'card_payment_captured',
    fee: 'included',
    legs: settledBy(schemeReceivable),
  },
  card_payment_refunded: {
    code: 'card_payment_refunded',
    fee: 'included',
    legs: unwoundFrom(schemeReceivable),
  },
  card_payment_reversed: {
    code: 'card_payment_reversed',
    fee: 'included',
    legs: unwoundFrom(schemeReceivable),
  },
  card_payment_voided: {
    code: 'card_payment_voided',
    fee: 'included',
    legs: unwoundFrom(schemeReceivable),
  },
  qr_payment_settled: {
    code: 'qr_payment_settled',
    fee: 'included',
    legs: settledBy(walletReceivable),
  },
  face_payment_settled: {
    code: 'face_payment_settled',
    fee: 'included',
    legs: settledBy(walletReceivable),
  },
  bill_payment_fulfilled: { code: 'bill_payment_fulfilled', fee: 'on_top', legs: fulfilled },
  bill_payment_refunded: { code: 'bill_payment_refunded', fee: 'on_top', legs: refundedToFloat },
  top_up_fulfilled: { code: 'top_up_fulfilled', fee: 'on_top', legs: fulfilled },
  top_up_refunded: { code: 'top_up_refunded', fee: 'on_top', legs: refundedToFloat },
};

export type PostingErrorCode =
  | 'event_id_must_not_be_empty'
  | 'merchant_id_must_not_be_empty'
  | 'counterparty_id_must_not_be_empty'
  | 'currency_must_be_iso_4217'
  | 'amount_must_be_positive'
  | 'amount_exceeds_maximum'
  | 'fee_must_not_be_negative'
  | 'fee_exceeds_amount';

/** A business event the rules cannot book; `field` names the offending field. */
export class PostingRefused extends Error {
  override readonly name = 'PostingRefused';
  constructor(
    readonly code: PostingErrorCode,
    readonly field: keyof BusinessEvent,
  ) {
    super(`${field}: ${code.replace(/_/g, ' ')}`);
  }
}

export interface JournalEntry {
  /** Accounts the legs touch, to open (idempotently) before posting. */
  accounts: Account[];
  /** Linked transfers: every one but the last carries `linked`. */
  transfers: SingleTransferRequest[];
}

function validate(event: BusinessEvent, rule: PostingRule): void {
  if (!event.eventId) throw new PostingRefused('event_id_must_not_be_empty', 'eventId');
  if (!event.merchantId) throw new PostingRefused('merchant_id_must_not_be_empty', 'merchantId');
  if (!event.counterpartyId)
    throw new PostingRefused('counterparty_id_must_not_be_empty', 'counterpartyId');
  if (!/^[A-Z]{3}$/.test(event.currency))
    throw new PostingRefused('currency_must_be_iso_4217', 'currency');
  if (event.amount <= 0n) throw new PostingRefused('amount_must_be_positive', 'amount');
  if (event.fee < 0n) throw new PostingRefused('fee_must_not_be_negative', 'fee');
  if (rule.fee === 'included' && event.fee > event.amount)
    throw new PostingRefused('fee_exceeds_amount', 'fee');
  if (event.amount + event.fee > MAX_AMOUNT)
    throw new PostingRefused('amount_exceeds_maximum', 'amount');
}

/** The journal entry for a business event; legs of zero (no fee) are left out. */
export function journalEntryFor(event: BusinessEvent): JournalEntry {
  const rule = POSTING_RULES[event.kind];
  validate(event, rule);
  const refOf = (side: Leg['debit']): AccountRef => ({
    type: side.type,
    owner:
      side.owner === 'merchant'
        ? event.merchantId
        : side.owner === 'counterparty'
          ? event.counterpartyId
          : null,
    currency: event.currency,
  });
  const amountOf = (a: AmountOf): bigint => {
    switch (a) {
      case 'amount':
        return event.amount;
      case 'fee':
        return event.fee;
      case 'amount_less_fee':
        return event.amount - event.fee;
      default: {
        const never: never = a;
        throw new Error(`unknown amount ${String(never)}`);
      }
    }
  };

  const accounts = new Map<string, Account>();
  const transfers: SingleTransferRequest[] = [];
  rule.legs.forEach((leg, index) => {
    const amount = amountOf(leg.amount);
    if (amount === 0n) return;
    const debit = refOf(leg.debit);
    const credit = refOf(leg.credit);
    accounts.set(accountIdOf(debit), accountFor(debit));
    accounts.set(accountIdOf(credit), accountFor(credit));
    transfers.push({
      kind: 'single',
      id: `${event.eventId}:${index}`,
      debitAccountId: accountIdOf(debit),
      creditAccountId: accountIdOf(credit),
      amount,
      currency: event.currency,
      code: rule.code,
      linked: true,
    });
  });
  transfers[transfers.length - 1].linked = false;
  return { accounts: [...accounts.values()], transfers };
}
