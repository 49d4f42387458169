import { encodeKeyBlockHeader, parseKeyBlockHeader } from './key-block-header';
import { Tr31Error } from './tr31-error';

/** A syntactically complete block around `header`: the right length field and a fake payload and MAC. */
function block(header: string, bodyLength = 48 + 16): string {
  const total = header.length + bodyLength;
  return header[0] + String(total).padStart(4, '0') + header.slice(5) + 'A'.repeat(bodyLength);
}

function headerError(text: string): Tr31Error {
  try {
    parseKeyBlockHeader(text);
  } catch (error) {
    if (error instanceof Tr31Error) return error;
    throw error;
  }
  throw new Error('expected a Tr31Error');
}

describe('parseKeyBlockHeader', () => {
  it('reads every fixed field (X9.143 §6.2 table 1)', () => {
    const header = parseKeyBlockHeader(block('B0000P0TE12S0010'));
    expect(header).toMatchObject({
      version: 'B',
      length: 80,
      keyUsage: 'P0',
      algorithm: 'T',
      modeOfUse: 'E',
      keyVersionNumber: '12',
      exportability: 'S',
      keyContext: '1',
      optionalBlocks: [],
      text: 'B0080P0TE12S0010',
    });
  });

  it('reads optional blocks in order, including an empty one and the padding block', () => {
    const header = parseKeyBlockHeader(
      block('B0000P0TE00N0400KS1800604B120F9292800000T104T20600PB0600'),
    );
    expect(header.optionalBlocks).toEqual([
      { id: 'KS', data: '00604B120F9292800000' },
      { id: 'T1', data: '' },
      { id: 'T2', data: '00' },
      { id: 'PB', data: '00' },
    ]);
  });

  it('reads an extended optional block length (00, length of length, length)', () => {
    const lb = 'LB' + '00' + '04' + '0136' + 'x'.repeat(300);
    const header = parseKeyBlockHeader(block('B0000P0TE00N0200' + lb + 'PB0A000000'));
    expect(header.optionalBlocks[0]).toEqual({ id: 'LB', data: 'x'.repeat(300) });
    expect(header.text).toHaveLength(16 + 310 + 10);
  });

  it.each([
    ['non-printable character', 'B0000P0TE00N0000\u0001', 'TR31_INVALID_HEADER', 'keyBlock'],
    ['unknown version', block('X0000P0TE00N0000'), 'TR31_UNSUPPORTED_VERSION', 'version'],
    ['version E (ISO 20038)', block('E0000P0TE00N0000'), 'TR31_UNSUPPORTED_VERSION', 'version'],
    [
      'length field not decimal',
      'B00X0P0TE00N0000' + 'A'.repeat(64),
      'TR31_INVALID_LENGTH',
      'length',
    ],
    [
      'length field off by one',
      'B0081P0TE00N0000' + 'A'.repeat(64),
      'TR31_INVALID_LENGTH',
      'length',
    ],
    ['key usage with a symbol', block('B0000P_TE00N0000'), 'TR31_INVALID_HEADER', 'keyUsage'],
    [
      'exportability outside E, N, S',
      block('B0000P0TE00X0000'),
      'TR31_INVALID_HEADER',
      'exportability',
    ],
    [
      'optional block count not decimal',
      block('B0000P0TE00N0X00'),
      'TR31_INVALID_HEADER',
      'optionalBlockCount',
    ],
    [
      'fewer optional blocks than announced',
      block('B0000P0TE00N0100'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
    [
      'optional block ID with a symbol',
      block('B0000P0TE00N0100**08AAAA'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
    [
      'optional block length in lower-case hex',
      block('B0000P0TE00N0100LB0aAAAAAA'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
    [
      'optional block length shorter than its prefix',
      block('B0000P0TE00N0100LB02AAAA'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
    [
      'extended length with no digits',
      block('B0000P0TE00N0100LB0000AA'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
    [
      'optional block running past the block',
      'B0024P0TE00N0100LBFFAAAA',
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
    [
      'repeated optional block',
      block('B0000P0TE00N0200LB04LB04'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[1]',
    ],
    [
      'padding block not last',
      block('B0000P0TE00N0200PB04LB04'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[1]',
    ],
    [
      'header not padded to the TDES block',
      block('B0000P0TE00N0100LB06AA'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks',
    ],
    [
      'version D header padded to 8, not 16',
      block('D0000P0AE00N0100LB08AAAA'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks',
    ],
    [
      'KS block that is not hex',
      block('B0000P0TE00N0100KS08VM9A'),
      'TR31_INVALID_OPTIONAL_BLOCK',
      'optionalBlocks[0]',
    ],
  ])('refuses %s', (_what, text, code, field) => {
    const error = headerError(text);
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
  });
});

describe('encodeKeyBlockHeader', () => {
  it('leaves the length for the caller and pads with PB only when needed', () => {
    const base = {
      version: 'B',
      keyUsage: 'K0',
      algorithm: 'T',
      modeOfUse: 'B',
      exportability: 'E',
    } as const;
    expect(encodeKeyBlockHeader(base)).toBe('B0000K0TB00E0000');
    expect(
      encodeKeyBlockHeader({
        ...base,
        optionalBlocks: [{ id: 'KS', data: '00604B120F9292800000' }],
      }),
    ).toBe('B0000K0TB00E0100KS1800604B120F9292800000');
    // 16 + 6 = 22: the smallest PB (4) would leave 26, so PB fills to 32.
    expect(encodeKeyBlockHeader({ ...base, optionalBlocks: [{ id: 'LB', data: 'AB' }] })).toBe(
      'B0000K0TB00E0200LB06ABPB0A000000',
    );
    // 16 + 8 = 24 is aligned for TDES; AES (version D) needs 32.
    expect(encodeKeyBlockHeader({ ...base, optionalBlocks: [{ id: 'LB', data: 'ABCD' }] })).toBe(
      'B0000K0TB00E0100LB08ABCD',
    );
    expect(
      encodeKeyBlockHeader({
        ...base,
        version: 'D',
        algorithm: 'A',
        optionalBlocks: [{ id: 'LB', data: 'ABCD' }],
      }),
    ).toBe('D0000K0AB00E0200LB08ABCDPB080000');
  });

  it('round-trips through the parser', () => {
    const text = encodeKeyBlockHeader({
      version: 'D',
      keyUsage: 'B1',
      algorithm: 'A',
      modeOfUse: 'X',
      keyVersionNumber: 'c1',
      exportability: 'N',
      keyContext: '2',
      optionalBlocks: [
        { id: 'IK', data: '1234567890ABCDEF' },
        { id: 'TS', data: '2024-01-02T03:04:05Z' },
      ],
    });
    const parsed = parseKeyBlockHeader(block(text, 64 + 32));
    expect(parsed.keyVersionNumber).toBe('c1');
    expect(parsed.keyContext).toBe('2');
    expect(parsed.optionalBlocks.slice(0, 2)).toEqual([
      { id: 'IK', data: '1234567890ABCDEF' },
      { id: 'TS', data: '2024-01-02T03:04:05Z' },
    ]);
  });

  it('refuses more than 99 optional blocks', () => {
    const optionalBlocks = Array.from({ length: 99 }, (_, i) => ({
      id: String(i).padStart(2, '0'),
      data: 'PP',
    }));
    expect(() =>
      encodeKeyBlockHeader({
        version: 'B',
        keyUsage: 'K0',
        algorithm: 'T',
        modeOfUse: 'B',
        exportability: 'E',
        optionalBlocks,
      }),
    ).toThrow(expect.objectContaining({ code: 'TR31_INVALID_OPTIONAL_BLOCK' }));
  });
});
