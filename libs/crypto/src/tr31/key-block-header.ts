import { Tr31Error } from './tr31-error';

/**
 * Key block versions (ANSI X9.143:2022 §6.2, table 1, byte 0):
 * A: TDES key variant binding (TR-31:2005, deprecated);
 * B: TDES key derivation binding (TR-31:2010);
 * C: TDES key variant binding (TR-31:2010);
 * D: AES key derivation binding (TR-31:2018).
 */
export type Tr31Version = 'A' | 'B' | 'C' | 'D';
export const TR31_VERSIONS: readonly Tr31Version[] = ['A', 'B', 'C', 'D'];

/** X9.143 §6.3.1, table 2. Numeric usages are reserved for proprietary use and are also accepted. */
export const KEY_USAGES = {
  B0: 'Base derivation key (BDK)',
  B1: 'Initial DUKPT key (IK/IPEK)',
  B2: 'Base key variant key (deprecated)',
  B3: 'Key derivation key (non X9.24)',
  C0: 'Card verification key (CVK)',
  D0: 'Symmetric key for data encryption',
  D1: 'Asymmetric key for data encryption',
  D2: 'Data encryption key for decimalization table',
  D3: 'Data encryption key for sensitive data',
  E0: 'EMV/chip issuer master key: application cryptograms (MKAC)',
  E1: 'EMV/chip issuer master key: secure messaging for confidentiality (MKSMC)',
  E2: 'EMV/chip issuer master key: secure messaging for integrity (MKSMI)',
  E3: 'EMV/chip issuer master key: data authentication code (MKDAC)',
  E4: 'EMV/chip issuer master key: dynamic numbers (MKDN)',
  E5: 'EMV/chip issuer master key: card personalization',
  E6: 'EMV/chip issuer master key: other',
  E7: 'EMV/chip asymmetric key pair for PIN encryption',
  I0: 'Initialization vector (IV)',
  K0: 'Key encryption or wrapping key',
  K1: 'TR-31 key block protection key',
  K2: 'TR-34 asymmetric key pair',
  K3: 'Asymmetric key pair for key wrapping or key agreement',
  K4: 'ISO 20038 key block protection key',
  M0: 'ISO 16609 MAC algorithm 1 (TDES)',
  M1: 'ISO 9797-1 MAC algorithm 1',
  M2: 'ISO 9797-1 MAC algorithm 2',
  M3: 'ISO 9797-1 MAC algorithm 3 (retail MAC)',
  M4: 'ISO 9797-1 MAC algorithm 4',
  M5: 'ISO 9797-1:1999 MAC algorithm 5',
  M6: 'ISO 9797-1:2011 MAC algorithm 5 (CMAC)',
  M7: 'HMAC key',
  M8: 'ISO 9797-1:2011 MAC algorithm 6',
  P0: 'PIN encryption key',
  P1: 'PIN generation key',
  S0: 'Asymmetric key pair for digital signature',
  S1: 'Asymmetric key pair, CA key',
  S2: 'Asymmetric key pair, non X9.24 key',
  V0: 'PIN verification key, other algorithm',
  V1: 'PIN verification key, IBM 3624',
  V2: 'PIN verification key, Visa PVV',
  V3: 'PIN verification key, X9.132 algorithm 1',
  V4: 'PIN verification key, X9.132 algorithm 2',
  V5: 'PIN verification key, X9.132 algorithm 3',
} as const;

/** X9.143 §6.3.2, table 3. */
export const KEY_ALGORITHMS = {
  A: 'AES',
  D: 'DEA (single DES)',
  E: 'Elliptic curve',
  H: 'HMAC',
  R: 'RSA',
  S: 'DSA',
  T: 'TDEA (triple DES)',
} as const;

/** X9.143 §6.3.3, table 4. */
export const MODES_OF_USE = {
  B: 'Encrypt/wrap and decrypt/unwrap',
  C: 'MAC generate and verify',
  D: 'Decrypt/unwrap only',
  E: 'Encrypt/wrap only',
  G: 'MAC generate only',
  N: 'No special restrictions',
  S: 'Signature only',
  T: 'Signature and decrypt',
  V: 'MAC verify only',
  X: 'Key derivation',
  Y: 'Create key variants',
} as const;

/** X9.143 §6.3.5, table 6. */
export const EXPORTABILITIES = {
  E: 'Exportable under a KEK in a form meeting X9.24',
  N: 'Non-exportable',
  S: 'Sensitive: exportable in forms not meeting X9.24',
} as const;

