import { adjustOddParity, aesCmac, bytesToHex, exposeBytes, kcv, Secret } from '@tillgate/crypto';
import type { SecretBytes, Tr31Version } from '@tillgate/crypto';
import { KeyStoreError } from '../key-store-error';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
export const MASTER_KEY_LENGTH = 32;

/**
 * The local master key: an AES-256 key from which the store derives its two
 * key block protection keys (KBPKs), so that no key is used for two purposes:
 * an AES-256 KBPK for version D blocks and a 3TDEA KBPK for version B blocks
 * (which need a TDES KBPK). Printing it in any way gives its KCV only.
 */
export class MasterKey {
  readonly #kbpk: Readonly<Record<'B' | 'D', Secret<Buffer>>>;
  readonly #kbpkCheck: Readonly<Record<'B' | 'D', string>>;
  /** AES-CMAC KCV of the master key (5 bytes, X9.24-3), for operators to compare with the custodians' record. */
  readonly kcv: string;

  private constructor(key: Buffer) {
    const d = sp800108CounterKdf(key, 'TILLGATE KBPK TR-31 D', 32);
    const b = adjustOddParity(sp800108CounterKdf(key, 'TILLGATE KBPK TR-31 B', 24));
    this.#kbpk = { B: new Secret(b), D: new Secret(d) };
    // X9.143 §6.3.6.9 KP block: KCV algorithm ('00' legacy, '01' CMAC) then the KCV.
    this.#kbpkCheck = {
      B: '00' + bytesToHex(kcv(b, 'tdes', 3)),
      D: '01' + bytesToHex(kcv(d, 'aes', 5)),
    };
    this.kcv = bytesToHex(kcv(key, 'aes', 5));
  }

  static fromBytes(key: SecretBytes): MasterKey {
    const bytes = exposeBytes(key);
    if (!Buffer.isBuffer(bytes) || bytes.length !== MASTER_KEY_LENGTH) {
      throw new KeyStoreError(
        'MASTER_KEY_INVALID',
        `master key must be ${MASTER_KEY_LENGTH} bytes (AES-256), got ${Buffer.isBuffer(bytes) ? bytes.length : typeof bytes}`,
        'masterKey',
      );
    }
    return new MasterKey(Buffer.from(bytes));
  }

  /** The key block protection key for a key block version. */
  kbpk(version: Tr31Version): Secret<Buffer> {
    return this.#kbpk[protectedVersion(version)];
  }

  /** The KP optional block data for blocks of this version. */
  kbpkCheck(version: Tr31Version): string {
    return this.#kbpkCheck[protectedVersion(version)];
  }

  toString(): string {
    return `MasterKey(KCV ${this.kcv})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [INSPECT](): string {
    return this.toString();
  }
}

function protectedVersion(version: Tr31Version): 'B' | 'D' {
  if (version !== 'B' && version !== 'D') {
    throw new KeyStoreError(
      'KEY_BLOCK_TAMPERED',
      `the key store writes key block versions B and D only, not ${version}`,
    );
  }
  return version;
}

/**
 * NIST SP 800-108r1 §4.1, KDF in counter mode with AES-256-CMAC as the PRF:
 * K(i) = CMAC(KI, [i]8 || Label || 0x00 || [L]16), no context, output
 * truncated to `length` bytes.
 */
function sp800108CounterKdf(key: Buffer, label: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  const bits = Buffer.alloc(2);
  bits.writeUInt16BE(length * 8);
  for (let i = 1; blocks.length * 16 < length; i++) {
    blocks.push(
      aesCmac(key, Buffer.concat([Buffer.of(i), Buffer.from(label, 'ascii'), Buffer.of(0), bits])),
    );
  }
  return Buffer.concat(blocks).subarray(0, length);
}
