import { cardInsertEventsV1 } from '@tillgate/contracts';
import type { StoredEvent } from '@tillgate/event-store';
import {
  journalEntryFor,
  PostingRefused,
  type BusinessEvent,
  type BusinessEventKind,
  type JournalEntry,
} from '../posting/posting-rules';
import { PaymentEventRefused } from './payment-posting.errors';

/** Where the tenders' payment events are published (streams `payments-<payment_id>`). */
export const PAYMENTS_TOPIC = 'tillgate.payments.v1';

/** The payment events that move money, by their envelope's `event_type`. */
export const PAYMENT_EVENT_TYPES = {
  captured: 'tillgate.card_insert.v1.PaymentCaptured',
  refunded: 'tillgate.card_insert.v1.PaymentRefunded',
  voided: 'tillgate.card_insert.v1.PaymentVoided',
  reversed: 'tillgate.card_insert.v1.PaymentReversed',
} as const;
export type PostedPaymentEventType = (typeof PAYMENT_EVENT_TYPES)[keyof typeof PAYMENT_EVENT_TYPES];

/** What the ledger reads of an event: the envelope's id and type, and the payload. */
export type PaymentEventRecord = Pick<StoredEvent, 'eventId' | 'type' | 'payload'>;

/** The money facts every posted payment event carries, whatever its message. */
interface MoneyFacts {
  amountMinor: string;
  currency: string;
  feeMinor: string;
  merchantId: string;
  scheme: string;
}

interface PaymentEventRule {
  kind: BusinessEventKind;
  /** The proto field holding the amount, named in refusals. */
  amountField: string;
  /**
   * A void or reversal of a payment that was never captured carries 0: it
   * moves no money, so there is nothing to book (not an error).
   */
  zeroAmountMeansNothingToBook: boolean;
  decode(payload: Uint8Array): MoneyFacts;
}

const RULES: Record<PostedPaymentEventType, PaymentEventRule> = {
  [PAYMENT_EVENT_TYPES.captured]: {
    kind: 'card_payment_captured',
    amountField: 'amount_minor',
    zeroAmountMeansNothingToBook: false,
    decode: (payload) => cardInsertEventsV1.PaymentCaptured.decode(payload),
  },
  [PAYMENT_EVENT_TYPES.refunded]: {
    kind: 'card_payment_refunded',
    amountField: 'amount_minor',
    zeroAmountMeansNothingToBook: false,
    decode: (payload) => cardInsertEventsV1.PaymentRefunded.decode(payload),
  },
  [PAYMENT_EVENT_TYPES.voided]: {
    kind: 'card_payment_voided',
    amountField: 'amount_minor',
    zeroAmountMeansNothingToBook: true,
    decode: (payload) => cardInsertEventsV1.PaymentVoided.decode(payload),
  },
  [PAYMENT_EVENT_TYPES.reversed]: {
    kind: 'card_payment_reversed',
    amountField: 'unwound_amount_minor',
    zeroAmountMeansNothingToBook: true,
    decode: (payload) => {
      const m = cardInsertEventsV1.PaymentReversed.decode(payload);
      return { ...m, amountMinor: m.unwoundAmountMinor };
    },
  },
};

/** The event types the ledger posts; every other payment event is skipped. */
export const POSTED_PAYMENT_EVENT_TYPES: readonly PostedPaymentEventType[] =
  Object.values(PAYMENT_EVENT_TYPES);

const isPosted = (type: string): type is PostedPaymentEventType =>
  Object.prototype.hasOwnProperty.call(RULES, type);

/** What the ledger does with a payment event. */
export type PaymentPosting =
  | { outcome: 'post'; event: BusinessEvent; entry: JournalEntry }
  | { outcome: 'ignore'; reason: 'not_a_money_event' | 'nothing_unwound' };

/**
 * Maps a payment event to the business event and journal entry the ledger
 * books, or says why it books nothing. Pure: the same record always gives
 * the same entry, whose transfer ids derive from the event id — what makes
 * a redelivery post nothing new. Throws `PaymentEventRefused` (naming the
 * event's field) for a payload that does not decode or that the posting
 * rules refuse.
 */
export function paymentPostingFor(record: PaymentEventRecord): PaymentPosting {
  if (!isPosted(record.type)) return { outcome: 'ignore', reason: 'not_a_money_event' };
  const rule = RULES[record.type];
  let facts: MoneyFacts;
  try {
    facts = rule.decode(record.payload);
  } catch {
    throw new PaymentEventRefused('payload_undecodable', record.type, 'payload');
  }
  const amount = BigInt(facts.amountMinor);
  if (amount === 0n && rule.zeroAmountMeansNothingToBook)
    return { outcome: 'ignore', reason: 'nothing_unwound' };

  const event: BusinessEvent = {
    eventId: record.eventId,
    kind: rule.kind,
    merchantId: facts.merchantId,
    counterpartyId: facts.scheme,
    currency: facts.currency,
    amount,
    fee: BigInt(facts.feeMinor),
  };
  try {
    return { outcome: 'post', event, entry: journalEntryFor(event) };
  } catch (err) {
    if (!(err instanceof PostingRefused)) throw err;
    throw new PaymentEventRefused(err.code, record.type, sourceField(err.field, rule));
  }
}

/** The event's field behind a business event's field, so a refusal names what the producer wrote. */
function sourceField(field: keyof BusinessEvent, rule: PaymentEventRule): string {
  switch (field) {
    case 'eventId':
      return 'event_id';
    case 'kind':
      return 'event_type';
    case 'merchantId':
      return 'merchant_id';
    case 'counterpartyId':
      return 'scheme';
    case 'currency':
      return 'currency';
    case 'amount':
      return rule.amountField;
    case 'fee':
      return 'fee_minor';
    default: {
      const never: never = field;
      throw new Error(`unknown business event field ${String(never)}`);
    }
  }
}
