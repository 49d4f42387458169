import { CryptoError } from '../primitives';

declare module '../primitives/crypto-error' {
  interface CryptoErrorCodes {
    /** A certificate signing request that is malformed, badly signed, too weak, or names another terminal. */
    PKI_INVALID_CSR: true;
    /** A certificate that does not chain to the terminal CA (signature, issuer, CA constraints). */
    PKI_CERT_UNTRUSTED: true;
    /** A certificate outside its validity period. */
    PKI_CERT_EXPIRED: true;
    /** A certificate before its notBefore. */
    PKI_CERT_NOT_YET_VALID: true;
    /** A certificate on the issuing CA's CRL. */
    PKI_CERT_REVOKED: true;
    /** A certificate that is not a terminal (client) certificate: a CA, no clientAuth, no terminal id. */
    PKI_NOT_TERMINAL_CERT: true;
    /** A CRL that is malformed, not signed by the issuing CA, or not from it. */
    PKI_CRL_INVALID: true;
    /** A CRL past its nextUpdate (or not yet valid): revocation status is unknown, so the check fails closed. */
    PKI_CRL_STALE: true;
  }
}

export type PkiErrorCode =
  | 'PKI_INVALID_CSR'
  | 'PKI_CERT_UNTRUSTED'
  | 'PKI_CERT_EXPIRED'
  | 'PKI_CERT_NOT_YET_VALID'
  | 'PKI_CERT_REVOKED'
  | 'PKI_NOT_TERMINAL_CERT'
  | 'PKI_CRL_INVALID'
  | 'PKI_CRL_STALE'
  | 'INVALID_ARGUMENT';

export class PkiError extends CryptoError {
  declare readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, field?: string) {
    super(code, message, field);
  }
}
