import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { CheckpointedConsumer } from '../consumer/checkpointed-consumer';
import { EventStore } from '../store/event-store';
import { createTestDatabase, openEventStoreDataSource, runId } from '../testing/integration-env';
import {
  NetworkGate,
  createTestTopic,
  deleteTopics,
  endOffsets,
  firstDeliveries,
  readTopic,
  silentLogger,
  testKafka,
} from '../testing/kafka-test-kit';
import { aStreamId, aNewEvent } from '../testing/new-event.builder';
import { expectedTotals, probeTotalsProjection } from '../testing/probe-totals.projection';
import { waitUntil } from '../testing/wait-until';
import { OutboxRelay } from './outbox-relay';

jest.setTimeout(120_000);

const STREAMS = 10;

describe('Kafka down, then back', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  const gate = new NetworkGate();
  let relayKafka: Kafka;
  let kafka: Kafka;
  let topic: string;
  let store: EventStore;
  let relay: OutboxRelay;
  let consumer: CheckpointedConsumer;
  const projection = probeTotalsProjection(`outage_${runId()}`);

  beforeAll(async () => {
    database = await createTestDatabase('relay_outage');
    dataSource = await openEventStoreDataSource(database.url);
    kafka = testKafka();
    relayKafka = testKafka(gate.socketFactory);
    topic = await createTestTopic(kafka, 'outage');
    store = new EventStore(dataSource, { topicFor: () => topic });
    relay = new OutboxRelay(dataSource, {
      kafka: relayKafka,
      store,
      idleDelayMs: 5,
      lagIntervalMs: 100,
      retryDelayMs: { min: 50, max: 400 },
      pruneIntervalMs: 600_000, // keep published entries: the test re-publishes them below
      logger: silentLogger(),
    });
    consumer = new CheckpointedConsumer({
      kafka,
      store,
      projection,
      topics: [topic],
      logger: silentLogger(),
    });
    await store.transaction((tx) => projection.createTable(tx));
  });
  afterAll(async () => {
    gate.restore();
    await consumer?.stop();
    await relay?.stop();
    await store?.close();
    if (topic) await deleteTopics(kafka, [topic]);
    await dataSource?.destroy();
    await database?.drop();
  });

  /** Appends `count` increments to each stream, in order; returns how long the slowest append took. */
  async function appendRound(
    streams: { id: string; version: number }[],
    count: number,
  ): Promise<number> {
    let slowest = 0;
    await Promise.all(
      streams.map(async (stream) => {
        for (let i = 0; i < count; i++) {
          const started = Date.now();
          const r = await store.append(stream.id, stream.version, [
            aNewEvent()
              .incrementing(stream.version + 1, 0)
              .build(),
          ]);
          slowest = Math.max(slowest, Date.now() - started);
          stream.version = r.nextExpectedVersion;
        }
      }),
    );
    return slowest;
  }

  const metric = async (name: string) => {
    const text = await relay.metrics.registry.getSingleMetricAsString(name);
    return Number(/\s([\d.e+-]+)\s*$/.exec(text)?.[1] ?? NaN);
  };

  it('appends go on, events wait in the database with a lag metric, and drain in order when Kafka returns', async () => {
    relay.start();
    await consumer.start();
    const streams = Array.from({ length: STREAMS }, () => ({ id: aStreamId(), version: 0 }));

    await appendRound(streams, 5);
    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      what: 'the first events to be published',
    });

    gate.cut();
    const slowestWhileDown = await appendRound(streams, 10);
    expect(slowestWhileDown).toBeLessThan(1000); // the gateway keeps serving
    await waitUntil(
      async () =>
        (await relay.measureLag())?.events === STREAMS * 10 &&
        (await metric('tillgate_outbox_publish_failures_total')) > 0,
      {
        what: 'the relay to fail and the lag to show the backlog',
      },
    );
    expect(await metric('tillgate_outbox_lag_events')).toBe(STREAMS * 10);
    expect(await metric('tillgate_outbox_lag_seconds')).toBeGreaterThan(0);
    expect(await metric('tillgate_outbox_relay_active')).toBe(1);

    gate.restore();
    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      timeoutMs: 45_000,
      what: 'the backlog to drain',
    });

    const all = await store.readAll({ limit: 1000 });
    expect(all).toHaveLength(STREAMS * 15);
    const records = await readTopic(
      kafka,
      topic,
      (rs) => new Set(rs.map((r) => r.event.eventId)).size >= all.length,
    );
    const delivered = firstDeliveries(records);
    expect(new Set(delivered.map((r) => r.event.eventId))).toEqual(
      new Set(all.map((e) => e.eventId)),
    );
    const versions = new Map<string, number[]>();
    for (const r of delivered)
      versions.set(r.key, [...(versions.get(r.key) ?? []), r.event.streamVersion]);
    for (const stream of streams)
      expect(versions.get(stream.id)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('a consumer applies every event exactly once, even when the relay publishes all of them again', async () => {
    // As after a crash that lost the relay's checkpoint: everything is sent a second time.
    await relay.stop();
    await dataSource.query('UPDATE es_relay_checkpoints SET tx_id = 0, position = 0');
    relay.start();
    const all = await store.readAll({ limit: 1000 });
    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      what: 're-publishing',
    });

    const ends = await endOffsets(kafka, topic);
    expect([...ends.values()].reduce((a, b) => a + b, 0n)).toBeGreaterThanOrEqual(
      BigInt(all.length * 2),
    );
    await waitUntil(
      async () => {
        const rows: { partition: number; next_offset: string }[] = await dataSource.query(
          'SELECT partition, next_offset FROM es_consumer_offsets WHERE consumer = $1 AND topic = $2',
          [projection.name, topic],
        );
        return [...ends].every(([p, end]) =>
          rows.some((r) => r.partition === p && BigInt(r.next_offset) === end),
        );
      },
      { timeoutMs: 45_000, what: 'the consumer to reach the end of every partition' },
    );

    expect(await store.transaction((tx) => projection.totals(tx))).toEqual(expectedTotals(all));
    const [{ n }] = await dataSource.query(
      'SELECT count(*)::int AS n FROM es_consumer_processed WHERE consumer = $1',
      [projection.name],
    );
    expect(n).toBe(all.length);
  });
});
