import { probeV1 } from '@tillgate/contracts';
import type { Projection } from '../consumer/projection';
import type { EventStoreTransaction } from '../store/event-store';
import type { StoredEvent } from '../store/event.types';

/**
 * A read model for tests: per probe stream, the sum of its increments and
 * how many were applied. Deliberately NOT idempotent (it adds), so a
 * duplicate application shows up in the totals.
 */
export function probeTotalsProjection(
  name: string,
  options: { failOn?: (event: StoredEvent) => boolean } = {},
): Projection & {
  createTable(tx: EventStoreTransaction): Promise<void>;
  totals(tx: EventStoreTransaction): Promise<Map<string, { total: number; events: number }>>;
} {
  const table = `probe_totals_${name.replace(/[^a-z0-9_]/gi, '_')}`;
  const p = (tx: EventStoreTransaction, i: number) => (tx.kind === 'postgres' ? `$${i}` : '?');
  return {
    name,
    eventTypes: ['tillgate.probe.v1.ProbeIncremented'],
    async createTable(tx) {
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${table} (stream_id varchar(200) PRIMARY KEY, total bigint NOT NULL, events integer NOT NULL)`,
      );
    },
    async apply(event, tx) {
      if (options.failOn?.(event))
        throw new Error(`the projection cannot take event ${event.eventId}`);
      const { by } = probeV1.ProbeIncremented.decode(event.payload);
      await tx.query(
        `INSERT INTO ${table} (stream_id, total, events) VALUES (${p(tx, 1)}, ${p(tx, 2)}, 1)
         ON CONFLICT (stream_id) DO UPDATE SET total = ${table}.total + excluded.total, events = ${table}.events + 1`,
        [event.streamId, Number(by)],
      );
    },
    async reset(tx) {
      await tx.query(`DELETE FROM ${table}`);
    },
    async totals(tx) {
      const rows = await tx.query<{ stream_id: string; total: unknown; events: unknown }>(
        `SELECT stream_id, total, events FROM ${table}`,
      );
      return new Map(
        rows.map((r) => [r.stream_id, { total: Number(r.total), events: Number(r.events) }]),
      );
    },
  };
}

/** What the projection must hold: folded straight from the events. */
export function expectedTotals(
  events: readonly StoredEvent[],
): Map<string, { total: number; events: number }> {
  const totals = new Map<string, { total: number; events: number }>();
  for (const event of events) {
    if (event.type !== 'tillgate.probe.v1.ProbeIncremented') continue;
    const { by } = probeV1.ProbeIncremented.decode(event.payload);
    const t = totals.get(event.streamId) ?? { total: 0, events: 0 };
    totals.set(event.streamId, { total: t.total + Number(by), events: t.events + 1 });
  }
  return totals;
}
