import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';

const tails = new WeakMap<DataSource, Promise<unknown>>();
const held = new AsyncLocalStorage<ReadonlySet<DataSource>>();

/**
 * Runs `work` alone among the event store's uses of this SQLite data source.
 * better-sqlite3 gives TypeORM ONE connection per database: a statement run
 * while another caller's transaction is open (between its awaits) runs
 * inside that transaction, reading its uncommitted rows or mixing writes
 * into it. So every storage, relay and consumer operation on SQLite, reads
 * included, takes this lock. Re-entrant: work already holding it (e.g. a
 * read inside `store.transaction`) runs at once.
 */
export function withSqliteConnection<T>(
  dataSource: DataSource,
  work: () => Promise<T>,
): Promise<T> {
  const holding = held.getStore();
  if (holding?.has(dataSource)) return work();
  const inside = () => held.run(new Set([...(holding ?? []), dataSource]), work);
  const run = (tails.get(dataSource) ?? Promise.resolve()).then(inside, inside);
  tails.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}
