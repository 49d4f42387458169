import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { eventStoreEntities, eventStoreMigrations } from '@tillgate/event-store';
import { openDataSource, storageKindOf } from '@tillgate/persistence';

/**
 * A fresh Postgres database with the event store's schema for one test
 * file, on the server named by DATABASE_URL (`node tools/infra/infra.mjs up`,
 * then `eval "$(node tools/infra/infra.mjs env)"`).
 */
export async function freshLedgerDatabase(
  poolSize = 10,
): Promise<{ dataSource: DataSource; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl || storageKindOf(serverUrl) !== 'postgres') {
    throw new Error(
      'DATABASE_URL must name the test Postgres: node tools/infra/infra.mjs up; eval "$(node tools/infra/infra.mjs env)"',
    );
  }
  const name = `ledger_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataSource = await openDataSource({
    url: url.toString(),
    entities: eventStoreEntities('postgres'),
    migrations: eventStoreMigrations,
    poolSize,
  });
  return {
    dataSource,
    async drop() {
      await dataSource.destroy();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
