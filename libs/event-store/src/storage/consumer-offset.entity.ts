import { EntitySchema } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import { columnTypes } from './column-types';

/**
 * A row of `es_consumer_offsets`: the next Kafka offset a consumer reads on
 * one partition, written in the same transaction as the consumer's effects.
 */
export interface ConsumerOffsetRow {
  consumer: string;
  topic: string;
  partition: number;
  nextOffset: string;
  updatedAt: Date | string;
}

export function consumerOffsetEntity(kind: StorageKind): EntitySchema<ConsumerOffsetRow> {
  const t = columnTypes(kind);
  return new EntitySchema<ConsumerOffsetRow>({
    name: 'ConsumerOffset',
    tableName: 'es_consumer_offsets',
    columns: {
      consumer: {
        type: 'varchar',
        length: 100,
        primary: true,
        primaryKeyConstraintName: 'pk_es_consumer_offsets',
      },
      topic: {
        type: 'varchar',
        length: 249,
        primary: true,
        primaryKeyConstraintName: 'pk_es_consumer_offsets',
      },
      partition: {
        type: 'integer',
        primary: true,
        primaryKeyConstraintName: 'pk_es_consumer_offsets',
      },
      nextOffset: { name: 'next_offset', type: 'bigint' },
      updatedAt: { name: 'updated_at', type: t.instant },
    },
  });
}
