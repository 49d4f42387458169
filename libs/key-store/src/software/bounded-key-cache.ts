/**
 * Clear key material the store keeps between operations, as an HSM keeps
 * loaded keys in its secure memory: at most `capacity` entries, the least
 * recently used leaving first, and every entry that leaves is wiped.
 * Values must be used synchronously or copied: a wiped buffer reads as zeros.
 */
export class BoundedKeyCache<V> {
  readonly #entries = new Map<string, V>();

  constructor(
    private readonly capacity: number,
    private readonly wipe: (value: V) => void,
  ) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map iteration follows insertion order: moving the entry to the end makes the first entry the least recently used.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    this.#entries.set(key, value);
    for (const [oldest, evicted] of this.#entries) {
      if (this.#entries.size <= this.capacity) break;
      this.#entries.delete(oldest);
      this.wipe(evicted);
    }
  }

  delete(key: string): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    this.wipe(value);
  }

  /** Deletes, and wipes, every entry whose key matches. */
  deleteWhere(matches: (key: string) => boolean): void {
    for (const [key, value] of [...this.#entries])
      if (matches(key)) {
        this.#entries.delete(key);
        this.wipe(value);
      }
  }

  get size(): number {
    return this.#entries.size;
  }
}
