import { CryptoError } from '../primitives';

declare module '../primitives/crypto-error' {
  interface CryptoErrorCodes {
    /** A PAN whose last digit is not its Luhn check digit (ISO/IEC 7812-1 Annex B). */
    PAN_LUHN_MISMATCH: true;
    /** A vault entry that fails AES-GCM authentication: tampered, wrong key or wrong token. */
    PAN_VAULT_AUTHENTICATION_FAILED: true;
    /** A serialized vault entry that is not of the documented form. */
    PAN_VAULT_ENTRY_MALFORMED: true;
  }
}

export type PanErrorCode = 'INVALID_PAN' | 'PAN_LUHN_MISMATCH';

/** A PAN was refused. The message says why but never contains the digits. */
export class PanError extends CryptoError {
  declare readonly code: PanErrorCode;

  constructor(code: PanErrorCode, message: string, field = 'pan') {
    super(code, message, field);
  }
}

export type PanVaultErrorCode = 'PAN_VAULT_AUTHENTICATION_FAILED' | 'PAN_VAULT_ENTRY_MALFORMED';

export class PanVaultError extends CryptoError {
  declare readonly code: PanVaultErrorCode;

  constructor(code: PanVaultErrorCode, message: string, field = 'entry') {
    super(code, message, field);
  }
}
