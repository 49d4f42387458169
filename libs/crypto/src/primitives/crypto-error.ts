/**
 * Every error raised by @tillgate/crypto. The `code` is the stable contract
 * (transports map it exhaustively); the message is for humans and never
 * carries key material, a PIN or a full PAN.
 *
 * Codes are the keys of `CryptoErrorCodes`. Another area of this lib adds its
 * own codes by module augmentation, without editing this file:
 *
 *   declare module '../primitives/crypto-error' {
 *     interface CryptoErrorCodes { TR31_MAC_MISMATCH: true }
 *   }
 */
export interface CryptoErrorCodes {
  /** Text that should be hex has an odd length or a non-hex character. */
  INVALID_HEX: true;
  /** A key has a length the algorithm does not accept. */
  INVALID_KEY_LENGTH: true;
  /** Data is not a whole number of cipher blocks, or is otherwise mis-sized. */
  INVALID_DATA_LENGTH: true;
  /** An initialisation vector is not exactly one block. */
  INVALID_IV_LENGTH: true;
  /** Two operands that must have equal length do not. */
  LENGTH_MISMATCH: true;
  /** An argument outside its documented domain (padding method, KCV length...). */
  INVALID_ARGUMENT: true;
  /** A key serial number is malformed (length, initial key ID). */
  INVALID_KSN: true;
  /** A DUKPT transaction counter is not one a device can have used (zero, out of range, too many one bits). */
  INVALID_KSN_COUNTER: true;
  /** A DUKPT device has used its last transaction counter. */
  KSN_COUNTER_EXHAUSTED: true;
  /** A DUKPT key usage or key type that the standard does not define, or a key stronger than its BDK. */
  INVALID_KEY_USAGE: true;
  /** A PIN that is not 4 to 12 decimal digits. */
  INVALID_PIN: true;
  /** A PAN that is not decimal digits of an acceptable length. */
  INVALID_PAN: true;
  /** A clear PIN block whose structure violates its format (control field, length, fill). */
  INVALID_PIN_BLOCK: true;
  /** A PIN block whose PAN-dependent part does not match the PAN given. */
  PIN_BLOCK_PAN_MISMATCH: true;
  /** A PIN block format that this operation does not support. */
  UNSUPPORTED_PIN_BLOCK_FORMAT: true;
}

export type CryptoErrorCode = keyof CryptoErrorCodes;

export class CryptoError extends Error {
  override readonly name = 'CryptoError';

  constructor(
    readonly code: CryptoErrorCode,
    message: string,
    /** The argument or field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isCryptoError(value: unknown, code?: CryptoErrorCode): value is CryptoError {
  return value instanceof CryptoError && (code === undefined || value.code === code);
}
