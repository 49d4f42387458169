import { concatBytes, copyBytes } from '../shared/bytes';
import { isConstructedTagByte, readTag, tagToBytes } from './tlv-tag';
import { TlvError } from './tlv.error';
import type { TlvDecodeOptions, TlvNode, TlvPadding, TlvSpan } from './tlv.types';

export const DEFAULT_MAX_DEPTH = 8;
/** EMV Book 3 Annex B2: at most '83' followed by three length bytes. */
const MAX_LENGTH_BYTES = 3;
const MAX_VALUE_LENGTH = 0xffffff;

interface Settings {
  readonly maxDepth: number;
  readonly padding: TlvPadding;
}

function settingsOf(options: TlvDecodeOptions | undefined): Settings {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 64) {
    throw new RangeError(`maxDepth must be an integer from 1 to 64, got ${maxDepth}`);
  }
  return { maxDepth, padding: options?.padding ?? 'emv' };
}

function isPadding(byte: number, padding: TlvPadding): boolean {
  if (padding === 'none') return false;
  return byte === 0x00 || (padding === 'iso7816' && byte === 0xff);
}

/** EMV Book 3 Annex B2: short form below '80', else '81'-'83' then 1-3 length bytes. */
function readLength(buf: Uint8Array, pos: number, end: number): { length: number; next: number } {
  if (pos >= end) {
    throw new TlvError('TRUNCATED_LENGTH', 'input ends before the length field', pos);
  }
  const first = buf[pos];
  if (first < 0x80) return { length: first, next: pos + 1 };
  if (first === 0x80) {
    throw new TlvError('INDEFINITE_LENGTH', "indefinite length '80' is not allowed in EMV", pos);
  }
  const count = first & 0x7f;
  if (count > MAX_LENGTH_BYTES) {
    throw new TlvError(
      'LENGTH_TOO_LONG',
      `length field of ${count + 1} bytes; EMV allows up to 4`,
      pos,
    );
  }
  if (pos + 1 + count > end) {
    throw new TlvError('TRUNCATED_LENGTH', 'input ends inside a long-form length field', pos + 1);
  }
  let length = 0;
  for (let i = 1; i <= count; i++) length = length * 256 + buf[pos + i];
  return { length, next: pos + 1 + count };
}

/** Reads the header of the data object at `pos` and checks that its value fits before `end`. */
function readSpan(buf: Uint8Array, pos: number, end: number): TlvSpan {
  if (buf[pos] === 0x00) {
    throw new TlvError('INVALID_TAG', "tag '00' where no padding is allowed", pos);
  }
  const { tag, next } = readTag(buf, pos, end);
  const { length, next: valueStart } = readLength(buf, next, end);
  if (length > end - valueStart) {
    throw new TlvError(
      'LENGTH_BEYOND_BUFFER',
      `tag ${tag} declares ${length} value bytes but only ${end - valueStart} remain`,
      valueStart,
    );
  }
  return {
    tag,
    constructed: isConstructedTagByte(buf[pos]),
    start: pos,
    valueStart,
    end: valueStart + length,
  };
}

function skipPadding(buf: Uint8Array, pos: number, end: number, settings: Settings): number {
  while (pos < end && isPadding(buf[pos], settings.padding)) pos++;
  return pos;
}

function decodeRange(
  buf: Uint8Array,
  start: number,
  end: number,
  depth: number,
  settings: Settings,
): TlvNode[] {
  const nodes: TlvNode[] = [];
  let pos = skipPadding(buf, start, end, settings);
  while (pos < end) {
    const span = readSpan(buf, pos, end);
    nodes.push(nodeOf(buf, span, depth, settings));
    pos = skipPadding(buf, span.end, end, settings);
  }
  return nodes;
}

function nodeOf(buf: Uint8Array, span: TlvSpan, depth: number, settings: Settings): TlvNode {
  if (!span.constructed) {
    return { tag: span.tag, value: copyBytes(buf, span.valueStart, span.end) };
  }
  if (span.end > span.valueStart && depth >= settings.maxDepth) {
    throw new TlvError(
      'NESTING_TOO_DEEP',
      `template ${span.tag} would nest deeper than ${settings.maxDepth} levels`,
      span.start,
    );
  }
  return {
    tag: span.tag,
    children: decodeRange(buf, span.valueStart, span.end, depth + 1, settings),
  };
}

/**
 * Decodes a sequence of BER-TLV data objects (EMV Book 3 Annex B), descending
 * into constructed templates. Throws only {@link TlvError}.
 */
export function decodeTlv(bytes: Uint8Array, options?: TlvDecodeOptions): TlvNode[] {
  return decodeRange(bytes, 0, bytes.length, 1, settingsOf(options));
}

/**
 * Decodes exactly one data object (a card response such as '77...' or '70...'),
 * allowing padding around it; anything else after it is TRAILING_DATA.
 */
export function decodeSingleTlv(bytes: Uint8Array, options?: TlvDecodeOptions): TlvNode {
  const settings = settingsOf(options);
  const start = skipPadding(bytes, 0, bytes.length, settings);
  if (start >= bytes.length) {
    throw new TlvError('NO_DATA_OBJECT', 'no data object in the input', start);
  }
  const span = readSpan(bytes, start, bytes.length);
  const node = nodeOf(bytes, span, 1, settings);
  const rest = skipPadding(bytes, span.end, bytes.length, settings);
  if (rest < bytes.length) {
    throw new TlvError('TRAILING_DATA', `unexpected bytes after data object ${span.tag}`, rest);
  }
  return node;
}

/**
 * The top-level data objects of `bytes` with their byte positions, without
 * decoding their values. For hashing data exactly as the card sent it (CDA,
 * EMV Book 2 §6.6), where re-encoding could differ from the received bytes.
 */
export function scanTlv(bytes: Uint8Array, options?: TlvDecodeOptions): TlvSpan[] {
  const settings = settingsOf(options);
  const spans: TlvSpan[] = [];
  let pos = skipPadding(bytes, 0, bytes.length, settings);
  while (pos < bytes.length) {
    const span = readSpan(bytes, pos, bytes.length);
    spans.push(span);
    pos = skipPadding(bytes, span.end, bytes.length, settings);
  }
  return spans;
}

export function encodeLength(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_VALUE_LENGTH) {
    throw new TlvError('VALUE_TOO_LONG', `length ${length} cannot be encoded in EMV BER-TLV`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  if (length <= 0xffff) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  return Uint8Array.of(0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
}

function encodeNode(node: TlvNode): Uint8Array {
  const tag = tagToBytes(node.tag);
  const constructed = isConstructedTagByte(tag[0]);
  let value: Uint8Array;
  if ('children' in node) {
    if (!constructed) {
      throw new TlvError(
        'CONSTRUCTED_MISMATCH',
        `primitive tag ${node.tag} given children`,
        undefined,
        node.tag,
      );
    }
    value = concatBytes(...node.children.map(encodeNode));
  } else {
    if (constructed) {
      throw new TlvError(
        'CONSTRUCTED_MISMATCH',
        `constructed tag ${node.tag} given a raw value`,
        undefined,
        node.tag,
      );
    }
    value = node.value;
  }
  return concatBytes(tag, encodeLength(value.length), value);
}

/** Encodes data objects with minimal (DER-style) lengths. */
export function encodeTlv(nodes: TlvNode | readonly TlvNode[]): Uint8Array {
  const list: readonly TlvNode[] = Array.isArray(nodes) ? nodes : [nodes as TlvNode];
  return concatBytes(...list.map(encodeNode));
}
