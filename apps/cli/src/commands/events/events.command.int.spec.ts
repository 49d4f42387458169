import { randomBytes, randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { probeV1 } from '@tillgate/contracts';
import {
  EventStore,
  eventStoreEntities,
  eventStoreMigrations,
  toKafkaMessage,
  type Projection,
} from '@tillgate/event-store';
import { openDataSource } from '@tillgate/persistence';
import { runCli } from '../../program';
import { eventsCommand } from './events.command';

jest.setTimeout(60_000);

function env(): { DATABASE_URL: string; KAFKA_BROKERS: string } {
  const { DATABASE_URL, KAFKA_BROKERS } = process.env;
  if (!DATABASE_URL || !KAFKA_BROKERS) {
    throw new Error(
      'DATABASE_URL and KAFKA_BROKERS are not set: run with `npm test -- apps/cli` (it starts Kafka and Postgres)',
    );
  }
  return { DATABASE_URL, KAFKA_BROKERS };
}

const increment = (by: number, total: number) =>
  probeV1.ProbeIncremented.encode({ by: String(by), total: String(total) }).finish();

describe('tillgate events tail', () => {
  const topic = `tillgate.clitail${randomBytes(4).toString('hex')}.v1`;
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: 'cli-events-test',
      brokers: env().KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const event = (version: number) => ({
      position: BigInt(version),
      eventId: randomUUID(),
      streamId: 'probe-till-4',
      streamVersion: version,
      type: 'tillgate.probe.v1.ProbeIncremented',
      schemaVersion: 1,
      payload: increment(version, (version * (version + 1)) / 2),
      occurredAt: new Date('2025-11-25T10:00:00.000Z'),
      recordedAt: new Date('2025-11-25T10:00:00.001Z'),
      correlationId: null,
      causationId: null,
      merchantId: 'merchant-0001',
    });
    await producer.send({
      topic,
      acks: -1,
      messages: [
        toKafkaMessage(event(1)),
        toKafkaMessage(event(2)),
        { key: 'x', value: Buffer.from('not protobuf') },
      ],
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('prints each record as a JSON line with the payload decoded from proto/, and says which records it cannot decode', async () => {
    let out = '';
    const code = await runCli(
      ['events', 'tail', topic, '--from-beginning', '--max-messages', '3'],
      {
        stdout: (s) => (out += s),
        env: { KAFKA_BROKERS: env().KAFKA_BROKERS },
      },
    );
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatchObject({
      topic,
      partition: 0,
      offset: '1',
      key: 'probe-till-4',
      event: {
        streamId: 'probe-till-4',
        streamVersion: 2,
        eventType: 'tillgate.probe.v1.ProbeIncremented',
        occurredAt: '2025-11-25T10:00:00.000Z',
        merchantId: 'merchant-0001',
        payload: { by: '2', total: '3' },
      },
    });
    expect(lines[2]).toMatchObject({
      offset: '2',
      error: expect.stringContaining('not an event envelope'),
    });
  });

  it('refuses to start without brokers', async () => {
    let err = '';
    expect(await runCli(['events', 'tail', topic], { stderr: (s) => (err += s), env: {} })).toBe(2);
    expect(err).toContain('KAFKA_BROKERS');
  });
});

describe('tillgate events replay', () => {
  const name = `es_cli_replay_${randomBytes(4).toString('hex')}`;
  let url: string;

  beforeAll(async () => {
    const admin = new Client({ connectionString: env().DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(env().DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  });
  afterAll(async () => {
    const admin = new Client({ connectionString: env().DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('rebuilds a registered projection from the store', async () => {
    const ds = await openDataSource({
      url,
      entities: eventStoreEntities('postgres'),
      migrations: eventStoreMigrations,
    });
    const store = new EventStore(ds);
    await ds.query('CREATE TABLE probe_sums (stream_id text PRIMARY KEY, total bigint NOT NULL)');
    await ds.query("INSERT INTO probe_sums VALUES ('stale-row', 999)");
    for (const stream of ['probe-a', 'probe-b']) {
      await store.append(
        stream,
        0,
        [1, 2, 3].map((by) => ({
          eventId: randomUUID(),
          type: 'tillgate.probe.v1.ProbeIncremented',
          schemaVersion: 1,
          payload: increment(by, 0),
          occurredAt: new Date(),
        })),
      );
    }
    await store.close();
    await ds.destroy();

    const sums: Projection = {
      name: 'probe-sums',
      eventTypes: ['tillgate.probe.v1.ProbeIncremented'],
      async apply(event, tx) {
        const { by } = probeV1.ProbeIncremented.decode(event.payload);
        await tx.query(
          'INSERT INTO probe_sums VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET total = probe_sums.total + excluded.total',
          [event.streamId, by],
        );
      },
      async reset(tx) {
        await tx.query('DELETE FROM probe_sums');
      },
    };
    let out = '';
    const program = new Command().exitOverride();
    program.addCommand(
      eventsCommand(
        { stdout: (s) => (out += s), stderr: () => undefined, env: { DATABASE_URL: url } },
        { 'probe-sums': () => sums },
      ),
    );
    await program.parseAsync(['events', 'replay', 'probe-sums', '--batch-size', '4'], {
      from: 'user',
    });

    expect(JSON.parse(out)).toMatchObject({ projection: 'probe-sums', applied: 6 });
    const check = await openDataSource({ url });
    expect(
      await check.query('SELECT stream_id, total::int AS total FROM probe_sums ORDER BY stream_id'),
    ).toEqual([
      { stream_id: 'probe-a', total: 6 },
      { stream_id: 'probe-b', total: 6 },
    ]);
    await check.destroy();
  });

  it('names the projections it knows when asked for another', async () => {
    let err = '';
    expect(
      await runCli(['events', 'replay', 'balances'], {
        stderr: (s) => (err += s),
        env: { DATABASE_URL: url },
      }),
    ).toBe(2);
    expect(err).toContain('unknown projection "balances"');
  });
});
