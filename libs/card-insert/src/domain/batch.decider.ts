import type { cardInsertEventsV1 } from '@tillgate/contracts';
import type { Decider } from '@tillgate/event-store';
import type { BatchEvent, PaymentEvent } from './payment.events';

/** Running totals of one currency, as bigint. */
export interface CurrencyTotals {
  saleCount: number;
  saleAmountMinor: bigint;
  refundCount: number;
  refundAmountMinor: bigint;
  voidCount: number;
  voidAmountMinor: bigint;
}

const zero = (): CurrencyTotals => ({
  saleCount: 0,
  saleAmountMinor: 0n,
  refundCount: 0,
  refundAmountMinor: 0n,
  voidCount: 0,
  voidAmountMinor: 0n,
});

/**
 * Batch totals as a fold of payment events (those not counted in an earlier
 * batch): a capture is a sale, a refund a refund, a void takes its captured
 * amount out of the sales and counts as a void (voids only happen in the
 * open batch, so the sale is always in the same batch). Net = sales - refunds.
 */
export function foldBatchTotals(events: readonly PaymentEvent[]): Map<string, CurrencyTotals> {
  const totals = new Map<string, CurrencyTotals>();
  const of = (currency: string) => {
    let t = totals.get(currency);
    if (!t) totals.set(currency, (t = zero()));
    return t;
  };
  for (const event of events) {
    switch (event.type) {
      case 'PaymentCaptured': {
        const t = of(event.data.currency);
        t.saleCount += 1;
        t.saleAmountMinor += BigInt(event.data.amountMinor);
        break;
      }
      case 'PaymentRefunded': {
        const t = of(event.data.currency);
        t.refundCount += 1;
        t.refundAmountMinor += BigInt(event.data.amountMinor);
        break;
      }
      case 'PaymentVoided': {
        const t = of(event.data.currency);
        const amount = BigInt(event.data.amountMinor);
        if (amount > 0n) {
          t.saleCount -= 1;
          t.saleAmountMinor -= amount;
        }
        t.voidCount += 1;
        t.voidAmountMinor += amount;
        break;
      }
      default:
        break;
    }
  }
  return totals;
}

export const netAmountMinor = (t: CurrencyTotals): bigint =>
  t.saleAmountMinor - t.refundAmountMinor;

export function toClosedBatchTotals(
  totals: Map<string, CurrencyTotals>,
): cardInsertEventsV1.ClosedBatchTotals[] {
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({
      currency,
      saleCount: t.saleCount,
      saleAmountMinor: t.saleAmountMinor.toString(),
      refundCount: t.refundCount,
      refundAmountMinor: t.refundAmountMinor.toString(),
      voidCount: t.voidCount,
      voidAmountMinor: t.voidAmountMinor.toString(),
    }));
}

/** A closed batch's totals of one currency back as amounts (the fold is not run again). */
export function fromClosedBatchTotals(
  t: cardInsertEventsV1.ClosedBatchTotals,
): CurrencyTotals & { currency: string } {
  return {
    currency: t.currency,
    saleCount: t.saleCount,
    saleAmountMinor: BigInt(t.saleAmountMinor),
    refundCount: t.refundCount,
    refundAmountMinor: BigInt(t.refundAmountMinor),
    voidCount: t.voidCount,
    voidAmountMinor: BigInt(t.voidAmountMinor),
  };
}

export interface BatchState {
  /** Number of the last closed batch (0: none yet). */
  readonly lastBatchNumber: number;
}

export interface CloseBatchCommand {
  readonly type: 'CloseBatch';
  readonly terminalId: string;
  readonly merchantId: string;
  /** Each payment of the terminal with the events not counted in a closed batch yet. */
  readonly payments: readonly { paymentId: string; events: readonly PaymentEvent[] }[];
}

/** A terminal's batches (stream `payments-batch.<terminal_id>`). */
export const batchDecider: Decider<CloseBatchCommand, BatchEvent, BatchState> = {
  initialState: () => ({ lastBatchNumber: 0 }),
  decide(command, state) {
    const counted = command.payments.filter((p) => p.events.length > 0);
    return [
      {
        type: 'BatchClosed',
        data: {
          terminalId: command.terminalId,
          batchNumber: state.lastBatchNumber + 1,
          merchantId: command.merchantId,
          totals: toClosedBatchTotals(foldBatchTotals(counted.flatMap((p) => p.events))),
          paymentIds: counted.map((p) => p.paymentId),
        },
      },
    ];
  },
  evolve(state, event) {
    return { lastBatchNumber: Math.max(state.lastBatchNumber, event.data.batchNumber) };
  },
};
