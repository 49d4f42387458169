import { closeSync, openSync, writeSync } from 'node:fs';

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

export interface ApprovalJournalOptions {
  /**
   * 0 (the default): each entry is written before `record` returns, so
   * before the response is sent, and `record` throws if it cannot be.
   * Above 0: entries are kept in a buffer and written together at most this
   * many milliseconds later, and at {@link ApprovalJournal.close}: one write
   * system call per interval instead of one per entry. A crash (not a
   * shutdown) then loses at most that window from the file; the memory
   * holds every entry either way.
   */
  readonly flushIntervalMs?: number;
  /** A batched write that failed (its entries are not in the file). Default: thrown from the timer. */
  readonly onWriteError?: (error: unknown) => void;
}

/**
 * An append-only record of approvals and accepted reversals, for
 * reconciliation tests: in memory, and optionally appended to a JSON-lines
 * file (one entry per line), written through or in batches (see
 * {@link ApprovalJournalOptions.flushIntervalMs}).
 *
 * The file is opened once, on the first write, and kept open until
 * {@link close}: a write is then one system call, instead of the open,
 * write and close of an `appendFileSync`.
 */
export class ApprovalJournal {
  private readonly list: JournalEntry[] = [];
  private descriptor: number | undefined;
  private pending: string[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly file?: string,
    private readonly options: ApprovalJournalOptions = {},
  ) {}

  /**
   * Records an entry. Written through (the default), it throws if the file
   * cannot be written, and the entry is then not recorded.
   */
  record(entry: NewJournalEntry): JournalEntry {
    const full = { sequence: this.list.length + 1, ...entry } as JournalEntry;
    if (this.file) {
      const line = `${JSON.stringify(full)}\n`;
      if (this.options.flushIntervalMs) this.buffer(line, this.options.flushIntervalMs);
      else this.append(this.file, line);
    }
    this.list.push(full);
    return full;
  }

  /** Writes the buffered entries now, then closes the file (a later entry opens it again). */
  close(): void {
    this.flush();
    if (this.descriptor === undefined) return;
    closeSync(this.descriptor);
    this.descriptor = undefined;
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

  private buffer(line: string, flushIntervalMs: number): void {
    this.pending.push(line);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        if (!this.options.onWriteError) throw error;
        this.options.onWriteError(error);
      }
    }, flushIntervalMs);
    // Buffered entries do not keep the process alive: close() writes them at shutdown.
    this.flushTimer.unref();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.file || this.pending.length === 0) return;
    const lines = this.pending.join('');
    this.pending = [];
    this.append(this.file, lines);
  }

  private append(file: string, text: string): void {
    const bytes = Buffer.from(text);
    this.descriptor ??= openSync(file, 'a');
    for (let written = 0; written < bytes.length;) {
      written += writeSync(this.descriptor, bytes, written);
    }
  }
}
