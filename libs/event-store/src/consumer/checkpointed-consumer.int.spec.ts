import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createEventProducer } from '../kafka/kafka-client';
import { toKafkaMessage } from '../kafka/event-record';
import { OutboxRelay } from '../relay/outbox-relay';
import { EventStore } from '../store/event-store';
import type { StoredEvent } from '../store/event.types';
import { createTestDatabase, openEventStoreDataSource, runId } from '../testing/integration-env';
import {
  createTestTopic,
  deleteTopics,
  endOffsets,
  silentLogger,
  testKafka,
} from '../testing/kafka-test-kit';
import { aNewEvent, aStreamId } from '../testing/new-event.builder';
import { expectedTotals, probeTotalsProjection } from '../testing/probe-totals.projection';
import { waitUntil } from '../testing/wait-until';
import { CheckpointedConsumer } from './checkpointed-consumer';
import type { Projection } from './projection';
import { replayProjection } from './replay-projection';

jest.setTimeout(60_000);

// A known test PAN: it must not reach the dead-letter record through an error message.
const TEST_PAN = '4111111111111111';

describe('CheckpointedConsumer on Postgres and Kafka', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let topic: string;
  let deadLetterTopic: string;
  let store: EventStore;
  let relay: OutboxRelay;
  const consumers: CheckpointedConsumer[] = [];
  const poison = new Set<string>();
  const projection = probeTotalsProjection(`totals_${runId()}`, {
    failOn: (e) => {
      if (poison.has(e.eventId)) throw new Error(`cannot apply card ${TEST_PAN}`);
      return false;
    },
  });
  const stream = aStreamId();
  let version = 0;

  const consumer = (p: Projection = projection) => {
    const c = new CheckpointedConsumer({
      kafka,
      store,
      projection: p,
      topics: [topic],
      deadLetterTopic,
      maxAttempts: 2,
      retryDelayMs: 20,
      logger: silentLogger(),
    });
    consumers.push(c);
    return c;
  };
  const append = async (...increments: number[]) => {
    const events = increments.map((by) => aNewEvent().incrementing(by, 0).build());
    version = (await store.append(stream, version, events)).nextExpectedVersion;
    return events;
  };
  /** Waits until the consumer has stored, for every partition, the end offset of the topic. */
  const caughtUp = async (name: string) => {
    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      what: 'the relay to publish',
    });
    const ends = await endOffsets(kafka, topic);
    await waitUntil(
      async () => {
        const rows: { partition: number; next_offset: string }[] = await dataSource.query(
          'SELECT partition, next_offset FROM es_consumer_offsets WHERE consumer = $1 AND topic = $2',
          [name, topic],
        );
        return [...ends].every(
          ([p, end]) =>
            end === 0n || rows.some((r) => r.partition === p && BigInt(r.next_offset) >= end),
        );
      },
      { what: `${name} to reach the end of the topic` },
    );
  };
  const totals = () => store.transaction((tx) => projection.totals(tx));
  const allEvents = () => store.readAll({ limit: 10_000 });
  const live = (events: StoredEvent[]) => events.filter((e) => !poison.has(e.eventId));

  beforeAll(async () => {
    database = await createTestDatabase('consumer');
    dataSource = await openEventStoreDataSource(database.url);
    kafka = testKafka();
    topic = await createTestTopic(kafka, 'consumer', 2);
    deadLetterTopic = `tillgate.dlq.test${runId()}`;
    store = new EventStore(dataSource, { topicFor: () => topic });
    relay = new OutboxRelay(dataSource, { kafka, store, idleDelayMs: 5, logger: silentLogger() });
    relay.start();
    producer = createEventProducer(kafka);
    await producer.connect();
    await store.transaction((tx) => projection.createTable(tx));
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer?.disconnect();
    await relay?.stop();
    await store?.close();
    if (topic) await deleteTopics(kafka, [topic, deadLetterTopic]);
    await dataSource?.destroy();
    await database?.drop();
  });

  it('dead-letters an undecodable record and an event its handler keeps refusing, and goes on', async () => {
    const [, , bad] = await append(1, 2, 13, 4);
    poison.add(bad.eventId);
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: stream, value: Buffer.from([0xff, 0xff, 0xff]) }],
    });
    await append(5);

    await consumer().start();
    await caughtUp(projection.name);

    expect((await totals()).get(stream)).toEqual({ total: 12, events: 4 });
    const raw = await (async () => {
      // The dead letters keep the original bytes; read them without decoding.
      const c = kafka.consumer({ groupId: `dlq-reader-${runId()}` });
      const seen: { headers: Record<string, string>; value: Buffer | null }[] = [];
      await c.connect();
      await c.subscribe({ topic: deadLetterTopic, fromBeginning: true });
      await c.run({
        eachMessage: async ({ message }) => {
          seen.push({
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
            value: message.value,
          });
        },
      });
      await waitUntil(() => seen.length >= 2, { what: 'two dead letters' });
      await c.disconnect();
      return seen;
    })();
    const handlerFailed = raw.find((l) => l.headers['dlq-reason'] === 'HANDLER_FAILED');
    const undecodable = raw.find((l) => l.headers['dlq-reason'] === 'UNDECODABLE_RECORD');
    expect(handlerFailed?.headers).toMatchObject({
      'event-id': bad.eventId,
      'dlq-attempts': '2',
      'dlq-consumer': projection.name,
      'dlq-source-topic': topic,
    });
    expect(handlerFailed?.headers['dlq-error']).not.toContain(TEST_PAN);
    expect(undecodable?.value).toEqual(Buffer.from([0xff, 0xff, 0xff]));
    expect(undecodable?.headers['dlq-source-offset']).toMatch(/^\d+$/);
    const [{ outcome }] = await dataSource.query(
      'SELECT outcome FROM es_consumer_processed WHERE event_id = $1',
      [bad.eventId],
    );
    expect(outcome).toBe('dead-lettered');
  });

  it('applies each event once across restarts, duplicates and a Kafka group rewound to the start', async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await append(10, 20);
    // Duplicates, as a relay re-sending after a crash would produce.
    const dup = (await allEvents()).slice(-3);
    await producer.send({ topic, acks: -1, messages: dup.map(toKafkaMessage) });
    // The group's committed offsets are lost: Kafka would deliver everything again.
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: projection.name, topic, earliest: true });
    await admin.disconnect();

    await consumer().start();
    await caughtUp(projection.name);
    expect(await totals()).toEqual(expectedTotals(live(await allEvents())));
  });

  it('rebuilds the projection from the store by replay, equal to the fold of the events', async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await dataSource.query(`UPDATE probe_totals_${projection.name} SET total = 0, events = 0`);

    const { applied } = await replayProjection(store, projection, { batchSize: 2 });
    const events = live(await allEvents());
    expect(applied).toBe(events.length);
    expect(await totals()).toEqual(expectedTotals(events));

    // The consumer started again goes on from its offsets and skips what the replay applied.
    await append(7);
    await consumer().start();
    await caughtUp(projection.name);
    expect(await totals()).toEqual(expectedTotals(live(await allEvents())));
  });

  it('lets a consumer append events exactly once in effect: the append and the checkpoint share a transaction', async () => {
    const mirror = `mirror-${randomUUID()}`;
    const mirroring: Projection = {
      name: `mirror_${runId()}`,
      eventTypes: ['tillgate.probe.v1.ProbeIncremented'],
      appendsEvents: true,
      async apply(event, tx) {
        // A type this consumer does not apply: the mirror's own events land on the same topic.
        await tx.append(mirror, 'any', [
          aNewEvent().withLabel('mirrored').with({ causationId: event.eventId }).build(),
        ]);
      },
      async reset() {
        throw new Error('an appending consumer is not rebuilt');
      },
    };
    const events = await allEvents();
    await producer.send({ topic, acks: -1, messages: events.slice(0, 5).map(toKafkaMessage) }); // duplicates again
    await consumer(mirroring).start();
    await caughtUp(mirroring.name);

    const mirrored = await store.readStream(mirror);
    expect(mirrored.map((e) => e.causationId).sort()).toEqual(events.map((e) => e.eventId).sort());
    await expect(replayProjection(store, mirroring)).rejects.toMatchObject({
      code: 'PROJECTION_NOT_REPLAYABLE',
    });
  });
});
