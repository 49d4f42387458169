export type OdaErrorCode =
  /** A key used for recovery breaks Book 2 limits (modulus length, exponent 3 or 2^16+1). */
  | 'PUBLIC_KEY_INVALID'
  /** A data element ODA needs is absent or of an impossible length. */
  | 'MISSING_DATA'
  /** Signed data whose length differs from the signing key's modulus (step 1 of each procedure). */
  | 'SIGNATURE_LENGTH'
  /** Signed data not smaller than the modulus: no RSA recovery exists. */
  | 'SIGNATURE_OUT_OF_RANGE'
  /** Recovered Data Trailer is not 'BC'. */
  | 'RECOVERED_DATA_TRAILER'
  /** Recovered Data Header is not '6A'. */
  | 'RECOVERED_DATA_HEADER'
  /** Certificate / Signed Data Format is not '02', '04', '03' or '05' as the procedure expects. */
  | 'DATA_FORMAT'
  /** Hash Algorithm Indicator other than '01' (SHA-1). */
  | 'HASH_ALGORITHM'
  /** The recomputed hash differs from the recovered Hash Result. */
  | 'HASH_MISMATCH'
  /** Issuer Identifier does not match the leftmost PAN digits. */
  | 'ISSUER_IDENTIFIER_MISMATCH'
  /** Recovered PAN differs from the Application PAN (5A). */
  | 'PAN_MISMATCH'
  /** Certificate Expiration Date is not a valid MMYY. */
  | 'CERTIFICATE_DATE_INVALID'
  /** Certificate expired before the transaction date. */
  | 'CERTIFICATE_EXPIRED'
  /** RID, CA index and certificate serial number are on the revocation list. */
  | 'CERTIFICATE_REVOKED'
  /** Public Key Algorithm Indicator other than '01' (RSA). */
  | 'PUBLIC_KEY_ALGORITHM'
  /** Recovered key length inconsistent with the certificate, its remainder or the signing key. */
  | 'PUBLIC_KEY_LENGTH'
  /** Recovered exponent length differs from the exponent data element, or is not 3 / 2^16+1. */
  | 'PUBLIC_KEY_EXPONENT'
  /** ICC Dynamic Data Length, ICC Dynamic Number length or CDA dynamic data layout invalid. */
  | 'DYNAMIC_DATA_FORMAT'
  /** CDA: the CID inside the signature differs from the CID (9F27) of the response. */
  | 'CID_MISMATCH'
  /** CDA: the Transaction Data Hash Code differs from the hash of the transaction data. */
  | 'TRANSACTION_DATA_HASH_MISMATCH'
  /** A record named by the AFL for ODA is not a well-formed template '70' (SFI 1-10). */
  | 'STATIC_DATA_RECORD'
  /** The SDA Tag List holds a tag other than '82'. */
  | 'SDA_TAG_LIST'
  /** A GENERATE AC response that is not a well-formed template '77'. */
  | 'RESPONSE_FORMAT';

/**
 * The only error offline data authentication throws. `check` names the
 * clause of EMV 4.3 Book 2 (or Book 3) whose check failed, so a failed ODA
 * can be traced to the exact step: the terminal then sets the matching TVR bit.
 */
export class OdaError extends Error {
  override readonly name = 'OdaError';

  constructor(
    readonly code: OdaErrorCode,
    readonly check: string,
    message: string,
  ) {
    super(`${check}: ${message}`);
  }
}
