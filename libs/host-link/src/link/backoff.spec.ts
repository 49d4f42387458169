import { DEFAULT_BACKOFF, backoffDelay, checkBackoffOptions } from './backoff';

const options = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the maximum', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, options, noJitter))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });

  it('jitter only shortens a delay, by at most the jitter fraction', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const d = backoffDelay(3, options, () => r);
      expect(d).toBeLessThanOrEqual(800);
      expect(d).toBeGreaterThanOrEqual(400);
    }
    expect(backoffDelay(100, options, () => 0.999)).toBeGreaterThanOrEqual(500);
  });

  it('refuses options that break the bounds', () => {
    expect(() => checkBackoffOptions({ ...DEFAULT_BACKOFF, maxDelayMs: 10 })).toThrow(RangeError);
    expect(() => checkBackoffOptions({ ...DEFAULT_BACKOFF, jitter: 1.5 })).toThrow(RangeError);
    expect(() => checkBackoffOptions({ ...DEFAULT_BACKOFF, multiplier: 0.5 })).toThrow(RangeError);
  });
});
