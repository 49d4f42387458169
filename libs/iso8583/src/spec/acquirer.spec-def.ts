import type {
  FieldSpec,
  MessageRule,
  MessageSpec,
  ScalarFieldSpec,
  SubfieldSpec,
} from './field-spec.types';

// Tillgate's acquirer link: ISO 8583:1987 field layout, ASCII MTI and
// numerics, 8-byte binary bitmaps, ASCII length prefixes, raw binary for
// PIN block, MACs and ICC data. docs/iso8583.md is the human-readable form.

const n = (name: string, length: number): ScalarFieldSpec => ({
  name,
  type: 'fixed',
  length,
  content: 'n',
  encoding: 'ascii',
});
const text = (
  name: string,
  length: number,
  content: ScalarFieldSpec['content'],
): ScalarFieldSpec => ({
  name,
  type: 'fixed',
  length,
  content,
  encoding: 'ascii',
});
const binary = (name: string, length: number): ScalarFieldSpec => ({
  name,
  type: 'fixed',
  length,
  content: 'b',
  encoding: 'binary',
});
const sub = (id: string, spec: ScalarFieldSpec): SubfieldSpec => ({ ...spec, id });

export const ACQUIRER_FIELDS: Readonly<Record<number, FieldSpec>> = {
  2: { name: 'Primary account number', type: 'llvar', length: 19, content: 'n', encoding: 'ascii' },
  3: {
    name: 'Processing code',
    type: 'fixed',
    length: 6,
    subfields: [
      sub('transactionType', n('Transaction type', 2)),
      sub('fromAccount', n('From account type', 2)),
      sub('toAccount', n('To account type', 2)),
    ],
  },
  4: n('Amount, transaction', 12),
  7: n('Transmission date and time (MMDDhhmmss, UTC)', 10),
  11: n('System trace audit number', 6),
  12: n('Time, local transaction (hhmmss)', 6),
  13: n('Date, local transaction (MMDD)', 4),
  14: n('Date, expiration (YYMM)', 4),
  18: n('Merchant type (MCC)', 4),
  22: {
    name: 'Point of service entry mode',
    type: 'fixed',
    length: 3,
    subfields: [
      sub('panEntryMode', n('PAN entry mode', 2)),
      sub('pinEntryCapability', n('PIN entry capability', 1)),
    ],
  },
  23: n('Card sequence number', 3),
  24: n('Network international identifier', 3),
  25: n('Point of service condition code', 2),
  32: {
    name: 'Acquiring institution identification code',
    type: 'llvar',
    length: 11,
    content: 'n',
    encoding: 'ascii',
  },
  35: { name: 'Track 2 data', type: 'llvar', length: 37, content: 'z', encoding: 'ascii' },
  37: text('Retrieval reference number', 12, 'an'),
  38: text('Authorization identification response', 6, 'an'),
  39: text('Response code', 2, 'an'),
  41: text('Card acceptor terminal identification', 8, 'ans'),
  42: text('Card acceptor identification code', 15, 'ans'),
  43: {
    name: 'Card acceptor name/location',
    type: 'fixed',
    length: 40,
    subfields: [
      sub('name', text('Merchant name', 25, 'ans')),
      sub('city', text('City', 13, 'ans')),
      sub('country', text('Country code (ISO 3166 alpha-2)', 2, 'a')),
    ],
  },
  49: n('Currency code, transaction (ISO 4217)', 3),
  // ISO 8583:1987 makes F52 b 64: room for the 8-byte ISO 9564 formats 0-3 (TDES) only. AES
  // PIN blocks are ISO 9564 format 4, 16 bytes, so on this link F52 is a binary LLVAR of
  // exactly 8 or 16 bytes and the length says which: 8 a TDES block (format 0 or 3, by
  // agreement), 16 a format 4 block under the AES zone PIN key. docs/iso8583.md, "Field 52".
  52: {
    name: 'Personal identification number data (PIN block)',
    type: 'llvar',
    length: 16,
    content: 'b',
    encoding: 'binary',
    allowedLengths: [8, 16],
  },
  53: n('Security related control information', 16),
  54: { name: 'Additional amounts', type: 'lllvar', length: 120, content: 'an', encoding: 'ascii' },
  55: {
    name: 'Integrated circuit card system related data (EMV)',
    type: 'lllvar',
    length: 255,
    content: 'ber-tlv',
    encoding: 'binary',
  },
  64: binary('Message authentication code (primary)', 8),
  70: n('Network management information code', 3),
  90: {
    name: 'Original data elements',
    type: 'fixed',
    length: 42,
    subfields: [
      sub('originalMti', n('Original MTI', 4)),
      sub('originalStan', n('Original STAN', 6)),
      sub('originalTransmissionDateTime', n('Original transmission date and time', 10)),
      sub(
        'originalAcquirerId',
        n('Original acquiring institution ID (right-justified, zero-filled)', 11),
      ),
      sub(
        'originalForwarderId',
        n('Original forwarding institution ID (right-justified, zero-filled)', 11),
      ),
    ],
  },
  95: {
    name: 'Replacement amounts',
    type: 'fixed',
    length: 42,
    subfields: [
      sub('actualAmountTransaction', n('Actual amount, transaction', 12)),
      sub('actualAmountSettlement', n('Actual amount, settlement', 12)),
      sub('actualTransactionFee', text('Actual amount, transaction fee (C/D + 8 digits)', 9, 'xn')),
      sub('actualSettlementFee', text('Actual amount, settlement fee (C/D + 8 digits)', 9, 'xn')),
    ],
  },
  128: binary('Message authentication code (secondary)', 8),
};

