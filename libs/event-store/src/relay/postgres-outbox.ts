import type { DataSource, QueryRunner } from 'typeorm';
import { EVENT_COLUMNS, mapPostgresEvent } from '../storage/postgres-event.storage';
import type { Checkpoint, OutboxBatch, OutboxLag, OutboxSession } from './outbox.port';
import { outboxFrameSql, parseOutboxFrames } from './outbox-frames';
import { asIs, outboxRecords } from './outbox-records';

// The outbox alone: each row carries its Kafka record (see kafka/outbox-record.ts).
// The batch comes back as ONE row: the entries framed into one bytea, as
// base64 text (a third shorter than pg's hex for bytea, and decoded 2 to 3
// times faster), plus the last entry's checkpoint. Read row by row, pg
// would build a row object and a string per column for every entry, and
// that garbage, collected while kafkajs sends, slowed the relay most.
const READ = `
  WITH batch AS (
    SELECT tx_id, position, topic, record_key, record_value, record_headers
      FROM es_outbox
     WHERE (tx_id, position) > ($1::bigint, $2::bigint)
       AND tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
     ORDER BY tx_id, position
     LIMIT $3
  )
  SELECT last.tx_id, last.position,
         (SELECT encode(string_agg(${outboxFrameSql()}, ''::bytea ORDER BY tx_id, position), 'base64')
            FROM batch) AS frames
    FROM (SELECT tx_id, position FROM batch ORDER BY tx_id DESC, position DESC LIMIT 1) last`;

// READ, after saving the checkpoint of the batch Kafka last acknowledged: one round trip
// per batch instead of two, and the read no longer waits on the connection for the save.
// A data-modifying WITH runs to completion whether or not the query reads it.
const SAVE_AND_READ = READ.replace(
  'WITH batch AS (',
  `WITH saved AS (${saveCheckpointSql('$4', '$5', '$6')}),
  batch AS (`,
);
if (SAVE_AND_READ === READ) throw new Error('SAVE_AND_READ must add the save to READ');

// Events of outbox rows written before the outbox stored records.
const READ_EVENTS = `SELECT ${EVENT_COLUMNS} FROM es_events WHERE position = ANY($1::bigint[])`;

/**
 * The outbox on Postgres, read gap-free.
 *
 * Every outbox entry carries the id (xid8) of the transaction that wrote it.
 * `pg_snapshot_xmin(pg_current_snapshot())` is the oldest transaction still
 * running: every transaction with a smaller id has committed or rolled
 * back, and any transaction that writes later gets a larger id. So the set
 * of entries with tx_id below that horizon can no longer grow, and a reader
 * that walks them in (tx_id, position) order and checkpoints the last
 * (tx_id, position) it published never skips one: an entry whose
 * transaction commits late simply stays above the horizon until it has.
 * (Reading `position > last` instead loses it: positions are taken at
 * insert, in a different order than commits.) A long-running transaction
 * anywhere in the cluster holds the horizon back: that delays publishing
 * (lag), it never loses an event.
 *
 * The relay lock is a session advisory lock, held by this session's
 * connection: if the process dies, Postgres drops the connection and the
 * lock with it, and a standby relay takes over at the stored checkpoint.
 */
export class PostgresOutbox implements OutboxSession {
  private runner: QueryRunner | null = null;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: string,
  ) {}

  async acquire(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query(
        "SELECT pg_try_advisory_lock(hashtextextended('tillgate.outbox-relay:' || $1, 0)) AS locked",
        [this.relay],
      );
      if (!locked) {
        await runner.release();
        return false;
      }
      // Losing the last checkpoint writes in a crash only re-publishes (at-least-once): no fsync wait per batch.
      await runner.query('SET synchronous_commit = off');
      this.runner = runner;
      return true;
    } catch (err) {
      await this.discard(runner);
      throw err;
    }
  }

  async release(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    if (runner) await this.discard(runner);
  }

  async loadCheckpoint(): Promise<Checkpoint> {
    const rows = await this.session().query(
      'SELECT tx_id, position FROM es_relay_checkpoints WHERE relay = $1',
      [this.relay],
    );
    return rows.length
      ? { txId: BigInt(rows[0].tx_id ?? 0), position: BigInt(rows[0].position) }
      : { txId: 0n, position: 0n };
  }

  async read(after: Checkpoint, limit: number, save?: Checkpoint): Promise<OutboxBatch | null> {
    const session = this.session();
    const reading = [String(after.txId ?? 0n), after.position.toString(), limit];
    const [batch]: { tx_id: string; position: string; frames: string }[] = await (save
      ? session.query(SAVE_AND_READ, [...reading, ...this.checkpointValues(save)])
      : session.query(READ, reading));
    if (!batch) return null;
    // Postgres's base64 breaks lines every 76 characters; Node's decoder skips the line breaks.
    const rows = parseOutboxFrames(Buffer.from(batch.frames, 'base64'));
    return {
      records: await outboxRecords(rows, asIs, async (positions) =>
        (await session.query(READ_EVENTS, [positions])).map(mapPostgresEvent),
      ),
      last: { txId: BigInt(batch.tx_id), position: BigInt(batch.position) },
    };
  }

  async advance(to: Checkpoint): Promise<void> {
    await this.session().query(saveCheckpointSql('$1', '$2', '$3'), this.checkpointValues(to));
  }

  private checkpointValues(to: Checkpoint): string[] {
    return [this.relay, String(to.txId ?? 0n), to.position.toString()];
  }

  async lag(after: Checkpoint): Promise<OutboxLag> {
    const [row] = await this.session().query(
      `SELECT count(*)::bigint AS events, min(e.recorded_at) AS oldest
         FROM es_outbox o JOIN es_events e USING (position)
        WHERE (o.tx_id, o.position) > ($1::bigint, $2::bigint)`,
      [String(after.txId ?? 0n), after.position.toString()],
    );
    return { events: Number(row.events), oldestRecordedAt: row.oldest ?? null };
  }

  async prune(upTo: Checkpoint): Promise<number> {
    const [, deleted] = await this.session().query(
      'DELETE FROM es_outbox WHERE (tx_id, position) <= ($1::bigint, $2::bigint)',
      [String(upTo.txId ?? 0n), upTo.position.toString()],
    );
    return Number(deleted ?? 0);
  }

  /** The lock's connection; the relay loop and the lag timer take turns on it. */
  private session(): Pick<QueryRunner, 'query'> {
    const runner = this.runner;
    if (!runner) throw new Error('the relay does not hold the outbox lock');
    return {
      query: (sql: string, parameters?: unknown[]) => {
        const run = this.turn.then(() => runner.query(sql, parameters));
        this.turn = run.catch(() => undefined);
        return run;
      },
    };
  }

  /** Unlocks before the connection goes back to the pool, so the lock cannot outlive the relay. */
  private async discard(runner: QueryRunner): Promise<void> {
    try {
      await runner.query('SELECT pg_advisory_unlock_all()');
      await runner.query('SET synchronous_commit = DEFAULT');
    } catch {
      // The connection is gone, and the lock with it.
    } finally {
      await runner.release();
    }
  }
}

/** The upsert of a relay's checkpoint, its relay, tx_id and position given as these parameters. */
function saveCheckpointSql(relay: string, txId: string, position: string): string {
  return `INSERT INTO es_relay_checkpoints (relay, tx_id, position, updated_at) VALUES (${relay}, ${txId}, ${position}, now())
       ON CONFLICT (relay) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position, updated_at = excluded.updated_at`;
}
