import {
  planBatch,
  resultsOf,
  type AppendRequest,
  type BatchSnapshot,
  type RecordedIdentity,
} from './append-plan';
import { EventIdReused, ExpectedVersionConflict } from './event-store.errors';
import { aNewEvent } from '../testing/new-event.builder';

const snapshot = (
  versions: Record<string, number> = {},
  recorded: RecordedIdentity[] = [],
): BatchSnapshot => ({
  versions: new Map(Object.entries(versions)),
  recorded: new Map(recorded.map((r) => [r.eventId, r])),
});
const request = (
  streamId: string,
  expectedVersion: AppendRequest['expectedVersion'],
  count = 1,
): AppendRequest => ({
  streamId,
  expectedVersion,
  events: Array.from({ length: count }, () => aNewEvent().build()),
});
const recordedAs = (
  req: AppendRequest,
  firstVersion: number,
  firstPosition: bigint,
): RecordedIdentity[] =>
  req.events.map((e, i) => ({
    eventId: e.eventId,
    streamId: req.streamId,
    streamVersion: firstVersion + i,
    position: firstPosition + BigInt(i),
    type: e.type,
    payload: e.payload,
  }));

describe('planBatch: every append of a batch is decided on its own', () => {
  it('writes an append whose expected version matches, at the next versions', () => {
    const plan = planBatch([request('probe-a', 2, 2)], snapshot({ 'probe-a': 2 }));
    expect(plan.decisions).toEqual([{ kind: 'write', rowsFrom: 0, rowsTo: 2 }]);
    expect(plan.rows.map((r) => r.streamVersion)).toEqual([3, 4]);
  });

  it('refuses a stale expected version with the actual one, and still writes the others', () => {
    const plan = planBatch(
      [request('probe-a', 1), request('probe-b', 0)],
      snapshot({ 'probe-a': 2 }),
    );
    expect(plan.decisions[0]).toEqual({
      kind: 'refused',
      error: new ExpectedVersionConflict('probe-a', 1, 2),
    });
    expect(plan.decisions[1]).toMatchObject({ kind: 'write' });
    expect(plan.rows.map((r) => [r.streamId, r.streamVersion])).toEqual([['probe-b', 1]]);
  });

  it('lets a later append in the batch see the versions an earlier one writes', () => {
    const plan = planBatch(
      [request('probe-a', 0, 2), request('probe-a', 2), request('probe-a', 2)],
      snapshot(),
    );
    expect(plan.decisions.map((d) => d.kind)).toEqual(['write', 'write', 'refused']);
    expect(plan.rows.map((r) => r.streamVersion)).toEqual([1, 2, 3]);
  });

  it("skips the check for 'any'", () => {
    const plan = planBatch([request('probe-a', 'any')], snapshot({ 'probe-a': 7 }));
    expect(plan.rows[0].streamVersion).toBe(8);
  });

  it('replays an append whose events are all recorded, whatever the stream version is now', () => {
    const original = request('probe-a', 0, 2);
    const plan = planBatch(
      [{ ...original, expectedVersion: 0 }],
      snapshot({ 'probe-a': 9 }, recordedAs(original, 1, 40n)),
    );
    expect(plan.rows).toEqual([]);
    expect(resultsOf([original], plan, [])).toEqual([
      {
        ok: true,
        value: {
          streamId: 'probe-a',
          nextExpectedVersion: 2,
          events: original.events.map((e, i) => ({
            eventId: e.eventId,
            streamVersion: 1 + i,
            position: 40n + BigInt(i),
          })),
        },
      },
    ]);
  });

  it('refuses an event id recorded with another payload, stream or order, and a partly recorded append', () => {
    const original = request('probe-a', 0, 2);
    const recorded = recordedAs(original, 1, 1n);
    const changed = {
      ...original,
      events: [original.events[0], { ...original.events[1], payload: new Uint8Array([1]) }],
    };
    const moved = { ...original, streamId: 'probe-b' };
    const reordered = { ...original, events: [...original.events].reverse() };
    const partial = { ...original, events: [original.events[0], aNewEvent().build()] };
    for (const req of [changed, moved, reordered, partial]) {
      const [decision] = planBatch([req], snapshot({ 'probe-a': 2 }, recorded)).decisions;
      expect(decision).toMatchObject({ kind: 'refused', error: expect.any(EventIdReused) });
    }
  });

  it("answers an identical append in the same batch with the first one's result, writing once", () => {
    const first = request('probe-a', 0, 2);
    const again = { ...first };
    const plan = planBatch([first, again], snapshot());
    expect(plan.decisions[1]).toEqual({ kind: 'same-as', request: 0 });
    expect(plan.rows).toHaveLength(2);
    const [a, b] = resultsOf([first, again], plan, [5n, 6n]);
    expect(b).toEqual(a);
  });
});
