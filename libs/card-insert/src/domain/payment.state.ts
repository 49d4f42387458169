import { cardInsertEventsV1 } from '@tillgate/contracts';
import type { CardDecisionName } from './payment.commands';

/** The states of a payment; the names of `PaymentStatus` in card_insert.proto. */
export type PaymentStatusName =
  | 'absent'
  | 'pending'
  | 'authorized'
  | 'declined'
  | 'completed'
  | 'captured'
  | 'reversal_pending'
  | 'reversed'
  | 'voided'
  | 'partially_refunded'
  | 'refunded';

export interface PaymentReversalState {
  readonly reason: cardInsertEventsV1.ReversalReason;
  readonly amountMinor: bigint;
  readonly acknowledged: boolean;
  readonly responseCode: string | null;
}

export interface PaymentState {
  readonly status: PaymentStatusName;
  /** The payment as initiated (null while absent). */
  readonly payment: cardInsertEventsV1.PaymentInitiated | null;
  readonly authorizedMinor: bigint;
  readonly capturedMinor: bigint;
  readonly refundedMinor: bigint;
  /** Fee taken at capture, and the part of it given back by refunds and voids. */
  readonly feeMinor: bigint;
  readonly feeReturnedMinor: bigint;
  readonly authorization: {
    readonly responseCode: string;
    readonly authCode: string;
    readonly rrn: string;
    readonly issuerData: Uint8Array;
  } | null;
  readonly decline: { readonly responseCode: string; readonly reason: string } | null;
  readonly cardDecision: CardDecisionName | null;
  readonly voided: boolean;
  readonly reversal: PaymentReversalState | null;
  readonly refundCount: number;
}

export const initialPaymentState = (): PaymentState => ({
  status: 'absent',
  payment: null,
  authorizedMinor: 0n,
  capturedMinor: 0n,
  refundedMinor: 0n,
  feeMinor: 0n,
  feeReturnedMinor: 0n,
  authorization: null,
  decline: null,
  cardDecision: null,
  voided: false,
  reversal: null,
  refundCount: 0,
});

export function isSale(state: PaymentState): boolean {
  return state.payment?.kind === cardInsertEventsV1.PaymentKind.PAYMENT_KIND_SALE;
}

/**
 * How the authorization was answered to the terminal, fixed once answered:
 * a retransmitted Authorize gets this, whatever happened to the payment since.
 * An issuer timeout answers '91' (issuer or switch inoperative) and declines.
 */
export type AuthorizationOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'approved'; readonly responseCode: string; readonly authCode: string }
  | { readonly kind: 'declined'; readonly responseCode: string; readonly reason: string };

export const ISSUER_UNAVAILABLE_RESPONSE_CODE = '91';

export function authorizationOutcome(state: PaymentState): AuthorizationOutcome {
  if (state.authorization)
    return {
      kind: 'approved',
      responseCode: state.authorization.responseCode,
      authCode: state.authorization.authCode,
    };
  if (state.decline) return { kind: 'declined', ...state.decline };
  if (state.reversal)
    return {
      kind: 'declined',
      responseCode: ISSUER_UNAVAILABLE_RESPONSE_CODE,
      reason: 'no answer from the issuer in time',
    };
  return { kind: 'pending' };
}
