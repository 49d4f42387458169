import { adjustOddParity, tdesEncryptEcb } from '../primitives';
import { requireLength } from './emv-error';

/**
 * EMV 4.4 Book 2 A1.3.1, common session key derivation (TDES):
 * SK = DES3(MK)[R0 R1 'F0' R3..R7] || DES3(MK)[R0 R1 '0F' R3..R7], odd parity.
 * R is the 8-byte diversification value the CVN prescribes (see the
 * `atcDiversifier` and `atcUnpredictableNumberDiversifier` helpers, or the ARQC
 * itself for secure messaging keys).
 */
export function deriveCommonSessionKey(iccMasterKey: Buffer, diversifier: Buffer): Buffer {
  requireLength(iccMasterKey, 16, 'iccMasterKey');
  requireLength(diversifier, 8, 'diversifier');
  const left = Buffer.from(diversifier);
  left[2] = 0xf0;
  const right = Buffer.from(diversifier);
  right[2] = 0x0f;
  return adjustOddParity(tdesEncryptEcb(iccMasterKey, Buffer.concat([left, right])));
}

/** R = ATC || '000000000000' (Visa CVN 18/22, Mastercard CVN 20/21, EMV CSK). */
export function atcDiversifier(atc: Buffer): Buffer {
  requireLength(atc, 2, '9F36');
  return Buffer.concat([atc, Buffer.alloc(6)]);
}

/** R = ATC || '0000' || UN: the Mastercard session key derivation (M/Chip CVN 16/17). */
export function atcUnpredictableNumberDiversifier(
  atc: Buffer,
  unpredictableNumber: Buffer,
): Buffer {
  requireLength(atc, 2, '9F36');
  requireLength(unpredictableNumber, 4, '9F37');
  return Buffer.concat([atc, Buffer.alloc(2), unpredictableNumber]);
}

/**
 * EMV 4.1 Book 2 A1.3 (EMV2000 tree method, withdrawn from later editions but
 * still in the field): the session key for `atc` from a tree of height H and
 * branch factor b over the ICC master key, with initial value IV.
 *   F(X, Y, j) = DES3(X)[Y_L xor j] || DES3(X)[Y_R xor j xor 'F0'], j = ATC digit in base b
 *   IK(h, i) = F(IK(h-1, i div b), IK(h-2, i div b^2), i mod b), IK(0, 0) = MK, IK(-1, 0) = IV
 *   SK = IK(H, ATC) xor IK(H-2, ATC div b^2)
 */
export function deriveEmv2000TreeSessionKey(
  iccMasterKey: Buffer,
  atc: Buffer,
  options: { readonly height: number; readonly branchFactor: number; readonly iv: Buffer },
): Buffer {
  requireLength(iccMasterKey, 16, 'iccMasterKey');
  requireLength(atc, 2, '9F36');
  requireLength(options.iv, 16, 'iv');
  const { height, branchFactor } = options;
  if (
    !Number.isInteger(height) ||
    !Number.isInteger(branchFactor) ||
    height < 2 ||
    branchFactor < 2 ||
    branchFactor ** height < 0x10000
  ) {
    throw new RangeError(
      'EMV2000 tree needs height >= 2, branch factor >= 2 and branchFactor^height >= 2^16',
    );
  }
  const counter = atc.readUInt16BE(0);
  const cache = new Map<string, Buffer>();
  const node = (h: number, i: number): Buffer => {
    if (h === -1) return options.iv;
    if (h === 0) return iccMasterKey;
    const id = `${h}:${i}`;
    const cached = cache.get(id);
    if (cached) return cached;
    const value = f(
      node(h - 1, Math.floor(i / branchFactor)),
      node(h - 2, Math.floor(i / branchFactor ** 2)),
      i % branchFactor,
    );
    cache.set(id, value);
    return value;
  };
  const grandparent = node(height - 2, Math.floor(counter / branchFactor ** 2));
  const leaf = node(height, counter);
  return adjustOddParity(Buffer.from(leaf.map((b, k) => b ^ grandparent[k])));
}

function f(x: Buffer, y: Buffer, j: number): Buffer {
  const jBlock = Buffer.alloc(8);
  jBlock.writeUInt32BE(j, 4);
  const left = Buffer.from(y.subarray(0, 8).map((b, k) => b ^ jBlock[k]));
  const right = Buffer.from(y.subarray(8, 16).map((b, k) => b ^ jBlock[k]));
  right[7] ^= 0xf0;
  // ECB encrypts each block on its own: both halves in one call.
  return tdesEncryptEcb(x, Buffer.concat([left, right]));
}
