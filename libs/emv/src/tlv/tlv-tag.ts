import { toHex } from '../shared/bytes';
import { TlvError } from './tlv.error';
import type { Tag } from './tlv.types';

export const MAX_TAG_BYTES = 3;

/** EMV Book 3 Annex B1, Table 35: b6 of the first tag byte marks a constructed object. */
export function isConstructedTagByte(firstByte: number): boolean {
  return (firstByte & 0x20) !== 0;
}

export function isConstructedTag(tag: Tag): boolean {
  return isConstructedTagByte(parseInt(tag.slice(0, 2), 16));
}

/**
 * Reads a BER tag at `pos`. EMV Book 3 Annex B1: b5-b1 = 11111 in the first
 * byte means subsequent bytes follow; b8 of each subsequent byte says whether
 * another one does.
 */
export function readTag(buf: Uint8Array, pos: number, end: number): { tag: Tag; next: number } {
  const first = buf[pos];
  if ((first & 0x1f) !== 0x1f) {
    return { tag: toHex(buf.subarray(pos, pos + 1)), next: pos + 1 };
  }
  let i = pos + 1;
  for (;;) {
    if (i >= end) {
      throw new TlvError('TRUNCATED_TAG', 'input ends inside a multi-byte tag', pos);
    }
    const b = buf[i];
    // X.690 §8.1.2.4.2 (c): b7-b1 of the first subsequent byte shall not all be zero.
    if (i === pos + 1 && (b & 0x7f) === 0) {
      throw new TlvError('INVALID_TAG', 'first subsequent tag byte has b7-b1 all zero', pos);
    }
    i++;
    if ((b & 0x80) === 0) break;
    if (i - pos >= MAX_TAG_BYTES) {
      throw new TlvError('TAG_TOO_LONG', `tag longer than ${MAX_TAG_BYTES} bytes`, pos);
    }
  }
  return { tag: toHex(buf.subarray(pos, i)), next: i };
}

/** The bytes of a tag given as hex, checked to be exactly one well-formed BER tag. */
export function tagToBytes(tag: Tag): Uint8Array {
  if (!/^(?:[0-9A-F]{2}){1,3}$/.test(tag)) {
    throw new TlvError(
      'INVALID_TAG',
      `tag "${tag}" is not 1 to 3 upper-case hex bytes`,
      undefined,
      tag,
    );
  }
  const bytes = new Uint8Array(Buffer.from(tag, 'hex'));
  if (bytes[0] === 0x00) {
    throw new TlvError('INVALID_TAG', "tag '00' is reserved for padding", undefined, tag);
  }
  let parsed: { next: number };
  try {
    parsed = readTag(bytes, 0, bytes.length);
  } catch (error) {
    if (error instanceof TlvError) {
      throw new TlvError('INVALID_TAG', `tag "${tag}": ${error.message}`, undefined, tag);
    }
    throw error;
  }
  if (parsed.next !== bytes.length) {
    throw new TlvError(
      'INVALID_TAG',
      `tag "${tag}" has bytes after its last tag byte`,
      undefined,
      tag,
    );
  }
  return bytes;
}
