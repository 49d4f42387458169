import { aesCmac, tdesCmac } from '../primitives';
import { Tr31Version } from './key-block-header';
import { Tr31Error } from './tr31-error';

/** The two keys a key block protection key (KBPK) yields: one encrypts, one authenticates. */
export interface KeyBlockKeys {
  /** Key block encryption key. */
  readonly kbek: Buffer;
  /** Key block authentication (MAC) key. */
  readonly kbak: Buffer;
}

// TR-31:2018 §5.3.1 (key variant binding): KBEK = KBPK xor 'E'.., KBAK = KBPK xor 'M'..
const KBEK_VARIANT = 0x45;
const KBAK_VARIANT = 0x4d;

// TR-31:2018 §5.3.2.1 table 1 / §5.3.2.3 table 2: key usage indicator in the derivation data.
const USAGE_ENCRYPTION = 0x0000;
const USAGE_MAC = 0x0001;

/**
 * Derives KBEK and KBAK from the KBPK for the given version.
 * A, C: key variant binding, TDES KBPK of 16 or 24 bytes.
 * B: key derivation binding with TDES-CMAC (NIST SP 800-108 counter mode), TDES KBPK.
 * D: key derivation binding with AES-CMAC, AES KBPK of 16, 24 or 32 bytes.
 */
export function deriveKeyBlockKeys(version: Tr31Version, kbpk: Buffer): KeyBlockKeys {
  checkKbpk(version, kbpk);
  switch (version) {
    case 'A':
    case 'C':
      return {
        kbek: Buffer.from(kbpk.map((b) => b ^ KBEK_VARIANT)),
        kbak: Buffer.from(kbpk.map((b) => b ^ KBAK_VARIANT)),
      };
    case 'B':
      return {
        kbek: cmacKdf('tdes', kbpk, USAGE_ENCRYPTION),
        kbak: cmacKdf('tdes', kbpk, USAGE_MAC),
      };
    case 'D':
      return {
        kbek: cmacKdf('aes', kbpk, USAGE_ENCRYPTION),
        kbak: cmacKdf('aes', kbpk, USAGE_MAC),
      };
  }
}

export function checkKbpk(version: Tr31Version, kbpk: Buffer): void {
  const allowed = version === 'D' ? [16, 24, 32] : [16, 24];
  if (!Buffer.isBuffer(kbpk) || !allowed.includes(kbpk.length)) {
    const kind = version === 'D' ? 'an AES' : 'a TDES';
    throw new Tr31Error(
      'TR31_INVALID_KBPK',
      `version ${version} needs ${kind} KBPK of ${allowed.join(', ')} bytes, got ${Buffer.isBuffer(kbpk) ? kbpk.length : typeof kbpk}`,
      'kbpk',
    );
  }
}

/**
 * TR-31:2018 §5.3.2: derivation data is
 *   counter (1) | key usage indicator (2) | separator 00 (1) | algorithm (2) | length in bits (2)
 * and each CMAC output block is one chunk of the derived key, counter 1, 2, ...;
 * the derived key has the KBPK's length (AES-192 keeps the left half of the second block).
 */
function cmacKdf(cipher: 'tdes' | 'aes', kbpk: Buffer, usage: number): Buffer {
  // Table 1/2 algorithm indicator: 0000 2TDEA, 0001 3TDEA, 0002 AES-128, 0003 AES-192, 0004 AES-256.
  const algorithm = cipher === 'tdes' ? (kbpk.length === 16 ? 0 : 1) : 2 + (kbpk.length - 16) / 8;
  const mac = cipher === 'tdes' ? tdesCmac : aesCmac;
  const chunks: Buffer[] = [];
  let produced = 0;
  for (let counter = 1; produced < kbpk.length; counter++) {
    const data = Buffer.alloc(8);
    data.writeUInt8(counter, 0);
    data.writeUInt16BE(usage, 1);
    data.writeUInt8(0x00, 3);
    data.writeUInt16BE(algorithm, 4);
    data.writeUInt16BE(kbpk.length * 8, 6);
    const block = mac(kbpk, data);
    chunks.push(block);
    produced += block.length;
  }
  return Buffer.concat(chunks).subarray(0, kbpk.length);
}
