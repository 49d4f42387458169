import { summarize, type LatencySummary } from './latency-stats';

export interface LoadOptions {
  /** Payments to make. */
  readonly count: number;
  /** Lanes working at once (each lane is one terminal: a terminal does one payment at a time). */
  readonly concurrency: number;
  /** Target starts per second over all lanes; unlimited when absent (closed loop). */
  readonly ratePerSecond?: number;
  /** One payment on a lane; resolves to its outcome ('approved', 'declined'...), rejects on error. */
  readonly run: (index: number, lane: number) => Promise<string>;
  readonly onProgress?: (done: number, failed: number, elapsedMs: number) => void;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface LoadReport {
  readonly count: number;
  readonly concurrency: number;
  readonly targetRatePerSecond?: number;
  readonly durationMs: number;
  /** Completed payments (any outcome but an error) per second of wall time. */
  readonly throughputPerSecond: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly errors: number;
  /** The first few distinct error messages. */
  readonly errorSamples: readonly string[];
  /**
   * From the moment the payment was due (its slot in the schedule at the
   * target rate) to its end: includes waiting for a free lane, so a slow
   * gateway cannot hide its queueing (no coordinated omission).
   */
  readonly latencyMs: LatencySummary;
  /** From the moment the payment actually started to its end. */
  readonly serviceTimeMs: LatencySummary;
}

/**
 * Drives `count` payments over `concurrency` lanes, at most
 * `ratePerSecond` starts per second (payment i is due at i / rate seconds),
 * and measures each one.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new RangeError('count must be a positive integer');
  }
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError('concurrency must be a positive integer');
  }
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) {
    throw new RangeError('rate must be above zero');
  }
  const start = now();
  const latency: number[] = [];
  const service: number[] = [];
  const outcomes: Record<string, number> = {};
  const errorSamples = new Set<string>();
  let next = 0;
  let done = 0;
  let errors = 0;

  const lane = async (laneIndex: number) => {
    for (;;) {
      const index = next++;
      if (index >= options.count) return;
      const due =
        options.ratePerSecond === undefined
          ? now()
          : start + (index * 1000) / options.ratePerSecond;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const began = now();
      try {
        const outcome = await options.run(index, laneIndex);
        const ended = now();
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        latency.push(ended - Math.min(due, began));
        service.push(ended - began);
      } catch (error) {
        errors++;
        if (errorSamples.size < 5) {
          errorSamples.add(error instanceof Error ? error.message : String(error));
        }
      }
      done++;
      options.onProgress?.(done, errors, now() - start);
    }
  };

  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.count) }, (_, i) => lane(i)),
  );
  const durationMs = now() - start;
  const completed = done - errors;
  return {
    count: options.count,
    concurrency: options.concurrency,
    ...(options.ratePerSecond === undefined ? {} : { targetRatePerSecond: options.ratePerSecond }),
    durationMs: Math.round(durationMs),
    throughputPerSecond: durationMs > 0 ? Math.round((completed * 100_000) / durationMs) / 100 : 0,
    outcomes,
    errors,
    errorSamples: [...errorSamples],
    latencyMs: summarize(latency),
    serviceTimeMs: summarize(service),
  };
}
