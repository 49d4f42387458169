import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  guessedSnapshot,
  lookupKeys,
  planBatch,
  resultsOf,
  type AppendOutcome,
  type BatchPlan,
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
import { alsoStatementsAsWith, hasAlsoWrites, runAlsoWrites } from './also-writes';
import type {
  AlsoStatement,
  AppendTransaction,
  EventStorage,
  RoutedAppend,
  StorageTransaction,
} from './event-storage.port';
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
const GUARDED_INSERT_WITH = `WITH ${INPUT}, guard AS (
    SELECT NOT EXISTS (
             SELECT 1 FROM unnest($16::text[], $17::int[]) AS s(stream_id, version)
              WHERE s.version > 0
                AND NOT EXISTS (SELECT 1 FROM es_events e WHERE e.stream_id = s.stream_id AND e.stream_version = s.version)
           ) AS holds
  ), ${write('(SELECT holds FROM guard)')}`;
const GUARDED_INSERT_RESULT =
  'SELECT guard.holds, inserted.event_id, inserted.position FROM guard LEFT JOIN inserted ON true';
const GUARDED_INSERT = `${GUARDED_INSERT_WITH} ${GUARDED_INSERT_RESULT}`;

// The guarded write of ONE event (the usual batch when appends come one at a
// time) takes its values as scalars, used where they are needed: no arrays to
// build, send and unnest, no input to join. The guard is the same: the
// stream has an event at the guessed version ($16).
const GUARDED_INSERT_ONE_WITH = `WITH guard AS (
    SELECT $16::int = 0
           OR EXISTS (SELECT 1 FROM es_events e WHERE e.stream_id = $2::text AND e.stream_version = $16::int) AS holds
  ), inserted AS (
    INSERT INTO es_events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
                           recorded_at, correlation_id, causation_id, merchant_id, payload)
    SELECT $1::uuid, $2::text, $3::int, $4::text, $5::int, $6::timestamptz,
           $15::timestamptz, $7::text, $8::text, $9::text, $10::bytea
      FROM guard WHERE holds
    RETURNING position, event_id
  ), outbox AS (
    INSERT INTO es_outbox (position, tx_id, topic, record_key, record_value, record_headers)
    SELECT position, pg_current_xact_id()::text::bigint, $11::text, convert_to($2::text, 'UTF8'),
           $12::bytea || es_uvarint(position) || $13::bytea, $14::bytea
      FROM inserted
  )`;
const GUARDED_INSERT_ONE = `${GUARDED_INSERT_ONE_WITH} ${GUARDED_INSERT_RESULT}`;

/**
 * A guarded write (GUARDED_INSERT_ONE for one row, whose parameters end at
 * $16, else GUARDED_INSERT, at $17) with the also-statements of the batch's
 * appends inside it, after `appended` (one row when the guard holds, so
 * the events are written), their parameters after the write's: one
 * statement, so one round trip and no explicit transaction.
 */
function guardedInsertWith(oneRow: boolean, statements: readonly AlsoStatement[]) {
  const [write, offset] = oneRow ? [GUARDED_INSERT_ONE_WITH, 16] : [GUARDED_INSERT_WITH, 17];
  const also = alsoStatementsAsWith(statements, offset);
  return {
    sql: `${write}, appended AS (SELECT 1 FROM guard WHERE holds), ${also.sql}
  ${GUARDED_INSERT_RESULT}`,
    params: also.params,
  };
}

const PREPARED = new Map([
  [LOOKUP, 'tillgate_es_lookup'],
  [INSERT, 'tillgate_es_insert'],
  [GUARDED_INSERT, 'tillgate_es_guarded_insert'],
  [GUARDED_INSERT_ONE, 'tillgate_es_guarded_insert_one'],
]);

// A batch's transaction (whose `also` writes get only `query`, no TypeORM
// manager that would start a transaction of its own) is begun, committed and
// rolled back on the runner's pg client itself: TypeORM's
// startTransaction('READ COMMITTED') sends START TRANSACTION, then SET
// TRANSACTION ISOLATION LEVEL, two round trips where this is one. The level
// is named, not left to the connection's default: the guard and the re-reads
// of a batch rely on read committed.
const BEGIN = 'START TRANSACTION ISOLATION LEVEL READ COMMITTED';

// Names of the statements guardedInsertWith made, from a hash of their text,
// so a name always goes with the same text, as pg requires. A caller has a
// few kinds of statements, each its constant SQL; batches of one append (the
// usual case but under load) repeat a few texts, larger batches vary more:
// past MAX_PREPARED_WITH_ALSO texts, statements run unnamed (parsed each time).
const PREPARED_WITH_ALSO = new Map<string, string>();
const MAX_PREPARED_WITH_ALSO = 64;
/** Callers' parameters in one statement at most; pg's limit is 65,535 in all. */
const MAX_ALSO_PARAMS = 30_000;

