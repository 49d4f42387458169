import { toKafkaMessage } from '../kafka/event-record';
import { RecordHeadersDecoder, storedMessage } from '../kafka/outbox-record';
import type { StoredEvent } from '../store/event.types';
import type { OutboxRecord } from './outbox.port';

/**
 * An outbox row as a relay reads it, its record columns as the driver gives
 * them (`B`); they are NULL in rows from before the outbox stored records.
 */
export interface OutboxRow<B> {
  /** As text on Postgres, a BigInt on SQLite. */
  position: string | bigint;
  topic: string;
  record_key: B | null;
  record_value: B | null;
  record_headers: B | null;
}

/** For columns the driver already gives as Buffers. */
export const asIs = (bytes: Buffer): Buffer => bytes;

/** An outbox row whose event is gone: nothing this store writes can produce it. */
export class OutboxEntryWithoutEvent extends Error {
  readonly code = 'OUTBOX_ENTRY_WITHOUT_EVENT';
  constructor(position: string) {
    super(`outbox entry ${position} has no record and no event in es_events`);
    this.name = 'OutboxEntryWithoutEvent';
  }
}

/**
 * The records of outbox rows, in their order. A row with its record is sent
 * as stored (`bytes` turns a column into a Buffer). A row without one
 * (written before the outbox stored records, e.g. by the previous version
 * during a rolling deploy) is encoded from its event, which `loadEvents`
 * reads, by position, only when there is such a row.
 */
export async function outboxRecords<B>(
  rows: readonly OutboxRow<B>[],
  bytes: (column: B) => Buffer,
  loadEvents: (positions: string[]) => Promise<StoredEvent[]>,
): Promise<OutboxRecord[]> {
  const withoutRecord = rows
    .filter(
      (row) => row.record_key === null || row.record_value === null || row.record_headers === null,
    )
    .map((row) => String(row.position));
  const events = withoutRecord.length
    ? new Map((await loadEvents(withoutRecord)).map((e) => [e.position.toString(), e]))
    : null;
  const headers = new RecordHeadersDecoder();
  return rows.map((row) => {
    const { topic, record_key, record_value, record_headers } = row;
    if (record_key !== null && record_value !== null && record_headers !== null) {
      const message = storedMessage(
        {
          record_key: bytes(record_key),
          record_value: bytes(record_value),
          record_headers: bytes(record_headers),
        },
        headers,
      );
      return { topic, message };
    }
    const event = events?.get(String(row.position));
    if (!event) throw new OutboxEntryWithoutEvent(String(row.position));
    return { topic, message: toKafkaMessage(event) };
  });
}
