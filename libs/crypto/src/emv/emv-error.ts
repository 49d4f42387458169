import { CryptoError } from '../primitives';

declare module '../primitives/crypto-error' {
  interface CryptoErrorCodes {
    /** An EMV data element has the wrong length or form; `field` names its tag or parameter. */
    EMV_INVALID_DATA: true;
    /** Issuer application data (9F10) that does not follow the scheme's layout. */
    EMV_INVALID_IAD: true;
    /** A cryptogram version number this lib has no profile for. */
    EMV_UNSUPPORTED_CVN: true;
  }
}

export type EmvErrorCode = 'EMV_INVALID_DATA' | 'EMV_INVALID_IAD' | 'EMV_UNSUPPORTED_CVN';

export class EmvError extends CryptoError {
  declare readonly code: EmvErrorCode;

  constructor(code: EmvErrorCode, message: string, field?: string) {
    super(code, message, field);
  }
}

export function requireLength(value: Buffer, length: number, field: string): void {
  if (!Buffer.isBuffer(value) || value.length !== length) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      `${field} must be ${length} bytes, got ${Buffer.isBuffer(value) ? value.length : typeof value}`,
      field,
    );
  }
}
