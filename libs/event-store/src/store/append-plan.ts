import { EventIdReused, EventStoreError, ExpectedVersionConflict } from './event-store.errors';
import type { AppendResult, ExpectedVersion, NewEvent, StoredEvent } from './event.types';

export interface AppendRequest {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: readonly NewEvent[];
}

/** An already recorded event, as much of it as an idempotency check needs. */
export interface RecordedIdentity {
  eventId: string;
  streamId: string;
  streamVersion: number;
  position: bigint;
  type: string;
  payload: Uint8Array;
}

/** What the database says about the streams and event ids of a batch, read just before writing it. */
export interface BatchSnapshot {
  /** Current version per stream; a stream with no event is absent. */
  versions: ReadonlyMap<string, number>;
  /** Events of the batch whose ids are already recorded. */
  recorded: ReadonlyMap<string, RecordedIdentity>;
}

/** A row to insert: one event at its stream version. */
export interface PlannedRow {
  /** Index of the append (in the batch) this row belongs to. */
  request: number;
  streamId: string;
  streamVersion: number;
  event: NewEvent;
}

/** The event a planned row records, all but the position the database assigns it. */
export function unpositionedEvent(
  row: PlannedRow,
  recordedAt: Date,
): Omit<StoredEvent, 'position'> {
  return {
    eventId: row.event.eventId,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    type: row.event.type,
    schemaVersion: row.event.schemaVersion,
    payload: row.event.payload,
    occurredAt: row.event.occurredAt,
    recordedAt,
    correlationId: row.event.correlationId ?? null,
    causationId: row.event.causationId ?? null,
    merchantId: row.event.merchantId ?? null,
  };
}

export type AppendDecision =
  | { kind: 'write'; rowsFrom: number; rowsTo: number }
  | { kind: 'replayed'; result: AppendResult }
  | { kind: 'same-as'; request: number }
  | { kind: 'refused'; error: EventStoreError };

export interface BatchPlan {
  decisions: AppendDecision[];
  rows: PlannedRow[];
}

/** The stream ids and event ids a batch must look up before it can be planned. */
export function lookupKeys(requests: readonly AppendRequest[]): {
  streamIds: string[];
  eventIds: string[];
} {
  return {
    streamIds: [...new Set(requests.map((r) => r.streamId))],
    eventIds: requests.flatMap((r) => r.events.map((e) => e.eventId)),
  };
}

/**
 * The snapshot in which every append of the batch is right: each stream at
 * the version its first append expects, no event id recorded yet. Null when
 * an append expects 'any' (no guess possible). A storage may plan on it and
 * write only if the database confirms it, in the same statement.
 */
export function guessedSnapshot(
  requests: readonly AppendRequest[],
): (BatchSnapshot & { versions: Map<string, number> }) | null {
  const versions = new Map<string, number>();
  for (const { streamId, expectedVersion } of requests) {
    if (expectedVersion === 'any') return null;
    if (!versions.has(streamId)) versions.set(streamId, expectedVersion);
  }
  return { versions, recorded: new Map() };
}

