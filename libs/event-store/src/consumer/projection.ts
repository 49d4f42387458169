import type { EventStoreTransaction } from '../store/event-store';
import type { StoredEvent } from '../store/event.types';

/**
 * A read model (or any effect) fed by events. The consumer helper applies an
 * event inside the same transaction that records it as processed and
 * advances the consumer's offset, so an event takes effect exactly once
 * however often it is delivered.
 */
export interface Projection {
  /** Kafka group id, and the key of the checkpoint and of the processed-event set. */
  readonly name: string;
  /** Fully qualified event types it applies; other events are skipped. */
  readonly eventTypes: readonly string[];
  /**
   * True when `apply` appends events (tx.append): each event then gets a
   * transaction of its own (an append must be the transaction's first
   * write), and the projection cannot be rebuilt by replay.
   */
  readonly appendsEvents?: boolean;
  /** Applies one event, in the transaction that records it. Throwing rolls it back. */
  apply(event: StoredEvent, tx: EventStoreTransaction): Promise<void>;
  /** Deletes everything the projection built, before a rebuild. */
  reset(tx: EventStoreTransaction): Promise<void>;
}
