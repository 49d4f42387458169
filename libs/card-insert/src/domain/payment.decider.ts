import { cardInsertEventsV1 } from '@tillgate/contracts';
import type { Decider } from '@tillgate/event-store';
import { captureFee, refundFee } from './merchant-fee';
import type { PaymentCommand } from './payment.commands';
import type { PaymentEvent } from './payment.events';
import { PaymentRefused } from './payment-refused';
import {
  initialPaymentState,
  isSale,
  type PaymentState,
  type PaymentStatusName,
} from './payment.state';

const Reason = cardInsertEventsV1.ReversalReason;
type ReversalReason = cardInsertEventsV1.ReversalReason;

/**
 * The card-insert payment as a pure decider: no I/O, no clock, no ids made
 * up here (the service passes them in commands).
 *
 *   pending --approved--> authorized --TC--> completed (pre-auth) --Capture--> captured
 *                                     \--TC (sale)-----------------------------^
 *   pending --declined--> declined
 *   pending --no answer / in-flight expired / Reverse--> reversal_pending --ack--> reversed
 *   authorized --AAC--> reversal_pending (CARD_DECLINED)
 *   authorized | completed | captured --Void--> voided (+ reversal queued, status stays voided)
 *   captured --Refund--> partially_refunded --Refund--> refunded
 *
 * Once a reversal is decided the payment is never captured: an approval
 * that arrives later is not recorded as an authorization, and if the
 * reversal had already been acknowledged it is reversed again (LATE_APPROVAL).
 */
export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState> = {
  initialState: initialPaymentState,
  decide,
  evolve,
};

const str = (n: bigint) => n.toString();

function reversalDecided(state: PaymentState): boolean {
  return state.reversal !== null;
}

function requirePayment(state: PaymentState): cardInsertEventsV1.PaymentInitiated {
  if (!state.payment) throw new PaymentRefused('PAYMENT_NOT_FOUND', 'no such payment');
  return state.payment;
}

function reversalPending(
  state: PaymentState,
  reason: ReversalReason,
  amountMinor: bigint,
): PaymentEvent {
  const payment = requirePayment(state);
  return {
    type: 'ReversalPending',
    data: { reason, amountMinor: str(amountMinor), currency: payment.currency },
  };
}

function requireAmount(state: PaymentState, amountMinor: bigint, currency: string): void {
  if (amountMinor <= 0n) throw new PaymentRefused('AMOUNT_NOT_POSITIVE', 'must be above 0');
  if (currency !== requirePayment(state).currency)
    throw new PaymentRefused('CURRENCY_MISMATCH', 'must be the payment currency');
}