function samePayload(a: Uint8Array, b: Uint8Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

/**
 * Decides every append of a batch against one snapshot, in arrival order,
 * each on its own: an expected-version check per append (later appends in
 * the batch see the versions earlier ones will write), idempotency by event
 * id against the database and against earlier appends of the batch. Pure:
 * the storage reads the snapshot, writes the rows, and turns the plan into
 * results with `resultsOf`.
 */
export function planBatch(requests: readonly AppendRequest[], snapshot: BatchSnapshot): BatchPlan {
  const versions = new Map(snapshot.versions);
  const pending = new Map<string, { request: number; row: PlannedRow }>();
  const rows: PlannedRow[] = [];

  const decisions = requests.map((request, index): AppendDecision => {
    const { streamId, expectedVersion, events } = request;
    const recorded = events.map((e) => snapshot.recorded.get(e.eventId));
    const inBatch = events.map((e) => pending.get(e.eventId));
    const knownAt = events.findIndex((_, i) => recorded[i] || inBatch[i]);

    if (knownAt >= 0) {
      const known = events[knownAt].eventId;
      if (events.some((_, i) => !recorded[i] && !inBatch[i])) {
        return refused(
          new EventIdReused(known, 'part of this append was recorded before, with other events'),
        );
      }
      const fromDatabase = recorded.filter((r): r is RecordedIdentity => r !== undefined);
      if (fromDatabase.length === events.length) {
        const first = fromDatabase[0].streamVersion;
        const same = fromDatabase.every(
          (r, i) =>
            r.streamId === streamId &&
            r.streamVersion === first + i &&
            r.type === events[i].type &&
            samePayload(r.payload, events[i].payload),
        );
        if (!same)
          return refused(
            new EventIdReused(known, 'it was recorded with another stream, order, type or payload'),
          );
        return {
          kind: 'replayed',
          result: {
            streamId,
            nextExpectedVersion: fromDatabase[fromDatabase.length - 1].streamVersion,
            events: fromDatabase.map((r) => ({
              eventId: r.eventId,
              streamVersion: r.streamVersion,
              position: r.position,
            })),
          },
        };
      }
      const fromBatch = inBatch.filter(
        (p): p is { request: number; row: PlannedRow } => p !== undefined,
      );
      const original = fromBatch[0]?.request;
      const same =
        fromBatch.length === events.length &&
        requests[original].events.length === events.length &&
        fromBatch.every(
          (p, i) =>
            p.request === original &&
            p.row.streamId === streamId &&
            p.row.streamVersion === fromBatch[0].row.streamVersion + i &&
            p.row.event.type === events[i].type &&
            samePayload(p.row.event.payload, events[i].payload),
        );
      if (!same)
        return refused(new EventIdReused(known, 'a concurrent append used it for other events'));
      return { kind: 'same-as', request: original };
    }

    const current = versions.get(streamId) ?? 0;
    if (expectedVersion !== 'any' && expectedVersion !== current) {
      return refused(new ExpectedVersionConflict(streamId, expectedVersion, current));
    }
    const rowsFrom = rows.length;
    events.forEach((event, i) => {
      const row = { request: index, streamId, streamVersion: current + 1 + i, event };
      rows.push(row);
      pending.set(event.eventId, { request: index, row });
    });
    versions.set(streamId, current + events.length);
    return { kind: 'write', rowsFrom, rowsTo: rows.length };
  });

  return { decisions, rows };
}

function refused(error: EventStoreError): AppendDecision {
  return { kind: 'refused', error };
}

export type AppendOutcome =
  { ok: true; value: AppendResult } | { ok: false; error: EventStoreError };

/** Turns a plan whose rows were written at `positions` (same order as `plan.rows`) into one outcome per request. */
export function resultsOf(
  requests: readonly AppendRequest[],
  plan: BatchPlan,
  positions: readonly bigint[],
): AppendOutcome[] {
  const written = (from: number, to: number, streamId: string): AppendResult => ({
    streamId,
    nextExpectedVersion: plan.rows[to - 1].streamVersion,
    events: plan.rows.slice(from, to).map((row, i) => ({
      eventId: row.event.eventId,
      streamVersion: row.streamVersion,
      position: positions[from + i],
    })),
  });
  return plan.decisions.map((decision, index): AppendOutcome => {
    switch (decision.kind) {
      case 'write':
        return {
          ok: true,
          value: written(decision.rowsFrom, decision.rowsTo, requests[index].streamId),
        };
      case 'replayed':
        return { ok: true, value: decision.result };
      case 'same-as': {
        const original = plan.decisions[decision.request];
        if (original.kind !== 'write') throw new Error('same-as must point at a written append');
        return {
          ok: true,
          value: written(original.rowsFrom, original.rowsTo, requests[index].streamId),
        };
      }
      case 'refused':
        return { ok: false, error: decision.error };
      default: {
        const never: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(never)}`);
      }
    }
  });
}
