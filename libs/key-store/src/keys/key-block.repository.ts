import type { KeyBlockChange, StoredKeyBlock } from './stored-key-block';

/**
 * Where key blocks rest. It holds only key blocks and lifecycle state, never
 * a clear key, so an implementation needs no access to the master key.
 */
export interface KeyBlockRepository {
  /** Every version of one key, oldest first; empty when the id is unknown. */
  versions(id: string): Promise<readonly StoredKeyBlock[]>;
  /** Every record, by id then version. */
  list(): Promise<readonly StoredKeyBlock[]>;
  /**
   * Applies the changes all together or not at all. An insert whose (id,
   * version) is taken, or a status change that finds another status than
   * `from`, fails with STORE_CONFLICT.
   */
  apply(changes: readonly KeyBlockChange[]): Promise<void>;
}
