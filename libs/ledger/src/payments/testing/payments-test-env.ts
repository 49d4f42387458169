import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { createKafka } from '@tillgate/event-store';
import { storageKindOf } from '@tillgate/persistence';

const HOW_TO_RUN =
  'node tools/infra/infra.mjs up; set -a; eval "$(node tools/infra/infra.mjs env)"; set +a';

/** The real Postgres and Kafka of an integration run (test support only). */
export function paymentsTestEnv(): { databaseUrl: string; brokers: string[] } {
  const databaseUrl = process.env.DATABASE_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!databaseUrl || storageKindOf(databaseUrl) !== 'postgres')
    throw new Error(`DATABASE_URL must name the test Postgres: ${HOW_TO_RUN}`);
  if (!brokers) throw new Error(`KAFKA_BROKERS is not set: ${HOW_TO_RUN}`);
  return { databaseUrl, brokers: brokers.split(',') };
}

/** Keeps the databases, topics and groups of concurrent runs on one broker and server apart. */
export const runId = () => randomBytes(5).toString('hex');

/** An empty Postgres database of its own; `drop()` removes it. */
export async function createPostgresDatabase(
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const { databaseUrl } = paymentsTestEnv();
  const name = `${label}_${runId()}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

export const testKafka = (clientId: string): Kafka =>
  createKafka({ brokers: paymentsTestEnv().brokers, clientId });

export async function createTopics(kafka: Kafka, topics: string[], partitions: number) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // best effort: the broker is throwaway
  } finally {
    await admin.disconnect();
  }
}

/** The end offset (high watermark) of each partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