/** X9.143 §6.3.6, table 7. */
export const OPTIONAL_BLOCK_IDS = {
  AL: 'Asymmetric key life',
  BI: 'Base derivation key identifier for DUKPT',
  CT: 'Public key certificate',
  DA: 'Derivations allowed',
  FL: 'Flags',
  HM: 'Hash algorithm for HMAC',
  IK: 'Initial key identifier for AES DUKPT',
  KC: 'KCV of wrapped key',
  KP: 'KCV of KBPK',
  KS: 'Initial key serial number for TDES DUKPT',
  KV: 'Key block values (deprecated)',
  LB: 'Label',
  PB: 'Padding block',
  PK: 'KCV of export protection key',
  TC: 'Time of creation',
  TS: 'Time stamp',
  WP: 'Wrapping pedigree',
} as const;

// `(string & {})` keeps editor completion for the known codes while still
// admitting proprietary (numeric) codes.
export type KeyUsage = keyof typeof KEY_USAGES | (string & {});
export type KeyAlgorithm = keyof typeof KEY_ALGORITHMS | (string & {});
export type ModeOfUse = keyof typeof MODES_OF_USE | (string & {});
export type Exportability = keyof typeof EXPORTABILITIES;
export type OptionalBlockId = keyof typeof OPTIONAL_BLOCK_IDS | (string & {});

export interface OptionalBlock {
  readonly id: OptionalBlockId;
  /** The block's data as it appears in the header (printable ASCII; hex-coded values stay hex). */
  readonly data: string;
}

/** The clear header of a key block. Unauthenticated until the block's MAC has been verified. */
export interface KeyBlockHeader {
  readonly version: Tr31Version;
  /** Total key block length in characters, from header bytes 1-4. */
  readonly length: number;
  readonly keyUsage: KeyUsage;
  readonly algorithm: KeyAlgorithm;
  readonly modeOfUse: ModeOfUse;
  /** '00' when unused; 'c1'..'c9' for a key component; otherwise the key version. */
  readonly keyVersionNumber: string;
  readonly exportability: Exportability;
  /** X9.143 byte 14: '0' any use, '1' storage context only, '2' key exchange only ('0' in TR-31:2018). */
  readonly keyContext: string;
  /** Every optional block in order, including a padding block 'PB' if present. */
  readonly optionalBlocks: readonly OptionalBlock[];
  /** The header exactly as it appears in the block (fixed part and optional blocks). */
  readonly text: string;
}

export const FIXED_HEADER_LENGTH = 16;

/** Encryption block size in bytes: TDES for A/B/C, AES for D. Headers are padded to it (X9.143 §6.3.6). */
export function blockSizeForVersion(version: Tr31Version): number {
  return version === 'D' ? 16 : 8;
}

const ALPHANUMERIC = /^[0-9A-Za-z]+$/;
const PRINTABLE = /^[\x20-\x7E]*$/;
const DECIMAL = /^[0-9]+$/;
const UPPER_HEX = /^[0-9A-F]+$/;

export function isTr31Version(value: string): value is Tr31Version {
  return (TR31_VERSIONS as readonly string[]).includes(value);
}

/**
 * Parses the header of a key block: the 16-character fixed part and the
 * optional blocks it announces. Checks structure only (X9.143 §6.2-6.3); the
 * MAC is checked by `unwrapKeyBlock`, which callers must use before trusting
 * any field.
 */
export function parseKeyBlockHeader(keyBlock: string): KeyBlockHeader {
  if (typeof keyBlock !== 'string' || !PRINTABLE.test(keyBlock)) {
    throw new Tr31Error('TR31_INVALID_HEADER', 'key block must be printable ASCII', 'keyBlock');
  }
  if (keyBlock.length < FIXED_HEADER_LENGTH) {
    throw new Tr31Error(
      'TR31_INVALID_LENGTH',
      `key block is shorter than the ${FIXED_HEADER_LENGTH}-character header`,
      'keyBlock',
    );
  }
  const version = keyBlock[0];
  if (!isTr31Version(version)) {
    throw new Tr31Error(
      'TR31_UNSUPPORTED_VERSION',
      `key block version '${version}' is not supported (A, B, C, D)`,
      'version',
    );
  }
  const lengthField = keyBlock.slice(1, 5);
  if (!DECIMAL.test(lengthField)) {
    throw new Tr31Error(
      'TR31_INVALID_LENGTH',
      'key block length field must be four decimal digits',
      'length',
    );
  }
  const length = Number(lengthField);
  if (length !== keyBlock.length) {
    throw new Tr31Error(
      'TR31_INVALID_LENGTH',
      `key block length field says ${length} characters, the block has ${keyBlock.length}`,
      'length',
    );
  }

  const keyUsage = field(keyBlock, 5, 2, 'keyUsage');
  const algorithm = field(keyBlock, 7, 1, 'algorithm');
  const modeOfUse = field(keyBlock, 8, 1, 'modeOfUse');
  const keyVersionNumber = field(keyBlock, 9, 2, 'keyVersionNumber');
  const exportability = field(keyBlock, 11, 1, 'exportability');
  if (!(exportability in EXPORTABILITIES)) {
    throw new Tr31Error(
      'TR31_INVALID_HEADER',
      `exportability '${exportability}' is not E, N or S`,
      'exportability',
    );
  }
  const countField = keyBlock.slice(12, 14);
  if (!DECIMAL.test(countField)) {
    throw new Tr31Error(
      'TR31_INVALID_HEADER',
      'number of optional blocks must be two decimal digits',
      'optionalBlockCount',
    );
  }
  const keyContext = field(keyBlock, 14, 1, 'keyContext');
  field(keyBlock, 15, 1, 'reserved');

  const { blocks, end } = parseOptionalBlocks(keyBlock, Number(countField));
  if (end % blockSizeForVersion(version) !== 0) {
    throw new Tr31Error(
      'TR31_INVALID_OPTIONAL_BLOCK',
      `header length ${end} is not a multiple of ${blockSizeForVersion(version)}: a padding block 'PB' is missing or wrong`,
      'optionalBlocks',
    );
  }
  return {
    version,
    length,
    keyUsage,
    algorithm,
    modeOfUse,
    keyVersionNumber,
    exportability: exportability as Exportability,
    keyContext,
    optionalBlocks: blocks,
    text: keyBlock.slice(0, end),
  };
}