export function decide(command: PaymentCommand, state: PaymentState): PaymentEvent[] {
  if (command.type === 'InitiatePayment') {
    if (state.status !== 'absent')
      throw new PaymentRefused('PAYMENT_ALREADY_EXISTS', 'the payment exists already');
    return [{ type: 'PaymentInitiated', data: command.payment }];
  }
  const payment = requirePayment(state);
  switch (command.type) {
    case 'RecordIssuerAnswer': {
      const { answer } = command;
      if (state.status === 'pending') {
        switch (answer.outcome) {
          case 'approved':
            return [
              {
                type: 'PaymentAuthorized',
                data: {
                  responseCode: answer.responseCode,
                  authCode: answer.authCode,
                  rrn: answer.rrn,
                  authorizedAmountMinor: payment.amountMinor,
                  issuerData: answer.issuerData,
                },
              },
            ];
          case 'declined':
            return [
              {
                type: 'PaymentDeclined',
                data: { responseCode: answer.responseCode, reason: answer.reason },
              },
            ];
          case 'no_answer':
            return [
              reversalPending(
                state,
                Reason.REVERSAL_REASON_ISSUER_TIMEOUT,
                BigInt(payment.amountMinor),
              ),
            ];
          default:
            return assertNever(answer);
        }
      }
      if (reversalDecided(state) && !state.authorization && !state.decline) {
        // The answer came after the reversal was decided. A queued reversal
        // covers an approval; one already acknowledged may have reached the
        // issuer before the original did, so the approval is reversed again.
        if (answer.outcome === 'approved' && state.reversal?.acknowledged)
          return [
            reversalPending(
              state,
              Reason.REVERSAL_REASON_LATE_APPROVAL,
              BigInt(payment.amountMinor),
            ),
          ];
        return [];
      }
      throw new PaymentRefused('PAYMENT_NOT_PENDING', 'the issuer answer is recorded already');
    }
    case 'CompletePayment': {
      if (state.cardDecision !== null)
        throw new PaymentRefused(
          'PAYMENT_ALREADY_COMPLETED',
          'the card decision is recorded already',
        );
      const completed: PaymentEvent = {
        type: 'PaymentCompleted',
        data: { cardDecision: command.decision },
      };
      if (state.status === 'authorized') {
        if (command.decision === 'AAC')
          return [
            completed,
            reversalPending(state, Reason.REVERSAL_REASON_CARD_DECLINED, state.authorizedMinor),
          ];
        if (!isSale(state)) return [completed];
        return [
          completed,
          captured(state, command.captureId, state.authorizedMinor, command.feeBasisPoints),
        ];
      }
      if (command.decision === 'TC') {
        if (state.status === 'declined')
          throw new PaymentRefused('TC_AFTER_DECLINE', 'the payment was declined online');
        if (reversalDecided(state))
          throw new PaymentRefused('PAYMENT_BEING_REVERSED', 'the payment is being reversed');
        throw new PaymentRefused('PAYMENT_NOT_AUTHORIZED', 'the payment is not authorized');
      }
      // AAC after a decline or a timeout: the card agrees with what was decided.
      if (state.status === 'pending')
        throw new PaymentRefused('PAYMENT_NOT_AUTHORIZED', 'the issuer has not answered yet');
      return [completed];
    }
    case 'CapturePayment': {
      if (isSale(state))
        throw new PaymentRefused('NOT_A_PRE_AUTHORIZATION', 'a sale is captured by Complete');
      if (reversalDecided(state))
        throw new PaymentRefused('PAYMENT_BEING_REVERSED', 'the payment is being reversed');
      if (state.capturedMinor > 0n)
        throw new PaymentRefused('ALREADY_CAPTURED', 'the pre-authorization is captured already');
      if (state.status !== 'completed')
        throw new PaymentRefused('NOT_CAPTURABLE', `a ${state.status} payment cannot be captured`);
      requireAmount(state, command.amountMinor, command.currency);
      if (command.amountMinor > state.authorizedMinor)
        throw new PaymentRefused('CAPTURE_EXCEEDS_AUTHORIZED', `at most ${state.authorizedMinor}`);
      return [captured(state, command.captureId, command.amountMinor, command.feeBasisPoints)];
    }
    case 'VoidPayment': {
      if (state.voided) return [];
      const voidable: readonly PaymentStatusName[] = ['authorized', 'completed', 'captured'];
      if (!voidable.includes(state.status))
        throw new PaymentRefused('NOT_VOIDABLE', `a ${state.status} payment cannot be voided`);
      return [
        {
          type: 'PaymentVoided',
          data: {
            amountMinor: str(state.capturedMinor),
            currency: payment.currency,
            feeMinor: str(state.feeMinor - state.feeReturnedMinor),
            merchantId: payment.merchantId,
            scheme: payment.scheme,
          },
        },
        reversalPending(state, Reason.REVERSAL_REASON_VOID, state.authorizedMinor),
      ];
    }
    case 'RefundPayment': {
      if (state.status !== 'captured' && state.status !== 'partially_refunded')
        throw new PaymentRefused('NOT_REFUNDABLE', `a ${state.status} payment cannot be refunded`);
      requireAmount(state, command.amountMinor, command.currency);
      const refundable = state.capturedMinor - state.refundedMinor;
      if (command.amountMinor > refundable)
        throw new PaymentRefused('REFUND_EXCEEDS_CAPTURED', `at most ${refundable}`);
      const fee = refundFee(
        state.feeMinor,
        state.capturedMinor,
        state.refundedMinor,
        state.feeReturnedMinor,
        command.amountMinor,
      );
      return [
        {
          type: 'PaymentRefunded',
          data: {
            refundId: command.refundId,
            amountMinor: str(command.amountMinor),
            currency: payment.currency,
            feeMinor: str(fee),
            merchantId: payment.merchantId,
            scheme: payment.scheme,
          },
        },
      ];
    }
    case 'ReversePayment': {
      if (reversalDecided(state)) return [];
      switch (state.status) {
        case 'pending':
          return [
            reversalPending(
              state,
              Reason.REVERSAL_REASON_TERMINAL_REQUESTED,
              BigInt(payment.amountMinor),
            ),
          ];
        case 'authorized':
        case 'completed':
          return [
            reversalPending(
              state,
              Reason.REVERSAL_REASON_TERMINAL_REQUESTED,
              state.authorizedMinor,
            ),
          ];
        default:
          throw new PaymentRefused(
            'NOT_REVERSIBLE',
            `a ${state.status} payment cannot be reversed`,
          );
      }
    }
    case 'AcknowledgeReversal': {
      if (!state.reversal)
        throw new PaymentRefused('NO_REVERSAL_PENDING', 'no reversal was decided');
      if (state.reversal.acknowledged) return [];
      // A void unwinds the capture itself (PaymentVoided); otherwise a
      // reversal only ever follows an uncaptured authorization, so this is 0
      // unless a future rule reverses captured money.
      const unwound = state.voided ? 0n : state.capturedMinor - state.refundedMinor;
      const unwoundFee = state.voided ? 0n : state.feeMinor - state.feeReturnedMinor;
      return [
        {
          type: 'PaymentReversed',
          data: {
            reason: state.reversal.reason,
            responseCode: command.responseCode,
            repeats: command.repeats,
            unwoundAmountMinor: str(unwound),
            currency: payment.currency,
            feeMinor: str(unwoundFee),
            merchantId: payment.merchantId,
            scheme: payment.scheme,
          },
        },
      ];
    }
    case 'ExpireInFlight':
      if (state.status !== 'pending') return [];
      return [
        reversalPending(state, Reason.REVERSAL_REASON_ISSUER_TIMEOUT, BigInt(payment.amountMinor)),
      ];
    default:
      return assertNever(command);
  }
}

