import { EntitySchema } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import { columnTypes } from './column-types';

/**
 * A row of `es_relay_checkpoints`: how far a relay has published, as the
 * (tx_id, position) of the last outbox entry Kafka acknowledged; on SQLite
 * also the lease that keeps a second relay out (Postgres uses an advisory
 * lock instead).
 */
export interface RelayCheckpointRow {
  relay: string;
  txId: string | null;
  position: string;
  leaseHolder: string | null;
  leaseExpiresAt: string | null;
  updatedAt: Date | string;
}

export function relayCheckpointEntity(kind: StorageKind): EntitySchema<RelayCheckpointRow> {
  const t = columnTypes(kind);
  return new EntitySchema<RelayCheckpointRow>({
    name: 'RelayCheckpoint',
    tableName: 'es_relay_checkpoints',
    columns: {
      relay: {
        type: 'varchar',
        length: 100,
        primary: true,
        primaryKeyConstraintName: 'pk_es_relay_checkpoints',
      },
      txId: { name: 'tx_id', type: 'bigint', nullable: true },
      position: { type: 'bigint' },
      leaseHolder: { name: 'lease_holder', type: 'varchar', length: 100, nullable: true },
      leaseExpiresAt: { name: 'lease_expires_at', type: 'bigint', nullable: true },
      updatedAt: { name: 'updated_at', type: t.instant },
    },
  });
}
