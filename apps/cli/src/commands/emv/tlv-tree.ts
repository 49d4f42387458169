import { decodeTlv, lookupTag, scanTlv, toHex } from '@tillgate/emv';
import { maskPan, maskTrack2 } from './card-data.mask';

/** One data object as `tillgate emv tlv decode --json` prints it. */
export interface TlvTreeNode {
  readonly tag: string;
  /** EMV Book 3 Annex A name; null for a tag the dictionary does not know. */
  readonly name: string | null;
  /** Length of the value in bytes. */
  readonly length: number;
  /** The value's bytes as received, upper-case hex (for a template: its encoded children). */
  readonly value: string;
  /** Templates (constructed tags) only. */
  readonly children?: readonly TlvTreeNode[];
}

/**
 * Decodes BER-TLV into a tree that keeps every value's bytes exactly as
 * received. `decodeTlv` runs first, so malformed input is a TlvError with its
 * offset before anything is built.
 */
export function tlvTree(bytes: Uint8Array): TlvTreeNode[] {
  decodeTlv(bytes);
  return spansOf(bytes);
}

function spansOf(bytes: Uint8Array): TlvTreeNode[] {
  return scanTlv(bytes).map((span) => {
    const value = bytes.subarray(span.valueStart, span.end);
    return {
      tag: span.tag,
      name: lookupTag(span.tag)?.name ?? null,
      length: value.length,
      value: toHex(value),
      ...(span.constructed ? { children: spansOf(value) } : {}),
    };
  });
}

const TEXT_FORMATS = new Set(['a', 'an', 'ans']);

/** Card data in the readable view: the PAN (5A) and track 2 equivalent data (57) masked. */
function shown(node: TlvTreeNode): string {
  switch (node.tag) {
    case '5A':
      return `${maskPan(node.value.replace(/F+$/, ''))} (masked)`;
    case '57':
      return `${maskTrack2(node.value.replace(/F$/, ''), 'D')} (masked)`;
    default:
      return node.value;
  }
}

/**
 * Indented lines: `9F02 Amount, Authorised (Numeric) [6] 000000001000`; text
 * values also shown as text, card data masked (the JSON tree is exact).
 */
export function renderTlvTree(nodes: readonly TlvTreeNode[], indent = ''): string[] {
  return nodes.flatMap((node) => {
    const head = `${indent}${node.tag} ${node.name ?? '(unknown tag)'} [${node.length}]`;
    if (node.children) return [head, ...renderTlvTree(node.children, `${indent}  `)];
    const format = lookupTag(node.tag)?.format;
    const text =
      format && TEXT_FORMATS.has(format)
        ? ` "${Buffer.from(node.value, 'hex')
            .toString('latin1')
            .replace(/[^\x20-\x7E]/g, '.')}"`
        : '';
    return [`${head} ${shown(node)}${text}`];
  });
}
