import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventStore } from '../store/event-store';
import { createTestDatabase, openEventStoreDataSource } from '../testing/integration-env';
import {
  createTestTopic,
  deleteTopics,
  firstDeliveries,
  readTopic,
  silentLogger,
  testKafka,
} from '../testing/kafka-test-kit';
import { aStreamId, newEvents } from '../testing/new-event.builder';
import { waitUntil } from '../testing/wait-until';
import { OutboxRelay } from './outbox-relay';

jest.setTimeout(60_000);

const WRITERS = 24;
const TRANSACTIONS_PER_WRITER = 15;
const STREAMS_PER_WRITER = 3;

describe('the relay publishes every event, including those whose transaction commits after a higher position', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let kafka: Kafka;
  let topic: string;
  let store: EventStore;
  let relay: OutboxRelay;

  beforeAll(async () => {
    database = await createTestDatabase('relay_gap');
    dataSource = await openEventStoreDataSource(database.url, WRITERS + 6);
    kafka = testKafka();
    topic = await createTestTopic(kafka, 'gap');
    store = new EventStore(dataSource, { topicFor: () => topic });
    relay = new OutboxRelay(dataSource, {
      kafka,
      store,
      idleDelayMs: 2,
      batchSize: 40,
      logger: silentLogger(),
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await store?.close();
    if (topic) await deleteTopics(kafka, [topic]);
    await dataSource?.destroy();
    await database?.drop();
  });

  it('100% published, per-stream order kept, while a naive `position > last` poller loses events', async () => {
    relay.start();

    // The broken design, for contrast: it remembers the highest position it has seen.
    const naiveSeen = new Set<string>();
    let writing = true;
    const naive = (async () => {
      let last = 0n;
      while (writing) {
        const rows: { position: string }[] = await dataSource.query(
          'SELECT position FROM es_outbox WHERE position > $1 ORDER BY position',
          [last.toString()],
        );
        for (const row of rows) naiveSeen.add(row.position);
        if (rows.length) last = BigInt(rows[rows.length - 1].position);
        await sleep(2);
      }
    })();

    // Writers append in their own transactions and commit after a random delay,
    // so transactions holding lower positions often commit after higher ones.
    const commitOrder: bigint[] = [];
    const appended: string[] = [];
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        const streams = Array.from({ length: STREAMS_PER_WRITER }, () => ({
          id: aStreamId(),
          version: 0,
        }));
        for (let i = 0; i < TRANSACTIONS_PER_WRITER; i++) {
          const stream = streams[i % STREAMS_PER_WRITER];
          const events = newEvents(1 + (i % 2));
          const result = await store.transaction(async (tx) => {
            const r = await tx.append(stream.id, stream.version, events);
            await sleep(Math.random() * 30);
            return r;
          });
          stream.version = result.nextExpectedVersion;
          commitOrder.push(result.events[0].position);
          appended.push(...events.map((e) => e.eventId));
        }
      }),
    );
    writing = false;
    await naive;

    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      what: 'the relay to catch up',
    });
    const expected = new Set(appended);
    const records = await readTopic(
      kafka,
      topic,
      (rs) => new Set(rs.map((r) => r.event.eventId)).size >= expected.size,
      15_000,
    );

    // The scenario really happened: commits out of position order...
    const lateCommits = commitOrder.filter((p, i) =>
      commitOrder.slice(i + 1).some((q) => q < p),
    ).length;
    expect(lateCommits).toBeGreaterThan(0);
    // ...and a naive poller lost events in it.
    const positions = (await dataSource.query('SELECT position FROM es_events')).map(
      (r: { position: string }) => r.position,
    );
    expect(positions.filter((p: string) => !naiveSeen.has(p)).length).toBeGreaterThan(0);

    // The relay published every event, each record keyed by its stream.
    const delivered = firstDeliveries(records);
    expect(new Set(delivered.map((r) => r.event.eventId))).toEqual(expected);
    expect(delivered.every((r) => r.key === r.event.streamId)).toBe(true);
    // Per stream, first deliveries come in version order 1..n.
    const versions = new Map<string, number[]>();
    for (const r of delivered)
      versions.set(r.event.streamId, [
        ...(versions.get(r.event.streamId) ?? []),
        r.event.streamVersion,
      ]);
    for (const [, vs] of versions) expect(vs).toEqual(vs.map((_, i) => i + 1));
  });
});
