import { percentile, summarize } from './latency-stats';

describe('latency percentiles (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('of 1..100 ms: p50 50, p95 95, p99 99, whatever the order of the samples', () => {
    const shuffled = [...oneToHundred].sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
    expect(summarize(shuffled)).toEqual({
      count: 100,
      min: 1,
      mean: 50.5,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
    });
  });

  it('is always a measured sample: of 10 samples p99 is the largest, p50 the fifth', () => {
    const sorted = [5, 6, 7, 8, 9, 10, 11, 12, 13, 200];
    expect(percentile(sorted, 99)).toBe(200);
    expect(percentile(sorted, 95)).toBe(200);
    expect(percentile(sorted, 90)).toBe(13);
    expect(percentile(sorted, 50)).toBe(9);
  });

  it('one sample is every percentile; no sample gives NaN, not zero', () => {
    expect(summarize([42])).toMatchObject({ p50: 42, p95: 42, p99: 42, min: 42, max: 42 });
    expect(summarize([]).p99).toBeNaN();
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});
