import fc from 'fast-check';
import { bytesEqual, fromHex, toHex } from '../shared/bytes';
import shared from '../test-data/tlv.json';
import pyemv from '../test-data/tlv-pyemv.json';
import { decodeSingleTlv, decodeTlv, encodeTlv, scanTlv } from './tlv.codec';
import { TlvError } from './tlv.error';
import { constructed, findValue, flattenTlv, primitive } from './tlv.query';
import type { TlvDecodeOptions, TlvNode } from './tlv.types';

interface VectorNode {
  tag: string;
  length: number;
  value?: string;
  children?: VectorNode[];
}

function fromVector(node: VectorNode): TlvNode {
  return node.children
    ? constructed(node.tag, node.children.map(fromVector))
    : primitive(node.tag, node.value ?? '');
}

type Tree = { [tag: string]: string | Tree };

const expand = (hex: string): string =>
  hex.replace(/([0-9A-F]{2})\*(\d+)/g, (_, byte: string, n: string) => byte.repeat(Number(n)));

function fromTree(tree: Tree): TlvNode[] {
  return Object.entries(tree).map(([tag, v]) =>
    typeof v === 'string' ? primitive(tag, expand(v)) : constructed(tag, fromTree(v)),
  );
}

function decodeError(hex: string, options?: TlvDecodeOptions): TlvError {
  try {
    decodeTlv(fromHex(hex), options);
  } catch (error) {
    if (error instanceof TlvError) return error;
    throw error;
  }
  throw new Error(`expected ${hex} to be refused`);
}

