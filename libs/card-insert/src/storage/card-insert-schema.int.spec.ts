import type { DataSource } from 'typeorm';
import { freshCardInsertDatabase, openCardInsertDataSource } from '../testing/card-insert.database';
import { CreateCardInsertTables1764100000000 } from './migrations/1764100000000-create-card-insert-tables';

/** The migrated card-insert tables are exactly what the entities describe, on both databases. */
async function pendingCardInsertChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query).filter((q) => q.includes('"ci_'));
}

async function cardInsertTableCount(dataSource: DataSource): Promise<number> {
  const tables = await dataSource
    .createQueryRunner()
    .getTables(['ci_in_flight', 'ci_reversal_queue', 'ci_terminal_payments', 'ci_requests']);
  return tables.length;
}

/** `down` removes everything `up` created, and `up` again gives the same schema. */
async function downAndUpAgain(dataSource: DataSource): Promise<void> {
  const migration = new CreateCardInsertTables1764100000000();
  const runner = dataSource.createQueryRunner();
  try {
    await migration.down(runner);
    expect(await cardInsertTableCount(dataSource)).toBe(0);
    await migration.up(runner);
  } finally {
    await runner.release();
  }
  expect(await cardInsertTableCount(dataSource)).toBe(4);
  expect(await pendingCardInsertChanges(dataSource)).toEqual([]);
}

describe('the card-insert schema', () => {
  it('is what the entities describe after the migrations on SQLite; down and up round-trip', async () => {
    const dataSource = await openCardInsertDataSource('sqlite::memory:');
    try {
      expect(await cardInsertTableCount(dataSource)).toBe(4);
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
      expect(await cardInsertTableCount(dataSource)).toBe(4);
      expect(await pendingCardInsertChanges(dataSource)).toEqual([]);
      await downAndUpAgain(dataSource);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});
