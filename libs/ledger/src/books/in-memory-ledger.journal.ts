import type { LedgerEvent } from '../domain/ledger.events';
import { JournalConflict, type LedgerJournal } from './ledger-journal.port';

/** A journal in process memory: for unit tests and demos, never for money. */
export class InMemoryLedgerJournal implements LedgerJournal {
  private readonly events: LedgerEvent[] = [];
  appends = 0;

  /** `maxEventsPerAppend` plays the event store's limit on one append, for tests. */
  constructor(readonly maxEventsPerAppend?: number) {}

  async read(afterVersion: number): Promise<{ events: LedgerEvent[]; version: number }> {
    return { events: this.events.slice(afterVersion), version: this.events.length };
  }

  async append(expectedVersion: number, events: readonly LedgerEvent[]): Promise<number> {
    if (expectedVersion !== this.events.length)
      throw new JournalConflict(expectedVersion, this.events.length);
    if (this.maxEventsPerAppend !== undefined && events.length > this.maxEventsPerAppend)
      throw new RangeError(
        `${events.length} events in one append, at most ${this.maxEventsPerAppend}`,
      );
    this.events.push(...events);
    this.appends++;
    return this.events.length;
  }

  all(): readonly LedgerEvent[] {
    return this.events;
  }
}
