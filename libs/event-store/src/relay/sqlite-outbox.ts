import type { DataSource } from 'typeorm';
import { mapSqliteEvent } from '../storage/sqlite-event.storage';
import { withSqliteConnection } from '../storage/sqlite-connection-lock';
import {
  RelayLockLost,
  type Checkpoint,
  type OutboxBatch,
  type OutboxLag,
  type OutboxSession,
} from './outbox.port';
import { asIs, outboxRecords, type OutboxRow } from './outbox-records';

/**
 * The outbox on SQLite, read gap-free by position alone.
 *
 * SQLite has one writer at a time: a write transaction holds the database's
 * write lock from its first write to its commit, and positions are assigned
 * (AUTOINCREMENT) inside it. So a transaction that took positions p..q
 * commits before any other transaction can take a position above q, and the
 * committed positions any reader sees are always everything up to some
 * point (minus rolled-back ones, which never come back). `position > last`
 * is therefore safe here, unlike on Postgres.
 *
 * The relay lock is a lease in the checkpoint row: a relay holds it until
 * `lease_expires_at` and renews it as it works; another relay may take it
 * only after it expired. Advancing the checkpoint checks the holder, so a
 * relay that lost its lease cannot move the checkpoint.
 */
export class SqliteOutbox implements OutboxSession {
  private renewedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: string,
    private readonly holder: string,
    private readonly leaseMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(): Promise<boolean> {
    const now = this.clock();
    const [row] = await this.query(
      `INSERT INTO es_relay_checkpoints (relay, tx_id, position, lease_holder, lease_expires_at, updated_at)
       VALUES (?, NULL, 0, ?, ?, ?)
       ON CONFLICT (relay) DO UPDATE SET lease_holder = excluded.lease_holder, lease_expires_at = excluded.lease_expires_at
        WHERE es_relay_checkpoints.lease_holder IS NULL
           OR es_relay_checkpoints.lease_holder = excluded.lease_holder
           OR es_relay_checkpoints.lease_expires_at < ?
       RETURNING lease_holder`,
      [this.relay, this.holder, now + this.leaseMs, now, now],
    );
    this.renewedAt = now;
    return row?.lease_holder === this.holder;
  }

  async release(): Promise<void> {
    await this.query(
      'UPDATE es_relay_checkpoints SET lease_holder = NULL, lease_expires_at = NULL WHERE relay = ? AND lease_holder = ?',
      [this.relay, this.holder],
    ).catch(() => undefined);
  }

  async loadCheckpoint(): Promise<Checkpoint> {
    const [row] = await this.query('SELECT position FROM es_relay_checkpoints WHERE relay = ?', [
      this.relay,
    ]);
    return { txId: null, position: row ? BigInt(row.position as bigint) : 0n };
  }

  async read(after: Checkpoint, limit: number, save?: Checkpoint): Promise<OutboxBatch | null> {
    // Each read checks the lease and renews it when due (saving a checkpoint renews it): a relay
    // that keeps reading keeps its lock, and one that lost it stops before publishing more.
    if (save) await this.advance(save);
    else await this.renew();
    const rows = (await this.query(
      `SELECT position, topic, record_key, record_value, record_headers FROM es_outbox
        WHERE position > ? ORDER BY position LIMIT ?`,
      [after.position, limit],
    )) as unknown as (OutboxRow<Buffer> & { position: bigint })[];
    if (rows.length === 0) return null;
    return {
      records: await outboxRecords(rows, asIs, async (positions) =>
        (
          await this.query(
            `SELECT * FROM es_events WHERE position IN (${positions.map(() => '?').join(', ')})`,
            positions.map(BigInt),
          )
        ).map(mapSqliteEvent),
      ),
      last: { txId: null, position: rows[rows.length - 1].position },
    };
  }

  async advance(to: Checkpoint): Promise<void> {
    const now = this.clock();
    const [row] = await this.query(
      `UPDATE es_relay_checkpoints SET position = ?, lease_expires_at = ?, updated_at = ?
        WHERE relay = ? AND lease_holder = ? RETURNING relay`,
      [to.position, now + this.leaseMs, now, this.relay, this.holder],
    );
    if (!row) throw new RelayLockLost(this.relay);
    this.renewedAt = now;
  }

  async lag(after: Checkpoint): Promise<OutboxLag> {
    const [row] = await this.query(
      `SELECT count(*) AS events, min(e.recorded_at) AS oldest
         FROM es_outbox o JOIN es_events e ON e.position = o.position WHERE o.position > ?`,
      [after.position],
    );
    return {
      events: Number(row.events),
      oldestRecordedAt: row.oldest === null ? null : new Date(Number(row.oldest)),
    };
  }

  async prune(upTo: Checkpoint): Promise<number> {
    return withSqliteConnection(this.dataSource, async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        const result = await runner.query(
          'DELETE FROM es_outbox WHERE position <= ?',
          [upTo.position],
          true,
        );
        return Number(result.affected ?? 0);
      } finally {
        await runner.release();
      }
    });
  }

  /** Checks the lease; renews it once a third of it has passed, so an idle relay does not write on every poll. */
  private async renew(): Promise<void> {
    const now = this.clock();
    if (now - this.renewedAt < this.leaseMs / 3) {
      const [held] = await this.query(
        'SELECT 1 AS held FROM es_relay_checkpoints WHERE relay = ? AND lease_holder = ?',
        [this.relay, this.holder],
      );
      if (!held) throw new RelayLockLost(this.relay);
      return;
    }
    const [row] = await this.query(
      'UPDATE es_relay_checkpoints SET lease_expires_at = ? WHERE relay = ? AND lease_holder = ? RETURNING relay',
      [now + this.leaseMs, this.relay, this.holder],
    );
    if (!row) throw new RelayLockLost(this.relay);
    this.renewedAt = now;
  }

  private query(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    return withSqliteConnection(this.dataSource, () => this.dataSource.query(sql, parameters));
  }
}
