import type { Message } from 'kafkajs';

/**
 * How far a relay has published. On Postgres the outbox is read in
 * (txId, position) order; on SQLite txId is null and position alone orders it.
 */
export interface Checkpoint {
  txId: bigint | null;
  position: bigint;
}

/** An outbox entry ready to send: its topic and its Kafka record. */
export interface OutboxRecord {
  topic: string;
  message: Message;
}

/** Outbox entries read in one round, in publishing order, and the checkpoint of the last. */
export interface OutboxBatch {
  records: OutboxRecord[];
  last: Checkpoint;
}

export interface OutboxLag {
  /** Outbox entries after the checkpoint: recorded, not yet acknowledged by Kafka. */
  events: number;
  /** When the oldest of them was recorded; null when there is none. */
  oldestRecordedAt: Date | null;
}

/**
 * The relay's view of the outbox for one relay name. Only a holder of the
 * relay lock reads and advances; `acquire` is the lock (a Postgres advisory
 * lock or an SQLite lease).
 */
export interface OutboxSession {
  /** Takes the relay lock; false when another relay holds it. */
  acquire(): Promise<boolean>;
  /** Gives the lock up (also when the connection is already gone). */
  release(): Promise<void>;
  loadCheckpoint(): Promise<Checkpoint>;
  /**
   * At most `limit` entries after `after` that can no longer be preceded by a
   * later commit, in publishing order; null when there is none. With `save`,
   * first records (as `advance` does) that everything up to `save` is
   * published, in the same round trip: the relay saves the checkpoint of the
   * batch Kafka last acknowledged with the read of the next one. If the read
   * fails, whether `save` was recorded is unknown.
   */
  read(after: Checkpoint, limit: number, save?: Checkpoint): Promise<OutboxBatch | null>;
  /** Records that everything up to `to` is published; throws when the lock was lost. */
  advance(to: Checkpoint): Promise<void>;
  lag(after: Checkpoint): Promise<OutboxLag>;
  /** Deletes published entries (at or before `upTo`); returns how many. */
  prune(upTo: Checkpoint): Promise<number>;
}

/** Thrown when a relay finds it no longer holds the relay lock. */
export class RelayLockLost extends Error {
  readonly code = 'RELAY_LOCK_LOST';
  constructor(relay: string) {
    super(`relay ${relay} lost its lock`);
    this.name = 'RelayLockLost';
  }
}
