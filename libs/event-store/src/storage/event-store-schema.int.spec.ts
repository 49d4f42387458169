import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions, storageKindOf } from '@tillgate/persistence';
import { createTestDatabase, openEventStoreDataSource } from '../testing/integration-env';
import { eventStoreEntities, eventStoreMigrations } from './event-store.schema';

jest.setTimeout(60_000);

const TABLES = [
  'es_consumer_offsets',
  'es_consumer_processed',
  'es_events',
  'es_outbox',
  'es_relay_checkpoints',
];

/**
 * The SQL TypeORM would run to make the database match the entities. On
 * SQLite it reads the schema through a second connection without
 * defaultSafeIntegers: TypeORM compares PRAGMA table_info's `notnull` with
 * `=== 0`, which a BigInt 0n never equals, and would see every column as NOT NULL.
 */
async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  if (ds.options.type === 'postgres')
    return (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
  const url = `sqlite:${String(ds.options.database)}`;
  const reader = new DataSource({
    ...dataSourceOptions({ url }),
    entities: eventStoreEntities(storageKindOf(url)),
    prepareDatabase: undefined,
  } as DataSourceOptions);
  await reader.initialize();
  try {
    return (await reader.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
  } finally {
    await reader.destroy();
  }
}

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] =
    ds.options.type === 'postgres'
      ? await ds.query(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
        )
      : await ds.query("SELECT name FROM sqlite_master WHERE type = 'table'");
  return rows
    .map((r) => r.name)
    .filter((n) => n.startsWith('es_'))
    .sort();
}

async function outboxColumns(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] =
    ds.options.type === 'postgres'
      ? await ds.query(
          "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'es_outbox'",
        )
      : await ds.query("SELECT name FROM pragma_table_info('es_outbox')");
  return rows.map((r) => r.name).sort();
}

/** Whether the Postgres function the append splices positions with exists (never on SQLite). */
async function hasUvarint(ds: DataSource): Promise<boolean> {
  if (ds.options.type !== 'postgres') return false;
  const [{ found }] = await ds.query(
    "SELECT count(*)::int AS found FROM pg_proc WHERE proname = 'es_uvarint'",
  );
  return found === 1;
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'tillgate-es-schema-'));
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

afterAll(async () => {
  rmSync(sqliteDir, { recursive: true, force: true });
  await database?.drop();
});

describe.each([
  [
    'postgres',
    async () => {
      database = await createTestDatabase('schema');
      return database.url;
    },
  ],
  ['sqlite', async () => `sqlite:${join(sqliteDir, 'schema.sqlite')}`],
])('the event store schema on %s', (_kind, makeUrl) => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openEventStoreDataSource(await makeUrl());
  });
  afterAll(() => ds.destroy());

  it('is created by migration, with synchronize off', async () => {
    expect(ds.options.synchronize).toBe(false);
    expect(await tables(ds)).toEqual(TABLES);
  });

  it('is exactly what the entities describe: TypeORM finds nothing to change', async () => {
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });

  it('loses the outbox records going down one migration (the relay then encodes from es_events), and gets them back going up', async () => {
    await ds.undoLastMigration({ transaction: 'each' });
    expect(await outboxColumns(ds)).toEqual(['position', 'topic', 'tx_id']);
    expect(await hasUvarint(ds)).toBe(false);
    await ds.runMigrations({ transaction: 'each' });
    expect(await outboxColumns(ds)).toEqual([
      'position',
      'record_headers',
      'record_key',
      'record_value',
      'topic',
      'tx_id',
    ]);
    expect(await hasUvarint(ds)).toBe(ds.options.type === 'postgres');
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });

  it('is removed by the migrations going down, and comes back going up', async () => {
    for (let i = 0; i < eventStoreMigrations.length; i++)
      await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect(await tables(ds)).toEqual(TABLES);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });
});
