import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventHeaders, toKafkaMessage } from '../kafka/event-record';
import { encodeRecordHeaders } from '../kafka/outbox-record';
import { EventStore } from '../store/event-store';
import type { StoredEvent } from '../store/event.types';
import { createTestDatabase, openEventStoreDataSource } from '../testing/integration-env';
import {
  createTestTopic,
  deleteTopics,
  firstDeliveries,
  readTopic,
  silentLogger,
  testKafka,
} from '../testing/kafka-test-kit';
import { aNewEvent, aStreamId, newEvents } from '../testing/new-event.builder';
import { waitUntil } from '../testing/wait-until';
import { OutboxRelay } from './outbox-relay';

jest.setTimeout(60_000);

let kafka: Kafka;
const topics: string[] = [];
beforeAll(() => {
  kafka = testKafka();
});
afterAll(async () => {
  if (topics.length) await deleteTopics(kafka, topics);
});

describe.each(['postgres', 'sqlite'])('the relay on %s', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let sqliteDir: string | undefined;
  let dataSource: DataSource;
  let store: EventStore;
  let relay: OutboxRelay;
  let topic: string;
  const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));

  beforeAll(async () => {
    let url: string;
    if (kind === 'postgres') {
      database = await createTestDatabase('relay_records');
      url = database.url;
    } else {
      sqliteDir = mkdtempSync(join(tmpdir(), 'tillgate-relay-records-'));
      url = `sqlite:${join(sqliteDir, 'events.sqlite')}`;
    }
    dataSource = await openEventStoreDataSource(url);
    topic = await createTestTopic(kafka, `records${kind}`);
    topics.push(topic);
    store = new EventStore(dataSource, { topicFor: () => topic });
    relay = new OutboxRelay(dataSource, {
      kafka,
      store,
      idleDelayMs: 5,
      batchSize: 7,
      logger: silentLogger(),
    });
  });
  afterAll(async () => {
    await relay?.stop();
    await store?.close();
    await dataSource?.destroy();
    await database?.drop();
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  });

  it('publishes the stored record of each entry as it is, and encodes from es_events the entries stored without one', async () => {
    const streams = [aStreamId(), aStreamId(), aStreamId()];
    for (const [i, streamId] of streams.entries()) {
      await store.append(streamId, 0, [
        aNewEvent().withLabel(`stream ${i}`).with({ correlationId: undefined }).build(),
        ...newEvents(9),
      ]);
    }
    const events = (await store.readAll({ limit: 100 })).filter((e) =>
      streams.includes(e.streamId),
    );
    expect(events).toHaveLength(30);

    // Entries as the previous version wrote them (during a rolling deploy): no record.
    const withoutRecord = events.filter((_, i) => i % 4 === 1);
    for (const event of withoutRecord) {
      await dataSource.query(
        sql(
          'UPDATE es_outbox SET record_key = NULL, record_value = NULL, record_headers = NULL WHERE position = $1',
        ),
        [kind === 'postgres' ? event.position.toString() : event.position],
      );
    }
    // One entry whose stored headers differ from what its event would give: what is sent is what is stored.
    const marked = events[6];
    await dataSource.query(sql('UPDATE es_outbox SET record_headers = $1 WHERE position = $2'), [
      encodeRecordHeaders({ ...eventHeaders(marked), 'x-stored': 'as is' }),
      kind === 'postgres' ? marked.position.toString() : marked.position,
    ]);

    relay.start();
    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      what: 'the relay to publish the outbox',
    });
    // Five batches of at most 7: each checkpoint saved once Kafka took its batch (with the
    // read of the batch after it), the last when the relay found nothing more to read.
    const [saved] = await dataSource.query(
      "SELECT position FROM es_relay_checkpoints WHERE relay = 'kafka'",
    );
    expect(BigInt(saved.position)).toBe(events[events.length - 1].position);
    expect((await relay.metrics.published.get()).values[0]?.value).toBe(30);
    const records = firstDeliveries(
      await readTopic(kafka, topic, (rs) => new Set(rs.map((r) => r.event.eventId)).size >= 30),
    );

    const byId = new Map(records.map((r) => [r.event.eventId, r]));
    expect([...byId.keys()].sort()).toEqual(events.map((e) => e.eventId).sort());
    const expected = (event: StoredEvent) => {
      const message = toKafkaMessage(event);
      return {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          ...(event === marked ? { 'x-stored': 'as is' } : {}),
        },
      };
    };
    for (const event of events) {
      const { key, value, headers } = byId.get(event.eventId)!;
      expect({ key, value, headers }).toEqual(expected(event));
    }
    // Per stream, in version order, stored and re-encoded entries alike.
    for (const streamId of streams) {
      expect(records.filter((r) => r.key === streamId).map((r) => r.event.streamVersion)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
    }
  });
});
