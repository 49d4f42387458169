import type { LedgerEvent } from '../domain/ledger.events';

/**
 * Where the ledger's events are kept: one append-only stream with
 * optimistic concurrency, as `@tillgate/event-store` provides it. The
 * ledger needs no more than this, so it runs on the in-memory journal in
 * unit tests and on the event store in production.
 */
export interface LedgerJournal {
  /** Events after `afterVersion` (0 = from the start), in order, with the version of the last one. */
  read(afterVersion: number): Promise<{ events: LedgerEvent[]; version: number }>;
  /** Appends if the stream is still at `expectedVersion`, else throws `JournalConflict`; returns the new version. */
  append(expectedVersion: number, events: readonly LedgerEvent[]): Promise<number>;
  /** The most events one append may hold, when the journal has a limit. */
  readonly maxEventsPerAppend?: number;
}

/** Another writer appended first; nothing was written. */
export class JournalConflict extends Error {
  readonly code = 'JOURNAL_CONFLICT';
  override readonly name = 'JournalConflict';
  constructor(
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(`ledger stream is at version ${actualVersion ?? 'unknown'}, expected ${expectedVersion}`);
  }
}
