import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventStore } from '../store/event-store';
import { createTestDatabase, openEventStoreDataSource } from '../testing/integration-env';
import { createTestTopic, deleteTopics, silentLogger, testKafka } from '../testing/kafka-test-kit';
import { aStreamId, newEvents } from '../testing/new-event.builder';
import { waitUntil } from '../testing/wait-until';
import { OutboxRelay } from './outbox-relay';
import { PostgresOutbox } from './postgres-outbox';

jest.setTimeout(60_000);

const BATCH = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * When an idle relay wakes after a commit: not before `commitWakeDelayMs`
 * for a small commit, at once for a batch's worth of events. The delays
 * here are far longer than the test, so only the batch rule can publish.
 */
describe('an idle relay woken by commits', () => {
  let kafka: Kafka;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let store: EventStore;
  let relay: OutboxRelay;
  let topic: string;
  const published = async () => (await relay.metrics.published.get()).values[0]?.value ?? 0;

  beforeAll(async () => {
    kafka = testKafka();
    database = await createTestDatabase('relay_wakes');
    dataSource = await openEventStoreDataSource(database.url);
    topic = await createTestTopic(kafka, 'relaywakes');
    store = new EventStore(dataSource, { topicFor: () => topic });
    const reads = jest.spyOn(PostgresOutbox.prototype, 'read');
    relay = new OutboxRelay(dataSource, {
      kafka,
      store,
      batchSize: BATCH,
      idleDelayMs: 600_000,
      commitWakeDelayMs: 600_000,
      logger: silentLogger(),
    });
    relay.start();
    // Its first read finds nothing: it pauses then. (A fixed wait here was too short once on a busy machine.)
    await waitUntil(() => reads.mock.results.length > 0, { what: 'the relay to read' });
    expect(await reads.mock.results[0].value).toBeNull();
    reads.mockRestore();
  });
  afterAll(async () => {
    await relay?.stop();
    await store?.close();
    await dataSource?.destroy();
    await database?.drop();
    if (topic) await deleteTopics(kafka, [topic]);
  });

  it('waits after a commit smaller than a batch, and wakes at once when a batch is waiting', async () => {
    await store.append(aStreamId(), 0, newEvents(BATCH - 3));
    await sleep(1500);
    expect(await published()).toBe(0);

    // Three more events: the commits since the relay last woke now hold a batch.
    await store.append(aStreamId(), 0, newEvents(3));
    await waitUntil(async () => (await published()) === BATCH, {
      what: 'both commits published',
    });
  });
});
