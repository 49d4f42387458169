/** What every secret prints instead of its value. */
export const REDACTED = '[REDACTED]';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A value that must not reach a log line, an event or an error message by
 * accident: String(), template literals, JSON.stringify, util.inspect and
 * console.* all print `[REDACTED]`. The value is held in a private field, so
 * it is not an enumerable property either; `expose()` is the one way out and
 * is meant to be easy to grep for.
 *
 * Equality: two Secrets are not comparable with `===` or jest's `toEqual`
 * (private fields are invisible to both); compare the exposed values.
 */
export class Secret<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The wrapped value. Call it at the last moment, never to log. */
  expose(): T {
    return this.#value;
  }

  /** A new Secret holding `f(value)`, without exposing the value to the caller. */
  map<U>(f: (value: T) => U): Secret<U> {
    return new Secret(f(this.#value));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }
}

/** Key material as it arrives from callers: bare bytes or already wrapped. */
export type SecretBytes = Buffer | Secret<Buffer>;

/** The bytes of a key given either way. Internal helper for this lib's APIs. */
export function exposeBytes(key: SecretBytes): Buffer {
  return key instanceof Secret ? key.expose() : key;
}
