import type { DataSource, QueryRunner } from 'typeorm';
import {
  lookupKeys,
  planBatch,
  resultsOf,
  type AppendOutcome,
  type BatchSnapshot,
  type PlannedRow,
  type RecordedIdentity,
  unpositionedEvent,
} from '../store/append-plan';
import { AppendNotFirstWrite } from '../store/event-store.errors';
import type { AppendResult, StoredEvent } from '../store/event.types';
import { encodeOutboxRecord, positionedValue } from '../kafka/outbox-record';
import { runAlsoWrites } from './also-writes';
import type { EventStorage, RoutedAppend, StorageTransaction } from './event-storage.port';
import { withSqliteConnection } from './sqlite-connection-lock';
import { positionsInOrder } from './sql-results';

const EVENT_COLUMNS = `position, event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
  recorded_at, correlation_id, causation_id, merchant_id, payload`;
/** Rows per INSERT: 12 parameters each stays far below SQLite's 32766-variable limit. */
const ROWS_PER_INSERT = 500;

type Query = (sql: string, parameters?: unknown[]) => Promise<Record<string, unknown>[]>;

// defaultSafeIntegers(true): every INTEGER column comes back as a BigInt.
export function mapSqliteEvent(row: Record<string, unknown>): StoredEvent {
  return {
    position: BigInt(row.position as bigint),
    eventId: row.event_id as string,
    streamId: row.stream_id as string,
    streamVersion: Number(row.stream_version),
    type: row.event_type as string,
    schemaVersion: Number(row.schema_version),
    payload: row.payload as Buffer,
    occurredAt: new Date(Number(row.occurred_at)),
    recordedAt: new Date(Number(row.recorded_at)),
    correlationId: (row.correlation_id as string | null) ?? null,
    causationId: (row.causation_id as string | null) ?? null,
    merchantId: (row.merchant_id as string | null) ?? null,
  };
}

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

async function lookup(query: Query, requests: readonly RoutedAppend[]): Promise<BatchSnapshot> {
  const { streamIds, eventIds } = lookupKeys(requests);
  const versions = new Map<string, number>();
  const recorded = new Map<string, RecordedIdentity>();
  for (let i = 0; i < streamIds.length; i += ROWS_PER_INSERT) {
    const chunk = streamIds.slice(i, i + ROWS_PER_INSERT);
    const rows = await query(
      `SELECT stream_id, max(stream_version) AS stream_version FROM es_events
        WHERE stream_id IN (${placeholders(chunk.length)}) GROUP BY stream_id`,
      chunk,
    );
    for (const row of rows) versions.set(row.stream_id as string, Number(row.stream_version));
  }
  for (let i = 0; i < eventIds.length; i += ROWS_PER_INSERT) {
    const chunk = eventIds.slice(i, i + ROWS_PER_INSERT);
    const rows = await query(
      `SELECT event_id, stream_id, stream_version, position, event_type, payload FROM es_events
        WHERE event_id IN (${placeholders(chunk.length)})`,
      chunk,
    );
    for (const row of rows) {
      recorded.set(row.event_id as string, {
        eventId: row.event_id as string,
        streamId: row.stream_id as string,
        streamVersion: Number(row.stream_version),
        position: BigInt(row.position as bigint),
        type: row.event_type as string,
        payload: row.payload as Buffer,
      });
    }
  }
  return { versions, recorded };
}

