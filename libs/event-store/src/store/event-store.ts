import type { DataSource } from 'typeorm';
import type {
  AlsoStatement,
  AppendTransaction,
  EventStorage,
  RoutedAppend,
  StoreTransaction,
} from '../storage/event-storage.port';
import { PostgresEventStorage } from '../storage/postgres-event.storage';
import { SqliteEventStorage } from '../storage/sqlite-event.storage';
import { rejectCardData, type EventGuard } from './card-data.guard';
import { validateAppend } from './event-validation';
import type { AppendResult, ExpectedVersion, NewEvent, StoredEvent } from './event.types';
import { GroupCommitter, type GroupCommitOptions, type Outcome } from './group-committer';
import { defaultTopicFor } from './stream-id';
import { driverError, isDataError } from '../storage/sql-results';
import { InvalidAlsoStatement } from './event-store.errors';

export interface EventStoreOptions {
  /** Kafka topic of a stream's events, fixed when they are appended. Default `tillgate.<context>.v1`. */
  topicFor?: (streamId: string) => string;
  /** Runs on every event before it is appended. Default: refuse card data (`rejectCardData`). */
  guard?: EventGuard;
  groupCommit?: Partial<GroupCommitOptions>;
  /** The recorded-at clock. */
  clock?: () => Date;
}

export interface AppendOptions {
  /**
   * The caller's own writes (e.g. its work tables) to commit with the
   * events: run in the batch's database transaction, after this append's
   * events were written, and only if they were newly written (not for an
   * idempotent re-append, not for a refused append), with the append's
   * result. It may run more than once (see `EventStore.append`): write
   * through `tx` only.
   */
  also?: (tx: AppendTransaction, appended: AppendResult) => Promise<void>;
  /**
   * The caller's own writes as SQL statements (see `AlsoStatement`),
   * committed with the events on the same terms as `also`, and run before
   * it. Unlike `also`, they let Postgres write a batch of appends to
   * distinct streams, events, outbox entries and these rows, in one
   * statement: no explicit transaction, one round trip.
   */
  alsoStatements?: readonly AlsoStatement[];
}

/** A transaction on the store's database in which the caller may also append, once, as its first write. */
export interface EventStoreTransaction extends StoreTransaction {
  append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
  ): Promise<AppendResult>;
}

/** The storage behind a TypeORM data source: Postgres or SQLite (better-sqlite3). */
export function storageFor(dataSource: DataSource): EventStorage {
  switch (dataSource.options.type) {
    case 'postgres':
      return new PostgresEventStorage(dataSource);
    case 'better-sqlite3':
      return new SqliteEventStorage(dataSource);
    default:
      throw new Error(
        `the event store runs on postgres or better-sqlite3, not ${dataSource.options.type}`,
      );
  }
}

/**
 * The event store: append with optimistic concurrency, idempotent by event
 * id, read a stream or everything after a position. Appends from concurrent
 * callers are group-committed: one transaction per batch, one result (or
 * error) per append. Every append writes its outbox entries in the same
 * transaction; `OutboxRelay` publishes them. The schema comes from
 * `eventStoreMigrations`, run when the data source is opened.
 */
export class EventStore {
  readonly storage: EventStorage;
  private readonly committer: GroupCommitter<RoutedAppend, AppendResult>;
  private readonly topicFor: (streamId: string) => string;
  private readonly guard: EventGuard;
  private readonly clock: () => Date;
  private readonly listeners = new Set<(events: number) => void>();

  constructor(dataSource: DataSource, options: EventStoreOptions = {}) {
    this.storage = storageFor(dataSource);
    this.topicFor = options.topicFor ?? defaultTopicFor;
    this.guard = options.guard ?? rejectCardData;
    this.clock = options.clock ?? (() => new Date());
    this.committer = new GroupCommitter<RoutedAppend, AppendResult>(
      (batch) => this.writeBatch(batch),
      { windowMs: 0, maxBatchItems: 2000, maxInFlight: 2, ...options.groupCommit },
      (request) => ({ key: request.streamId, items: request.events.length }),
    );
  }

