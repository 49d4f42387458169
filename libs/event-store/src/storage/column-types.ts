import type { ColumnType } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';

/**
 * Column types per database. Postgres gets its native types; SQLite keeps
 * instants as integer milliseconds since the epoch (it has no timestamp type)
 * and needs INTEGER for an autoincrement key.
 */
export function columnTypes(kind: StorageKind) {
  const pg = kind === 'postgres';
  return {
    autoPosition: (pg ? 'bigint' : 'integer') as ColumnType,
    uuid: (pg ? 'uuid' : 'varchar') as ColumnType,
    uuidLength: pg ? undefined : 36,
    instant: (pg ? 'timestamptz' : 'bigint') as ColumnType,
    bytes: (pg ? 'bytea' : 'blob') as ColumnType,
  };
}
