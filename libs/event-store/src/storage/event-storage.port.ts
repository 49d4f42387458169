import type { EntityManager } from 'typeorm';
import type { StorageKind } from '@tillgate/persistence';
import type { AppendOutcome, AppendRequest } from '../store/append-plan';
import type { AppendResult, StoredEvent } from '../store/event.types';

/** One append inside a batch, with the topic its outbox entries go to. */
export interface RoutedAppend extends AppendRequest {
  topic: string;
  /** The caller's own writes, run in the batch's transaction if this append writes its events. */
  also?: (tx: AppendTransaction, appended: AppendResult) => Promise<void>;
  /** The caller's own writes as SQL, run before `also` (see `AlsoStatement`). */
  alsoStatements?: readonly AlsoStatement[];
}

/**
 * A write of the caller's own tables, as SQL, to commit with an append's
 * events. It is written against `appended`, a relation with one row when
 * the append writes its events: `INSERT ... SELECT ... FROM appended`,
 * `UPDATE ... WHERE ... AND EXISTS (SELECT 1 FROM appended)`, `DELETE ...
 * WHERE ... AND EXISTS (SELECT 1 FROM appended)`. Parameters are `$1`...
 * of `params` (the store renumbers them; keep `$` out of literals).
 *
 * On Postgres these run as data-modifying WITH queries: an append's
 * statements in one statement; and a batch whose appends are each to a
 * stream of its own and have no function `also`, written with all their
 * statements in ONE statement (one round trip, no explicit transaction).
 * Statements in one statement share a snapshot and do not see each other's
 * writes, so: two statements of an append must not write the same row, nor
 * may appends to different streams (key the rows by stream: a shared
 * counter would lose updates); a statement is one INSERT, UPDATE or DELETE
 * without a WITH of its own; it must not name a table `input`, `guard`,
 * `inserted`, `outbox` or `also_<n>` (names of the store's WITH queries);
 * and that statement runs at the connection's default isolation (read
 * committed unless changed). `EventStore.append` refuses a statement that
 * does not mention `appended` or uses a `$n` past its params
 * (InvalidAlsoStatement).
 */
export interface AlsoStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A transaction of the event store's database, opened by `EventStore.transaction`. */
export interface StoreTransaction {
  readonly kind: StorageKind;
  /** A TypeORM manager bound to this transaction, for the caller's own tables. */
  readonly manager: EntityManager;
  /** Raw SQL in this transaction (`$1` placeholders on Postgres, `?` on SQLite). */
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
}

/** The batch's transaction as an append's `also` sees it: raw SQL for the caller's own tables. */
export type AppendTransaction = Pick<StoreTransaction, 'kind' | 'query'>;

/** A transaction in which the store may also append (once, before any other write). */
export interface StorageTransaction extends StoreTransaction {
  append(request: RoutedAppend, recordedAt: Date): Promise<AppendResult>;
}

/** The SQL behind the event store, one implementation per database. */
export interface EventStorage {
  readonly kind: StorageKind;
  /**
   * Looks up, plans and writes a batch of appends in one transaction: one
   * outcome per append. The `also` of each append that writes its events
   * runs in that transaction after the batch's events were written; if one
   * throws, the transaction rolls back and the error is thrown.
   */
  appendBatch(requests: readonly RoutedAppend[], recordedAt: Date): Promise<AppendOutcome[]>;
  transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T>;
  readStream(streamId: string, fromVersion: number, limit: number): Promise<StoredEvent[]>;
  readAll(afterPosition: bigint, limit: number, types?: readonly string[]): Promise<StoredEvent[]>;
}
