import { EntitySchema } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import { columnTypes } from './column-types';

/**
 * A row of `es_outbox`: an event waiting for the relay, written in the same
 * transaction as the event. `tx_id` is the Postgres transaction id
 * (`pg_current_xact_id()`, an xid8, stored as bigint); NULL on SQLite. The
 * record columns hold the event's Kafka record as the relay publishes it
 * (see kafka/outbox-record.ts); NULL in rows written before they existed.
 */
export interface OutboxEntryRow {
  position: string;
  txId: string | null;
  topic: string;
  recordKey: Buffer | null;
  recordValue: Buffer | null;
  recordHeaders: Buffer | null;
}

export function outboxEntryEntity(kind: StorageKind): EntitySchema<OutboxEntryRow> {
  return new EntitySchema<OutboxEntryRow>({
    name: 'OutboxEntry',
    tableName: 'es_outbox',
    columns: {
      position: { type: 'bigint', primary: true, primaryKeyConstraintName: 'pk_es_outbox' },
      txId: { name: 'tx_id', type: 'bigint', nullable: true },
      // 249 is Kafka's longest topic name.
      topic: { type: 'varchar', length: 249 },
      recordKey: { name: 'record_key', type: columnTypes(kind).bytes, nullable: true },
      recordValue: { name: 'record_value', type: columnTypes(kind).bytes, nullable: true },
      recordHeaders: { name: 'record_headers', type: columnTypes(kind).bytes, nullable: true },
    },
    // The relay reads in (tx_id, position) order on Postgres; SQLite reads by position, the key.
    indices:
      kind === 'postgres'
        ? [{ name: 'ix_es_outbox_tx_position', columns: ['txId', 'position'] }]
        : [],
  });
}
