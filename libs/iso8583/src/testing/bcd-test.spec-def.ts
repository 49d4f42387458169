import type { MessageSpec } from '../spec/field-spec.types';

/**
 * A spec exercising every encoding path the acquirer spec does not: BCD MTI,
 * hex bitmaps up to a tertiary one, BCD and binary length prefixes, BCD n and
 * z with both pad sides, hex binary, LLLLVAR, variable subfields.
 */
export const BCD_TEST_SPEC: MessageSpec = {
  name: 'bcd-coverage',
  mtiEncoding: 'bcd',
  bitmapEncoding: 'hex',
  maxBitmaps: 3,
  fields: {
    2: {
      name: 'PAN',
      type: 'llvar',
      length: 19,
      content: 'n',
      encoding: 'bcd',
      lengthEncoding: 'bcd',
    },
    4: { name: 'Amount', type: 'fixed', length: 12, content: 'n', encoding: 'bcd' },
    19: {
      name: 'Country',
      type: 'fixed',
      length: 3,
      content: 'n',
      encoding: 'bcd',
      bcdPad: 'right',
    },
    28: { name: 'Fee', type: 'fixed', length: 9, content: 'xn', encoding: 'ascii' },
    35: {
      name: 'Track 2',
      type: 'llvar',
      length: 37,
      content: 'z',
      encoding: 'bcd',
      lengthEncoding: 'bcd',
      bcdPad: 'right',
    },
    45: {
      name: 'Track 1',
      type: 'llvar',
      length: 76,
      content: 'ans',
      encoding: 'ascii',
      lengthEncoding: 'binary',
    },
    48: {
      name: 'Private TLV-ish',
      type: 'lllvar',
      length: 999,
      lengthEncoding: 'bcd',
      subfields: [
        { id: 'kind', name: 'Kind', type: 'fixed', length: 2, content: 'an', encoding: 'ascii' },
        { id: 'data', name: 'Data', type: 'llvar', length: 99, content: 'ans', encoding: 'ascii' },
        { id: 'flag', name: 'Flag', type: 'fixed', length: 1, content: 'a', encoding: 'ascii' },
      ],
    },
    52: { name: 'PIN', type: 'fixed', length: 8, content: 'b', encoding: 'hex' },
    55: {
      name: 'ICC',
      type: 'lllvar',
      length: 255,
      content: 'ber-tlv',
      encoding: 'binary',
      lengthEncoding: 'binary',
    },
    60: {
      name: 'Big',
      type: 'llllvar',
      length: 2000,
      content: 'b',
      encoding: 'binary',
      lengthEncoding: 'bcd',
    },
    62: {
      name: 'Private',
      type: 'lllvar',
      length: 300,
      content: 'ns',
      encoding: 'ascii',
      lengthEncoding: 'binary',
    },
    100: {
      name: 'Receiving institution',
      type: 'llvar',
      length: 11,
      content: 'n',
      encoding: 'ascii',
    },
    130: { name: 'Tertiary', type: 'fixed', length: 1, content: 's', encoding: 'ascii' },
    192: { name: 'Last', type: 'fixed', length: 8, content: 'b', encoding: 'binary' },
  },
};
