import type { FieldSpec, MessageSpec, ScalarFieldSpec } from '../spec/field-spec.types';

// The field specs the vectors in iso8583.json were built with, transcribed
// from each vector's `field_spec` description into this codec's plain data.

const fixed = (
  name: string,
  length: number,
  content: ScalarFieldSpec['content'] = 'n',
): ScalarFieldSpec => ({
  name,
  type: 'fixed',
  length,
  content,
  encoding: content === 'b' ? 'binary' : 'ascii',
});

/** moov-io/iso8583 message_test.go, TestMessage: hex bitmap, F3 as three 2-digit subfields. */
export const MOOV_TEST_SPEC: MessageSpec = {
  name: 'moov-io TestMessage',
  mtiEncoding: 'ascii',
  bitmapEncoding: 'hex',
  maxBitmaps: 3,
  fields: {
    2: { name: 'PAN', type: 'llvar', length: 19, content: 'n', encoding: 'ascii' },
    3: {
      name: 'Processing code',
      type: 'fixed',
      length: 6,
      subfields: [
        { id: '1', ...fixed('Transaction type', 2) },
        { id: '2', ...fixed('From account', 2) },
        { id: '3', ...fixed('To account', 2) },
      ],
    },
    4: fixed('Amount', 12),
    130: fixed('Third-bitmap field', 1, 'ans'),
  },
};

/** moov-io/iso8583 message_test.go, TestPackUnpack: binary bitmaps, BCD F19/F49, TLV F55. */
export const MOOV_PACK_UNPACK_SPEC: MessageSpec = {
  name: 'moov-io TestPackUnpack',
  mtiEncoding: 'ascii',
  bitmapEncoding: 'binary',
  fields: {
    2: { name: 'PAN', type: 'llvar', length: 19, content: 'n', encoding: 'ascii' },
    3: fixed('Processing code', 6),
    4: fixed('Amount', 12),
    7: fixed('Transmission date time', 10),
    11: fixed('STAN', 6),
    12: fixed('Local time', 6),
    13: fixed('Local date', 4),
    14: fixed('Expiration date', 4),
    19: {
      name: 'Acquiring country',
      type: 'fixed',
      length: 3,
      content: 'n',
      encoding: 'bcd',
      bcdPad: 'left',
    },
    22: fixed('POS entry mode', 3),
    25: fixed('POS condition code', 2),
    32: {
      name: 'Acquiring institution',
      type: 'llvar',
      length: 11,
      content: 'n',
      encoding: 'ascii',
    },
    35: { name: 'Track 2', type: 'llvar', length: 37, content: 'z', encoding: 'ascii' },
    37: fixed('RRN', 12, 'an'),
    41: fixed('Terminal ID', 8, 'ans'),
    42: fixed('Merchant ID', 15, 'ans'),
    43: fixed('Merchant name/location', 40, 'ans'),
    49: {
      name: 'Currency',
      type: 'fixed',
      length: 3,
      content: 'n',
      encoding: 'bcd',
      bcdPad: 'right',
    },
    52: fixed('PIN data', 8, 'b'),
    53: fixed('Security control', 16),
    55: { name: 'ICC data', type: 'lllvar', length: 999, content: 'ber-tlv', encoding: 'binary' },
    120: { name: 'Private', type: 'lllvar', length: 999, content: 'ans', encoding: 'ascii' },
  } satisfies Record<number, FieldSpec>,
};

/** pyiso8583 specs.default_ascii, the fields the vectors use (F55 redefined as in docs/howto.rst). */
export const PYISO8583_DEFAULT_ASCII: MessageSpec = {
  name: 'pyiso8583 default_ascii',
  mtiEncoding: 'ascii',
  bitmapEncoding: 'hex',
  fields: {
    2: { name: 'PAN', type: 'llvar', length: 19, content: 'n', encoding: 'ascii' },
    3: fixed('Processing code', 6),
    21: fixed('Forwarding institution country code', 3),
    39: fixed('Response code', 2, 'an'),
    55: { name: 'ICC data', type: 'lllvar', length: 255, content: 'ber-tlv', encoding: 'binary' },
    102: {
      name: 'Account identification 1',
      type: 'llvar',
      length: 28,
      content: 'ans',
      encoding: 'ascii',
    },
  },
};
