import type { EventStore } from '../store/event-store';
import { ConsumerCheckpoint } from './consumer-checkpoint';
import type { Projection } from './projection';

export class ProjectionNotReplayable extends Error {
  readonly code = 'PROJECTION_NOT_REPLAYABLE';
  constructor(name: string) {
    super(`projection ${name} appends events: replaying it would append them again`);
    this.name = 'ProjectionNotReplayable';
  }
}

export interface ReplayOptions {
  /** Events per transaction (default 500). */
  batchSize?: number;
  onProgress?: (progress: { applied: number; position: bigint }) => void;
}

/**
 * Rebuilds a projection from the event store: resets it and forgets which
 * events it applied (one transaction), then applies every event of its
 * types in position order, page by page, recording each as processed.
 * Events the live consumer dead-lettered stay skipped.
 *
 * Stop the projection's consumer first. Its Kafka offsets are kept: when it
 * starts again it goes on from where it was, and skips by id what the
 * replay already applied. An event that committed late while the replay
 * was reading past its position is not lost: it reaches the consumer
 * through the relay and Kafka like any other.
 */
export async function replayProjection(
  store: EventStore,
  projection: Projection,
  options: ReplayOptions = {},
): Promise<{ applied: number }> {
  if (projection.appendsEvents) throw new ProjectionNotReplayable(projection.name);
  const checkpoint = new ConsumerCheckpoint(projection.name);
  const batchSize = options.batchSize ?? 500;
  await store.transaction(async (tx) => {
    await projection.reset(tx);
    await checkpoint.forgetApplied(tx);
  });
  let applied = 0;
  let after = 0n;
  for (;;) {
    const page = await store.readAll({ after, limit: batchSize, types: projection.eventTypes });
    if (page.length === 0) break;
    applied += await store.transaction(async (tx) => {
      const done = await checkpoint.processed(
        tx,
        page.map((e) => e.eventId),
      );
      const fresh = page.filter((e) => !done.has(e.eventId));
      for (const event of fresh) await projection.apply(event, tx);
      await checkpoint.markProcessed(
        tx,
        fresh.map((e) => e.eventId),
        'applied',
      );
      return fresh.length;
    });
    after = page[page.length - 1].position;
    options.onProgress?.({ applied, position: after });
  }
  return { applied };
}
