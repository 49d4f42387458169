import type { KeyBlockRepository } from './key-block.repository';
import { applyKeyBlockChanges, KeyBlockChange, StoredKeyBlock } from './stored-key-block';

/** For tests and for processes that load their keys some other way. */
export class InMemoryKeyBlockRepository implements KeyBlockRepository {
  #records: readonly StoredKeyBlock[] = [];

  constructor(records: readonly StoredKeyBlock[] = []) {
    this.#records = applyKeyBlockChanges(
      [],
      records.map((record) => ({ type: 'insert', record })),
    );
  }

  async versions(id: string): Promise<readonly StoredKeyBlock[]> {
    return this.#records.filter((r) => r.id === id);
  }

  async list(): Promise<readonly StoredKeyBlock[]> {
    return this.#records;
  }

  async apply(changes: readonly KeyBlockChange[]): Promise<void> {
    this.#records = applyKeyBlockChanges(this.#records, changes);
  }
}
