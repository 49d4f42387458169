import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  guessedSnapshot,
  lookupKeys,
  planBatch,
  resultsOf,
  type AppendOutcome,
  type BatchSnapshot,
  type PlannedRow,
  type RecordedIdentity,
  unpositionedEvent,
} from '../store/append-plan';
import {
  AppendNotFirstWrite,
  EventIdReused,
  ExpectedVersionConflict,
} from '../store/event-store.errors';
import type { AppendResult, StoredEvent } from '../store/event.types';
import { encodeOutboxRecord } from '../kafka/outbox-record';
import type { EventStorage, RoutedAppend, StorageTransaction } from './event-storage.port';
import { PG_UNIQUE_VIOLATION, driverError, positionsInOrder } from './sql-results';

export const EVENT_COLUMNS = `position, event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
  recorded_at, correlation_id, causation_id, merchant_id, payload`;

// One round trip: the current version of every stream of the batch, and the
// events of the batch whose ids are already recorded (for idempotency).
const LOOKUP = `
  SELECT 'version' AS kind, s.stream_id, v.stream_version, NULL::uuid AS event_id, NULL::bigint AS position,
         NULL::text AS event_type, NULL::bytea AS payload
    FROM unnest($1::text[]) AS s(stream_id)
    CROSS JOIN LATERAL (SELECT max(stream_version) AS stream_version FROM es_events e WHERE e.stream_id = s.stream_id) v
   WHERE v.stream_version IS NOT NULL
  UNION ALL
  SELECT 'recorded', stream_id, stream_version, event_id, position, event_type, payload
    FROM es_events WHERE event_id = ANY($2::uuid[])`;

// The events and their outbox entries in one statement, hence one transaction
// when run on its own. tx_id is the writing transaction's xid8 (as bigint:
// epoch << 32 | xid stays far below 2^63); the relay orders and bounds by it.
// The outbox row also gets the event's Kafka record, encoded by the caller
// around the position, which only this statement knows (see
// kafka/outbox-record.ts; es_uvarint comes with the migration).
const INPUT = `input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::timestamptz[],
                         $7::text[], $8::text[], $9::text[], $10::bytea[], $11::text[],
                         $12::bytea[], $13::bytea[], $14::bytea[]) WITH ORDINALITY
      AS t(event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
           correlation_id, causation_id, merchant_id, payload, topic,
           value_head, value_tail, record_headers, ord)
  )`;
const write = (condition: string) => `inserted AS (
    INSERT INTO es_events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
                           recorded_at, correlation_id, causation_id, merchant_id, payload)
    SELECT event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
           $15::timestamptz, correlation_id, causation_id, merchant_id, payload
      FROM input WHERE ${condition} ORDER BY ord
    RETURNING position, event_id
  ), outbox AS (
    INSERT INTO es_outbox (position, tx_id, topic, record_key, record_value, record_headers)
    SELECT inserted.position, pg_current_xact_id()::text::bigint, input.topic,
           convert_to(input.stream_id, 'UTF8'),
           input.value_head || es_uvarint(inserted.position) || input.value_tail,
           input.record_headers
      FROM inserted JOIN input USING (event_id)
  )`;
const INSERT = `WITH ${INPUT}, ${write('true')} SELECT event_id, position FROM inserted`;

// The same write, done only if the snapshot it was planned on holds. The
// unique constraints already refuse a version or an event id that exists
// (the statement then fails and the batch is re-read); what they cannot see
// is a stream that is BEHIND the guess, so the guard checks that each
// stream ($16) has an event at its guessed version ($17) when that is not 0.
// If not, nothing is written and the result says so (holds = false).
const GUARDED_INSERT = `WITH ${INPUT}, guard AS (
    SELECT NOT EXISTS (
             SELECT 1 FROM unnest($16::text[], $17::int[]) AS s(stream_id, version)
              WHERE s.version > 0
                AND NOT EXISTS (SELECT 1 FROM es_events e WHERE e.stream_id = s.stream_id AND e.stream_version = s.version)
           ) AS holds
  ), ${write('(SELECT holds FROM guard)')}
  SELECT guard.holds, inserted.event_id, inserted.position FROM guard LEFT JOIN inserted ON true`;

const PREPARED = new Map([
  [LOOKUP, 'tillgate_es_lookup'],
  [INSERT, 'tillgate_es_insert'],
  [GUARDED_INSERT, 'tillgate_es_guarded_insert'],
]);

