import type { CardRecord } from '../cards/card-record';
import type { ResponseCode } from '../messages/response-code';

/**
 * A transaction's identity on the link: terminal id (41), STAN (11) and
 * transmission date and time (7), the same elements an 0400's field 90
 * names its original by.
 */
export interface TransactionKey {
  readonly terminalId: string;
  readonly stan: string;
  readonly transmissionDateTime: string;
}

export const keyString = (k: TransactionKey): string =>
  `${k.terminalId}|${k.stan}|${k.transmissionDateTime}`;

export interface ReversalOutcome {
  readonly responseCode: ResponseCode;
  /** Minor units given back to the card (0 when the original was declined). */
  readonly restored: number;
}

/** An 0100/0200 the simulator answered, whatever the answer. */
export interface TransactionRecord {
  readonly key: TransactionKey;
  readonly mti: string;
  readonly card?: CardRecord;
  readonly amount: number;
  readonly currency: string;
  readonly responseCode: ResponseCode;
  readonly authCode?: string;
  /** UTC day (YYYY-MM-DD) the amount counted against the daily limit. */
  readonly day: string;
  /** Set once, by the first reversal that was accepted or found nothing to restore. */
  reversal?: ReversalOutcome;
}

/** Every authorization and financial request answered since start-up, by {@link TransactionKey}. */
export class TransactionLog {
  private readonly records = new Map<string, TransactionRecord>();

  has(key: TransactionKey): boolean {
    return this.records.has(keyString(key));
  }

  get(key: TransactionKey): TransactionRecord | undefined {
    return this.records.get(keyString(key));
  }

  add(record: TransactionRecord): void {
    this.records.set(keyString(record.key), record);
  }

  get size(): number {
    return this.records.size;
  }
}
