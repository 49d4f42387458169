import type { DataSource } from 'typeorm';
import { freshCardInsertDatabase, openCardInsertDataSource } from '../testing/card-insert.database';
import { cardInsertMigrations } from './card-insert.schema';

/** The migrated card-insert tables are exactly what the entities describe, on both databases. */
async function pendingCardInsertChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query).filter((q) => q.includes('"ci_'));
}

async function cardInsertTableCount(dataSource: DataSource): Promise<number> {
  const tables = await dataSource
    .createQueryRunner()
    .getTables([
      'ci_in_flight',
      'ci_reversal_queue',
      'ci_terminal_payments',
      'ci_requests',
      'ci_ksn_counters',
    ]);
  return tables.length;
}

/** The migrations' `down`s, newest first, remove everything their `up`s created; `up` again gives the same schema. */
async function downAndUpAgain(dataSource: DataSource): Promise<void> {
  const migrations = cardInsertMigrations.map((Migration) => new Migration());
  const runner = dataSource.createQueryRunner();
  try {
    for (const migration of [...migrations].reverse()) await migration.down(runner);
    expect(await cardInsertTableCount(dataSource)).toBe(0);
    for (const migration of migrations) await migration.up(runner);
  } finally {
    await runner.release();
  }
  expect(await cardInsertTableCount(dataSource)).toBe(5);
  expect(await pendingCardInsertChanges(dataSource)).toEqual([]);
}

describe('the card-insert schema', () => {
  it('is what the entities describe after the migrations on SQLite; down and up round-trip', async () => {
    const dataSource = await openCardInsertDataSource('sqlite::memory:');
    try {
      expect(await cardInsertTableCount(dataSource)).toBe(5);
      expect(await pendingCardInsertChanges(dataSource)).toEqual([]);
      await downAndUpAgain(dataSource);
    } finally {
      await dataSource.destroy();
    }
  });

  it('is what the entities describe after the migrations on Postgres; down and up round-trip', async () => {
    const db = await freshCardInsertDatabase();
    const dataSource = await db.open();
    try {
      expect(await cardInsertTableCount(dataSource)).toBe(5);
      expect(await pendingCardInsertChanges(dataSource)).toEqual([]);
      await downAndUpAgain(dataSource);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});