function captured(
  state: PaymentState,
  captureId: string,
  amountMinor: bigint,
  feeBasisPoints: number,
): PaymentEvent {
  const payment = requirePayment(state);
  return {
    type: 'PaymentCaptured',
    data: {
      captureId,
      amountMinor: str(amountMinor),
      currency: payment.currency,
      feeMinor: str(captureFee(amountMinor, feeBasisPoints)),
      merchantId: payment.merchantId,
      scheme: payment.scheme,
    },
  };
}

export function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case 'PaymentInitiated':
      return { ...state, status: 'pending', payment: event.data };
    case 'PaymentAuthorized':
      return {
        ...state,
        status: 'authorized',
        authorizedMinor: BigInt(event.data.authorizedAmountMinor),
        authorization: {
          responseCode: event.data.responseCode,
          authCode: event.data.authCode,
          rrn: event.data.rrn,
          issuerData: event.data.issuerData,
        },
      };
    case 'PaymentDeclined':
      return { ...state, status: 'declined', decline: { ...event.data } };
    case 'PaymentCompleted': {
      const decision = event.data.cardDecision === 'TC' ? 'TC' : 'AAC';
      const completes = decision === 'TC' && state.status === 'authorized';
      return { ...state, cardDecision: decision, status: completes ? 'completed' : state.status };
    }
    case 'PaymentCaptured':
      return {
        ...state,
        status: 'captured',
        capturedMinor: state.capturedMinor + BigInt(event.data.amountMinor),
        feeMinor: state.feeMinor + BigInt(event.data.feeMinor),
      };
    case 'PaymentVoided':
      return {
        ...state,
        status: 'voided',
        voided: true,
        feeReturnedMinor: state.feeReturnedMinor + BigInt(event.data.feeMinor),
      };
    case 'PaymentRefunded': {
      const refunded = state.refundedMinor + BigInt(event.data.amountMinor);
      return {
        ...state,
        status: refunded === state.capturedMinor ? 'refunded' : 'partially_refunded',
        refundedMinor: refunded,
        feeReturnedMinor: state.feeReturnedMinor + BigInt(event.data.feeMinor),
        refundCount: state.refundCount + 1,
      };
    }
    case 'ReversalPending':
      return {
        ...state,
        status: state.voided ? 'voided' : 'reversal_pending',
        reversal: {
          reason: event.data.reason,
          amountMinor: BigInt(event.data.amountMinor),
          acknowledged: false,
          responseCode: null,
        },
      };
    case 'PaymentReversed':
      return {
        ...state,
        status: state.voided ? 'voided' : 'reversed',
        reversal: state.reversal && {
          ...state.reversal,
          acknowledged: true,
          responseCode: event.data.responseCode,
        },
      };
    default:
      return assertNever(event);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
