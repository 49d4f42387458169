import { fold } from '@tillgate/event-store';
import { authorized, initiated } from '../testing/payment.builders';
import { batchDecider } from './batch.decider';
import { decide, paymentDecider } from './payment.decider';
import type { PaymentEvent } from './payment.events';

function sale(amountMinor: string, currency = 'EUR'): PaymentEvent[] {
  const start = [initiated({ amountMinor, currency }), authorized(amountMinor)];
  return [
    ...start,
    ...decide(
      { type: 'CompletePayment', decision: 'TC', captureId: 'c', feeBasisPoints: 0 },
      fold(paymentDecider, start),
    ),
  ];
}

describe('the batch decider', () => {
  it('closes batch n+1 with per-currency totals: sales, refunds, voids (out of sales) and the payments counted', () => {
    const a = sale('1000');
    const b = sale('2500');
    const bRefund = decide(
      { type: 'RefundPayment', refundId: 'r', amountMinor: 500n, currency: 'EUR' },
      fold(paymentDecider, b),
    );
    const c = sale('700');
    const cVoid = decide({ type: 'VoidPayment' }, fold(paymentDecider, c));
    const d = sale('900', 'SEK');
    const [closed] = batchDecider.decide(
      {
        type: 'CloseBatch',
        terminalId: 'TERM0001',
        merchantId: 'm',
        payments: [
          { paymentId: 'a', events: a },
          { paymentId: 'b', events: [...b, ...bRefund] },
          { paymentId: 'c', events: [...c, ...cVoid] },
          { paymentId: 'd', events: d },
          { paymentId: 'quiet', events: [] },
        ],
      },
      { lastBatchNumber: 4 },
    );
    expect(closed.data).toEqual({
      terminalId: 'TERM0001',
      batchNumber: 5,
      merchantId: 'm',
      paymentIds: ['a', 'b', 'c', 'd'],
      totals: [
        {
          currency: 'EUR',
          saleCount: 2,
          saleAmountMinor: '3500',
          refundCount: 1,
          refundAmountMinor: '500',
          voidCount: 1,
          voidAmountMinor: '700',
        },
        {
          currency: 'SEK',
          saleCount: 1,
          saleAmountMinor: '900',
          refundCount: 0,
          refundAmountMinor: '0',
          voidCount: 0,
          voidAmountMinor: '0',
        },
      ],
    });
    expect(batchDecider.evolve({ lastBatchNumber: 4 }, closed)).toEqual({ lastBatchNumber: 5 });
  });
});
