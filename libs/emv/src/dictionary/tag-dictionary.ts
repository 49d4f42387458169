import { isConstructedTag } from '../tlv/tlv-tag';
import type { Tag } from '../tlv/tlv.types';

/**
 * EMV Book 3 §4.3 data element formats: a (alphabetic), an (alphanumeric),
 * ans (alphanumeric special), b (binary), cn (compressed numeric, left
 * justified, padded with trailing 'F'), n (numeric BCD, right justified,
 * leading zeros); `var` for templates and lists with their own structure.
 */
export type TagFormat = 'a' | 'an' | 'ans' | 'b' | 'cn' | 'n' | 'var';

/** Who supplies the data element during a transaction. */
export type TagSource = 'ICC' | 'Terminal' | 'Issuer' | 'Proprietary';

export interface TagDefinition {
  readonly tag: Tag;
  readonly name: string;
  readonly format: TagFormat;
  /** Length of the value in bytes. */
  readonly length: { readonly min: number; readonly max: number };
  readonly source: TagSource;
  /** Templates the element is found in ('70', '77', ...); empty if sent on its own. */
  readonly templates: readonly Tag[];
  readonly constructed: boolean;
  readonly note?: string;
}

type Row = [
  tag: Tag,
  name: string,
  format: TagFormat,
  length: number | [number, number],
  source: TagSource,
  templates?: string,
  note?: string,
];

const RECORD = '70 77';
const GPO = '77 80';

