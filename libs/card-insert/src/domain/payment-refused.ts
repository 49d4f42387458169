/**
 * Why the payment decider refuses a command. Each reason names the request
 * field at fault, so the gRPC edge can answer with that field in the
 * `tillgate-field` trailer; `precondition` reasons are about the payment's
 * state (FAILED_PRECONDITION), `argument` reasons about a value
 * (INVALID_ARGUMENT or OUT_OF_RANGE).
 */
export const PAYMENT_REFUSALS = {
  PAYMENT_ALREADY_EXISTS: { field: 'header.client_request_id', kind: 'already_exists' },
  PAYMENT_NOT_FOUND: { field: 'payment_id', kind: 'not_found' },
  PAYMENT_NOT_PENDING: { field: 'payment_id', kind: 'precondition' },
  PAYMENT_NOT_AUTHORIZED: { field: 'payment_id', kind: 'precondition' },
  PAYMENT_ALREADY_COMPLETED: { field: 'payment_id', kind: 'precondition' },
  PAYMENT_BEING_REVERSED: { field: 'payment_id', kind: 'precondition' },
  TC_AFTER_DECLINE: { field: 'card_decision', kind: 'precondition' },
  NOT_A_PRE_AUTHORIZATION: { field: 'payment_id', kind: 'precondition' },
  NOT_CAPTURABLE: { field: 'payment_id', kind: 'precondition' },
  ALREADY_CAPTURED: { field: 'payment_id', kind: 'precondition' },
  CAPTURE_EXCEEDS_AUTHORIZED: { field: 'amount.amount_minor', kind: 'out_of_range' },
  NOT_VOIDABLE: { field: 'payment_id', kind: 'precondition' },
  NOT_REFUNDABLE: { field: 'payment_id', kind: 'precondition' },
  REFUND_EXCEEDS_CAPTURED: { field: 'amount.amount_minor', kind: 'out_of_range' },
  NOT_REVERSIBLE: { field: 'payment_id', kind: 'precondition' },
  NO_REVERSAL_PENDING: { field: 'payment_id', kind: 'precondition' },
  AMOUNT_NOT_POSITIVE: { field: 'amount.amount_minor', kind: 'argument' },
  CURRENCY_MISMATCH: { field: 'amount.currency', kind: 'argument' },
  BATCH_ALREADY_CLOSED: { field: 'payment_id', kind: 'precondition' },
} as const;

export type PaymentRefusalCode = keyof typeof PAYMENT_REFUSALS;
export type PaymentRefusalKind = (typeof PAYMENT_REFUSALS)[PaymentRefusalCode]['kind'];

export class PaymentRefused extends Error {
  override readonly name = 'PaymentRefused';
  readonly field: string;
  readonly kind: PaymentRefusalKind;
  constructor(
    readonly code: PaymentRefusalCode,
    message: string = code,
  ) {
    super(message);
    this.field = PAYMENT_REFUSALS[code].field;
    this.kind = PAYMENT_REFUSALS[code].kind;
  }
}
