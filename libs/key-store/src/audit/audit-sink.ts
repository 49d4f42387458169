import type { KeyStoreErrorCode } from '../key-store-error';

/** Every key operation the store performs, administrative or payment. */
export type KeyOperation =
  | 'import-key'
  | 'generate-key'
  | 'rotate-key'
  | 'retire-key'
  | 'list-keys'
  | 'verify-dukpt-mac'
  | 'accept-dukpt-ksn'
  | 'generate-dukpt-response-mac'
  | 'decrypt-track-data'
  | 'translate-pin-block'
  | 'verify-arqc'
  | 'generate-mac'
  | 'verify-mac'
  | 'tokenize-pan'
  | 'seal-pan'
  | 'open-pan';

/**
 * One key used by one operation. It names the key and its KCV, never key
 * material, a PIN, a PIN block, a PAN or a KSN-derived key. An operation on
 * two keys (PIN translation) emits one event per key, told apart by `role`.
 */
export interface KeyAuditEvent {
  readonly type: KeyOperation;
  readonly keyId: string;
  /** Absent when the request failed before a version was resolved (unknown key). */
  readonly keyVersion?: number;
  /** Present once the key block has been authenticated. */
  readonly kcv?: string;
  readonly role?: 'source' | 'destination';
  readonly outcome: 'success' | 'failure';
  /** The error code of a failure. */
  readonly reason?: KeyStoreErrorCode;
  /** ISO 8601. */
  readonly at: string;
}

/** Where audit events go. A sink that throws fails the operation: the store does not act unaudited. */
export interface AuditSink {
  record(event: KeyAuditEvent): Promise<void> | void;
}
