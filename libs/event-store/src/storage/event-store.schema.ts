import type { EntitySchema } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import { consumerOffsetEntity } from './consumer-offset.entity';
import { outboxEntryEntity } from './outbox-entry.entity';
import { processedEventEntity } from './processed-event.entity';
import { relayCheckpointEntity } from './relay-checkpoint.entity';
import { storedEventEntity } from './stored-event.entity';
import { CreateEventStore1764000000000 } from './migrations/1764000000000-create-event-store';
import { OutboxStoresKafkaRecords1764200000000 } from './migrations/1764200000000-outbox-stores-kafka-records';

/** The event store's tables, for the data source of a database of `kind`. */
export function eventStoreEntities(kind: StorageKind): EntitySchema[] {
  return [
    storedEventEntity(kind),
    outboxEntryEntity(kind),
    relayCheckpointEntity(kind),
    consumerOffsetEntity(kind),
    processedEventEntity(kind),
  ] as EntitySchema[];
}

/** Migrations of the event store's tables, oldest first; the same classes run on Postgres and SQLite. */
export const eventStoreMigrations = [
  CreateEventStore1764000000000,
  OutboxStoresKafkaRecords1764200000000,
];
