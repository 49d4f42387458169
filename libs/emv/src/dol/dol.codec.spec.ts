import { fromHex, toHex } from '../shared/bytes';
import vectors from '../test-data/tlv.json';
import { buildDolData, dolDataLength, fitToDolLength, parseDol, splitDolData } from './dol.codec';

const mapOf = (values: Record<string, string>): Map<string, Uint8Array> =>
  new Map(Object.entries(values).map(([tag, hex]) => [tag, fromHex(hex)]));

describe('Data Object Lists (EMV Book 3 §5.4)', () => {
  const [parseVector, buildVector] = vectors.dol_vectors;

  it(`parses ${parseVector.name}`, () => {
    expect(parseDol(fromHex(parseVector.dol_hex))).toEqual(parseVector.expected_entries);
    expect(dolDataLength(fromHex(parseVector.dol_hex))).toBe(29);
  });

  it(`builds ${buildVector.name}`, () => {
    const data = buildDolData(fromHex(buildVector.dol_hex), [
      mapOf(buildVector.source_1 as Record<string, string>),
      mapOf(buildVector.source_2 as Record<string, string>),
    ]);
    expect(toHex(data)).toBe(buildVector.expected_data);
  });

  it('parses the UDOL and CDOL1 values found in the TLV vectors', () => {
    expect(parseDol(fromHex('9F37049F0206'))).toEqual([
      { tag: '9F37', length: 4 },
      { tag: '9F02', length: 6 },
    ]);
    expect(parseDol(fromHex('8A029F02069F03069F1A0295055F2A029A039C019F37049108'))).toContainEqual({
      tag: '91',
      length: 8,
    });
  });

  it('builds PDOL 9F3303 into the GPO command data of the shared vector (83 03 60F0C8)', () => {
    const data = buildDolData(fromHex('9F3303'), new Map([['9F33', fromHex('60F0C8')]]));
    expect(toHex(data)).toBe('60F0C8');
  });

  describe('padding and truncation by format', () => {
    it.each([
      ['n shortened keeps the rightmost bytes', '000000012345', 3, 'n', '012345'],
      ['n lengthened pads zeros on the left', '0978', 3, 'n', '000978'],
      ['cn shortened keeps the leftmost bytes', '4761739001010119', 4, 'cn', '47617390'],
      ['cn lengthened pads F on the right', '476173', 5, 'cn', '476173FFFF'],
      ['b shortened keeps the leftmost bytes', 'DEADBEEF', 2, 'b', 'DEAD'],
      ['an lengthened pads zeros on the right', '3030', 4, 'an', '30300000'],
      ['ans lengthened pads zeros on the right', '41', 2, 'ans', '4100'],
    ] as const)('%s', (_name, value, length, format, expected) => {
      expect(toHex(fitToDolLength(fromHex(value), length, format))).toBe(expected);
    });

    it('fills a missing data object with zeros', () => {
      expect(toHex(buildDolData(fromHex('9F3704'), new Map()))).toBe('00000000');
    });

    it('fills a constructed data object with zeros even when a source has it', () => {
      expect(toHex(buildDolData(fromHex('7002'), new Map([['70', fromHex('ABCD')]])))).toBe('0000');
    });

    it('treats a tag outside the dictionary as binary unless told its format', () => {
      const sources = new Map([['DF01', fromHex('12')]]);
      expect(toHex(buildDolData(fromHex('DF0102'), sources))).toBe('1200');
      expect(toHex(buildDolData(fromHex('DF0102'), sources, { formatOf: () => 'n' }))).toBe('0012');
    });

    it('takes values from a look-up function', () => {
      expect(
        toHex(buildDolData(fromHex('9C01'), (tag) => (tag === '9C' ? fromHex('00') : undefined))),
      ).toBe('00');
    });
  });

  describe('splitting DOL-related data', () => {
    it('recovers the values a CDOL1 asked for', () => {
      const values = splitDolData(
        fromHex('9F02069F37045F2A02'),
        fromHex('000000001000DEADBEEF0156'),
      );
      expect(Object.fromEntries([...values].map(([t, v]) => [t, toHex(v)]))).toEqual({
        '9F02': '000000001000',
        '9F37': 'DEADBEEF',
        '5F2A': '0156',
      });
    });

    it('refuses data of the wrong length', () => {
      expect(() => splitDolData(fromHex('9F3704'), fromHex('DEADBE'))).toThrow(
        expect.objectContaining({ code: 'DOL_DATA_LENGTH_MISMATCH' }),
      );
    });
  });

  describe('malformed lists', () => {
    it.each([
      ['a tag without its length', '9F3704' + '9F02', 'TRUNCATED_LENGTH', 5],
      ['a truncated multi-byte tag', '9F', 'TRUNCATED_TAG', 0],
      ["a '00' tag", '009F3704', 'INVALID_TAG', 0],
    ])('refuses %s', (_name, hex, code, offset) => {
      expect(() => parseDol(fromHex(hex))).toThrow(expect.objectContaining({ code, offset }));
    });
  });
});
