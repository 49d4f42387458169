import { lookupTag, type TagFormat } from '../dictionary/tag-dictionary';
import { concatBytes, copyBytes, filledBytes } from '../shared/bytes';
import { isConstructedTag, readTag } from '../tlv/tlv-tag';
import { TlvError } from '../tlv/tlv.error';
import type { Tag } from '../tlv/tlv.types';

/** One entry of a Data Object List (PDOL, CDOL1, CDOL2, DDOL, TDOL). */
export interface DolEntry {
  readonly tag: Tag;
  readonly length: number;
}

/** Where DOL values come from: a map or a look-up function. */
export type DolSource = ReadonlyMap<Tag, Uint8Array> | ((tag: Tag) => Uint8Array | undefined);

export interface DolBuildOptions {
  /** Format used for padding and truncation; defaults to the EMV tag dictionary, then 'b'. */
  readonly formatOf?: (tag: Tag) => TagFormat | undefined;
}

/** EMV Book 3 §5.4: a DOL is a concatenation of BER tags, each followed by a one-byte length. */
export function parseDol(dol: Uint8Array): DolEntry[] {
  const entries: DolEntry[] = [];
  let pos = 0;
  while (pos < dol.length) {
    if (dol[pos] === 0x00) {
      throw new TlvError('INVALID_TAG', "tag '00' in a data object list", pos);
    }
    const { tag, next } = readTag(dol, pos, dol.length);
    if (next >= dol.length) {
      throw new TlvError('TRUNCATED_LENGTH', `DOL entry ${tag} has no length byte`, next);
    }
    entries.push({ tag, length: dol[next] });
    pos = next + 1;
  }
  return entries;
}

export function dolDataLength(dol: Uint8Array | readonly DolEntry[]): number {
  return entriesOf(dol).reduce((n, e) => n + e.length, 0);
}

function entriesOf(dol: Uint8Array | readonly DolEntry[]): readonly DolEntry[] {
  return dol instanceof Uint8Array ? parseDol(dol) : dol;
}

function lookup(sources: readonly DolSource[], tag: Tag): Uint8Array | undefined {
  for (const source of sources) {
    const value = typeof source === 'function' ? source(tag) : source.get(tag);
    if (value) return value;
  }
  return undefined;
}

/**
 * Fits one value to the length a DOL entry asks for (EMV Book 3 §5.4 step 2):
 * format n keeps the rightmost bytes / pads zeros on the left; format cn keeps
 * the leftmost bytes / pads 'F' on the right; any other format keeps the
 * leftmost bytes / pads zeros on the right.
 */
export function fitToDolLength(value: Uint8Array, length: number, format: TagFormat): Uint8Array {
  if (value.length === length) return copyBytes(value);
  if (value.length > length) {
    return format === 'n' ? copyBytes(value, value.length - length) : copyBytes(value, 0, length);
  }
  const padding = filledBytes(length - value.length, format === 'cn' ? 0xff : 0x00);
  return format === 'n' ? concatBytes(padding, value) : concatBytes(value, padding);
}

/**
 * The DOL-related data for `dol` (EMV Book 3 §5.4): the values of the listed
 * data objects, each fitted to its entry's length. The first source holding a
 * tag wins. A tag found in no source, or one of a constructed data object,
 * contributes zeros (§5.4 steps 2a, 2b).
 */
export function buildDolData(
  dol: Uint8Array | readonly DolEntry[],
  sources: DolSource | readonly DolSource[],
  options: DolBuildOptions = {},
): Uint8Array {
  const list: readonly DolSource[] = Array.isArray(sources) ? sources : [sources as DolSource];
  const formatOf = options.formatOf ?? ((tag: Tag) => lookupTag(tag)?.format);
  return concatBytes(
    ...entriesOf(dol).map(({ tag, length }) => {
      const value = isConstructedTag(tag) ? undefined : lookup(list, tag);
      return value ? fitToDolLength(value, length, formatOf(tag) ?? 'b') : new Uint8Array(length);
    }),
  );
}

/**
 * Splits DOL-related data back into values by tag (the card side of a
 * GENERATE AC, or an issuer reading CDOL1 data). A tag listed twice keeps its
 * first value. The data must be exactly as long as the DOL asks.
 */
export function splitDolData(
  dol: Uint8Array | readonly DolEntry[],
  data: Uint8Array,
): Map<Tag, Uint8Array> {
  const entries = entriesOf(dol);
  const expected = dolDataLength(entries);
  if (data.length !== expected) {
    throw new TlvError(
      'DOL_DATA_LENGTH_MISMATCH',
      `DOL-related data is ${data.length} bytes; the DOL asks for ${expected}`,
      Math.min(data.length, expected),
    );
  }
  const values = new Map<Tag, Uint8Array>();
  let pos = 0;
  for (const { tag, length } of entries) {
    if (!values.has(tag)) values.set(tag, copyBytes(data, pos, pos + length));
    pos += length;
  }
  return values;
}