describe('BER-TLV codec (EMV Book 3 Annex B)', () => {
  describe('shared vectors (tlv.json)', () => {
    it.each(shared.vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
      const bytes = fromHex(vector.tlv_hex);
      const decoded = decodeTlv(bytes);

      expect(decoded).toEqual((vector.decoded_tree as VectorNode[]).map(fromVector));
      expect(toHex(encodeTlv(decoded))).toBe(vector.tlv_hex);
      for (const [tag, expected] of Object.entries(vector.expected_values_from_source)) {
        if (typeof expected === 'string') expect(toHex(findValue(decoded, tag)!)).toBe(expected);
      }
    });

    it('keeps repeated issuer script commands (86) in order inside template 72', () => {
      const vector = shared.vectors.find((v) => v.tlv_hex.startsWith('7245'))!;
      const [template] = decodeTlv(fromHex(vector.tlv_hex));
      const commands =
        'children' in template ? template.children.filter((c) => c.tag === '86') : [];
      expect(commands.map((c) => ('value' in c ? toHex(c.value) : ''))).toEqual(
        vector.expected_values_from_source['86'],
      );
    });
  });

  describe('pyemv samples (tlv-pyemv.json)', () => {
    it.each(pyemv.decode.map((v) => [v.tlv_hex || '(empty)', v] as const))(
      'decodes %s',
      (_hex, vector) => {
        const flat = flattenTlv(decodeTlv(fromHex(vector.tlv_hex)));
        expect(Object.fromEntries([...flat].map(([tag, value]) => [tag, toHex(value)]))).toEqual(
          vector.flat,
        );
      },
    );

    it.each(pyemv.decode_errors.map((v) => [v.tlv_hex, v] as const))(
      'refuses %s with the source offset',
      (hex, vector) => {
        const error = decodeError(hex);
        expect({ code: error.code, offset: error.offset }).toEqual({
          code: vector.code,
          offset: vector.offset,
        });
      },
    );

    it.each(pyemv.encode.map((v) => [JSON.stringify(v.tree).slice(0, 40), v] as const))(
      'encodes %s',
      (_name, vector) => {
        expect(toHex(encodeTlv(fromTree(vector.tree as unknown as Tree)))).toBe(
          expand(vector.tlv_hex),
        );
      },
    );
  });

  describe('long-form lengths', () => {
    it.each([
      [127, '7F'],
      [128, '8180'],
      [255, '81FF'],
      [256, '820100'],
      [65535, '82FFFF'],
      [65536, '83010000'],
    ])('encodes a %i-byte value with length field %s and decodes it back', (length, field) => {
      const node = primitive('86', new Uint8Array(length).fill(0xab));
      const bytes = encodeTlv(node);
      expect(toHex(bytes.subarray(1, 1 + field.length / 2))).toBe(field);
      const [decoded] = decodeTlv(bytes);
      expect(decoded.tag).toBe('86');
      expect('value' in decoded && bytesEqual(decoded.value, node.value)).toBe(true);
    });

    it('accepts a non-minimal long form (BER allows it)', () => {
      expect(decodeTlv(fromHex('5A820002ABCD'))).toEqual([primitive('5A', 'ABCD')]);
    });
  });

  describe('refused encodings', () => {
    it.each([
      ['indefinite length', '708000009F0201FF', 'INDEFINITE_LENGTH', 1],
      ['a 5-byte length field', '9F02840000000100', 'LENGTH_TOO_LONG', 2],
      ['tag 9F00 (b7-b1 of the first subsequent byte zero)', '9F0001FF', 'INVALID_TAG', 0],
      ['tag 9F8001', '9F800101FF', 'INVALID_TAG', 0],
      ['a 4-byte tag', 'DF81818101FF', 'TAG_TOO_LONG', 0],
      ['a child running past its template', '70045A03123456', 'LENGTH_BEYOND_BUFFER', 4],
      ['a template whose last child is cut', '70039F3703AABB', 'LENGTH_BEYOND_BUFFER', 5],
    ])('refuses %s', (_name, hex, code, offset) => {
      expect(decodeError(hex)).toMatchObject({ code, offset });
    });

    it('refuses nesting past maxDepth and names the template', () => {
      const nested = fromHex('E108E206E3049F0201FF');
      expect(decodeTlv(nested, { maxDepth: 4 })).toHaveLength(1);
      expect(decodeError('E108E206E3049F0201FF', { maxDepth: 3 })).toMatchObject({
        code: 'NESTING_TOO_DEEP',
        offset: 4,
      });
    });

    it('rejects an invalid maxDepth setting outright', () => {
      expect(() => decodeTlv(new Uint8Array(), { maxDepth: 0 })).toThrow(RangeError);
    });
  });

  describe('padding between data objects', () => {
    const record = '7000000A5A0847617390010101190000';

    it("skips '00' before, between and after objects, at every level (Book 3 Annex B)", () => {
      expect(decodeTlv(fromHex(`0000${'700C005A084761739001010119000000'}00`))).toEqual([
        constructed('70', [primitive('5A', '4761739001010119')]),
      ]);
    });

    it("treats '00' as an invalid tag when padding is 'none'", () => {
      expect(decodeError(record, { padding: 'none' })).toMatchObject({ code: 'INVALID_TAG' });
    });

    it("skips 'FF' only with ISO/IEC 7816-4 padding, since EMV has FF.. tags", () => {
      expect(decodeTlv(fromHex('FF9F0201AAFF'), { padding: 'iso7816' })).toEqual([
        primitive('9F02', 'AA'),
      ]);
      expect(decodeTlv(fromHex('FF810300'))).toEqual([constructed('FF8103', [])]);
    });
  });

  describe('single data object responses', () => {
    it('decodes a response template with trailing padding', () => {
      expect(decodeSingleTlv(fromHex('77049F27018000'))).toEqual(
        constructed('77', [primitive('9F27', '80')]),
      );
    });

    it('refuses bytes after the object as TRAILING_DATA at the first extra byte', () => {
      expect(() => decodeSingleTlv(fromHex('77049F27018090'))).toThrow(
        expect.objectContaining({ code: 'TRAILING_DATA', offset: 6 }),
      );
    });

    it('refuses an empty input as NO_DATA_OBJECT', () => {
      expect(() => decodeSingleTlv(fromHex('0000'))).toThrow(
        expect.objectContaining({ code: 'NO_DATA_OBJECT' }),
      );
    });
  });

  describe('decoded values', () => {
    it('never alias the input buffer', () => {
      const bytes = fromHex('5A024761');
      const [node] = decodeTlv(bytes);
      bytes[2] = 0;
      expect(node).toEqual(primitive('5A', '4761'));
    });

    it('report top-level spans for hashing data as received', () => {
      expect(scanTlv(fromHex('9F2701809F3602001C'))).toEqual([
        { tag: '9F27', constructed: false, start: 0, valueStart: 3, end: 4 },
        { tag: '9F36', constructed: false, start: 4, valueStart: 7, end: 9 },
      ]);
    });
  });

  describe('encoding errors', () => {
    it.each([
      ['a lower-case tag', primitive('9f02', '00'), 'INVALID_TAG'],
      ['an incomplete tag', primitive('9F', '00'), 'INVALID_TAG'],
      ['bytes after the tag end', primitive('9F0201', '00'), 'INVALID_TAG'],
      ["the padding tag '00'", primitive('00', ''), 'INVALID_TAG'],
      ['children under a primitive tag', constructed('9F02', []), 'CONSTRUCTED_MISMATCH'],
      ['a raw value under a constructed tag', primitive('70', '00'), 'CONSTRUCTED_MISMATCH'],
    ])('refuses %s', (_name, node, code) => {
      expect(() => encodeTlv(node)).toThrow(expect.objectContaining({ code, tag: node.tag }));
    });
  });

  it('flattenTlv refuses a repeated primitive tag', () => {
    const nodes = decodeTlv(fromHex('700A5A01115F2401225A0111'));
    expect(() => flattenTlv(nodes)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_TAG', tag: '5A' }),
    );
  });

  it('decode(encode(tree)) = tree for generated trees with multi-byte tags and long lengths', () => {
    const primitiveTag = fc.constantFrom('5A', '9F02', '9F4B', '86', 'DF8101', '1F21', '9F7F');
    const templateTag = fc.constantFrom('70', '77', 'E1', 'BF0C', 'FF8102', 'A5');
    const tree: fc.Arbitrary<TlvNode> = fc.letrec<{ node: TlvNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .tuple(primitiveTag, fc.uint8Array({ maxLength: 300 }))
          .map(([tag, value]) => primitive(tag, value)),
        fc
          .tuple(templateTag, fc.array(tie('node'), { maxLength: 4 }))
          .map(([tag, children]) => constructed(tag, children)),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), (nodes) => {
        expect(decodeTlv(encodeTlv(nodes), { maxDepth: 64 })).toEqual(nodes);
      }),
      { seed: 1, numRuns: 500 },
    );
  });
});
