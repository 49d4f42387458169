/**
 * Every refusal of the key store, by a stable code that a transport maps
 * exhaustively (to a gRPC status, a CLI exit code, a dead-letter record).
 * Messages name keys by id and version and may quote KCVs and KSN counters;
 * they never hold key material, a PIN, a PIN block or a PAN.
 */
export const KEY_STORE_ERROR_CODES = [
  /** A request field is malformed (length, format, range); `field` names it. */
  'INVALID_REQUEST',
  /** No key with this id (and version). */
  'KEY_NOT_FOUND',
  /** An import or generation under an id that already exists: rotate it instead. */
  'KEY_ALREADY_EXISTS',
  /** A superseded version asked for an operation that only the active version may do. */
  'KEY_NOT_ACTIVE',
  /** The key version is retired and may not be used at all. */
  'KEY_RETIRED',
  /** The key block's usage, algorithm or mode of use does not allow this operation. */
  'KEY_USAGE_VIOLATION',
  /** A stored key block fails its MAC, or its label does not match the record holding it. */
  'KEY_BLOCK_TAMPERED',
  /** A stored key block was wrapped under another master key (its KP block says so). */
  'MASTER_KEY_MISMATCH',
  /** The master key is missing or malformed. */
  'MASTER_KEY_INVALID',
  /** Key components are not 2 or 3 of equal, valid length, lack odd parity (TDES), or combine to a degenerate key. */
  'INVALID_COMPONENTS',
  /** A key component does not match the KCV entered with it. */
  'COMPONENT_KCV_MISMATCH',
  /** The combined key does not match the KCV entered for it. */
  'COMBINED_KCV_MISMATCH',
  /** A KSN of the wrong length for the BDK, or with a counter no device uses. */
  'INVALID_KSN',
  /** A KSN counter that does not advance for its BDK and initial key ID: a replay. */
  'KSN_REPLAY',
  /** A PIN translation that would weaken the PIN's protection (PCI PIN 3-3) or change its PAN. */
  'PIN_TRANSLATION_REFUSED',
  /** An encrypted PIN block that does not decode to a valid PIN block of its format. */
  'PIN_BLOCK_INVALID',
  /** A format 0 or 3 PIN block that does not decode under the PAN given. */
  'PIN_BLOCK_PAN_MISMATCH',
  /** A MAC that does not verify. */
  'MAC_VERIFICATION_FAILED',
  /** An ARQC that does not verify. */
  'ARQC_VERIFICATION_FAILED',
  /** A PAN vault entry that fails authentication or is malformed. */
  'VAULT_ENTRY_INVALID',
  /** The key store file is not a key store, or a record in it is malformed. */
  'STORE_CORRUPT',
  /** The store cannot be read or written (I/O error, or locked by another process). */
  'STORE_UNAVAILABLE',
  /** A concurrent change got there first (version already taken, status already changed). */
  'STORE_CONFLICT',
  /**
   * An unexpected failure inside the store (a bug). Its message names the
   * original error's type only: messages of runtime errors can quote the
   * values they were given, and those may be keys.
   */
  'INTERNAL_ERROR',
] as const;

export type KeyStoreErrorCode = (typeof KEY_STORE_ERROR_CODES)[number];

export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';

  constructor(
    readonly code: KeyStoreErrorCode,
    message: string,
    /** The request field at fault, when there is one (`source.ksn`, `components[1]`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isKeyStoreError(value: unknown, code?: KeyStoreErrorCode): value is KeyStoreError {
  return value instanceof KeyStoreError && (code === undefined || value.code === code);
}
