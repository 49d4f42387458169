import { CryptoError } from '../primitives';

declare module '../primitives/crypto-error' {
  interface CryptoErrorCodes {
    /** Key block version other than A, B, C or D. */
    TR31_UNSUPPORTED_VERSION: true;
    /** Length field disagrees with the block, or a part has an impossible length. */
    TR31_INVALID_LENGTH: true;
    /** A fixed header field holds characters the standard does not allow. */
    TR31_INVALID_HEADER: true;
    /** An optional block is malformed, repeated, misplaced or leaves the header unpadded. */
    TR31_INVALID_OPTIONAL_BLOCK: true;
    /** Encrypted payload or MAC is not upper-case hex. */
    TR31_INVALID_ENCODING: true;
    /** The key block protection key does not fit the version (TDES for A/B/C, AES for D). */
    TR31_INVALID_KBPK: true;
    /** The key block MAC does not verify: wrong KBPK, or header or payload altered. */
    TR31_MAC_MISMATCH: true;
    /** The authenticated key length field does not fit the payload or the key algorithm. */
    TR31_INVALID_KEY_LENGTH: true;
  }
}

export type Tr31ErrorCode =
  | 'TR31_UNSUPPORTED_VERSION'
  | 'TR31_INVALID_LENGTH'
  | 'TR31_INVALID_HEADER'
  | 'TR31_INVALID_OPTIONAL_BLOCK'
  | 'TR31_INVALID_ENCODING'
  | 'TR31_INVALID_KBPK'
  | 'TR31_MAC_MISMATCH'
  | 'TR31_INVALID_KEY_LENGTH';

/** A key block was refused. Messages name the field at fault, never key bytes. */
export class Tr31Error extends CryptoError {
  declare readonly code: Tr31ErrorCode;

  constructor(code: Tr31ErrorCode, message: string, field?: string) {
    super(code, message, field);
  }
}
