import { runLoad } from './load-driver';

/** A virtual clock: sleeping and working advance it, nothing waits for real. */
function virtualClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    work: async (ms: number) => {
      await Promise.resolve();
      now += ms;
    },
  };
}

describe('load driver', () => {
  it('makes N payments, counts outcomes and errors, and reports progress', async () => {
    const clock = virtualClock();
    const progress: number[] = [];
    const report = await runLoad({
      count: 10,
      concurrency: 1,
      now: clock.now,
      sleep: clock.sleep,
      run: async (i) => {
        await clock.work(10);
        if (i === 3) throw new Error('gateway unavailable');
        return i % 2 === 0 ? 'approved' : 'declined';
      },
      onProgress: (done) => progress.push(done),
    });
    expect(report.outcomes).toEqual({ approved: 5, declined: 4 });
    expect(report.errors).toBe(1);
    expect(report.errorSamples).toEqual(['gateway unavailable']);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(report.durationMs).toBe(100);
    expect(report.throughputPerSecond).toBe(90); // 9 completed in 100 ms
    expect(report.latencyMs).toMatchObject({ p50: 10, p99: 10, count: 9 });
  });

  it('paces starts at the target rate: 20 payments at 100/s take 190 ms of schedule', async () => {
    const clock = virtualClock();
    const starts: number[] = [];
    const report = await runLoad({
      count: 20,
      concurrency: 4,
      ratePerSecond: 100,
      now: clock.now,
      sleep: clock.sleep,
      run: async () => {
        starts.push(clock.now());
        return 'approved';
      },
    });
    expect(starts[0]).toBe(0);
    expect(Math.max(...starts)).toBeGreaterThanOrEqual(190);
    expect(report.targetRatePerSecond).toBe(100);
    expect(report.outcomes).toEqual({ approved: 20 });
  });

  it('counts the time a payment waited for a free lane in its latency (no coordinated omission)', async () => {
    const clock = virtualClock();
    // One lane, each payment takes 50 ms, but they are due every 10 ms.
    const report = await runLoad({
      count: 5,
      concurrency: 1,
      ratePerSecond: 100,
      now: clock.now,
      sleep: clock.sleep,
      run: async () => {
        await clock.work(50);
        return 'approved';
      },
    });
    expect(report.serviceTimeMs.max).toBe(50);
    // The fifth was due at 40 ms and ended at 250 ms.
    expect(report.latencyMs.max).toBe(210);
    expect(report.latencyMs.p50).toBeGreaterThan(report.serviceTimeMs.p50);
  });

  it('refuses a count, concurrency or rate it cannot honour', async () => {
    const run = async () => 'approved';
    await expect(runLoad({ count: 0, concurrency: 1, run })).rejects.toThrow(RangeError);
    await expect(runLoad({ count: 1, concurrency: 0, run })).rejects.toThrow(RangeError);
    await expect(runLoad({ count: 1, concurrency: 1, ratePerSecond: 0, run })).rejects.toThrow(
      RangeError,
    );
  });
});