const rule = (name: string, mandatory: number[], optional: number[]): MessageRule => ({
  name,
  mandatory,
  optional,
});

// Request/response field sets: card data (2 or 35), EMV (55), PIN (52, 53)
// and MAC (64 without, 128 with a secondary bitmap) are conditional.
const REQUEST = [3, 4, 7, 11, 12, 13, 22, 25, 41, 42, 49];
const REQUEST_OPTIONAL = [2, 14, 18, 23, 24, 32, 35, 37, 43, 52, 53, 55, 64, 128];
const RESPONSE = [3, 4, 7, 11, 39, 41, 42, 49];
const RESPONSE_OPTIONAL = [2, 12, 13, 24, 25, 32, 37, 38, 55, 64, 128];
const REVERSAL = [3, 4, 7, 11, 22, 25, 41, 42, 49, 90];
const REVERSAL_OPTIONAL = [2, 12, 13, 14, 23, 24, 32, 35, 37, 38, 39, 43, 55, 64, 95, 128];
const REVERSAL_RESPONSE = [3, 4, 7, 11, 39, 41, 42, 49, 90];
const REVERSAL_RESPONSE_OPTIONAL = [2, 12, 13, 24, 32, 37, 38, 55, 64, 95, 128];

export const ACQUIRER_MESSAGES: Readonly<Record<string, MessageRule>> = {
  '0100': rule('Authorization request', REQUEST, REQUEST_OPTIONAL),
  '0110': rule('Authorization response', RESPONSE, RESPONSE_OPTIONAL),
  '0200': rule('Financial transaction request', REQUEST, REQUEST_OPTIONAL),
  '0210': rule('Financial transaction response', RESPONSE, RESPONSE_OPTIONAL),
  '0400': rule('Reversal request', REVERSAL, REVERSAL_OPTIONAL),
  // ISO 8583:1987 §4.1.2: message function 1 is a repeat. An acquirer that
  // got no answer to its 0400 sends 0401 with the same fields until the
  // issuer answers (0410); the issuer treats it like the 0400 it repeats.
  '0401': rule('Reversal request repeat', REVERSAL, REVERSAL_OPTIONAL),
  '0410': rule('Reversal response', REVERSAL_RESPONSE, REVERSAL_RESPONSE_OPTIONAL),
  '0420': rule('Reversal advice', REVERSAL, REVERSAL_OPTIONAL),
  '0421': rule('Reversal advice repeat', REVERSAL, REVERSAL_OPTIONAL),
  '0430': rule('Reversal advice response', REVERSAL_RESPONSE, REVERSAL_RESPONSE_OPTIONAL),
  '0800': rule('Network management request', [7, 11, 70], [12, 13, 24, 32, 41, 42, 53, 128]),
  '0810': rule('Network management response', [7, 11, 39, 70], [12, 13, 24, 32, 41, 42, 53, 128]),
};

/** The default spec for Tillgate's acquirer host link. */
export const ACQUIRER_SPEC: MessageSpec = {
  name: 'tillgate-acquirer-1987',
  mtiEncoding: 'ascii',
  bitmapEncoding: 'binary',
  maxBitmaps: 2,
  fields: ACQUIRER_FIELDS,
  messages: ACQUIRER_MESSAGES,
};