/** The prepared name of a statement guardedInsertWith made; undefined (run unnamed) past MAX_PREPARED_WITH_ALSO texts. */
function preparedWithAlso(sql: string): string | undefined {
  let name = PREPARED_WITH_ALSO.get(sql);
  if (!name && PREPARED_WITH_ALSO.size < MAX_PREPARED_WITH_ALSO) {
    name = `tillgate_es_also_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    PREPARED_WITH_ALSO.set(sql, name);
  }
  return name;
}

/** COMMIT answered ROLLBACK: a statement of the transaction failed and an `also` went on. */
class BatchRolledBack extends Error {
  constructor() {
    super("the batch's transaction was rolled back: one of its statements had failed");
    this.name = 'BatchRolledBack';
  }
}

/** Tries of a batch: the guess, then up to 5 re-reads and re-plans when another process wrote one of its streams or ids first. */
const MAX_BATCH_ATTEMPTS = 6;

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

/** The values of one row, in the order of the statements' $1 to $14. */
function rowValues(row: PlannedRow, topic: string, recordedAt: Date): unknown[] {
  const { event } = row;
  const record = encodeOutboxRecord(unpositionedEvent(row, recordedAt));
  return [
    event.eventId,
    row.streamId,
    row.streamVersion,
    event.type,
    event.schemaVersion,
    event.occurredAt.toISOString(),
    event.correlationId ?? null,
    event.causationId ?? null,
    event.merchantId ?? null,
    Buffer.from(event.payload.buffer, event.payload.byteOffset, event.payload.byteLength),
    topic,
    record.valueHead,
    record.valueTail,
    record.headers,
  ];
}

/** $1 to $14 as arrays, one element per row (for unnest), then $15 the recorded-at. */
function insertParameters(
  rows: readonly PlannedRow[],
  requests: readonly RoutedAppend[],
  recordedAt: Date,
): unknown[] {
  const values = rows.map((r) => rowValues(r, requests[r.request].topic, recordedAt));
  const columns = values[0].map((_, column) => values.map((row) => row[column]));
  return [...columns, recordedAt.toISOString()];
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

/**
 * Writes the rows, and the also-statements given, only if the streams are
 * at the guessed versions and no id is recorded; null (nothing written)
 * otherwise.
 */
async function insertIfGuessHolds(
  query: Query,
  rows: readonly PlannedRow[],
  requests: readonly RoutedAppend[],
  recordedAt: Date,
  guess: ReadonlyMap<string, number>,
  also: readonly AlsoStatement[] = [],
): Promise<bigint[] | null> {
  const one = rows.length === 1;
  const write = one
    ? [
        ...rowValues(rows[0], requests[rows[0].request].topic, recordedAt),
        recordedAt.toISOString(),
        guess.get(rows[0].streamId),
      ]
    : [...insertParameters(rows, requests, recordedAt), [...guess.keys()], [...guess.values()]];
  const statement = also.length
    ? guardedInsertWith(one, also)
    : { sql: one ? GUARDED_INSERT_ONE : GUARDED_INSERT, params: [] };
  const inserted = await query(statement.sql, [...write, ...statement.params]);
  return inserted[0]?.holds === true ? positionsOf(rows, inserted) : null;
}

/** A batch as written: its plan and the positions of its rows. */
interface WrittenBatch {
  plan: BatchPlan;
  positions: bigint[];
}

/**
 * One try at writing a batch. The first try, when every append names its
 * expected version, plans on the guess that all of them are right and
 * writes only if the database confirms it, in the same statement: one round
 * trip. Later tries read what is there and plan on it. Null when the guess
 * was wrong (nothing written); a unique violation when another process
 * wrote one of the batch's versions or ids first.
 */
async function tryBatch(
  query: Query,
  requests: readonly RoutedAppend[],
  recordedAt: Date,
  firstTry: boolean,
): Promise<WrittenBatch | null> {
  const guess = firstTry ? guessedSnapshot(requests) : null;
  if (guess) {
    const plan = planBatch(requests, guess);
    if (!plan.rows.length) return null;
    const positions = await insertIfGuessHolds(
      query,
      plan.rows,
      requests,
      recordedAt,
      guess.versions,
    );
    return positions && { plan, positions };
  }
  const plan = planBatch(requests, await lookup(query, requests));
  const positions = plan.rows.length ? await insert(query, plan.rows, requests, recordedAt) : [];
  return { plan, positions };
}

const lostRace = (err: unknown) => driverError(err).code === PG_UNIQUE_VIOLATION;

/**
 * Postgres: a batch is read, planned and then written by ONE statement in
 * autocommit (events + outbox, one transaction, one WAL flush). The read
 * happens before the write, outside its transaction: the unique constraints
 * on (stream_id, stream_version) and event_id are the arbiters, and when
 * another process won a race the whole batch is simply re-read and
 * re-planned. That the write comes after the read also means a batch's
 * transaction id is taken after it saw the streams' previous events commit,
 * which is what keeps per-stream order in the relay's (tx_id, position) order.
 * A batch with `also` writes runs the same way inside an explicit
 * transaction, which a wrong guess or a lost race rolls back before the
 * next try (so every try reads before its transaction takes an id).
 */
export class PostgresEventStorage implements EventStorage {
  readonly kind = 'postgres' as const;

  constructor(private readonly dataSource: DataSource) {}

  async appendBatch(requests: readonly RoutedAppend[], recordedAt: Date): Promise<AppendOutcome[]> {
    if (hasAlsoWrites(requests)) {
      const tried = await this.appendWithStatementsInOne(requests, recordedAt);
      if (Array.isArray(tried)) return tried;
      // After a wrong guess or a lost race, the transaction reads before it writes.
      return this.appendBatchInTransaction(requests, recordedAt, tried === 'untried');
    }
    const query: Query = (sql, parameters) => this.prepared(sql, parameters);
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await tryBatch(query, requests, recordedAt, attempt === 1);
        if (written) return resultsOf(requests, written.plan, written.positions);
      } catch (err) {
        if (!lostRace(err) || attempt >= MAX_BATCH_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * The first try of a batch whose also-writes are all statements, each
   * append to a stream of its own: the guarded write with the statements of
   * the appends it writes inside it, one statement. 'untried' when that does
   * not apply; 'guess-failed' (nothing written) when the guess did not hold,
   * or after a unique violation, which may be a lost race or a caller's
   * table's own (the batch's transaction path tells them apart). Any other
   * error of a caller's statement fails the batch, which the store then
   * writes again append by append.
   */
  private async appendWithStatementsInOne(
    requests: readonly RoutedAppend[],
    recordedAt: Date,
  ): Promise<AppendOutcome[] | 'untried' | 'guess-failed'> {
    if (requests.some((request) => request.also)) return 'untried';
    if (new Set(requests.map((request) => request.streamId)).size !== requests.length)
      return 'untried';
    const guess = guessedSnapshot(requests);
    if (!guess) return 'untried';
    const plan = planBatch(requests, guess);
    const statements = plan.decisions.flatMap((decision, i) =>
      decision.kind === 'write' ? (requests[i].alsoStatements ?? []) : [],
    );
    const params = statements.reduce((sum, { params }) => sum + params.length, 0);
    if (!plan.rows.length || !statements.length || params > MAX_ALSO_PARAMS) return 'untried';
    try {
      const positions = await insertIfGuessHolds(
        (sql, parameters) => this.prepared(sql, parameters),
        plan.rows,
        requests,
        recordedAt,
        guess.versions,
        statements,
      );
      return positions ? resultsOf(requests, plan, positions) : 'guess-failed';
    } catch (err) {
      if (lostRace(err)) return 'guess-failed';
      throw err;
    }
  }

  private async appendBatchInTransaction(
    requests: readonly RoutedAppend[],
    recordedAt: Date,
    guessFirst = true,
  ): Promise<AppendOutcome[]> {
    const runner = this.dataSource.createQueryRunner();
    // The pooled pg client the runner holds: the hot statements run on it prepared.
    const connection = (await runner.connect()) as PoolClient;
    const query: Query = (sql, parameters) => this.prepared(sql, parameters, connection);
    const tx: AppendTransaction = {
      kind: 'postgres',
      query: (sql, parameters) => runner.query(sql, parameters),
    };
    const rollback = () => connection.query('ROLLBACK').catch(() => undefined);
    try {
      for (let attempt = 1; ; attempt++) {
        await connection.query(BEGIN);
        let written: WrittenBatch | null;
        try {
          written = await tryBatch(query, requests, recordedAt, guessFirst && attempt === 1);
        } catch (err) {
          await rollback();
          if (!lostRace(err) || attempt >= MAX_BATCH_ATTEMPTS) throw err;
          continue;
        }
        if (!written) {
          await rollback();
          continue;
        }
        const outcomes = resultsOf(requests, written.plan, written.positions);
        try {
          await runAlsoWrites(requests, written.plan, outcomes, tx);
          // An `also` that caught a failed query leaves the transaction aborted: COMMIT then rolls back.
          const { command } = await connection.query('COMMIT');
          if (command !== 'COMMIT') throw new BatchRolledBack();
        } catch (err) {
          await rollback();
          throw err;
        }
        return outcomes;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Runs one of the hot statements as a named prepared statement: parsed
   * and planned once per connection, which halves the time of the append's
   * statement. pg remembers which connection prepared which name. Without
   * `connection`, on any connection of TypeORM's pool.
   */
  private async prepared(
    sql: string,
    parameters?: unknown[],
    connection?: PoolClient,
  ): Promise<Record<string, unknown>[]> {
    const name = PREPARED.get(sql) ?? preparedWithAlso(sql);
    // TypeORM's pg pool; Pool.query takes a connection and gives it back.
    const target = connection ?? ((this.dataSource.driver as PostgresDriver).master as Pool);
    return (await target.query({ name, text: sql, values: parameters })).rows;
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
