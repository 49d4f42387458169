import { decodeTlv, encodeTlv, type TlvNode } from '@tillgate/emv';
import vectors from '../test-data/iso8583.json';
import binaryLength from '../test-data/pyiso8583-binary-length.json';
import {
  MOOV_PACK_UNPACK_SPEC,
  MOOV_TEST_SPEC,
  PYISO8583_DEFAULT_ASCII,
} from '../test-data/vector-specs';
import type { FieldValue, IsoMessage, MessageSpec } from '../spec/field-spec.types';
import { pack, unpack } from './message.codec';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const fromAscii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
interface IsoVector {
  name: string;
  mti: string;
  message_ascii: string;
  message_hex: string;
  message_length_bytes: number;
  bitmaps_hex: string[];
  fields: Record<string, string>;
  encoded_field_bytes_hex: Record<string, string>;
}
const byName = (prefix: string): IsoVector =>
  (vectors.vectors as unknown as IsoVector[]).find((v) => v.name.startsWith(prefix))!;

/** Vector fields as codec values: F55 hex as TLV nodes, F52 hex as bytes, the rest as given. */
function valuesOf(fields: Record<string, string>, spec: MessageSpec): Record<number, FieldValue> {
  return Object.fromEntries(
    Object.entries(fields).map(([n, v]) => {
      const field = spec.fields[Number(n)];
      const content = 'content' in field ? field.content : undefined;
      const value: FieldValue =
        content === 'ber-tlv' ? decodeTlv(fromHex(v)) : content === 'b' ? fromHex(v) : v;
      return [Number(n), value];
    }),
  );
}

describe('ISO 8583 message codec: shared vectors (iso8583.json)', () => {
  it('moov-io TestMessage: 0100 with PAN, processing code subfields, amount; hex bitmap', () => {
    const vector = byName('0100 with PAN');
    const message: IsoMessage = {
      mti: '0100',
      fields: {
        2: vector.fields['2'],
        3: { '1': '12', '2': '34', '3': '56' },
        4: vector.fields['4'],
      },
    };
    const bytes = pack(message, MOOV_TEST_SPEC);
    expect(Buffer.from(bytes).toString('latin1')).toBe(vector.message_ascii);
    expect(bytes).toHaveLength(vector.message_length_bytes);
    expect(unpack(bytes, MOOV_TEST_SPEC)).toEqual(message);
  });

  describe('moov-io TestPackUnpack: binary bitmaps, BCD fields, EMV TLV in field 55', () => {
    const vector = byName('0100 authorization with binary bitmap');
    const message: IsoMessage = {
      mti: '0100',
      fields: valuesOf(vector.fields, MOOV_PACK_UNPACK_SPEC),
    };

    it('packs to the published 287 bytes', () => {
      const bytes = pack(message, MOOV_PACK_UNPACK_SPEC);
      expect(hex(bytes)).toBe(vector.message_hex);
      expect(bytes).toHaveLength(vector.message_length_bytes);
    });

    it('lays out MTI, both bitmaps, then every published field encoding in order', () => {
      const fieldBytes = Object.entries(vector.encoded_field_bytes_hex)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, h]) => h)
        .join('');
      expect(vector.message_hex).toBe(
        hex(fromAscii('0100')) + vector.bitmaps_hex.join('') + fieldBytes,
      );
    });

    it('unpacks back to the published fields', () => {
      const decoded = unpack(fromHex(vector.message_hex), MOOV_PACK_UNPACK_SPEC);
      expect(decoded).toEqual(message);
      expect(hex(encodeTlv(decoded.fields[55] as TlvNode[]))).toBe(vector.fields['55']);
      expect(decoded.fields[43]).toBe(vector.fields['43']);
    });
  });

  it.each([
    ['0210 response with F39', byName('0210 response')],
    ['0200 with secondary bitmap and F102', byName('0200 with secondary bitmap')],
  ])('pyiso8583 default_ascii: %s', (_name, vector) => {
    const message: IsoMessage = {
      mti: vector.mti,
      fields: valuesOf(vector.fields, PYISO8583_DEFAULT_ASCII),
    };
    const bytes = pack(message, PYISO8583_DEFAULT_ASCII);
    expect(Buffer.from(bytes).toString('latin1')).toBe(vector.message_ascii);
    expect(unpack(bytes, PYISO8583_DEFAULT_ASCII)).toEqual(message);
  });

  it('pyiso8583 howto: 0200 with binary EMV data in F55 (LLLVAR, ASCII length)', () => {
    const vector = byName('0200 with binary EMV data');
    const decoded = unpack(fromHex(vector.message_hex), PYISO8583_DEFAULT_ASCII);
    expect(decoded.mti).toBe('0200');
    expect(hex(encodeTlv(decoded.fields[55] as TlvNode[]))).toBe(vector.fields['55']);
    expect(hex(pack(decoded, PYISO8583_DEFAULT_ASCII))).toBe(vector.message_hex);
  });

  it('moov-io example: fields 2, 3, 4, 14, 43 give primary bitmap 7004000000200000', () => {
    const example = vectors.describe_example_without_packed_bytes;
    const spec: MessageSpec = {
      ...MOOV_TEST_SPEC,
      fields: {
        ...MOOV_TEST_SPEC.fields,
        3: { name: 'Processing code', type: 'fixed', length: 6, content: 'n', encoding: 'ascii' },
        14: { name: 'Expiry', type: 'fixed', length: 4, content: 'n', encoding: 'ascii' },
        43: {
          name: 'Card acceptor',
          type: 'llvar',
          length: 99,
          subfields: [
            { id: '1', name: 'Name', type: 'llvar', length: 40, content: 'ans', encoding: 'ascii' },
            { id: '2', name: 'City', type: 'llvar', length: 40, content: 'ans', encoding: 'ascii' },
            { id: '3', name: 'Country', type: 'fixed', length: 2, content: 'a', encoding: 'ascii' },
          ],
        },
      },
    };
    const message: IsoMessage = {
      mti: example.mti,
      fields: {
        2: example.fields['2'],
        3: example.fields['3'],
        4: example.fields['4'].padStart(12, '0'),
        14: example.fields['14'],
        43: {
          '1': example.fields['43.1'],
          '2': example.fields['43.2'],
          '3': example.fields['43.3'],
        },
      },
    };
    const bytes = pack(message, spec);
    expect(Buffer.from(bytes.subarray(4, 20)).toString('latin1')).toBe(
      example.bitmap_hex.slice(0, 16),
    );
    expect(unpack(bytes, spec)).toEqual(message);
  });
});

