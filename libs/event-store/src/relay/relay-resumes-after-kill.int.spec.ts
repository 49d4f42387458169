import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventStore } from '../store/event-store';
import {
  createTestDatabase,
  integrationEnv,
  openEventStoreDataSource,
} from '../testing/integration-env';
import {
  createTestTopic,
  deleteTopics,
  firstDeliveries,
  readTopic,
  testKafka,
} from '../testing/kafka-test-kit';
import { aNewEvent, aStreamId } from '../testing/new-event.builder';
import { waitUntil } from '../testing/wait-until';

jest.setTimeout(90_000);

const KILLS = 6;
const WORKSPACE = join(__dirname, '..', '..', '..', '..');

/** Starts a relay in its own process and resolves once it runs. */
async function startRelayProcess(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, '..', 'testing', 'relay-process.ts')],
    {
      cwd: WORKSPACE,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(WORKSPACE, 'tsconfig.base.json'),
        RELAY_DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: integrationEnv().kafkaBrokers.join(','),
        RELAY_BATCH_SIZE: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('started') && resolve());
    child.once('exit', (code) => reject(new Error(`relay process exited with ${code}`)));
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a relay killed mid-batch, again and again', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let kafka: Kafka;
  let topic: string;
  let store: EventStore;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    database = await createTestDatabase('relay_kill');
    dataSource = await openEventStoreDataSource(database.url);
    kafka = testKafka();
    topic = await createTestTopic(kafka, 'kill');
    store = new EventStore(dataSource, { topicFor: () => topic });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await store?.close();
    if (topic) await deleteTopics(kafka, [topic]);
    await dataSource?.destroy();
    await database?.drop();
  });

  const checkpoint = async () => {
    const [row] = await dataSource.query(
      "SELECT position FROM es_relay_checkpoints WHERE relay = 'kafka'",
    );
    return row ? BigInt(row.position) : 0n;
  };
  const unpublished = async () => {
    const [row] = await dataSource.query(
      `SELECT count(*)::int AS n FROM es_outbox o
        WHERE (o.tx_id, o.position) > (SELECT coalesce(max(tx_id), 0), coalesce(max(position), 0) FROM es_relay_checkpoints)`,
    );
    return row.n as number;
  };

  it('resumes from its checkpoint each time: nothing is missing downstream, order per stream holds', async () => {
    // Writers keep appending the whole time, so each relay is always in the middle of a batch.
    let writing = true;
    const streams = Array.from({ length: 16 }, () => ({ id: aStreamId(), version: 0 }));
    const writers = streams.map(async (stream) => {
      while (writing) {
        const r = await store.append(stream.id, stream.version, [
          aNewEvent()
            .incrementing(1, stream.version + 1)
            .build(),
        ]);
        stream.version = r.nextExpectedVersion;
        await sleep(10);
      }
    });

    const progress: bigint[] = [];
    for (let i = 0; i < KILLS; i++) {
      const before = await checkpoint();
      const child = await startRelayProcess(database.url);
      children.add(child);
      await waitUntil(async () => (await checkpoint()) > before, { what: 'the relay to publish' });
      await sleep(50 + Math.random() * 250);
      await kill(child);
      children.delete(child);
      progress.push(await checkpoint());
    }
    writing = false;
    await Promise.all(writers);

    const last = await startRelayProcess(database.url);
    children.add(last);
    await waitUntil(async () => (await unpublished()) === 0, {
      timeoutMs: 30_000,
      what: 'the last relay to drain the outbox',
    });
    await kill(last);
    children.delete(last);

    // every relay moved the checkpoint forward from where the previous one left it
    expect(progress).toEqual([...progress].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const all = await store.readAll({ limit: 100_000 });
    const records = await readTopic(
      kafka,
      topic,
      (rs) => new Set(rs.map((r) => r.event.eventId)).size >= all.length,
      20_000,
    );
    const delivered = firstDeliveries(records);
    expect(new Set(delivered.map((r) => r.event.eventId))).toEqual(
      new Set(all.map((e) => e.eventId)),
    );
    for (const stream of streams) {
      const versions = delivered
        .filter((r) => r.key === stream.id)
        .map((r) => r.event.streamVersion);
      expect(versions).toEqual(Array.from({ length: stream.version }, (_, i) => i + 1));
    }
    // Records sent again by a relay killed between Kafka's ack and its checkpoint: allowed, deduplicated by id.
    console.info(
      `${all.length} events, ${records.length - delivered.length} re-sent after ${KILLS} kills`,
    );
  });
});
