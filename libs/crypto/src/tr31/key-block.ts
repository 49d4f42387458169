import {
  aesCmac,
  aesDecryptCbc,
  aesEncryptCbc,
  constantTimeEqual,
  macIso9797Alg1,
  tdesCmac,
  tdesDecryptCbc,
  tdesEncryptCbc,
} from '../primitives';
import { RandomBytes, systemRandomBytes } from '../secret/random-bytes';
import { exposeBytes, Secret, SecretBytes } from '../secret/secret';
import {
  blockSizeForVersion,
  encodeKeyBlockHeader,
  KeyBlockHeader,
  KeyBlockHeaderInput,
  parseKeyBlockHeader,
  Tr31Version,
} from './key-block-header';
import { checkKbpk, deriveKeyBlockKeys, KeyBlockKeys } from './key-block-keys';
import { Tr31Error } from './tr31-error';

/** MAC length in bytes: 4 for A/C (truncated CBC-MAC), a full CMAC block for B (8) and D (16). */
export function macLengthForVersion(version: Tr31Version): number {
  switch (version) {
    case 'A':
    case 'C':
      return 4;
    case 'B':
      return 8;
    case 'D':
      return 16;
  }
}

/** Longest key of each algorithm; shorter keys are padded to it unless told otherwise (X9.143 §7.3.1). */
const MAX_KEY_LENGTH: Record<string, number> = { T: 24, A: 32, D: 8 };
/** Key lengths the payload may carry for algorithms this lib knows. 8-byte 'T' keys exist in the wild. */
const KEY_LENGTHS: Record<string, readonly number[]> = { T: [8, 16, 24], A: [16, 24, 32], D: [8] };

export interface WrapKeyBlockOptions {
  /** Key block protection key: TDES (16/24 bytes) for A, B, C; AES (16/24/32 bytes) for D. */
  readonly kbpk: SecretBytes;
  readonly header: KeyBlockHeaderInput;
  /** The key to protect. */
  readonly key: SecretBytes;
  /**
   * Pad the key field as if the key had this many bytes, hiding its real
   * length. Default: the longest key of the header's algorithm (24 for TDES,
   * 32 for AES); pass the key's own length to turn obfuscation off.
   */
  readonly maskedKeyLength?: number;
  /** Source of the random key padding. */
  readonly randomBytes?: RandomBytes;
}

export interface UnwrappedKeyBlock {
  /** The header, now authenticated by the block's MAC. */
  readonly header: KeyBlockHeader;
  readonly key: Secret<Buffer>;
}

/** Builds a key block (TR-31 / ANSI X9.143) protecting `key` under `kbpk`. */
export function wrapKeyBlock(options: WrapKeyBlockOptions): string {
  const { header: input } = options;
  const kbpk = exposeBytes(options.kbpk);
  const key = exposeBytes(options.key);
  const headerWithoutLength = encodeKeyBlockHeader(input);
  checkKbpk(input.version, kbpk);
  checkKeyLength(input.algorithm, key.length, 'key');

  const blockSize = blockSizeForVersion(input.version);
  const masked =
    options.maskedKeyLength ?? Math.max(key.length, MAX_KEY_LENGTH[input.algorithm] ?? 0);
  if (!Number.isInteger(masked) || masked < key.length) {
    throw new Tr31Error(
      'TR31_INVALID_KEY_LENGTH',
      `maskedKeyLength must be at least the key length (${key.length})`,
      'maskedKeyLength',
    );
  }
  // X9.143 §6.1 figure 2: key length in bits (2 bytes) | key | padding to a whole number of blocks.
  const payloadLength = Math.ceil((2 + masked) / blockSize) * blockSize;
  const paddingLength = payloadLength - 2 - key.length;
  const padding = (options.randomBytes ?? systemRandomBytes)(paddingLength);
  if (padding.length !== paddingLength) {
    throw new Tr31Error(
      'TR31_INVALID_LENGTH',
      `randomBytes returned ${padding.length} bytes, ${paddingLength} requested`,
      'randomBytes',
    );
  }
  const keyLengthBits = Buffer.alloc(2);
  keyLengthBits.writeUInt16BE(key.length * 8);
  const payload = Buffer.concat([keyLengthBits, key, padding]);

  const macLength = macLengthForVersion(input.version);
  const totalLength = headerWithoutLength.length + 2 * (payload.length + macLength);
  if (totalLength > 9999) {
    throw new Tr31Error(
      'TR31_INVALID_LENGTH',
      `key block would be ${totalLength} characters, more than 9999`,
      'header',
    );
  }
  const header =
    headerWithoutLength[0] + String(totalLength).padStart(4, '0') + headerWithoutLength.slice(5);
  const keys = deriveKeyBlockKeys(input.version, kbpk);
  const { encrypted, mac } = protect(input.version, keys, Buffer.from(header, 'ascii'), payload);
  return header + hex(encrypted) + hex(mac);
}

/**
 * Verifies and opens a key block. Checks, in order: header structure and
 * length field, encoding, KBPK fit, the MAC (in constant time; any failure is
 * TR31_MAC_MISMATCH, whatever was altered), then the authenticated key length.
 */
