import { isCryptoError } from '@tillgate/crypto';
import type { CryptoError } from '@tillgate/crypto';
import type { AuditSink, KeyOperation } from '../audit/audit-sink';
import type { KeyStoreLogger } from '../audit/key-store-logger';
import { KeyStoreError, KeyStoreErrorCode } from '../key-store-error';

interface AuditedKey {
  id: string;
  version?: number;
  kcv?: string;
  role?: 'source' | 'destination';
}

/**
 * One run of one key-store operation: it remembers every key the request
 * names (so that even a refused request is audited against them), the
 * clear buffers to wipe when it ends, and turns errors from @tillgate/crypto
 * into KeyStoreErrors.
 */
export class KeyOperationRun {
  readonly #keys: AuditedKey[] = [];
  readonly #buffers: Buffer[] = [];

  /** Names a key the request refers to; returns the entry to complete once it is resolved. */
  track(id: unknown, role?: 'source' | 'destination'): AuditedKey {
    const entry: AuditedKey = {
      id: typeof id === 'string' ? id : String(id),
      ...(role ? { role } : {}),
    };
    this.#keys.push(entry);
    return entry;
  }

  /** A clear buffer (key, working key) to zero when the operation ends. JavaScript strings cannot be wiped. */
  hold<T extends Buffer>(buffer: T): T {
    this.#buffers.push(buffer);
    return buffer;
  }

  get keys(): readonly AuditedKey[] {
    return this.#keys;
  }

  wipe(): void {
    for (const buffer of this.#buffers) buffer.fill(0);
  }
}

export async function runKeyOperation<T>(
  deps: { audit: AuditSink; logger?: KeyStoreLogger; now: () => Date },
  type: KeyOperation,
  body: (run: KeyOperationRun) => Promise<T>,
): Promise<T> {
  const run = new KeyOperationRun();
  let result: T;
  try {
    result = await body(run);
  } catch (thrown) {
    run.wipe();
    const error = asKeyStoreError(thrown);
    await emit(deps, type, run, 'failure', error.code);
    deps.logger?.warn(
      {
        operation: type,
        code: error.code,
        field: error.field,
        keys: run.keys.map(({ id, version }) => ({ id, version })),
      },
      error.message,
    );
    throw error;
  }
  run.wipe();
  await emit(deps, type, run, 'success');
  return result;
}

/**
 * One event per key, all handed to the sink before any is awaited, so a
 * batching sink (JsonLinesAuditSink) writes an operation's events together.
 */
async function emit(
  deps: { audit: AuditSink; now: () => Date },
  type: KeyOperation,
  run: KeyOperationRun,
  outcome: 'success' | 'failure',
  reason?: KeyStoreErrorCode,
): Promise<void> {
  const at = deps.now().toISOString();
  await Promise.all(
    run.keys.map((key) =>
      deps.audit.record({
        type,
        keyId: key.id,
        ...(key.version !== undefined ? { keyVersion: key.version } : {}),
        ...(key.kcv !== undefined ? { kcv: key.kcv } : {}),
        ...(key.role ? { role: key.role } : {}),
        outcome,
        ...(reason ? { reason } : {}),
        at,
      }),
    ),
  );
}

/**
 * The one place where errors leave the store: a KeyStoreError as it is, a
 * CryptoError (whose messages never hold keys, PINs or PANs) under its
 * key-store code, anything else as INTERNAL_ERROR without its message.
 */
export function asKeyStoreError(error: unknown): KeyStoreError {
  if (error instanceof KeyStoreError) return error;
  if (isCryptoError(error)) {
    return new KeyStoreError(
      CRYPTO_ERROR_CODES[error.code] ?? 'INVALID_REQUEST',
      error.message,
      error.field,
    );
  }
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  return new KeyStoreError(
    'INTERNAL_ERROR',
    `unexpected ${name}${typeof code === 'string' ? ` (${code})` : ''} inside the key store; details withheld`,
  );
}

const CRYPTO_ERROR_CODES: Partial<Record<CryptoError['code'], KeyStoreErrorCode>> = {
  INVALID_KSN: 'INVALID_KSN',
  INVALID_KSN_COUNTER: 'INVALID_KSN',
  KSN_COUNTER_EXHAUSTED: 'INVALID_KSN',
  INVALID_PIN_BLOCK: 'PIN_BLOCK_INVALID',
  INVALID_PIN: 'PIN_BLOCK_INVALID',
  PIN_BLOCK_PAN_MISMATCH: 'PIN_BLOCK_PAN_MISMATCH',
  PAN_VAULT_AUTHENTICATION_FAILED: 'VAULT_ENTRY_INVALID',
  PAN_VAULT_ENTRY_MALFORMED: 'VAULT_ENTRY_INVALID',
};
