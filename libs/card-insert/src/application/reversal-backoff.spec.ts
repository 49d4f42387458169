import { reversalBackoffMs } from './reversal.worker';

describe('the reversal backoff', () => {
  it('doubles from the base per repeat and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => reversalBackoffMs(n, 1000, 60_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });
});
