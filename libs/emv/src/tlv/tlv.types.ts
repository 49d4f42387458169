/** Tags are upper-case hex strings as the specifications print them: '9F02', 'BF0C'. */
export type Tag = string;

export interface TlvPrimitive {
  readonly tag: Tag;
  readonly value: Uint8Array;
}

export interface TlvConstructed {
  readonly tag: Tag;
  readonly children: readonly TlvNode[];
}

export type TlvNode = TlvPrimitive | TlvConstructed;

/**
 * Which bytes between data objects are skipped as padding:
 * - `emv`: '00' (EMV Book 3 Annex B: "before, between, or after TLV-coded data
 *   objects, '00' bytes without any meaning may occur");
 * - `iso7816`: '00' and 'FF' (ISO/IEC 7816-4 §5.2.2.1); only for data known
 *   to carry no private-class constructed tags such as 'FF8102';
 * - `none`: no padding at all (a '00' byte is an invalid tag).
 */
export type TlvPadding = 'emv' | 'iso7816' | 'none';

export interface TlvDecodeOptions {
  /** Maximum nesting of templates; top-level objects are depth 1. Default 8. */
  readonly maxDepth?: number;
  /** Default `emv`. */
  readonly padding?: TlvPadding;
}

/** Where one data object sits in the decoded input. */
export interface TlvSpan {
  readonly tag: Tag;
  readonly constructed: boolean;
  /** Offset of the first tag byte. */
  readonly start: number;
  /** Offset of the first value byte. */
  readonly valueStart: number;
  /** Offset one past the last value byte. */
  readonly end: number;
}
