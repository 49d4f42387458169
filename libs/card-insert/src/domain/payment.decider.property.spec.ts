import fc from 'fast-check';
import { cardInsertEventsV1 } from '@tillgate/contracts';
import { anInitiatedPayment } from '../testing/payment.builders';
import { foldBatchTotals, type CurrencyTotals } from './batch.decider';
import { paymentEventCodec } from './card-insert-event.codec';
import type { IssuerOutcome, PaymentCommand } from './payment.commands';
import { paymentDecider } from './payment.decider';
import type { PaymentEvent } from './payment.events';
import { PaymentRefused } from './payment-refused';
import type { PaymentState } from './payment.state';

// Mostly amounts that fit, some at the edges, a few invalid.
const amount = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt({ min: 1n, max: 6_000n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 6_000n, max: 12_000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -5n, max: 0n }) },
);
const approvedAnswer: IssuerOutcome = {
  outcome: 'approved',
  responseCode: '00',
  authCode: 'A',
  rrn: 'R',
  issuerData: new Uint8Array(),
};
const outcome: fc.Arbitrary<IssuerOutcome> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(approvedAnswer) },
  {
    weight: 1,
    arbitrary: fc.constant<IssuerOutcome>({
      outcome: 'declined',
      responseCode: '51',
      reason: 'insufficient funds',
    }),
  },
  { weight: 1, arbitrary: fc.constant<IssuerOutcome>({ outcome: 'no_answer' }) },
);
const command: fc.Arbitrary<PaymentCommand> = fc.oneof(
  outcome.map((answer) => ({ type: 'RecordIssuerAnswer', answer }) as const),
  fc.record({
    type: fc.constant('CompletePayment' as const),
    decision: fc.constantFrom('TC' as const, 'AAC' as const),
    captureId: fc.constant('cap'),
    feeBasisPoints: fc.integer({ min: 0, max: 500 }),
  }),
  fc.record({
    type: fc.constant('CapturePayment' as const),
    captureId: fc.constant('cap'),
    amountMinor: amount,
    currency: fc.constantFrom('EUR', 'EUR', 'SEK'),
    feeBasisPoints: fc.integer({ min: 0, max: 500 }),
  }),
  fc.constant({ type: 'VoidPayment' } as const),
  fc.record({
    type: fc.constant('RefundPayment' as const),
    refundId: fc.constant('r'),
    amountMinor: amount,
    currency: fc.constantFrom('EUR', 'EUR', 'SEK'),
  }),
  fc.constant({ type: 'ReversePayment' } as const),
  fc.record({
    type: fc.constant('AcknowledgeReversal' as const),
    responseCode: fc.constant('00'),
    repeats: fc.nat(5),
  }),
  fc.constant({ type: 'ExpireInFlight' } as const),
);
const scenario = fc.record({
  kind: fc.constantFrom(
    cardInsertEventsV1.PaymentKind.PAYMENT_KIND_SALE,
    cardInsertEventsV1.PaymentKind.PAYMENT_KIND_PRE_AUTHORIZATION,
  ),
  amountMinor: fc.bigInt({ min: 1n, max: 10_000n }),
  // Most payments get an answer and a card decision first, so that
  // captures, refunds and voids are reached; the random tail does the rest.
  prefix: fc.constantFrom<PaymentCommand[]>(
    [],
    [{ type: 'RecordIssuerAnswer', answer: approvedAnswer }],
    [
      { type: 'RecordIssuerAnswer', answer: approvedAnswer },
      { type: 'CompletePayment', decision: 'TC', captureId: 'cap', feeBasisPoints: 150 },
    ],
    [
      { type: 'RecordIssuerAnswer', answer: approvedAnswer },
      { type: 'CompletePayment', decision: 'TC', captureId: 'cap', feeBasisPoints: 150 },
    ],
  ),
  commands: fc.array(command, { minLength: 3, maxLength: 30, size: 'max' }),
  split: fc.nat(),
});

/** Runs the commands; refusals change nothing (and are what the property tests around). */
function run(initial: PaymentCommand, commands: readonly PaymentCommand[]) {
  let state: PaymentState = paymentDecider.initialState();
  const events: PaymentEvent[] = [];
  for (const c of [initial, ...commands]) {
    let decided: PaymentEvent[];
    try {
      decided = paymentDecider.decide(c, state);
    } catch (err) {
      if (err instanceof PaymentRefused) continue;
      throw err;
    }
    events.push(...decided);
    state = decided.reduce(paymentDecider.evolve, state);
    expect(state.capturedMinor).toBeLessThanOrEqual(state.authorizedMinor);
    expect(state.refundedMinor).toBeLessThanOrEqual(state.capturedMinor);
    expect(state.feeReturnedMinor).toBeLessThanOrEqual(state.feeMinor);
  }
  return { state, events };
}

const add = (a: CurrencyTotals | undefined, b: CurrencyTotals | undefined): CurrencyTotals => ({
  saleCount: (a?.saleCount ?? 0) + (b?.saleCount ?? 0),
  saleAmountMinor: (a?.saleAmountMinor ?? 0n) + (b?.saleAmountMinor ?? 0n),
  refundCount: (a?.refundCount ?? 0) + (b?.refundCount ?? 0),
  refundAmountMinor: (a?.refundAmountMinor ?? 0n) + (b?.refundAmountMinor ?? 0n),
  voidCount: (a?.voidCount ?? 0) + (b?.voidCount ?? 0),
  voidAmountMinor: (a?.voidAmountMinor ?? 0n) + (b?.voidAmountMinor ?? 0n),
});

describe('the payment decider over random command sequences', () => {
  it('never captures above the authorization, refunds above the capture, or captures after a reversal; batches add up', () => {
    fc.assert(
      fc.property(scenario, ({ kind, amountMinor, prefix, commands, split }) => {
        const initial: PaymentCommand = {
          type: 'InitiatePayment',
          payment: anInitiatedPayment({ kind, amountMinor: amountMinor.toString() }),
        };
        const { state, events } = run(initial, [...prefix, ...commands]);

        const firstReversal = events.findIndex((e) => e.type === 'ReversalPending');
        if (firstReversal >= 0)
          expect(events.slice(firstReversal).some((e) => e.type === 'PaymentCaptured')).toBe(false);
        if (state.reversal && !state.voided) expect(state.capturedMinor).toBe(0n);

        // The batch totals are the fold of the events, and folding any split
        // of them (two consecutive batches) adds up to the same.
        const whole = foldBatchTotals(events).get('EUR');
        const cut = split % (events.length + 1);
        const parts = add(
          foldBatchTotals(events.slice(0, cut)).get('EUR'),
          foldBatchTotals(events.slice(cut)).get('EUR'),
        );
        expect(add(whole, undefined)).toEqual(parts);
        expect(whole?.saleAmountMinor ?? 0n).toBe(state.voided ? 0n : state.capturedMinor);
        expect(whole?.refundAmountMinor ?? 0n).toBe(state.refundedMinor);
        expect(whole?.voidCount ?? 0).toBe(state.voided ? 1 : 0);
        expect(whole?.refundCount ?? 0).toBe(state.refundCount);

        // Every event survives the protobuf round trip the store applies.
        for (const [i, event] of events.entries()) {
          const encoded = paymentEventCodec.encode(event, {
            eventId: `e${i}`,
            occurredAt: new Date(0),
          });
          expect(
            paymentEventCodec.decode({
              ...encoded,
              position: BigInt(i),
              streamId: 'payments-x',
              streamVersion: i + 1,
              recordedAt: new Date(0),
              correlationId: null,
              causationId: null,
              merchantId: null,
            }),
          ).toEqual(event);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