  /**
   * Appends events to a stream if it is at `expectedVersion`; else throws
   * ExpectedVersionConflict and writes nothing. Appending events whose ids
   * are already recorded (same stream, order, type and payload) writes
   * nothing and returns the original result.
   *
   * Group-committed: concurrent appends share one database transaction.
   * `options.also` runs in it right after the events were written, when
   * they were newly written; its writes commit or roll back with them. If
   * an `also` throws, or the batch's write fails with a data error (a
   * constraint or a value the database refuses, which one append may
   * cause), that transaction rolls back and each append of the batch is
   * written again alone, in order, in a transaction of its own: only the
   * append at fault fails, with its own error; the others commit once.
   * So an `also` may run again after a rollback, and must write only
   * through `tx`.
   */
  append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    try {
      const request = this.checked(streamId, expectedVersion, events);
      if (options.also) request.also = failingAsAlso(options.also);
      if (options.alsoStatements?.length)
        request.alsoStatements = checkedStatements(options.alsoStatements);
      return this.committer.submit(request);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Runs `work` in one database transaction. `tx.append` appends inside it
   * (no group commit), once and before any other write of the transaction;
   * the caller's own writes (tx.manager, tx.query) commit or roll back with it.
   */
  async transaction<T>(work: (tx: EventStoreTransaction) => Promise<T>): Promise<T> {
    let appended = 0;
    const result = await this.storage.transaction((tx) =>
      work({
        kind: tx.kind,
        manager: tx.manager,
        query: (sql, parameters) => tx.query(sql, parameters),
        append: (streamId, expectedVersion, events) => {
          appended += events.length;
          return tx.append(this.checked(streamId, expectedVersion, events), this.clock());
        },
      }),
    );
    this.notify(appended);
    return result;
  }

  /** A stream's events from `fromVersion` (default 1), in version order. */
  async readStream(
    streamId: string,
    options: { fromVersion?: number; limit?: number } = {},
  ): Promise<StoredEvent[]> {
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const events: StoredEvent[] = [];
    let from = options.fromVersion ?? 1;
    while (events.length < limit) {
      const page = await this.storage.readStream(
        streamId,
        from,
        Math.min(1000, limit - events.length),
      );
      events.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].streamVersion + 1;
    }
    return events;
  }

  /**
   * Events after a global position, in position order, optionally of some
   * types only. A snapshot read for rebuilds and tools: on Postgres an event
   * whose transaction commits late can appear below a position already read,
   * so a live feed must follow the relay (Kafka), not poll this.
   */
  readAll(
    options: { after?: bigint; limit?: number; types?: readonly string[] } = {},
  ): Promise<StoredEvent[]> {
    return this.storage.readAll(options.after ?? 0n, options.limit ?? 1000, options.types);
  }

  /**
   * Calls `listener` after each commit of this store with the number of
   * events it held at most (the relay uses it to wake up early).
   */
  onCommit(listener: (events: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what is queued, then refuses new appends. */
  close(): Promise<void> {
    return this.committer.close();
  }

  private checked(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
  ): RoutedAppend {
    validateAppend(streamId, expectedVersion, events);
    for (const event of events) this.guard(streamId, event);
    return { streamId, expectedVersion, events, topic: this.topicFor(streamId) };
  }

  private async writeBatch(batch: RoutedAppend[]): Promise<Outcome<AppendResult>[]> {
    let outcomes: Outcome<AppendResult>[];
    try {
      outcomes = await this.storage.appendBatch(batch, this.clock());
    } catch (err) {
      if (batch.length === 1 || !mayBelongToOneAppend(err)) throw originalError(err);
      outcomes = await this.writeOneByOne(batch);
    }
    this.notify(batch.reduce((n, request) => n + request.events.length, 0));
    return outcomes;
  }

  /** Each append of a failed batch alone, in order (so later appends of a stream see earlier ones). */
  private async writeOneByOne(batch: readonly RoutedAppend[]): Promise<Outcome<AppendResult>[]> {
    const outcomes: Outcome<AppendResult>[] = [];
    for (const request of batch) {
      try {
        outcomes.push(...(await this.storage.appendBatch([request], this.clock())));
      } catch (err) {
        outcomes.push({ ok: false, error: originalError(err) });
      }
    }
    return outcomes;
  }

  private notify(events: number): void {
    for (const listener of this.listeners) listener(events);
  }
}

/**
 * Refuses statements the store could run wrongly: one that does not read
 * `appended` would write even when the append does not (and twice when a
 * one-statement try is retried in a transaction); a `$n` past its own
 * parameters would take another append's value once statements are joined.
 */
function checkedStatements(statements: readonly AlsoStatement[]): readonly AlsoStatement[] {
  statements.forEach(({ sql, params }, i) => {
    const field = `alsoStatements[${i}].sql`;
    if (!/\bappended\b/.test(sql))
      throw new InvalidAlsoStatement(field, 'must act only through `appended`');
    for (const [, n] of sql.matchAll(/\$(\d+)/g))
      if (Number(n) < 1 || Number(n) > params.length)
        throw new InvalidAlsoStatement(field, `$${n} is not one of its ${params.length} params`);
  });
  return statements;
}

/** What an append's `also` threw, marked as such on its way through the batch. */
class AlsoFailed extends Error {
  constructor(readonly error: unknown) {
    super("an append's also-writes failed");
  }
}

const failingAsAlso =
  (also: NonNullable<AppendOptions['also']>): RoutedAppend['also'] =>
  async (tx, appended) => {
    try {
      await also(tx, appended);
    } catch (err) {
      throw new AlsoFailed(err);
    }
  };

const originalError = (err: unknown): Error =>
  (err instanceof AlsoFailed ? err.error : err) as Error;

/**
 * Whether one append of a failed batch may be the cause, so that the others
 * alone would succeed: the database refused its data, or its `also` failed
 * for its own reasons. An `also` that met a lost connection, a timeout or an
 * overloaded server (an error with a code that is not a data error) fails
 * the whole batch, as a failed batch write does: retrying it append by
 * append would only multiply the waits.
 */
const mayBelongToOneAppend = (err: unknown) =>
  err instanceof AlsoFailed
    ? isDataError(err.error) || driverError(err.error).code === undefined
    : isDataError(err);
