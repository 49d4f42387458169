import type { TlvNode } from '@tillgate/emv';

/**
 * ISO 8583:1987 data element attributes: a alphabetic, n numeric, s special,
 * an / as / ns / ans their unions, b binary, z track 2/3 code set
 * (ISO/IEC 7813: digits and : ; < = > ?), xn a 'C'/'D' sign then digits.
 * 'ber-tlv' is binary content decoded as EMV BER-TLV (field 55).
 */
export type ContentClass =
  'a' | 'n' | 's' | 'an' | 'as' | 'ns' | 'ans' | 'b' | 'z' | 'xn' | 'ber-tlv';

/** Fixed length, or a length prefix of 2, 3 or 4 digits. */
export type LengthType = 'fixed' | 'llvar' | 'lllvar' | 'llllvar';

/**
 * How the value's bytes are written: `ascii` one character per byte; `bcd`
 * two digits per byte (n, z); `binary` raw bytes (b, ber-tlv); `hex` binary
 * content written as upper-case ASCII hex, two characters per byte.
 */
export type DataEncoding = 'ascii' | 'bcd' | 'binary' | 'hex';

/** How a length prefix is written: ASCII digits, BCD, or an unsigned big-endian binary number. */
export type LengthEncoding = 'ascii' | 'bcd' | 'binary';

interface FieldSpecBase {
  readonly name: string;
  readonly type: LengthType;
  /**
   * Fixed length or maximum length, in content units: digits for n and z,
   * characters for text classes, bytes for b and ber-tlv. For composite
   * fields: bytes of the encoded subfields.
   */
  readonly length: number;
  /** Variable-length fields only; default 'ascii'. */
  readonly lengthEncoding?: LengthEncoding;
}

export interface ScalarFieldSpec extends FieldSpecBase {
  readonly content: Exclude<ContentClass, 'ber-tlv'>;
  readonly encoding: DataEncoding;
  /**
   * Odd-length BCD: the side of the pad nibble. 'left' (right-aligned,
   * default) pads with 0; 'right' (left-aligned) pads with 0 for n and F for z.
   */
  readonly bcdPad?: 'left' | 'right';
  /**
   * Variable-length fields only: the lengths the field may have, in content
   * units, ascending; any other length is refused (LENGTH_MISMATCH) on pack
   * and unpack. For data elements whose length names what they carry, e.g.
   * the acquirer F52: an 8-byte (TDES) or a 16-byte (AES) PIN block.
   */
  readonly allowedLengths?: readonly number[];
}

export interface SubfieldSpec extends ScalarFieldSpec {
  /** Key of the subfield in the composite value. */
  readonly id: string;
}

/** A field made of positional subfields, each with its own spec (F3, F43, F90, F95...). */
export interface CompositeFieldSpec extends FieldSpecBase {
  readonly subfields: readonly SubfieldSpec[];
}

/** A binary field whose bytes are EMV BER-TLV data objects (F55). */
export interface TlvFieldSpec extends FieldSpecBase {
  readonly content: 'ber-tlv';
  readonly encoding: 'binary';
}

export type FieldSpec = ScalarFieldSpec | CompositeFieldSpec | TlvFieldSpec;

/** Fields a message type must and may carry. */
export interface MessageRule {
  readonly name: string;
  readonly mandatory: readonly number[];
  readonly optional: readonly number[];
}

export interface MessageSpec {
  readonly name: string;
  readonly mtiEncoding: 'ascii' | 'bcd';
  /** Binary: 8 bytes per bitmap; hex: 16 ASCII hex characters per bitmap. */
  readonly bitmapEncoding: 'binary' | 'hex';
  /** 2 (primary + secondary, fields up to 128, default) or 3 (bit 65 announces a tertiary bitmap). */
  readonly maxBitmaps?: 2 | 3;
  readonly fields: Readonly<Record<number, FieldSpec>>;
  /** When present, only these MTIs are accepted, each with its field rules. */
  readonly messages?: Readonly<Record<string, MessageRule>>;
}

export type CompositeValue = Readonly<Record<string, string | Uint8Array>>;

/** string for text, numeric and track classes; Uint8Array for b; nodes for ber-tlv; a record for composites. */
export type FieldValue = string | Uint8Array | CompositeValue | readonly TlvNode[];

export interface IsoMessage {
  readonly mti: string;
  readonly fields: Readonly<Record<number, FieldValue>>;
}

export function isCompositeSpec(spec: FieldSpec): spec is CompositeFieldSpec {
  return 'subfields' in spec;
}
