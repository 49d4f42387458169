import { JsonFile } from '../file/json-file';
import { KeyStoreError } from '../key-store-error';
import type { KeyBlockRepository } from './key-block.repository';
import {
  applyKeyBlockChanges,
  decodeStoredKeyBlock,
  KeyBlockChange,
  StoredKeyBlock,
} from './stored-key-block';

const FORMAT = 'tillgate-key-store/1';

interface KeyStoreDocument {
  readonly keys: readonly StoredKeyBlock[];
}

/**
 * Key blocks in one JSON file (`{ "format": "tillgate-key-store/1", "keys": [...] }`),
 * for the CLI and the embedded default. Every change rewrites the file
 * atomically under an exclusive lock; see JsonFile.
 */
export class FileKeyBlockRepository implements KeyBlockRepository {
  readonly #file: JsonFile<KeyStoreDocument>;

  /** `recheckMs`: see JsonFileOptions (default 1 s). */
  constructor(path: string, options: { lockTimeoutMs?: number; recheckMs?: number } = {}) {
    this.#file = new JsonFile<KeyStoreDocument>({
      path,
      lockTimeoutMs: options.lockTimeoutMs,
      recheckMs: options.recheckMs,
      empty: () => ({ keys: [] }),
      encode: (doc) => ({ format: FORMAT, keys: doc.keys }),
      decode: (raw) => decode(raw, path),
    });
  }

  get path(): string {
    return this.#file.path;
  }

  async versions(id: string): Promise<readonly StoredKeyBlock[]> {
    return (await this.#file.read()).keys.filter((r) => r.id === id);
  }

  async list(): Promise<readonly StoredKeyBlock[]> {
    return (await this.#file.read()).keys;
  }

  async apply(changes: readonly KeyBlockChange[]): Promise<void> {
    await this.#file.update((doc) => ({
      next: { keys: applyKeyBlockChanges(doc.keys, changes) },
      result: undefined,
    }));
  }
}

function decode(raw: unknown, path: string): KeyStoreDocument {
  const doc = raw as { format?: unknown; keys?: unknown } | null;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    doc.format !== FORMAT ||
    !Array.isArray(doc.keys)
  ) {
    throw new KeyStoreError('STORE_CORRUPT', `${path} is not a ${FORMAT} file`, 'path');
  }
  const keys = doc.keys.map((record, i) => decodeStoredKeyBlock(record, `keys[${i}]`));
  const seen = new Set<string>();
  keys.forEach((r, i) => {
    const key = `${r.id}@${r.version}`;
    if (seen.has(key))
      throw new KeyStoreError(
        'STORE_CORRUPT',
        `keys[${i}] repeats key ${r.id} version ${r.version}`,
        `keys[${i}]`,
      );
    seen.add(key);
  });
  return {
    keys: applyKeyBlockChanges(
      [],
      keys.map((record) => ({ type: 'insert', record })),
    ),
  };
}
