import { EntitySchema } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import { columnTypes } from './column-types';

/**
 * A row of `es_consumer_processed`: an event a consumer has handled (applied
 * or dead-lettered), so a second delivery of the same event id is skipped.
 */
export interface ProcessedEventRow {
  consumer: string;
  eventId: string;
  outcome: 'applied' | 'dead-lettered';
  processedAt: Date | string;
}

export function processedEventEntity(kind: StorageKind): EntitySchema<ProcessedEventRow> {
  const t = columnTypes(kind);
  return new EntitySchema<ProcessedEventRow>({
    name: 'ProcessedEvent',
    tableName: 'es_consumer_processed',
    columns: {
      consumer: {
        type: 'varchar',
        length: 100,
        primary: true,
        primaryKeyConstraintName: 'pk_es_consumer_processed',
      },
      eventId: {
        name: 'event_id',
        type: t.uuid,
        length: t.uuidLength,
        primary: true,
        primaryKeyConstraintName: 'pk_es_consumer_processed',
      },
      outcome: { type: 'varchar', length: 16 },
      processedAt: { name: 'processed_at', type: t.instant },
    },
  });
}
