import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import type { DataSource } from 'typeorm';
import { eventStoreEntities, eventStoreMigrations } from '../storage/event-store.schema';

const HOW_TO_RUN =
  'run integration tests with `npm test -- libs/event-store` (it starts Kafka and Postgres), or export the ' +
  'variables printed by `node tools/infra/infra.mjs up`';

/** The real Postgres and Kafka of an integration run; fails loudly when they are not configured. */
export function integrationEnv(): { databaseUrl: string; kafkaBrokers: string[] } {
  const databaseUrl = process.env.DATABASE_URL;
  const brokers = process.env.KAFKA_BROKERS;
  if (!databaseUrl || storageKindOf(databaseUrl) !== 'postgres') {
    throw new Error(`DATABASE_URL must name the test Postgres: ${HOW_TO_RUN}`);
  }
  if (!brokers) throw new Error(`KAFKA_BROKERS is not set: ${HOW_TO_RUN}`);
  return { databaseUrl, kafkaBrokers: brokers.split(',') };
}

/** A short random suffix that keeps databases and topics of concurrent runs apart. */
export const runId = () => randomBytes(5).toString('hex');

/** A fresh Postgres database for one test file, dropped by `drop()`. */
export async function createTestDatabase(
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const { databaseUrl } = integrationEnv();
  const name = `es_${label.replace(/[^a-z0-9_]/g, '_')}_${runId()}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Opens a data source with the event store's schema migrated in. */
export function openEventStoreDataSource(url: string, poolSize?: number): Promise<DataSource> {
  return openDataSource({
    url,
    entities: eventStoreEntities(storageKindOf(url)),
    migrations: eventStoreMigrations,
    poolSize,
  });
}