/** How often a batch is re-read and re-planned when another process wrote one of its streams or ids first. */
const MAX_BATCH_ATTEMPTS = 5;

type Query = (sql: string, parameters?: unknown[]) => Promise<Record<string, unknown>[]>;

type LookupRow =
  | { kind: 'version'; stream_id: string; stream_version: number }
  | {
      kind: 'recorded';
      stream_id: string;
      stream_version: number;
      event_id: string;
      position: string;
      event_type: string;
      payload: Buffer;
    };

export function mapPostgresEvent(row: Record<string, unknown>): StoredEvent {
  return {
    position: BigInt(row.position as string),
    eventId: row.event_id as string,
    streamId: row.stream_id as string,
    streamVersion: Number(row.stream_version),
    type: row.event_type as string,
    schemaVersion: Number(row.schema_version),
    payload: row.payload as Buffer,
    occurredAt: row.occurred_at as Date,
    recordedAt: row.recorded_at as Date,
    correlationId: (row.correlation_id as string | null) ?? null,
    causationId: (row.causation_id as string | null) ?? null,
    merchantId: (row.merchant_id as string | null) ?? null,
  };
}

async function lookup(query: Query, requests: readonly RoutedAppend[]): Promise<BatchSnapshot> {
  const { streamIds, eventIds } = lookupKeys(requests);
  const rows = (await query(LOOKUP, [streamIds, eventIds])) as unknown as LookupRow[];
  const versions = new Map<string, number>();
  const recorded = new Map<string, RecordedIdentity>();
  for (const row of rows) {
    if (row.kind === 'version') versions.set(row.stream_id, Number(row.stream_version));
    else
      recorded.set(row.event_id, {
        eventId: row.event_id,
        streamId: row.stream_id,
        streamVersion: Number(row.stream_version),
        position: BigInt(row.position),
        type: row.event_type,
        payload: row.payload,
      });
  }
  return { versions, recorded };
}

function insertParameters(
  rows: readonly PlannedRow[],
  requests: readonly RoutedAppend[],
  recordedAt: Date,
): unknown[] {
  const column = <T>(pick: (row: PlannedRow) => T) => rows.map(pick);
  const records = rows.map((r) => encodeOutboxRecord(unpositionedEvent(r, recordedAt)));
  return [
    column((r) => r.event.eventId),
    column((r) => r.streamId),
    column((r) => r.streamVersion),
    column((r) => r.event.type),
    column((r) => r.event.schemaVersion),
    column((r) => r.event.occurredAt.toISOString()),
    column((r) => r.event.correlationId ?? null),
    column((r) => r.event.causationId ?? null),
    column((r) => r.event.merchantId ?? null),
    column((r) =>
      Buffer.from(r.event.payload.buffer, r.event.payload.byteOffset, r.event.payload.byteLength),
    ),
    column((r) => requests[r.request].topic),
    records.map((r) => r.valueHead),
    records.map((r) => r.valueTail),
    records.map((r) => r.headers),
    recordedAt.toISOString(),
  ];
}

const positionsOf = (rows: readonly PlannedRow[], inserted: Record<string, unknown>[]) =>
  positionsInOrder(
    rows,
    new Map(inserted.map((r) => [r.event_id as string, BigInt(r.position as string)])),
  );

async function insert(
  query: Query,
  rows: readonly PlannedRow[],
  requests: readonly RoutedAppend[],
  recordedAt: Date,
): Promise<bigint[]> {
  return positionsOf(rows, await query(INSERT, insertParameters(rows, requests, recordedAt)));
}

/** Writes the rows only if the streams are at the guessed versions and no id is recorded; null (nothing written) otherwise. */
async function insertIfGuessHolds(
  query: Query,
  rows: readonly PlannedRow[],
  requests: readonly RoutedAppend[],
  recordedAt: Date,
  guess: ReadonlyMap<string, number>,
): Promise<bigint[] | null> {
  const inserted = await query(GUARDED_INSERT, [
    ...insertParameters(rows, requests, recordedAt),
    [...guess.keys()],
    [...guess.values()],
  ]);
  return inserted[0]?.holds === true ? positionsOf(rows, inserted) : null;
}

/**
 * Postgres: a batch is read, planned and then written by ONE statement in
 * autocommit (events + outbox, one transaction, one WAL flush). The read
 * happens before the write, outside its transaction: the unique constraints
 * on (stream_id, stream_version) and event_id are the arbiters, and when
 * another process won a race the whole batch is simply re-read and
 * re-planned. That the write comes after the read also means a batch's
 * transaction id is taken after it saw the streams' previous events commit,
 * which is what keeps per-stream order in the relay's (tx_id, position) order.
 */
