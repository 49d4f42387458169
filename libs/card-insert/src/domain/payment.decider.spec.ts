import { cardInsertEventsV1 } from '@tillgate/contracts';
import { fold } from '@tillgate/event-store';
import { anInitiatedPayment, authorized, initiated } from '../testing/payment.builders';
import type { PaymentCommand } from './payment.commands';
import { decide, paymentDecider } from './payment.decider';
import type { PaymentEvent } from './payment.events';
import { PaymentRefused } from './payment-refused';

const R = cardInsertEventsV1.ReversalReason;
const PRE = cardInsertEventsV1.PaymentKind.PAYMENT_KIND_PRE_AUTHORIZATION;
const given = (...events: PaymentEvent[]) => fold(paymentDecider, events);
const approved: PaymentCommand = {
  type: 'RecordIssuerAnswer',
  answer: {
    outcome: 'approved',
    responseCode: '00',
    authCode: 'A1B2C3',
    rrn: 'R',
    issuerData: new Uint8Array(),
  },
};
const tc = (fee = 0): PaymentCommand => ({
  type: 'CompletePayment',
  decision: 'TC',
  captureId: 'cap-1',
  feeBasisPoints: fee,
});
const aac: PaymentCommand = {
  type: 'CompletePayment',
  decision: 'AAC',
  captureId: 'cap-1',
  feeBasisPoints: 0,
};
const refusal = (command: PaymentCommand, events: PaymentEvent[]) => {
  try {
    decide(command, given(...events));
  } catch (err) {
    if (err instanceof PaymentRefused) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error('not refused');
};

describe('the payment decider', () => {
  it('initiates once', () => {
    const payment = anInitiatedPayment();
    expect(decide({ type: 'InitiatePayment', payment }, given())).toEqual([initiated()]);
    expect(refusal({ type: 'InitiatePayment', payment }, [initiated()])).toEqual({
      code: 'PAYMENT_ALREADY_EXISTS',
      field: 'header.client_request_id',
    });
  });

  it('records an approval of the amount asked, a decline with its reason, no answer as a reversal', () => {
    expect(decide(approved, given(initiated()))).toEqual([
      expect.objectContaining({
        type: 'PaymentAuthorized',
        data: expect.objectContaining({ authorizedAmountMinor: '10000' }),
      }),
    ]);
    expect(
      decide(
        {
          type: 'RecordIssuerAnswer',
          answer: { outcome: 'declined', responseCode: '55', reason: 'incorrect PIN' },
        },
        given(initiated()),
      ),
    ).toEqual([{ type: 'PaymentDeclined', data: { responseCode: '55', reason: 'incorrect PIN' } }]);
    expect(
      decide({ type: 'RecordIssuerAnswer', answer: { outcome: 'no_answer' } }, given(initiated())),
    ).toEqual([
      {
        type: 'ReversalPending',
        data: { reason: R.REVERSAL_REASON_ISSUER_TIMEOUT, amountMinor: '10000', currency: 'EUR' },
      },
    ]);
  });

  it('captures a sale when the card answers TC, with the fee in basis points rounded half up', () => {
    const events = decide(tc(125), given(initiated(), authorized()));
    expect(events).toEqual([
      { type: 'PaymentCompleted', data: { cardDecision: 'TC' } },
      {
        type: 'PaymentCaptured',
        data: {
          captureId: 'cap-1',
          amountMinor: '10000',
          currency: 'EUR',
          feeMinor: '125',
          merchantId: 'merchant-0001',
          scheme: 'visa',
        },
      },
    ]);
    expect(given(initiated(), authorized(), ...events).status).toBe('captured');
  });

  it('reverses an approved payment the card declines (AAC)', () => {
    const events = decide(aac, given(initiated(), authorized()));
    expect(events).toEqual([
      { type: 'PaymentCompleted', data: { cardDecision: 'AAC' } },
      {
        type: 'ReversalPending',
        data: { reason: R.REVERSAL_REASON_CARD_DECLINED, amountMinor: '10000', currency: 'EUR' },
      },
    ]);
    expect(given(initiated(), authorized(), ...events).status).toBe('reversal_pending');
  });

  it('keeps a late approval out: pending reversal covers it, an acknowledged one is repeated', () => {
    const timedOut: PaymentEvent = {
      type: 'ReversalPending',
      data: { reason: R.REVERSAL_REASON_ISSUER_TIMEOUT, amountMinor: '10000', currency: 'EUR' },
    };
    expect(decide(approved, given(initiated(), timedOut))).toEqual([]);
    const reversed = decide(
      { type: 'AcknowledgeReversal', responseCode: '00', repeats: 2 },
      given(initiated(), timedOut),
    );
    const after = [initiated(), timedOut, ...reversed];
    expect(given(...after).status).toBe('reversed');
    expect(decide(approved, given(...after))).toEqual([
      {
        type: 'ReversalPending',
        data: { reason: R.REVERSAL_REASON_LATE_APPROVAL, amountMinor: '10000', currency: 'EUR' },
      },
    ]);
    expect(refusal(tc(), after)).toEqual({ code: 'PAYMENT_BEING_REVERSED', field: 'payment_id' });
  });

  it('captures a completed pre-authorization partially, never above the authorized amount, once', () => {
    const pre = [
      initiated({ kind: PRE }),
      authorized(),
      { type: 'PaymentCompleted', data: { cardDecision: 'TC' } } as PaymentEvent,
    ];
    expect(given(...pre).status).toBe('completed');
    const capture = (amountMinor: bigint): PaymentCommand => ({
      type: 'CapturePayment',
      captureId: 'c',
      amountMinor,
      currency: 'EUR',
      feeBasisPoints: 0,
    });
    expect(refusal(capture(10001n), pre)).toEqual({
      code: 'CAPTURE_EXCEEDS_AUTHORIZED',
      field: 'amount.amount_minor',
    });
    expect(refusal(capture(0n), pre)).toEqual({
      code: 'AMOUNT_NOT_POSITIVE',
      field: 'amount.amount_minor',
    });
    expect(refusal({ ...capture(5n), currency: 'SEK' } as PaymentCommand, pre)).toEqual({
      code: 'CURRENCY_MISMATCH',
      field: 'amount.currency',
    });
    const captured = decide(capture(7000n), given(...pre));
    expect(captured).toEqual([
      expect.objectContaining({
        type: 'PaymentCaptured',
        data: expect.objectContaining({ amountMinor: '7000' }),
      }),
    ]);
    expect(refusal(capture(1n), [...pre, ...captured])).toEqual({
      code: 'ALREADY_CAPTURED',
      field: 'payment_id',
    });
    expect(refusal(capture(1n), [initiated(), authorized()])).toEqual({
      code: 'NOT_A_PRE_AUTHORIZATION',
      field: 'payment_id',
    });
  });

  it('refunds partially up to what was captured, giving the fee back pro rata, the rest with the last refund', () => {
    const sale = [initiated(), authorized(), ...decide(tc(100), given(initiated(), authorized()))];
    const refund = (id: string, amountMinor: bigint): PaymentCommand => ({
      type: 'RefundPayment',
      refundId: id,
      amountMinor,
      currency: 'EUR',
    });
    const first = decide(refund('r1', 3333n), given(...sale));
    expect(first[0]).toMatchObject({
      type: 'PaymentRefunded',
      data: { amountMinor: '3333', feeMinor: '33' },
    });
    expect(given(...sale, ...first).status).toBe('partially_refunded');
    expect(refusal(refund('r2', 6668n), [...sale, ...first])).toEqual({
      code: 'REFUND_EXCEEDS_CAPTURED',
      field: 'amount.amount_minor',
    });
    const last = decide(refund('r2', 6667n), given(...sale, ...first));
    expect(last[0]).toMatchObject({ data: { amountMinor: '6667', feeMinor: '67' } });
    expect(given(...sale, ...first, ...last).status).toBe('refunded');
  });

  it('voids an uncompleted or captured payment and queues its reversal; not after a refund', () => {
    const sale = [initiated(), authorized(), ...decide(tc(100), given(initiated(), authorized()))];
    const voided = decide({ type: 'VoidPayment' }, given(...sale));
    expect(voided).toEqual([
      {
        type: 'PaymentVoided',
        data: {
          amountMinor: '10000',
          currency: 'EUR',
          feeMinor: '100',
          merchantId: 'merchant-0001',
          scheme: 'visa',
        },
      },
      {
        type: 'ReversalPending',
        data: { reason: R.REVERSAL_REASON_VOID, amountMinor: '10000', currency: 'EUR' },
      },
    ]);
    expect(given(...sale, ...voided).status).toBe('voided');
    expect(decide({ type: 'VoidPayment' }, given(...sale, ...voided))).toEqual([]);
    const refunded = decide(
      { type: 'RefundPayment', refundId: 'r', amountMinor: 1n, currency: 'EUR' },
      given(...sale),
    );
    expect(refusal({ type: 'VoidPayment' }, [...sale, ...refunded])).toEqual({
      code: 'NOT_VOIDABLE',
      field: 'payment_id',
    });
    expect(refusal({ type: 'VoidPayment' }, [initiated()])).toEqual({
      code: 'NOT_VOIDABLE',
      field: 'payment_id',
    });
  });

  it("reverses on the terminal's request before capture only, once", () => {
    expect(decide({ type: 'ReversePayment' }, given(initiated(), authorized()))).toEqual([
      {
        type: 'ReversalPending',
        data: {
          reason: R.REVERSAL_REASON_TERMINAL_REQUESTED,
          amountMinor: '10000',
          currency: 'EUR',
        },
      },
    ]);
    const sale = [initiated(), authorized(), ...decide(tc(), given(initiated(), authorized()))];
    expect(refusal({ type: 'ReversePayment' }, sale)).toEqual({
      code: 'NOT_REVERSIBLE',
      field: 'payment_id',
    });
    const pending = [initiated(), ...decide({ type: 'ReversePayment' }, given(initiated()))];
    expect(decide({ type: 'ReversePayment' }, given(...pending))).toEqual([]);
  });

  it('expires an in-flight payment into a timeout reversal, and only a pending one', () => {
    expect(decide({ type: 'ExpireInFlight' }, given(initiated()))).toEqual([
      {
        type: 'ReversalPending',
        data: { reason: R.REVERSAL_REASON_ISSUER_TIMEOUT, amountMinor: '10000', currency: 'EUR' },
      },
    ]);
    expect(decide({ type: 'ExpireInFlight' }, given(initiated(), authorized()))).toEqual([]);
  });

  it('refuses what is not there, naming the field', () => {
    expect(refusal({ type: 'VoidPayment' }, [])).toEqual({
      code: 'PAYMENT_NOT_FOUND',
      field: 'payment_id',
    });
    expect(refusal(tc(), [initiated()])).toEqual({
      code: 'PAYMENT_NOT_AUTHORIZED',
      field: 'payment_id',
    });
    expect(
      refusal({ type: 'AcknowledgeReversal', responseCode: '00', repeats: 0 }, [initiated()]),
    ).toEqual({
      code: 'NO_REVERSAL_PENDING',
      field: 'payment_id',
    });
  });
});
