import { fromHex } from '../shared/bytes';
import { TlvError } from './tlv.error';
import type { Tag, TlvConstructed, TlvNode, TlvPrimitive } from './tlv.types';

export function isConstructedNode(node: TlvNode): node is TlvConstructed {
  return 'children' in node;
}

/** A primitive node; `value` as bytes or as hex. */
export function primitive(tag: Tag, value: Uint8Array | string): TlvPrimitive {
  return { tag, value: typeof value === 'string' ? fromHex(value) : value };
}

export function constructed(tag: Tag, children: readonly TlvNode[]): TlvConstructed {
  return { tag, children };
}

/** First node with `tag`, depth-first in document order. */
export function findTlv(nodes: readonly TlvNode[], tag: Tag): TlvNode | undefined {
  for (const node of nodes) {
    if (node.tag === tag) return node;
    if (isConstructedNode(node)) {
      const found = findTlv(node.children, tag);
      if (found) return found;
    }
  }
  return undefined;
}

/** Value of the first primitive node with `tag`. */
export function findValue(nodes: readonly TlvNode[], tag: Tag): Uint8Array | undefined {
  const node = findTlv(nodes, tag);
  return node && !isConstructedNode(node) ? node.value : undefined;
}

/**
 * Every primitive data object inside `nodes` (templates flattened) by tag.
 * A repeated primitive tag is a DUPLICATE_TAG error: EMV Book 3 §10.2 has the
 * terminal end the transaction on redundant primitive data objects.
 */
export function flattenTlv(nodes: readonly TlvNode[]): Map<Tag, Uint8Array> {
  const map = new Map<Tag, Uint8Array>();
  const visit = (list: readonly TlvNode[]): void => {
    for (const node of list) {
      if (isConstructedNode(node)) {
        visit(node.children);
      } else if (map.has(node.tag)) {
        throw new TlvError(
          'DUPLICATE_TAG',
          `primitive tag ${node.tag} occurs more than once`,
          undefined,
          node.tag,
        );
      } else {
        map.set(node.tag, node.value);
      }
    }
  };
  visit(nodes);
  return map;
}
