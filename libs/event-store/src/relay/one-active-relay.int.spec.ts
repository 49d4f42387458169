import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

let kafka: Kafka;
const topics: string[] = [];
beforeAll(() => {
  kafka = testKafka();
});
afterAll(async () => {
  if (topics.length) await deleteTopics(kafka, topics);
});

/** Samples both relays for `ms`: the number of moments both were active. */
async function overlaps(a: OutboxRelay, b: OutboxRelay, ms: number): Promise<number> {
  let both = 0;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(5))
    if (a.active && b.active) both++;
  return both;
}

describe.each([
  ['postgres', 'an advisory lock'],
  ['sqlite', 'a lease row'],
])('one active relay per database on %s (%s)', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let sqliteDir: string | undefined;
  // Two data sources on one database: two processes, as far as the database can tell.
  let first: DataSource;
  let second: DataSource;
  let store: EventStore;
  let topic: string;
  const relays: OutboxRelay[] = [];
  const relay = (dataSource: DataSource) => {
    const r = new OutboxRelay(dataSource, {
      kafka,
      idleDelayMs: 5,
      lockRetryMs: 50,
      retryDelayMs: { min: 20, max: 100 },
      logger: silentLogger(),
    });
    relays.push(r);
    return r;
  };

  beforeAll(async () => {
    let url: string;
    if (kind === 'postgres') {
      database = await createTestDatabase('relay_lock');
      url = database.url;
    } else {
      sqliteDir = mkdtempSync(join(tmpdir(), 'tillgate-relay-lock-'));
      url = `sqlite:${join(sqliteDir, 'events.sqlite')}`;
    }
    first = await openEventStoreDataSource(url);
    second = await openEventStoreDataSource(url);
    topic = await createTestTopic(kafka, `lock${kind}`, 1);
    topics.push(topic);
    store = new EventStore(first, { topicFor: () => topic });
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await store?.close();
    await first?.destroy();
    await second?.destroy();
    await database?.drop();
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  });

  it('lets one relay publish while the other waits, hands over on stop, and publishes everything once in order', async () => {
    const a = relay(first);
    const b = relay(second);
    a.start();
    b.start();
    await waitUntil(() => a.active || b.active, { what: 'a relay to take the lock' });
    const stream = aStreamId();
    let version = 0;
    const append = async (n: number) => {
      for (let i = 0; i < n; i++)
        version = (await store.append(stream, version, newEvents(1))).nextExpectedVersion;
    };

    await append(20);
    expect(await overlaps(a, b, 500)).toBe(0);
    const [active, standby] = a.active ? [a, b] : [b, a];
    expect(standby.active).toBe(false);

    await active.stop();
    await waitUntil(() => standby.active, { what: 'the standby to take over' });
    await append(20);
    await waitUntil(async () => (await standby.measureLag())?.events === 0, {
      what: 'the standby to publish',
    });

    const records = await readTopic(kafka, topic, (rs) => rs.length >= 40);
    expect(records).toHaveLength(40); // no batch was published twice
    expect(firstDeliveries(records).map((r) => r.event.streamVersion)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it('stops publishing when it finds it lost the lock, and another relay takes over', async () => {
    const [active] = relays.filter((r) => r.active);
    const c = relay(first);
    c.start();
    await sleep(200);
    expect(c.active).toBe(false);

    if (kind === 'postgres') {
      // The database ends the active relay's session, as when its connection breaks.
      await first.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
    } else {
      // The lease expires, as when the active relay stalled for longer than the lease.
      await first.query(
        "UPDATE es_relay_checkpoints SET lease_expires_at = 0, lease_holder = 'stalled-relay'",
      );
    }
    await waitUntil(() => !active.active, { what: 'the relay to notice it lost the lock' });
    if (kind === 'sqlite') await first.query('UPDATE es_relay_checkpoints SET lease_holder = NULL');
    await waitUntil(() => relays.some((r) => r.active), { what: 'a relay to take over' });
    expect(relays.filter((r) => r.active)).toHaveLength(1);
  });
});
