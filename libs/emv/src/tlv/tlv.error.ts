export type TlvErrorCode =
  /** The input ends inside a multi-byte tag. */
  | 'TRUNCATED_TAG'
  /** A tag that BER or EMV forbids (first subsequent byte '80', '00' reserved for padding, not hex). */
  | 'INVALID_TAG'
  /** A tag longer than 3 bytes (ISO/IEC 7816-4 §5.2.2.1, the longest EMV uses). */
  | 'TAG_TOO_LONG'
  /** The input ends inside a length field. */
  | 'TRUNCATED_LENGTH'
  /** Length byte '80': the indefinite form, which EMV does not use. */
  | 'INDEFINITE_LENGTH'
  /** Length form '84' or longer: EMV Book 3 Annex B2 goes up to '83'. */
  | 'LENGTH_TOO_LONG'
  /** The value runs past the end of the input or of its enclosing template. */
  | 'LENGTH_BEYOND_BUFFER'
  /** Templates nested deeper than the configured limit. */
  | 'NESTING_TOO_DEEP'
  /** Bytes after the single data object that was expected. */
  | 'TRAILING_DATA'
  /** No data object where exactly one was expected. */
  | 'NO_DATA_OBJECT'
  /** The same primitive tag occurs twice where EMV forbids it. */
  | 'DUPLICATE_TAG'
  /** DOL-related data whose length differs from the sum of the DOL's lengths. */
  | 'DOL_DATA_LENGTH_MISMATCH'
  /** Encoding: a node whose shape disagrees with its tag's constructed bit (b6). */
  | 'CONSTRUCTED_MISMATCH'
  /** Encoding: a value longer than a 3-byte length field can express. */
  | 'VALUE_TOO_LONG';

/**
 * The only error the TLV and DOL decoders throw. `offset` is a position in the
 * decoded input: the first byte of the tag for tag and nesting errors, the
 * first missing byte for truncated lengths and values (as pyemv reports it),
 * the length byte for refused length forms, the first extra byte for
 * TRAILING_DATA. Encoding errors have no offset and name the `tag`.
 */
export class TlvError extends Error {
  override readonly name = 'TlvError';

  constructor(
    readonly code: TlvErrorCode,
    message: string,
    readonly offset?: number,
    readonly tag?: string,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}