export function unwrapKeyBlock(keyBlock: string, kbpk: SecretBytes): UnwrappedKeyBlock {
  const { header, payload } = openKeyBlock(keyBlock, exposeBytes(kbpk));
  const keyLength = payload.readUInt16BE(0);
  if (keyLength === 0 || keyLength % 8 !== 0 || keyLength / 8 > payload.length - 2) {
    throw new Tr31Error(
      'TR31_INVALID_KEY_LENGTH',
      `key length field (${keyLength} bits) does not fit the payload`,
      'keyLength',
    );
  }
  checkKeyLength(header.algorithm, keyLength / 8, 'keyLength');
  return { header, key: new Secret(Buffer.from(payload.subarray(2, 2 + keyLength / 8))) };
}

/**
 * Authenticates and decrypts, returning the whole clear payload (length
 * field, key and padding). Internal: tests use it to replay published
 * padding; callers want `unwrapKeyBlock`.
 */
export function openKeyBlock(
  keyBlock: string,
  kbpk: Buffer,
): { header: KeyBlockHeader; payload: Buffer } {
  const header = parseKeyBlockHeader(keyBlock);
  const { version } = header;
  const macHexLength = 2 * macLengthForVersion(version);
  const body = keyBlock.slice(header.text.length);
  const payloadHex = body.slice(0, body.length - macHexLength);
  const blockHex = 2 * blockSizeForVersion(version);
  if (body.length <= macHexLength || payloadHex.length % blockHex !== 0) {
    throw new Tr31Error(
      'TR31_INVALID_LENGTH',
      `encrypted key field must be a non-empty multiple of ${blockHex / 2} bytes followed by a ${macHexLength / 2}-byte MAC`,
      'keyBlock',
    );
  }
  if (!/^[0-9A-F]+$/.test(body)) {
    throw new Tr31Error(
      'TR31_INVALID_ENCODING',
      'encrypted key field and MAC must be upper-case hex',
      'keyBlock',
    );
  }
  checkKbpk(version, kbpk);
  const keys = deriveKeyBlockKeys(version, kbpk);
  const payload = verifyAndDecrypt(
    version,
    keys,
    Buffer.from(header.text, 'ascii'),
    Buffer.from(payloadHex, 'hex'),
    Buffer.from(body.slice(payloadHex.length), 'hex'),
  );
  return { header, payload };
}

function protect(
  version: Tr31Version,
  keys: KeyBlockKeys,
  header: Buffer,
  payload: Buffer,
): { encrypted: Buffer; mac: Buffer } {
  switch (version) {
    case 'A':
    case 'C': {
      // TR-31:2018 §5.3.1 / §5.4.1: encrypt, IV = first 8 header bytes; then MAC the header and ciphertext.
      const encrypted = tdesEncryptCbc(keys.kbek, payload, header.subarray(0, 8));
      return { encrypted, mac: variantMac(keys.kbak, header, encrypted) };
    }
    case 'B': {
      // TR-31:2018 §5.3.2.2: MAC the header and clear payload; the MAC is the CBC IV.
      const mac = tdesCmac(keys.kbak, Buffer.concat([header, payload]));
      return { encrypted: tdesEncryptCbc(keys.kbek, payload, mac), mac };
    }
    case 'D': {
      const mac = aesCmac(keys.kbak, Buffer.concat([header, payload]));
      return { encrypted: aesEncryptCbc(keys.kbek, payload, mac), mac };
    }
  }
}

function verifyAndDecrypt(
  version: Tr31Version,
  keys: KeyBlockKeys,
  header: Buffer,
  encrypted: Buffer,
  mac: Buffer,
): Buffer {
  switch (version) {
    case 'A':
    case 'C': {
      if (!constantTimeEqual(variantMac(keys.kbak, header, encrypted), mac)) throw macMismatch();
      return tdesDecryptCbc(keys.kbek, encrypted, header.subarray(0, 8));
    }
    case 'B': {
      const payload = tdesDecryptCbc(keys.kbek, encrypted, mac);
      if (!constantTimeEqual(tdesCmac(keys.kbak, Buffer.concat([header, payload])), mac))
        throw macMismatch();
      return payload;
    }
    case 'D': {
      const payload = aesDecryptCbc(keys.kbek, encrypted, mac);
      if (!constantTimeEqual(aesCmac(keys.kbak, Buffer.concat([header, payload])), mac))
        throw macMismatch();
      return payload;
    }
  }
}

// TR-31:2018 §5.4.1: ISO 9797-1 MAC algorithm 1 with TDES over header || encrypted key field, leftmost 4 bytes.
function variantMac(kbak: Buffer, header: Buffer, encrypted: Buffer): Buffer {
  return macIso9797Alg1(kbak, Buffer.concat([header, encrypted]), 1, 'tdes').subarray(0, 4);
}

function macMismatch(): Tr31Error {
  return new Tr31Error(
    'TR31_MAC_MISMATCH',
    'key block MAC does not verify (wrong KBPK, or the block was altered)',
    'mac',
  );
}

function checkKeyLength(algorithm: string, length: number, field: string): void {
  const allowed = KEY_LENGTHS[algorithm];
  if (length === 0 || (allowed !== undefined && !allowed.includes(length))) {
    throw new Tr31Error(
      'TR31_INVALID_KEY_LENGTH',
      `a key of algorithm '${algorithm}' cannot be ${length} bytes${allowed ? ` (${allowed.join(', ')})` : ''}`,
      field,
    );
  }
}

function hex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}
