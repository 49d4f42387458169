import type { Parameters } from 'fast-check';

/** Inputs per fuzz property: 100,000 unless FUZZ_RUNS says otherwise (e.g. FUZZ_RUNS=1000 locally). */
export function fuzzRuns(): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return 100_000;
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`FUZZ_RUNS must be a positive integer, got "${raw}"`);
  return runs;
}

/** Fixed seed: a failure reproduces with the same FUZZ_RUNS; fast-check prints seed and path. */
export const FUZZ_SEED = 20_251_125;

export function fuzzParameters<T>(): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: fuzzRuns(), endOnFailure: true };
}

/** Jest timeout for one fuzz property: generous, so only a real hang trips it. */
export const FUZZ_TIMEOUT_MS = 10 * 60 * 1000;

/** A single input taking this long points at super-linear work on hostile input. */
const SLOW_INPUT_MS = 250;

/**
 * Runs `fn`; fails the property on any throw that `isExpected` rejects, or on
 * a slow input. Returns the expected error, or undefined if `fn` returned.
 */
export function expectOnly(isExpected: (error: unknown) => boolean, fn: () => void): unknown {
  const started = performance.now();
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    if (!isExpected(error)) throw error;
    caught = error;
  }
  const elapsed = performance.now() - started;
  if (elapsed > SLOW_INPUT_MS) throw new Error(`one input took ${elapsed.toFixed(0)} ms`);
  return caught;
}