async function insert(
  query: Query,
  rows: readonly PlannedRow[],
  requests: readonly RoutedAppend[],
  recordedAt: Date,
): Promise<bigint[]> {
  const positions = new Map<string, bigint>();
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const inserted = await query(
      `INSERT INTO es_events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
                              recorded_at, correlation_id, causation_id, merchant_id, payload)
       VALUES ${chunk.map(() => `(${placeholders(11)})`).join(', ')}
       RETURNING position, event_id`,
      chunk.flatMap((r) => [
        r.event.eventId,
        r.streamId,
        r.streamVersion,
        r.event.type,
        r.event.schemaVersion,
        r.event.occurredAt.getTime(),
        recordedAt.getTime(),
        r.event.correlationId ?? null,
        r.event.causationId ?? null,
        r.event.merchantId ?? null,
        Buffer.from(r.event.payload.buffer, r.event.payload.byteOffset, r.event.payload.byteLength),
      ]),
    );
    for (const row of inserted)
      positions.set(row.event_id as string, BigInt(row.position as bigint));
    const written = positionsInOrder(chunk, positions);
    // The outbox row carries the event's Kafka record, its position known by now (see kafka/outbox-record.ts).
    await query(
      `INSERT INTO es_outbox (position, tx_id, topic, record_key, record_value, record_headers)
       VALUES ${chunk.map(() => '(?, NULL, ?, ?, ?, ?)').join(', ')}`,
      chunk.flatMap((r, j) => {
        const record = encodeOutboxRecord(unpositionedEvent(r, recordedAt));
        return [
          written[j],
          requests[r.request].topic,
          record.key,
          positionedValue(record, written[j]),
          record.headers,
        ];
      }),
    );
  }
  return positionsInOrder(rows, positions);
}

/**
 * SQLite (better-sqlite3): a batch is read, planned and written inside one
 * BEGIN IMMEDIATE transaction, which holds the database's single write lock
 * from the first statement, so no other writer (in this process or another)
 * can slip in between the read and the write. The appends' `also` writes
 * run in it after the events.
 */
export class SqliteEventStorage implements EventStorage {
  readonly kind = 'sqlite' as const;

  constructor(private readonly dataSource: DataSource) {}

  appendBatch(requests: readonly RoutedAppend[], recordedAt: Date): Promise<AppendOutcome[]> {
    return withSqliteConnection(this.dataSource, async () => {
      const runner = this.dataSource.createQueryRunner();
      const query: Query = (sql, parameters) => runner.query(sql, parameters);
      await query('BEGIN IMMEDIATE');
      try {
        const plan = planBatch(requests, await lookup(query, requests));
        const positions = plan.rows.length
          ? await insert(query, plan.rows, requests, recordedAt)
          : [];
        const outcomes = resultsOf(requests, plan, positions);
        await runAlsoWrites(requests, plan, outcomes, {
          kind: 'sqlite',
          query: (sql, parameters) => runner.query(sql, parameters),
        });
        await query('COMMIT');
        return outcomes;
      } catch (err) {
        await query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        await runner.release();
      }
    });
  }

  transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    return withSqliteConnection(this.dataSource, async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        const result = await work(new SqliteTransaction(runner));
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      } finally {
        await runner.release();
      }
    });
  }

  async readStream(streamId: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.query(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?`,
      [streamId, fromVersion, limit],
    );
    return rows.map(mapSqliteEvent);
  }

  async readAll(
    afterPosition: bigint,
    limit: number,
    types?: readonly string[],
  ): Promise<StoredEvent[]> {
    const rows = await this.query(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE position > ?
        ${types ? `AND event_type IN (${placeholders(types.length)})` : ''} ORDER BY position LIMIT ?`,
      [afterPosition, ...(types ?? []), limit],
    );
    return rows.map(mapSqliteEvent);
  }

  private query(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    return withSqliteConnection(this.dataSource, () => this.dataSource.query(sql, parameters));
  }
}

class SqliteTransaction implements StorageTransaction {
  readonly kind = 'sqlite' as const;
  private appended = false;

  constructor(private readonly runner: QueryRunner) {}

  get manager() {
    return this.runner.manager;
  }

  query<T>(sql: string, parameters?: unknown[]): Promise<T[]> {
    return this.runner.query(sql, parameters);
  }

  async append(request: RoutedAppend, recordedAt: Date): Promise<AppendResult> {
    // Postgres also refuses an append after another write; SQLite has no way to tell.
    if (this.appended) throw new AppendNotFirstWrite();
    this.appended = true;
    const query: Query = (sql, parameters) => this.runner.query(sql, parameters);
    const plan = planBatch([request], await lookup(query, [request]));
    const positions = plan.rows.length ? await insert(query, plan.rows, [request], recordedAt) : [];
    const [outcome] = resultsOf([request], plan, positions);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}
