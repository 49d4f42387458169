import { randomUUID } from 'node:crypto';
import {
  EventStore,
  ExpectedVersionConflict,
  MAX_EVENTS_PER_APPEND,
  streamId,
} from '@tillgate/event-store';
import type { LedgerEvent } from '../domain/ledger.events';
import { ledgerEventCodec } from './ledger-event.codec';
import { JournalConflict, type LedgerJournal } from './ledger-journal.port';

/** The ledger's one stream; its events go to the topic tillgate.ledger.v1. */
export const LEDGER_STREAM_ID = streamId('ledger', 'books');

/** The ledger journal on `@tillgate/event-store` (Postgres or SQLite). */
export class EventStoreLedgerJournal implements LedgerJournal {
  /** The event store refuses an append of more events. */
  readonly maxEventsPerAppend = MAX_EVENTS_PER_APPEND;

  constructor(
    private readonly store: EventStore,
    private readonly options: {
      streamId?: string;
      clock?: () => Date;
      newEventId?: () => string;
    } = {},
  ) {}

  private get stream(): string {
    return this.options.streamId ?? LEDGER_STREAM_ID;
  }

  async read(afterVersion: number): Promise<{ events: LedgerEvent[]; version: number }> {
    const stored = await this.store.readStream(this.stream, { fromVersion: afterVersion + 1 });
    return {
      events: stored.map((e) => ledgerEventCodec.decode(e)),
      version: stored.length ? stored[stored.length - 1].streamVersion : afterVersion,
    };
  }

  async append(expectedVersion: number, events: readonly LedgerEvent[]): Promise<number> {
    const occurredAt = (this.options.clock ?? (() => new Date()))();
    const newEventId = this.options.newEventId ?? randomUUID;
    try {
      const result = await this.store.append(
        this.stream,
        expectedVersion,
        events.map((event) =>
          ledgerEventCodec.encode(event, { eventId: newEventId(), occurredAt }),
        ),
      );
      return result.nextExpectedVersion;
    } catch (err) {
      if (err instanceof ExpectedVersionConflict)
        throw new JournalConflict(expectedVersion, err.actualVersion);
      throw err;
    }
  }
}
