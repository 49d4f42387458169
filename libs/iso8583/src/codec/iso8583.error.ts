export type Iso8583ErrorCode =
  /** MTI not four decimal digits (ASCII or BCD). */
  | 'BAD_MTI'
  /** MTI the spec does not list. */
  | 'UNSUPPORTED_MTI'
  /** Input ends inside the MTI, a bitmap or a field. */
  | 'TRUNCATED'
  /** Hex bitmap with a non-hex character. */
  | 'BAD_BITMAP'
  /** Bitmap (or message) names a field the spec does not define. */
  | 'UNDEFINED_FIELD'
  /** Length prefix with a non-digit (ASCII) or a nibble above 9 (BCD). */
  | 'BAD_LENGTH_HEADER'
  /** Variable-length field longer than its maximum. */
  | 'LENGTH_OVER_MAX'
  /**
   * Fixed-length field value of another length (packing: values are never
   * padded silently), or a variable field of a length its `allowedLengths`
   * does not list (packing and unpacking).
   */
  | 'LENGTH_MISMATCH'
  /** Character outside the field's content class (non-digit in n, control byte in ans...). */
  | 'INVALID_CHARACTER'
  /** Odd-length BCD whose pad nibble is not the one the spec expects. */
  | 'BAD_PADDING'
  /** Field declared as BER-TLV whose bytes do not decode (field 55). */
  | 'INVALID_TLV'
  /** Subfields that do not fill their composite field exactly. */
  | 'COMPOSITE_LENGTH'
  /** Packing: a value of the wrong type, or a composite missing a subfield. */
  | 'INVALID_VALUE'
  /** Bytes after the last field the bitmap announces. */
  | 'TRAILING_DATA'
  /** A field the spec's message rules make mandatory for this MTI is absent. */
  | 'MISSING_FIELD'
  /** A field the spec's message rules do not allow for this MTI. */
  | 'FIELD_NOT_PERMITTED';

/**
 * The only error pack and unpack throw for message content. `field` is the
 * data element number, with 0 for the MTI and 1 for the bitmaps; `subfield`
 * names the part of a composite field; `offset` is the byte position in the
 * unpacked input where the problem was found.
 */
export class Iso8583Error extends Error {
  override readonly name = 'Iso8583Error';

  constructor(
    readonly code: Iso8583ErrorCode,
    readonly field: number,
    message: string,
    readonly details: {
      readonly subfield?: string;
      readonly offset?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(
      `${field === 0 ? 'MTI' : field === 1 ? 'bitmap' : `field ${field}`}${details.subfield ? `.${details.subfield}` : ''}: ${message}` +
        (details.offset === undefined ? '' : ` (at byte ${details.offset})`),
    );
  }

  get subfield(): string | undefined {
    return this.details.subfield;
  }

  get offset(): number | undefined {
    return this.details.offset;
  }
}

/** A message spec that breaks the rules of ISO 8583 or of this codec: a programming error. */
export class Iso8583SpecError extends Error {
  override readonly name = 'Iso8583SpecError';

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}
