import { EntitySchema } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import { columnTypes } from './column-types';

/** A row of `es_events`: the event log. Read and written with SQL by the storages; the schema lives here. */
export interface StoredEventRow {
  position: string;
  eventId: string;
  streamId: string;
  streamVersion: number;
  eventType: string;
  schemaVersion: number;
  occurredAt: Date | string;
  recordedAt: Date | string;
  correlationId: string | null;
  causationId: string | null;
  merchantId: string | null;
  payload: Buffer;
}

export function storedEventEntity(kind: StorageKind): EntitySchema<StoredEventRow> {
  const t = columnTypes(kind);
  return new EntitySchema<StoredEventRow>({
    name: 'StoredEvent',
    tableName: 'es_events',
    columns: {
      position: {
        type: t.autoPosition,
        primary: true,
        generated: 'increment',
        primaryKeyConstraintName: 'pk_es_events',
      },
      eventId: { name: 'event_id', type: t.uuid, length: t.uuidLength },
      streamId: { name: 'stream_id', type: 'varchar', length: 200 },
      streamVersion: { name: 'stream_version', type: 'integer' },
      eventType: { name: 'event_type', type: 'varchar', length: 200 },
      schemaVersion: { name: 'schema_version', type: 'integer' },
      occurredAt: { name: 'occurred_at', type: t.instant },
      recordedAt: { name: 'recorded_at', type: t.instant },
      correlationId: { name: 'correlation_id', type: 'varchar', length: 100, nullable: true },
      causationId: { name: 'causation_id', type: 'varchar', length: 100, nullable: true },
      merchantId: { name: 'merchant_id', type: 'varchar', length: 64, nullable: true },
      payload: { type: t.bytes },
    },
    uniques: [
      { name: 'uq_es_events_event_id', columns: ['eventId'] },
      // Optimistic concurrency: two appends cannot both write version n of a stream.
      { name: 'uq_es_events_stream_version', columns: ['streamId', 'streamVersion'] },
    ],
  });
}