// EMV 4.3 Book 3 Annex A (Table 33) unless the note says otherwise. Lengths of
// the certificate family depend on key lengths: NCA, NI, NIC <= 248 bytes.
const ROWS: readonly Row[] = [
  ['42', 'Issuer Identification Number (IIN)', 'n', 3, 'ICC', 'BF0C 73'],
  ['4F', 'Application Dedicated File (ADF) Name', 'b', [5, 16], 'ICC', '61'],
  ['50', 'Application Label', 'ans', [1, 16], 'ICC', '61 A5'],
  ['57', 'Track 2 Equivalent Data', 'b', [0, 19], 'ICC', RECORD],
  ['5A', 'Application Primary Account Number (PAN)', 'cn', [0, 10], 'ICC', RECORD],
  ['5F20', 'Cardholder Name', 'ans', [2, 26], 'ICC', RECORD],
  ['5F24', 'Application Expiration Date', 'n', 3, 'ICC', RECORD, 'YYMMDD'],
  ['5F25', 'Application Effective Date', 'n', 3, 'ICC', RECORD, 'YYMMDD'],
  ['5F28', 'Issuer Country Code', 'n', 2, 'ICC', RECORD, 'ISO 3166 numeric'],
  ['5F2A', 'Transaction Currency Code', 'n', 2, 'Terminal', '', 'ISO 4217 numeric'],
  ['5F2D', 'Language Preference', 'an', [2, 8], 'ICC', 'A5'],
  ['5F30', 'Service Code', 'n', 2, 'ICC', RECORD],
  ['5F34', 'Application PAN Sequence Number', 'n', 1, 'ICC', RECORD],
  ['5F36', 'Transaction Currency Exponent', 'n', 1, 'Terminal'],
  ['5F50', 'Issuer URL', 'ans', [0, 252], 'ICC', 'BF0C 73'],
  ['61', 'Application Template', 'var', [0, 252], 'ICC', '70'],
  ['6F', 'File Control Information (FCI) Template', 'var', [0, 252], 'ICC'],
  ['70', 'READ RECORD Response Message Template', 'var', [0, 252], 'ICC'],
  [
    '71',
    'Issuer Script Template 1',
    'var',
    [0, 0xffffff],
    'Issuer',
    '',
    'before the final GENERATE AC',
  ],
  [
    '72',
    'Issuer Script Template 2',
    'var',
    [0, 0xffffff],
    'Issuer',
    '',
    'after the final GENERATE AC',
  ],
  ['73', 'Directory Discretionary Template', 'var', [0, 252], 'ICC', '61'],
  ['77', 'Response Message Template Format 2', 'var', [0, 253], 'ICC'],
  [
    '80',
    'Response Message Template Format 1',
    'var',
    [0, 253],
    'ICC',
    '',
    'primitive: values concatenated without tags',
  ],
  ['81', 'Amount, Authorised (Binary)', 'b', 4, 'Terminal'],
  ['82', 'Application Interchange Profile', 'b', 2, 'ICC', GPO],
  ['83', 'Command Template', 'b', [0, 252], 'Terminal'],
  ['84', 'Dedicated File (DF) Name', 'b', [5, 16], 'ICC', '6F'],
  ['86', 'Issuer Script Command', 'b', [0, 261], 'Issuer', '71 72'],
  ['87', 'Application Priority Indicator', 'b', 1, 'ICC', '61 A5'],
  ['88', 'Short File Identifier (SFI)', 'b', 1, 'ICC', 'A5'],
  ['89', 'Authorisation Code', 'ans', 6, 'Issuer'],
  ['8A', 'Authorisation Response Code', 'an', 2, 'Issuer'],
  ['8C', 'Card Risk Management Data Object List 1 (CDOL1)', 'b', [0, 252], 'ICC', RECORD],
  ['8D', 'Card Risk Management Data Object List 2 (CDOL2)', 'b', [0, 252], 'ICC', RECORD],
  ['8E', 'Cardholder Verification Method (CVM) List', 'b', [10, 252], 'ICC', RECORD],
  ['8F', 'Certification Authority Public Key Index', 'b', 1, 'ICC', RECORD],
  ['90', 'Issuer Public Key Certificate', 'b', [0, 248], 'ICC', RECORD, 'NCA bytes'],
  ['91', 'Issuer Authentication Data', 'b', [8, 16], 'Issuer'],
  ['92', 'Issuer Public Key Remainder', 'b', [0, 248], 'ICC', RECORD, 'NI - NCA + 36 bytes'],
  ['93', 'Signed Static Application Data', 'b', [0, 248], 'ICC', RECORD, 'NI bytes'],
  ['94', 'Application File Locator (AFL)', 'var', [0, 252], 'ICC', GPO, 'multiple of 4 bytes'],
  ['95', 'Terminal Verification Results', 'b', 5, 'Terminal'],
  ['97', 'Transaction Certificate Data Object List (TDOL)', 'b', [0, 252], 'ICC', RECORD],
  ['98', 'Transaction Certificate (TC) Hash Value', 'b', 20, 'Terminal'],
  ['99', 'Transaction Personal Identification Number (PIN) Data', 'b', [0, 252], 'Terminal'],
  ['9A', 'Transaction Date', 'n', 3, 'Terminal', '', 'YYMMDD'],
  ['9B', 'Transaction Status Information', 'b', 2, 'Terminal'],
  ['9C', 'Transaction Type', 'n', 1, 'Terminal'],
  ['9D', 'Directory Definition File (DDF) Name', 'b', [5, 16], 'ICC', '61'],
  ['9F01', 'Acquirer Identifier', 'n', 6, 'Terminal'],
  ['9F02', 'Amount, Authorised (Numeric)', 'n', 6, 'Terminal'],
  ['9F03', 'Amount, Other (Numeric)', 'n', 6, 'Terminal'],
  ['9F04', 'Amount, Other (Binary)', 'b', 4, 'Terminal'],
  ['9F05', 'Application Discretionary Data', 'b', [1, 32], 'ICC', RECORD],
  ['9F06', 'Application Identifier (AID) - terminal', 'b', [5, 16], 'Terminal'],
  ['9F07', 'Application Usage Control', 'b', 2, 'ICC', RECORD],
  ['9F08', 'Application Version Number (ICC)', 'b', 2, 'ICC', RECORD],
  ['9F09', 'Application Version Number (terminal)', 'b', 2, 'Terminal'],
  ['9F0B', 'Cardholder Name Extended', 'ans', [27, 45], 'ICC', RECORD],
  ['9F0D', 'Issuer Action Code - Default', 'b', 5, 'ICC', RECORD],
  ['9F0E', 'Issuer Action Code - Denial', 'b', 5, 'ICC', RECORD],
  ['9F0F', 'Issuer Action Code - Online', 'b', 5, 'ICC', RECORD],
  ['9F10', 'Issuer Application Data', 'b', [0, 32], 'ICC', GPO],
  ['9F11', 'Issuer Code Table Index', 'n', 1, 'ICC', 'A5'],
  ['9F12', 'Application Preferred Name', 'ans', [1, 16], 'ICC', '61 A5'],
  ['9F13', 'Last Online Application Transaction Counter (ATC) Register', 'b', 2, 'ICC'],
  ['9F14', 'Lower Consecutive Offline Limit', 'b', 1, 'ICC', RECORD],
  ['9F15', 'Merchant Category Code', 'n', 2, 'Terminal'],
  ['9F16', 'Merchant Identifier', 'ans', 15, 'Terminal'],
  ['9F17', 'Personal Identification Number (PIN) Try Counter', 'b', 1, 'ICC'],
  ['9F18', 'Issuer Script Identifier', 'b', 4, 'Issuer', '71 72'],
  ['9F19', 'Token Requestor ID', 'n', 6, 'ICC', RECORD, 'EMV Payment Tokenisation Framework; n11'],
  ['9F1A', 'Terminal Country Code', 'n', 2, 'Terminal', '', 'ISO 3166 numeric'],
  ['9F1B', 'Terminal Floor Limit', 'b', 4, 'Terminal'],
  ['9F1C', 'Terminal Identification', 'an', 8, 'Terminal'],
  ['9F1D', 'Terminal Risk Management Data', 'b', [1, 8], 'Terminal'],
  ['9F1E', 'Interface Device (IFD) Serial Number', 'an', 8, 'Terminal'],
  ['9F1F', 'Track 1 Discretionary Data', 'ans', [0, 252], 'ICC', RECORD],
  ['9F20', 'Track 2 Discretionary Data', 'cn', [0, 252], 'ICC', RECORD],
  ['9F21', 'Transaction Time', 'n', 3, 'Terminal', '', 'HHMMSS'],
  ['9F22', 'Certification Authority Public Key Index (terminal)', 'b', 1, 'Terminal'],
  ['9F23', 'Upper Consecutive Offline Limit', 'b', 1, 'ICC', RECORD],
  ['9F26', 'Application Cryptogram', 'b', 8, 'ICC', GPO],
  ['9F27', 'Cryptogram Information Data', 'b', 1, 'ICC', GPO],
  ['9F2D', 'ICC PIN Encipherment Public Key Certificate', 'b', [0, 248], 'ICC', RECORD],
  ['9F2E', 'ICC PIN Encipherment Public Key Exponent', 'b', [1, 3], 'ICC', RECORD],
  ['9F2F', 'ICC PIN Encipherment Public Key Remainder', 'b', [0, 248], 'ICC', RECORD],
  ['9F32', 'Issuer Public Key Exponent', 'b', [1, 3], 'ICC', RECORD],
  ['9F33', 'Terminal Capabilities', 'b', 3, 'Terminal'],
  ['9F34', 'Cardholder Verification Method (CVM) Results', 'b', 3, 'Terminal'],
  ['9F35', 'Terminal Type', 'n', 1, 'Terminal'],
  ['9F36', 'Application Transaction Counter (ATC)', 'b', 2, 'ICC', GPO],
  ['9F37', 'Unpredictable Number', 'b', 4, 'Terminal'],
  ['9F38', 'Processing Options Data Object List (PDOL)', 'b', [0, 252], 'ICC', 'A5'],
  ['9F39', 'Point-of-Service (POS) Entry Mode', 'n', 1, 'Terminal'],
  ['9F3A', 'Amount, Reference Currency', 'b', 4, 'Terminal'],
  ['9F3B', 'Application Reference Currency', 'n', [2, 8], 'ICC', RECORD],
  ['9F3C', 'Transaction Reference Currency Code', 'n', 2, 'Terminal'],
  ['9F3D', 'Transaction Reference Currency Exponent', 'n', 1, 'Terminal'],
  ['9F40', 'Additional Terminal Capabilities', 'b', 5, 'Terminal'],
  ['9F41', 'Transaction Sequence Counter', 'n', [2, 4], 'Terminal'],
  ['9F42', 'Application Currency Code', 'n', 2, 'ICC', RECORD],
  ['9F43', 'Application Reference Currency Exponent', 'n', [1, 4], 'ICC', RECORD],
  ['9F44', 'Application Currency Exponent', 'n', 1, 'ICC', RECORD],
  ['9F45', 'Data Authentication Code', 'b', 2, 'ICC'],
  ['9F46', 'ICC Public Key Certificate', 'b', [0, 248], 'ICC', RECORD, 'NI bytes'],
  ['9F47', 'ICC Public Key Exponent', 'b', [1, 3], 'ICC', RECORD],
  ['9F48', 'ICC Public Key Remainder', 'b', [0, 248], 'ICC', RECORD, 'NIC - NI + 42 bytes'],
  ['9F49', 'Dynamic Data Authentication Data Object List (DDOL)', 'b', [0, 252], 'ICC', RECORD],
  [
    '9F4A',
    'Static Data Authentication Tag List',
    'var',
    [0, 252],
    'ICC',
    RECORD,
    "list of tags; EMV allows only '82'",
  ],
  ['9F4B', 'Signed Dynamic Application Data', 'b', [0, 248], 'ICC', GPO, 'NIC bytes'],
  ['9F4C', 'ICC Dynamic Number', 'b', [2, 8], 'ICC'],
  ['9F4D', 'Log Entry', 'b', 2, 'ICC', 'BF0C 73'],
  ['9F4E', 'Merchant Name and Location', 'ans', [0, 252], 'Terminal'],
  ['9F4F', 'Log Format', 'b', [0, 252], 'ICC'],
  [
    '9F53',
    'Transaction Category Code',
    'an',
    1,
    'Terminal',
    '',
    'Mastercard; M/Chip contactless reuses 9F53 for a card limit',
  ],
  [
    '9F6E',
    'Form Factor Indicator / Third Party Data',
    'b',
    [4, 32],
    'ICC',
    '70 BF0C',
    'scheme-specific: Visa Form Factor Indicator (4 bytes), Mastercard Third Party Data (5-32 bytes)',
  ],
  ['A5', 'File Control Information (FCI) Proprietary Template', 'var', [0, 252], 'ICC', '6F'],
  [
    'BF0C',
    'File Control Information (FCI) Issuer Discretionary Data',
    'var',
    [0, 222],
    'ICC',
    'A5',
  ],
  [
    'E1',
    'Proprietary template',
    'var',
    [0, 0xffffff],
    'Proprietary',
    '',
    'private class, constructed: not defined by EMV; found wrapping card or host data in some networks',
  ],
];