function field(text: string, start: number, length: number, name: string): string {
  const value = text.slice(start, start + length);
  if (!ALPHANUMERIC.test(value)) {
    throw new Tr31Error('TR31_INVALID_HEADER', `header field ${name} must be alphanumeric`, name);
  }
  return value;
}

// X9.143 §6.3.6: ID (2 AN) | length (2 H, whole block) | data; a length of
// '00' introduces an extended length: length-of-length (2 H) | length (n H).
function parseOptionalBlocks(
  text: string,
  count: number,
): { blocks: OptionalBlock[]; end: number } {
  const blocks: OptionalBlock[] = [];
  let at = FIXED_HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    const where = `optionalBlocks[${i}]`;
    const id = text.slice(at, at + 2);
    if (id.length < 2 || !ALPHANUMERIC.test(id)) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: ID must be two alphanumeric characters`,
        where,
      );
    }
    if (blocks.some((b) => b.id === id)) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: optional block '${id}' appears twice`,
        where,
      );
    }
    if (blocks.some((b) => b.id === 'PB')) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: padding block 'PB' must be the last optional block`,
        where,
      );
    }
    let prefix = 4;
    let length = hexNumber(text.slice(at + 2, at + 4), where);
    if (length === 0) {
      const lengthOfLength = hexNumber(text.slice(at + 4, at + 6), where);
      if (lengthOfLength === 0) {
        throw new Tr31Error(
          'TR31_INVALID_OPTIONAL_BLOCK',
          `${where}: extended length has no digits`,
          where,
        );
      }
      prefix = 6 + lengthOfLength;
      length = hexNumber(text.slice(at + 6, at + prefix), where, lengthOfLength);
    }
    if (length < prefix || at + length > text.length) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where} ('${id}'): length ${length} does not fit the key block`,
        where,
      );
    }
    const data = text.slice(at + prefix, at + length);
    checkOptionalBlockData(id, data, where);
    blocks.push({ id, data });
    at += length;
  }
  return { blocks, end: at };
}

// X9.143 §6.3.6.1-6.3.6.15: these blocks carry binary values as upper-case hex.
const HEX_CODED_BLOCKS = new Set(['AL', 'BI', 'HM', 'IK', 'KC', 'KP', 'KS', 'PK', 'WP']);

function checkOptionalBlockData(id: string, data: string, where: string): void {
  if (HEX_CODED_BLOCKS.has(id) && !/^[0-9A-F]*$/.test(data)) {
    throw new Tr31Error(
      'TR31_INVALID_OPTIONAL_BLOCK',
      `${where}: optional block '${id}' must hold upper-case hex`,
      where,
    );
  }
  if (id === 'DA' && !/^[0-9A-Za-z]*$/.test(data)) {
    throw new Tr31Error(
      'TR31_INVALID_OPTIONAL_BLOCK',
      `${where}: optional block 'DA' must be alphanumeric`,
      where,
    );
  }
}

function hexNumber(digits: string, where: string, expectedLength = 2): number {
  if (digits.length !== expectedLength || !UPPER_HEX.test(digits)) {
    throw new Tr31Error(
      'TR31_INVALID_OPTIONAL_BLOCK',
      `${where}: length must be ${expectedLength} upper-case hex digits`,
      where,
    );
  }
  return parseInt(digits, 16);
}

