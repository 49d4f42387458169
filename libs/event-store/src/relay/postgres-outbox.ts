import type { DataSource, QueryRunner } from 'typeorm';
import { mapPostgresEvent } from '../storage/postgres-event.storage';
import type { Checkpoint, OutboxEntry, OutboxLag, OutboxSession } from './outbox.port';

// Instants as epoch milliseconds (date_part is a double, exact for milliseconds):
// cheaper for the relay to turn into Dates than timestamptz text.
const READ = `
  SELECT o.tx_id, o.topic, e.position, e.event_id, e.stream_id, e.stream_version, e.event_type, e.schema_version,
         (date_part('epoch', e.occurred_at) * 1000)::bigint AS occurred_ms,
         (date_part('epoch', e.recorded_at) * 1000)::bigint AS recorded_ms,
         e.correlation_id, e.causation_id, e.merchant_id, e.payload
    FROM es_outbox o JOIN es_events e USING (position)
   WHERE (o.tx_id, o.position) > ($1::bigint, $2::bigint)
     AND o.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
   ORDER BY o.tx_id, o.position
   LIMIT $3`;

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

  async read(after: Checkpoint, limit: number): Promise<OutboxEntry[]> {
    const rows: Record<string, unknown>[] = await this.session().query(READ, [
      String(after.txId ?? 0n),
      after.position.toString(),
      limit,
    ]);
    return rows.map((row) => {
      const event = mapPostgresEvent({
        ...row,
        occurred_at: new Date(Number(row.occurred_ms)),
        recorded_at: new Date(Number(row.recorded_ms)),
      });
      return {
        checkpoint: { txId: BigInt(row.tx_id as string), position: event.position },
        topic: row.topic as string,
        event,
      };
    });
  }

  async advance(to: Checkpoint): Promise<void> {
    await this.session().query(
      `INSERT INTO es_relay_checkpoints (relay, tx_id, position, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (relay) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position, updated_at = excluded.updated_at`,
      [this.relay, String(to.txId ?? 0n), to.position.toString()],
    );
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
