import { EventStoreClosed } from './event-store.errors';
import { GroupCommitter, type Outcome } from './group-committer';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('GroupCommitter', () => {
  it('writes requests that arrive together in one batch, with one outcome each', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      async (batch) => {
        batches.push(batch);
        return batch.map((n): Outcome<number> =>
          n % 2 ? { ok: true, value: n * 10 } : { ok: false, error: new Error(`even ${n}`) },
        );
      },
      { windowMs: 0, maxBatchItems: 100, maxInFlight: 1 },
    );
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => committer.submit(n)));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('even 2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  it('queues what arrives while a batch is written, and writes it as the next batch', async () => {
    const gate = deferred<void>();
    const batches: string[][] = [];
    const committer = new GroupCommitter<string, string>(
      async (batch) => {
        batches.push(batch);
        if (batches.length === 1) await gate.promise;
        return batch.map((value) => ({ ok: true, value }));
      },
      { windowMs: 0, maxBatchItems: 100, maxInFlight: 1 },
    );
    const first = committer.submit('a');
    await new Promise((r) => setImmediate(r));
    const later = ['b', 'c', 'd'].map((s) => committer.submit(s));
    gate.resolve();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('fails every request of a batch whose write throws', async () => {
    const committer = new GroupCommitter<number, number>(
      async () => {
        throw new Error('database down');
      },
      { windowMs: 0, maxBatchItems: 100, maxInFlight: 1 },
    );
    const outcomes = await Promise.allSettled([committer.submit(1), committer.submit(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('fills batches up to maxBatchItems; a request larger than that goes alone', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      async (batch) => {
        batches.push(batch);
        return batch.map((value) => ({ ok: true, value }));
      },
      { windowMs: 0, maxBatchItems: 10, maxInFlight: 1 },
      (n) => ({ key: String(n), items: n }),
    );
    await Promise.all([4, 5, 3, 30, 1].map((n) => committer.submit(n)));
    expect(batches).toEqual([[4, 5, 1], [3], [30]]);
  });

  it('writes a second batch while the first is in flight, never with a key the first holds, keeping order per key', async () => {
    const gate = deferred<void>();
    const batches: string[][] = [];
    const committer = new GroupCommitter<string, string>(
      async (batch) => {
        batches.push(batch);
        if (batches.length === 1) await gate.promise;
        return batch.map((value) => ({ ok: true, value }));
      },
      { windowMs: 0, maxBatchItems: 100, maxInFlight: 2 },
      (request) => ({ key: request[0], items: 1 }),
    );
    const first = committer.submit('a1');
    await new Promise((r) => setImmediate(r));
    const later = ['a2', 'b1', 'a3', 'c1'].map((s) => committer.submit(s));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([['a1'], ['b1', 'c1']]); // a2 and a3 wait for a1
    gate.resolve();
    await Promise.all([first, ...later]);
    // a3 goes with a2: a stream's queued appends share a batch, whatever the slots' share.
    expect(batches).toEqual([['a1'], ['b1', 'c1'], ['a2', 'a3']]);
  });

  it('shares what is queued among the free slots, so one batch is prepared while another commits', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      async (batch) => {
        batches.push(batch);
        return batch.map((value) => ({ ok: true, value }));
      },
      { windowMs: 0, maxBatchItems: 100, maxInFlight: 2 },
      (request) => ({ key: String(request), items: 1 }),
    );
    await Promise.all(Array.from({ length: 9 }, (_, i) => committer.submit(i)));
    expect(batches).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
  });

  it('waits a window for more requests when told to', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      async (batch) => {
        batches.push(batch);
        return batch.map((value) => ({ ok: true, value }));
      },
      { windowMs: 20, maxBatchItems: 100, maxInFlight: 1 },
    );
    const first = committer.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, committer.submit(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('writes what is queued on close, then refuses', async () => {
    const committer = new GroupCommitter<number, number>(
      async (batch) => batch.map((value) => ({ ok: true, value })),
      {
        windowMs: 50,
        maxBatchItems: 100,
        maxInFlight: 1,
      },
    );
    const pending = committer.submit(7);
    await committer.close();
    await expect(pending).resolves.toBe(7);
    await expect(committer.submit(8)).rejects.toBeInstanceOf(EventStoreClosed);
  });
});