function toDefinition([tag, name, format, length, source, templates, note]: Row): TagDefinition {
  const [min, max] = typeof length === 'number' ? [length, length] : length;
  return {
    tag,
    name,
    format,
    length: { min, max },
    source,
    templates: templates ? templates.split(' ') : [],
    constructed: isConstructedTag(tag),
    ...(note ? { note } : {}),
  };
}

export const EMV_TAGS: ReadonlyMap<Tag, TagDefinition> = new Map(
  ROWS.map((row) => [row[0], toDefinition(row)]),
);

export function lookupTag(tag: Tag): TagDefinition | undefined {
  return EMV_TAGS.get(tag);
}

const TEXT: Record<'a' | 'an' | 'ans', RegExp> = {
  a: /^[A-Za-z]*$/,
  an: /^[A-Za-z0-9]*$/,
  ans: /^[\x20-\x7E]*$/,
};

/**
 * Checks a value against its dictionary entry (length range and Book 3 §4.3
 * format). Returns a description of the first problem, or undefined if the
 * value conforms. Unknown tags are not checked.
 */
export function checkTagValue(tag: Tag, value: Uint8Array): string | undefined {
  const def = EMV_TAGS.get(tag);
  if (!def) return undefined;
  if (value.length < def.length.min || value.length > def.length.max) {
    const { min, max } = def.length;
    return `${tag} is ${value.length} bytes; ${def.name} takes ${min === max ? min : `${min}-${max}`}`;
  }
  const hex = Buffer.from(value).toString('hex').toUpperCase();
  switch (def.format) {
    case 'n':
      return /^[0-9]*$/.test(hex) ? undefined : `${tag} (format n) has a non-decimal nibble`;
    case 'cn':
      return /^[0-9]*F*$/.test(hex)
        ? undefined
        : `${tag} (format cn) is not digits then 'F' padding`;
    case 'a':
    case 'an':
    case 'ans':
      return TEXT[def.format].test(Buffer.from(value).toString('latin1'))
        ? undefined
        : `${tag} (format ${def.format}) has a character outside its set`;
    case 'b':
    case 'var':
      return undefined;
  }
}
