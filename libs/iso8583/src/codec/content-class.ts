import type { ContentClass, DataEncoding, LengthType } from '../spec/field-spec.types';

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isAlpha = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const isPrintable = (b: number): boolean => b >= 0x20 && b <= 0x7e;
const isSpecial = (b: number): boolean => isPrintable(b) && !isDigit(b) && !isAlpha(b);

type TextClass = Exclude<ContentClass, 'b' | 'ber-tlv'>;

/** ISO 8583:1987 data element attributes; space is a special character. */
const ALLOWED: Record<TextClass, (b: number, index: number) => boolean> = {
  a: isAlpha,
  n: isDigit,
  s: isSpecial,
  an: (b) => isAlpha(b) || isDigit(b),
  as: (b) => isAlpha(b) || isSpecial(b),
  ns: (b) => isDigit(b) || isSpecial(b),
  ans: isPrintable,
  // ISO/IEC 7813 track 2/3 characters: '0'-'9' and ':' ';' '<' '=' '>' '?' (0x30-0x3F).
  z: (b) => b >= 0x30 && b <= 0x3f,
  // Amount with a debit/credit sign: 'C' or 'D', then digits.
  xn: (b, i) => (i === 0 ? b === 0x43 || b === 0x44 : isDigit(b)),
};

/** Index (from `start`) of the first byte of `bytes[start..end)` outside the class, or -1. */
export function firstInvalid(
  content: TextClass,
  bytes: ArrayLike<number>,
  start = 0,
  end = bytes.length,
): number {
  const ok = ALLOWED[content];
  for (let i = start; i < end; i++) if (!ok(bytes[i], i - start)) return i - start;
  return -1;
}

/** Index of the first character (by UTF-16 code unit) of `text` outside the class, or -1. */
export function firstInvalidChar(content: TextClass, text: string): number {
  const ok = ALLOWED[content];
  for (let i = 0; i < text.length; i++) if (!ok(text.charCodeAt(i), i)) return i;
  return -1;
}

/** Which data encodings make sense for each content class. */
export const ENCODINGS: Record<ContentClass, readonly DataEncoding[]> = {
  a: ['ascii'],
  n: ['ascii', 'bcd'],
  s: ['ascii'],
  an: ['ascii'],
  as: ['ascii'],
  ns: ['ascii'],
  ans: ['ascii'],
  z: ['ascii', 'bcd'],
  xn: ['ascii'],
  b: ['binary', 'hex'],
  'ber-tlv': ['binary'],
};

export const PREFIX_DIGITS: Record<Exclude<LengthType, 'fixed'>, number> = {
  llvar: 2,
  lllvar: 3,
  llllvar: 4,
};

/** Bytes that `length` content units take in `encoding`. */
export function encodedLength(length: number, encoding: DataEncoding): number {
  switch (encoding) {
    case 'ascii':
    case 'binary':
      return length;
    case 'bcd':
      return Math.ceil(length / 2);
    case 'hex':
      return length * 2;
  }
}
