import { appendFileSync } from 'node:fs';

/**
 * One line of the journal: what moved money at the simulated issuer. The
 * PAN appears masked only; amounts are minor units of `currency`.
 */
export type JournalEntry =
  | {
      readonly sequence: number;
      readonly kind: 'approval';
      readonly at: string;
      /** 0100 (authorization) or 0200 (financial). */
      readonly mti: string;
      readonly terminalId: string;
      readonly merchantId?: string;
      readonly stan: string;
      readonly transmissionDateTime: string;
      readonly retrievalReference?: string;
      readonly maskedPan: string;
      readonly amount: number;
      readonly currency: string;
      readonly authCode: string;
    }
  | {
      readonly sequence: number;
      readonly kind: 'reversal';
      readonly at: string;
      /** 0400 or 0420. */
      readonly mti: string;
      readonly terminalId: string;
      readonly stan: string;
      readonly transmissionDateTime: string;
      readonly maskedPan: string;
      /** Minor units given back to the card. */
      readonly amount: number;
      readonly currency: string;
      readonly original: {
        readonly mti: string;
        readonly stan: string;
        readonly transmissionDateTime: string;
        readonly authCode?: string;
      };
    };

type WithoutSequence<T> = T extends unknown ? Omit<T, 'sequence'> : never;
export type NewJournalEntry = WithoutSequence<JournalEntry>;

/**
 * An append-only record of approvals and accepted reversals, for
 * reconciliation tests: in memory, and optionally appended to a JSON-lines
 * file (one entry per line, written before the response is sent).
 */
export class ApprovalJournal {
  private readonly list: JournalEntry[] = [];

  constructor(private readonly file?: string) {}

  record(entry: NewJournalEntry): JournalEntry {
    const full = { sequence: this.list.length + 1, ...entry } as JournalEntry;
    if (this.file) appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    this.list.push(full);
    return full;
  }

  /** A copy of every entry, oldest first. */
  entries(): JournalEntry[] {
    return [...this.list];
  }

  /** Approved minus reversed, per currency, in minor units. */
  netTotals(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const e of this.list) {
      totals[e.currency] =
        (totals[e.currency] ?? 0) + (e.kind === 'approval' ? e.amount : -e.amount);
    }
    return totals;
  }
}