/** What a caller chooses when wrapping; the length and padding block are computed. */
export interface KeyBlockHeaderInput {
  readonly version: Tr31Version;
  readonly keyUsage: KeyUsage;
  readonly algorithm: KeyAlgorithm;
  readonly modeOfUse: ModeOfUse;
  /** Default '00' (no version). */
  readonly keyVersionNumber?: string;
  readonly exportability: Exportability;
  /** Default '0'. */
  readonly keyContext?: string;
  /** Without 'PB': the padding block is added when the header needs it. */
  readonly optionalBlocks?: readonly OptionalBlock[];
}

/**
 * Encodes a header for wrapping, with '0000' in the length field (the caller
 * fills it once the payload size is known) and a padding block of '0'
 * characters when the optional blocks do not end on a block boundary.
 */
export function encodeKeyBlockHeader(input: KeyBlockHeaderInput): string {
  if (!isTr31Version(input.version)) {
    throw new Tr31Error(
      'TR31_UNSUPPORTED_VERSION',
      `key block version '${String(input.version)}' is not supported (A, B, C, D)`,
      'version',
    );
  }
  const keyVersionNumber = input.keyVersionNumber ?? '00';
  const keyContext = input.keyContext ?? '0';
  checkInputField(input.keyUsage, 2, 'keyUsage', KEY_USAGES);
  checkInputField(input.algorithm, 1, 'algorithm', KEY_ALGORITHMS);
  checkInputField(input.modeOfUse, 1, 'modeOfUse', MODES_OF_USE);
  checkInputField(input.exportability, 1, 'exportability', EXPORTABILITIES);
  if (keyVersionNumber.length !== 2 || !ALPHANUMERIC.test(keyVersionNumber)) {
    throw new Tr31Error(
      'TR31_INVALID_HEADER',
      'keyVersionNumber must be two alphanumeric characters',
      'keyVersionNumber',
    );
  }
  if (!/^[0-9]$/.test(keyContext)) {
    throw new Tr31Error('TR31_INVALID_HEADER', 'keyContext must be one digit', 'keyContext');
  }

  const blocks = [...(input.optionalBlocks ?? [])];
  let optional = '';
  blocks.forEach((block, i) => {
    const where = `optionalBlocks[${i}]`;
    if (!ALPHANUMERIC.test(block.id) || block.id.length !== 2) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: ID must be two alphanumeric characters`,
        where,
      );
    }
    if (block.id === 'PB') {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: the padding block is added automatically`,
        where,
      );
    }
    if (blocks.findIndex((b) => b.id === block.id) !== i) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: optional block '${block.id}' appears twice`,
        where,
      );
    }
    if (!PRINTABLE.test(block.data)) {
      throw new Tr31Error(
        'TR31_INVALID_OPTIONAL_BLOCK',
        `${where}: data must be printable ASCII`,
        where,
      );
    }
    checkOptionalBlockData(block.id, block.data, where);
    optional += encodeOptionalBlock(block.id, block.data);
  });

  const blockSize = blockSizeForVersion(input.version);
  const unpadded = FIXED_HEADER_LENGTH + optional.length;
  let count = blocks.length;
  if (unpadded % blockSize !== 0) {
    // The smallest PB is 4 characters (ID and length); round up past that.
    const padded = Math.ceil((unpadded + 4) / blockSize) * blockSize;
    optional += encodeOptionalBlock('PB', '0'.repeat(padded - unpadded - 4));
    count += 1;
  }
  if (count > 99) {
    throw new Tr31Error(
      'TR31_INVALID_OPTIONAL_BLOCK',
      'at most 99 optional blocks fit the header',
      'optionalBlocks',
    );
  }
  return (
    input.version +
    '0000' +
    input.keyUsage +
    input.algorithm +
    input.modeOfUse +
    keyVersionNumber +
    input.exportability +
    String(count).padStart(2, '0') +
    keyContext +
    '0' +
    optional
  );
}

function encodeOptionalBlock(id: string, data: string): string {
  const short = 4 + data.length;
  if (short <= 0xff) return id + hex(short, 2) + data;
  // X9.143 §6.3.6 extended length: '00', '04' (four length digits follow), then the length.
  return id + '00' + '04' + hex(10 + data.length, 4) + data;
}

function hex(value: number, width: number): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}

function checkInputField(
  value: string,
  length: number,
  name: string,
  known: Record<string, string>,
): void {
  if (typeof value !== 'string' || value.length !== length || !ALPHANUMERIC.test(value)) {
    throw new Tr31Error(
      'TR31_INVALID_HEADER',
      `${name} must be ${length} alphanumeric character(s)`,
      name,
    );
  }
  // Proprietary values are numeric (X9.143 §6.3); anything else must be a defined code.
  if (!(value in known) && !DECIMAL.test(value)) {
    throw new Tr31Error('TR31_INVALID_HEADER', `${name} '${value}' is not defined by X9.143`, name);
  }
}
