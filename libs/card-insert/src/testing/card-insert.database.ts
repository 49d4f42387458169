import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { eventStoreEntities, eventStoreMigrations } from '@tillgate/event-store';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import type { DataSource } from 'typeorm';
import { cardInsertEntities, cardInsertMigrations } from '../storage/card-insert.schema';

/** A data source with the event store's and the card-insert tables migrated in. */
export function openCardInsertDataSource(url: string, poolSize?: number): Promise<DataSource> {
  return openDataSource({
    url,
    entities: [...eventStoreEntities(storageKindOf(url)), ...cardInsertEntities],
    migrations: [...eventStoreMigrations, ...cardInsertMigrations],
    poolSize,
  });
}

/**
 * A fresh Postgres database for one test file on the server named by
 * DATABASE_URL (`node tools/infra/infra.mjs up`, then
 * `eval "$(node tools/infra/infra.mjs env)"`); `open()` may be called again
 * to simulate a restarted process.
 */
export async function freshCardInsertDatabase(): Promise<{
  url: string;
  open(): Promise<DataSource>;
  drop(): Promise<void>;
}> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl || storageKindOf(serverUrl) !== 'postgres')
    throw new Error(
      'DATABASE_URL must name the test Postgres: node tools/infra/infra.mjs up; eval "$(node tools/infra/infra.mjs env)"',
    );
  const name = `card_insert_${randomBytes(5).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    open: () => openCardInsertDataSource(url.toString(), 5),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
