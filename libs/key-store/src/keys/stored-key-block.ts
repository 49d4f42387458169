import { KeyStoreError } from '../key-store-error';

/**
 * active: the current version, usable for everything its usage allows;
 * superseded: an older version after a rotation, still usable to verify
 * and decrypt (a terminal or card may still hold it) but never to protect
 * new data; retired: usable for nothing.
 */
export type KeyStatus = 'active' | 'superseded' | 'retired';
export const KEY_STATUSES: readonly KeyStatus[] = ['active', 'superseded', 'retired'];

/** A key as the repository holds it: the key block and its lifecycle state, nothing in clear. */
export interface StoredKeyBlock {
  readonly id: string;
  readonly version: number;
  readonly status: KeyStatus;
  /** TR-31 / X9.143 key block under a KBPK derived from the master key. */
  readonly keyBlock: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly statusChangedAt: string;
}

export type KeyBlockChange =
  | { readonly type: 'insert'; readonly record: StoredKeyBlock }
  | {
      readonly type: 'set-status';
      readonly id: string;
      readonly version: number;
      /** The status the record must still have (optimistic concurrency). */
      readonly from: KeyStatus;
      readonly to: KeyStatus;
      readonly at: string;
    };

/** Letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The change set applied to a list of records, all or nothing: the one rule
 * every repository implementation shares.
 */
export function applyKeyBlockChanges(
  records: readonly StoredKeyBlock[],
  changes: readonly KeyBlockChange[],
): StoredKeyBlock[] {
  const next = [...records];
  for (const change of changes) {
    switch (change.type) {
      case 'insert': {
        const { id, version } = change.record;
        if (next.some((r) => r.id === id && r.version === version)) {
          throw new KeyStoreError(
            'STORE_CONFLICT',
            `key ${id} version ${version} already exists`,
            'version',
          );
        }
        next.push(change.record);
        break;
      }
      case 'set-status': {
        const at = next.findIndex((r) => r.id === change.id && r.version === change.version);
        if (at < 0 || next[at].status !== change.from) {
          throw new KeyStoreError(
            'STORE_CONFLICT',
            `key ${change.id} version ${change.version} is no longer ${change.from}`,
            'status',
          );
        }
        next[at] = { ...next[at], status: change.to, statusChangedAt: change.at };
        break;
      }
      default:
        throw unexpected(change);
    }
  }
  return next.sort((a, b) => (a.id === b.id ? a.version - b.version : a.id < b.id ? -1 : 1));
}

/** Checks one record read from outside the process (a file). */
export function decodeStoredKeyBlock(raw: unknown, where: string): StoredKeyBlock {
  const r = raw as Partial<Record<keyof StoredKeyBlock, unknown>> | null;
  const valid =
    typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    KEY_ID_PATTERN.test(r.id) &&
    Number.isInteger(r.version) &&
    (r.version as number) >= 1 &&
    typeof r.status === 'string' &&
    (KEY_STATUSES as readonly string[]).includes(r.status) &&
    typeof r.keyBlock === 'string' &&
    typeof r.createdAt === 'string' &&
    typeof r.statusChangedAt === 'string';
  if (!valid) {
    throw new KeyStoreError('STORE_CORRUPT', `${where} is not a valid key record`, where);
  }
  return {
    id: r.id as string,
    version: r.version as number,
    status: r.status as KeyStatus,
    keyBlock: r.keyBlock as string,
    createdAt: r.createdAt as string,
    statusChangedAt: r.statusChangedAt as string,
  };
}

function unexpected(value: never): Error {
  return new Error(`unexpected change ${JSON.stringify(value)}`);
}