export class PostgresEventStorage implements EventStorage {
  readonly kind = 'postgres' as const;

  constructor(private readonly dataSource: DataSource) {}

  async appendBatch(requests: readonly RoutedAppend[], recordedAt: Date): Promise<AppendOutcome[]> {
    const query: Query = (sql, parameters) => this.prepared(sql, parameters);
    // Fast path, one round trip: plan on the snapshot in which every expectation holds, write guarded by it.
    const guess = guessedSnapshot(requests);
    if (guess) {
      const plan = planBatch(requests, guess);
      try {
        const positions = plan.rows.length
          ? await insertIfGuessHolds(query, plan.rows, requests, recordedAt, guess.versions)
          : null;
        if (positions) return resultsOf(requests, plan, positions);
      } catch (err) {
        if (driverError(err).code !== PG_UNIQUE_VIOLATION) throw err;
      }
    }
    // A conflict, a re-append or an 'any': read what is there, plan on it, write.
    for (let attempt = 1; ; attempt++) {
      const plan = planBatch(requests, await lookup(query, requests));
      try {
        const positions = plan.rows.length
          ? await insert(query, plan.rows, requests, recordedAt)
          : [];
        return resultsOf(requests, plan, positions);
      } catch (err) {
        if (driverError(err).code !== PG_UNIQUE_VIOLATION || attempt >= MAX_BATCH_ATTEMPTS)
          throw err;
      }
    }
  }

  /**
   * Runs one of the hot statements as a named prepared statement: parsed
   * and planned once per pooled connection, which halves the time of the
   * append's statement. pg remembers which connection prepared which name.
   */
  private async prepared(sql: string, parameters?: unknown[]): Promise<Record<string, unknown>[]> {
    const name = PREPARED.get(sql);
    if (!name) return this.dataSource.query(sql, parameters);
    // TypeORM's pg pool; Pool.query takes a connection and gives it back.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    return (await pool.query({ name, text: sql, values: parameters })).rows;
  }

  async transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      const result = await work(new PostgresTransaction(runner));
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  async readStream(streamId: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
      [streamId, fromVersion, limit],
    );
    return rows.map(mapPostgresEvent);
  }

  async readAll(
    afterPosition: bigint,
    limit: number,
    types?: readonly string[],
  ): Promise<StoredEvent[]> {
    const rows = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE position > $1 ${types ? 'AND event_type = ANY($3::text[])' : ''}
        ORDER BY position LIMIT $2`,
      types ? [afterPosition.toString(), limit, types] : [afterPosition.toString(), limit],
    );
    return rows.map(mapPostgresEvent);
  }
}

class PostgresTransaction implements StorageTransaction {
  readonly kind = 'postgres' as const;
  private appended = false;

  constructor(private readonly runner: QueryRunner) {}

  get manager() {
    return this.runner.manager;
  }

  query<T>(sql: string, parameters?: unknown[]): Promise<T[]> {
    return this.runner.query(sql, parameters);
  }

  async append(request: RoutedAppend, recordedAt: Date): Promise<AppendResult> {
    const [{ xid }] = await this.runner.query(
      'SELECT pg_current_xact_id_if_assigned()::text AS xid',
    );
    if (this.appended || xid !== null) throw new AppendNotFirstWrite();
    this.appended = true;
    const query: Query = (sql, parameters) => this.runner.query(sql, parameters);
    const plan = planBatch([request], await lookup(query, [request]));
    let positions: bigint[] = [];
    try {
      if (plan.rows.length) positions = await insert(query, plan.rows, [request], recordedAt);
    } catch (err) {
      const { code, constraint } = driverError(err);
      // The transaction is aborted now; the caller retries it as a whole.
      if (code === PG_UNIQUE_VIOLATION && constraint === 'uq_es_events_stream_version') {
        throw new ExpectedVersionConflict(request.streamId, request.expectedVersion, null);
      }
      if (code === PG_UNIQUE_VIOLATION && constraint === 'uq_es_events_event_id') {
        throw new EventIdReused(
          request.events[0].eventId,
          'a concurrent transaction appended it first',
        );
      }
      throw err;
    }
    const [outcome] = resultsOf([request], plan, positions);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}
