import type { EventStoreTransaction } from '../store/event-store';

/**
 * The consumer's bookkeeping tables, always written in the caller's
 * transaction: which event ids it has processed, and per partition the next
 * Kafka offset to read.
 */
export class ConsumerCheckpoint {
  constructor(private readonly consumer: string) {}

  /** The ids among `eventIds` this consumer has already processed. */
  async processed(tx: EventStoreTransaction, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows: { event_id: string }[] =
      tx.kind === 'postgres'
        ? await tx.query(
            'SELECT event_id FROM es_consumer_processed WHERE consumer = $1 AND event_id = ANY($2::uuid[])',
            [this.consumer, eventIds],
          )
        : await tx.query(
            `SELECT event_id FROM es_consumer_processed WHERE consumer = ? AND event_id IN (${eventIds.map(() => '?').join(', ')})`,
            [this.consumer, ...eventIds],
          );
    return new Set(rows.map((r) => r.event_id));
  }

  async markProcessed(
    tx: EventStoreTransaction,
    eventIds: readonly string[],
    outcome: 'applied' | 'dead-lettered',
  ): Promise<void> {
    if (eventIds.length === 0) return;
    if (tx.kind === 'postgres') {
      await tx.query(
        `INSERT INTO es_consumer_processed (consumer, event_id, outcome, processed_at)
         SELECT $1, id, $3, now() FROM unnest($2::uuid[]) AS id`,
        [this.consumer, eventIds, outcome],
      );
    } else {
      await tx.query(
        `INSERT INTO es_consumer_processed (consumer, event_id, outcome, processed_at) VALUES ${eventIds.map(() => '(?, ?, ?, ?)').join(', ')}`,
        eventIds.flatMap((id) => [this.consumer, id, outcome, Date.now()]),
      );
    }
  }

  /** Forgets the applied events, for a rebuild; dead-lettered ones stay skipped, as they were live. */
  async forgetApplied(tx: EventStoreTransaction): Promise<void> {
    await tx.query(
      `DELETE FROM es_consumer_processed WHERE consumer = ${tx.kind === 'postgres' ? '$1' : '?'} AND outcome = 'applied'`,
      [this.consumer],
    );
  }

  async nextOffset(
    tx: EventStoreTransaction,
    topic: string,
    partition: number,
  ): Promise<bigint | null> {
    const [row] = await tx.query<{ next_offset: string | bigint }>(
      tx.kind === 'postgres'
        ? 'SELECT next_offset FROM es_consumer_offsets WHERE consumer = $1 AND topic = $2 AND partition = $3'
        : 'SELECT next_offset FROM es_consumer_offsets WHERE consumer = ? AND topic = ? AND partition = ?',
      [this.consumer, topic, partition],
    );
    return row ? BigInt(row.next_offset) : null;
  }

  async saveOffset(
    tx: EventStoreTransaction,
    topic: string,
    partition: number,
    nextOffset: bigint,
  ): Promise<void> {
    await tx.query(
      tx.kind === 'postgres'
        ? `INSERT INTO es_consumer_offsets (consumer, topic, partition, next_offset, updated_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at`
        : `INSERT INTO es_consumer_offsets (consumer, topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at`,
      tx.kind === 'postgres'
        ? [this.consumer, topic, partition, nextOffset.toString()]
        : [this.consumer, topic, partition, nextOffset, Date.now()],
    );
  }
}