describe('ISO 8583 message codec: encodings', () => {
  const spec = (fields: MessageSpec['fields'], extra: Partial<MessageSpec> = {}): MessageSpec => ({
    name: 'test',
    mtiEncoding: 'bcd',
    bitmapEncoding: 'binary',
    fields,
    ...extra,
  });

  it('BCD MTI, BCD LLVAR PAN of odd length (pad left), BCD track 2 with = as D, right pad F', () => {
    const s = spec({
      2: {
        name: 'PAN',
        type: 'llvar',
        length: 19,
        content: 'n',
        encoding: 'bcd',
        lengthEncoding: 'bcd',
      },
      35: {
        name: 'Track 2',
        type: 'llvar',
        length: 37,
        content: 'z',
        encoding: 'bcd',
        lengthEncoding: 'bcd',
        bcdPad: 'right',
      },
    });
    const message: IsoMessage = {
      mti: '0200',
      fields: { 2: '476173900101011', 35: '4761739001010119=2512201114380123' },
    };
    const bytes = pack(message, s);
    expect(hex(bytes)).toBe(
      '0200' +
        '4000000020000000' +
        '15' +
        '0476173900101011' +
        '33' +
        '4761739001010119D2512201114380123F',
    );
    expect(unpack(bytes, s)).toEqual(message);
  });

  it('binary and BCD length prefixes for LLL and LLLL fields', () => {
    const s = spec({
      48: {
        name: 'Private',
        type: 'lllvar',
        length: 999,
        content: 'ans',
        encoding: 'ascii',
        lengthEncoding: 'bcd',
      },
      60: {
        name: 'Private',
        type: 'llllvar',
        length: 9999,
        content: 'b',
        encoding: 'binary',
        lengthEncoding: 'binary',
      },
      62: {
        name: 'Private',
        type: 'llvar',
        length: 99,
        content: 'b',
        encoding: 'hex',
        lengthEncoding: 'binary',
      },
    });
    const message: IsoMessage = {
      mti: '0800',
      fields: { 48: 'ABC', 60: fromHex('CAFE'), 62: fromHex('0102') },
    };
    const bytes = pack(message, s);
    expect(hex(bytes.subarray(10))).toBe(
      '0003' + hex(fromAscii('ABC')) + '0002CAFE' + '02' + hex(fromAscii('0102')),
    );
    expect(unpack(bytes, s)).toEqual(message);
  });

  it('pyiso8583 test_encode: binary LLLVAR length prefix (two bytes) before binary data', () => {
    const s: MessageSpec = {
      name: 'pyiso8583 binary length',
      mtiEncoding: 'ascii',
      bitmapEncoding: 'binary',
      fields: {
        2: {
          name: 'F2',
          type: 'lllvar',
          length: 10,
          content: 'b',
          encoding: 'binary',
          lengthEncoding: 'binary',
        },
      },
    };
    const message: IsoMessage = {
      mti: binaryLength.mti,
      fields: { 2: fromHex(binaryLength.fields['2']) },
    };
    expect(hex(pack(message, s))).toBe(binaryLength.message_hex_after_header);
    expect(unpack(fromHex(binaryLength.message_hex_after_header), s)).toEqual(message);
  });
});
