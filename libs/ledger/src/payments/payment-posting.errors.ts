import type { CreateAccountResult, CreateTransferResult } from '../domain/ledger.types';
import type { PostingErrorCode } from '../posting/posting-rules';

export type PaymentEventRefusalCode = 'payload_undecodable' | PostingErrorCode;

/**
 * A payment event the ledger cannot book as it is: its payload does not
 * decode, or the posting rules refuse what it says. `field` names the
 * offending field of the event (`fee_minor`, `scheme`, ...), never its value.
 * Retrying cannot help: the consumer dead-letters the record.
 */
export class PaymentEventRefused extends Error {
  override readonly name = 'PaymentEventRefused';
  readonly code = 'PAYMENT_EVENT_REFUSED';
  constructor(
    readonly reason: PaymentEventRefusalCode,
    /** Fully qualified event type, e.g. `tillgate.card_insert.v1.PaymentRefunded`. */
    readonly eventType: string,
    readonly field: string,
  ) {
    super(`${eventType}.${field}: ${reason.replace(/_/g, ' ')}`);
  }
}

/**
 * The books answered a mapped entry with something other than `ok` or
 * `exists` (an identical earlier posting): nothing of the entry was
 * recorded, since its legs are one linked chain.
 */
export class LedgerPostingRefused extends Error {
  override readonly name = 'LedgerPostingRefused';
  readonly code = 'LEDGER_POSTING_REFUSED';
  constructor(
    readonly eventId: string,
    readonly results: readonly (CreateAccountResult | CreateTransferResult)[],
  ) {
    super(`the books refused the entry of event ${eventId}: ${results.join(', ')}`);
  }
}
