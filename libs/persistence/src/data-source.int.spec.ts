import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Column,
  DataSource,
  Entity,
  MigrationInterface,
  PrimaryColumn,
  QueryRunner,
} from 'typeorm';
import { openDataSource, storageKindOf } from './data-source';

@Entity({ name: 'persistence_probe' })
class ProbeRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;
}

class CreateProbeTable1732500000000 implements MigrationInterface {
  name = 'CreateProbeTable1732500000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE persistence_probe (id varchar(36) PRIMARY KEY, "amountMinor" bigint NOT NULL, currency varchar(3) NOT NULL)',
    );
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE persistence_probe');
  }
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('DATABASE_URL is not set: run the suite with `npm test` (it starts Postgres)');
  return url;
}

describe.each([
  ['postgres', () => databaseUrl()],
  [
    'sqlite',
    () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'tillgate-sqlite-')), 'probe.sqlite')}`,
  ],
])('TypeORM round trip on %s', (kind, makeUrl) => {
  let ds: DataSource;
  let url: string;

  beforeAll(async () => {
    url = makeUrl();
    expect(storageKindOf(url)).toBe(kind);
    ds = await openDataSource({
      url,
      entities: [ProbeRow],
      migrations: [CreateProbeTable1732500000000],
    });
  });

  afterAll(async () => {
    await ds.undoLastMigration();
    await ds.destroy();
    if (kind === 'sqlite')
      rmSync(join(url.slice('sqlite:'.length), '..'), { recursive: true, force: true });
  });

  it('writes a row and reads the same row back, with a 64-bit amount intact', async () => {
    const id = randomUUID();
    // 2^53 + 1: a value a JavaScript number cannot hold, so it must stay a string.
    await ds
      .getRepository(ProbeRow)
      .insert({ id, amountMinor: '9007199254740993', currency: 'EUR' });
    const row = await ds.getRepository(ProbeRow).findOneByOrFail({ id });
    expect(String(row.amountMinor)).toBe('9007199254740993');
    expect(row.currency).toBe('EUR');
  });

  it('created the schema by migration, not synchronize', async () => {
    expect(ds.options.synchronize).toBe(false);
    const ran = await ds.query('SELECT name FROM migrations');
    expect(ran.map((r: { name: string }) => r.name)).toContain('CreateProbeTable1732500000000');
  });
});
