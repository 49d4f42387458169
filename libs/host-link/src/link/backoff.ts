/** Reconnect delays: exponential, capped, with jitter so many links do not reconnect in step. */
export interface BackoffOptions {
  /** Delay before the first reconnect attempt. Default 100 ms. */
  readonly initialDelayMs: number;
  /** Upper bound of any delay. Default 30 s. */
  readonly maxDelayMs: number;
  /** Growth per failed attempt. Default 2. */
  readonly multiplier: number;
  /** Fraction 0-1 of the delay removed at random. Default 0.2: delays fall in [0.8 d, d]. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

export function checkBackoffOptions(options: BackoffOptions): BackoffOptions {
  const { initialDelayMs, maxDelayMs, multiplier, jitter } = options;
  if (!(initialDelayMs >= 0) || !(maxDelayMs >= initialDelayMs)) {
    throw new RangeError('backoff needs 0 <= initialDelayMs <= maxDelayMs');
  }
  if (!(multiplier >= 1)) throw new RangeError('backoff multiplier must be >= 1');
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('backoff jitter must be 0-1');
  return options;
}

/**
 * The delay before reconnect attempt `attempt` (0 = first after a drop):
 * min(max, initial * multiplier^attempt), minus up to `jitter` of it.
 * `random` returns [0, 1), like Math.random.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const exponential = options.initialDelayMs * options.multiplier ** Math.max(0, attempt);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped * (1 - options.jitter * random()));
}
