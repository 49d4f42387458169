// An outbox relay in a process of its own, for the crash test: it is killed
// with SIGKILL in the middle of its work. Configured by environment:
// RELAY_DATABASE_URL, KAFKA_BROKERS, RELAY_TOPIC (unused: routing is in the outbox).
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import { createKafka } from '../kafka/kafka-client';
import { OutboxRelay } from '../relay/outbox-relay';
import { eventStoreEntities } from '../storage/event-store.schema';

async function main(): Promise<void> {
  const url = process.env.RELAY_DATABASE_URL ?? '';
  const dataSource = await openDataSource({
    url,
    entities: eventStoreEntities(storageKindOf(url)),
    poolSize: 2,
  });
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId: `relay-process-${process.pid}`,
  });
  const relay = new OutboxRelay(dataSource, {
    kafka,
    batchSize: Number(process.env.RELAY_BATCH_SIZE ?? 10),
    idleDelayMs: 5,
    lockRetryMs: 50,
    logger: undefined,
  });
  relay.start();
  process.stdout.write('started\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
