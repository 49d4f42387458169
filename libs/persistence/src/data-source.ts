import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';

export type StorageKind = 'postgres' | 'sqlite';

export class PersistenceConfigError extends Error {
  readonly code = 'INVALID_DATABASE_URL';
}

/** `postgres://...` or `sqlite:<path>` (`sqlite::memory:` for an in-memory database). */
export function storageKindOf(url: string): StorageKind {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (url.startsWith('sqlite:')) return 'sqlite';
  throw new PersistenceConfigError('DATABASE_URL must start with postgres:// or sqlite:');
}

export interface DataSourceInput {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  /** Postgres pool size (default 10). */
  poolSize?: number;
}

/**
 * One TypeORM data source per database, the same code on Postgres and on
 * SQLite. The schema comes from migrations only: `synchronize` is off.
 */
export function dataSourceOptions(input: DataSourceInput): DataSourceOptions {
  const common = {
    entities: input.entities ?? [],
    migrations: input.migrations ?? [],
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (storageKindOf(input.url) === 'postgres') {
    return { ...common, type: 'postgres', url: input.url, poolSize: input.poolSize ?? 10 };
  }
  const path = input.url.slice('sqlite:'.length);
  const database = path === ':memory:' ? ':memory:' : resolve(path);
  if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    // WAL lets readers run beside the single writer; NORMAL sync is durable in WAL mode.
    prepareDatabase: (db: {
      pragma(sql: string): unknown;
      defaultSafeIntegers(on: boolean): unknown;
    }) => {
      // 64-bit integers (amounts in minor units, positions) come back as BigInt, never a rounded double.
      db.defaultSafeIntegers(true);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}

/** Creates, initializes and migrates a data source. */
export async function openDataSource(input: DataSourceInput): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(input));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
