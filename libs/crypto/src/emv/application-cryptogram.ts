import { constantTimeEqual, macIso9797Alg3, tdesEncryptEcb } from '../primitives';
import { EmvError, requireLength } from './emv-error';

/** ISO/IEC 9797-1 padding for the AC input: 2 (80 00..) per EMV Book 2 A1.2; 1 (zeros) for Visa CVN 10. */
export type AcPadding = 1 | 2;

/**
 * EMV 4.4 Book 2 §8.1.2 and A1.2: the application cryptogram (ARQC, TC or
 * AAC) is the 8-byte ISO/IEC 9797-1 MAC algorithm 3 (single-DES CBC, final
 * triple DES) of the transaction data under the AC session key.
 */
export function generateApplicationCryptogram(
  sessionKey: Buffer,
  data: Buffer,
  padding: AcPadding = 2,
): Buffer {
  requireLength(sessionKey, 16, 'sessionKey');
  if (padding !== 1 && padding !== 2) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      'AC padding must be ISO 9797-1 method 1 or 2',
      'padding',
    );
  }
  return macIso9797Alg3(sessionKey, data, padding);
}

/** Recomputes the cryptogram and compares it in constant time. */
export function verifyApplicationCryptogram(
  sessionKey: Buffer,
  data: Buffer,
  cryptogram: Buffer,
  padding: AcPadding = 2,
): boolean {
  requireLength(cryptogram, 8, '9F26');
  return constantTimeEqual(generateApplicationCryptogram(sessionKey, data, padding), cryptogram);
}

/**
 * Book 2 §8.2.1, ARPC method 1: ARPC = DES3(key)[ARQC xor (ARC || '00'x6)],
 * 8 bytes. ARC is the 2-byte authorisation response code sent in tag 91.
 */
export function generateArpcMethod1(key: Buffer, arqc: Buffer, arc: Buffer): Buffer {
  requireLength(key, 16, 'key');
  requireLength(arqc, 8, '9F26');
  requireLength(arc, 2, 'arc');
  const y = Buffer.from(arqc);
  y[0] ^= arc[0];
  y[1] ^= arc[1];
  return tdesEncryptEcb(key, y);
}

/**
 * Book 2 §8.2.2, ARPC method 2: the leftmost 4 bytes of ISO/IEC 9797-1 MAC
 * algorithm 3, padding method 2, over ARQC || CSU || proprietary
 * authentication data (0 to 8 bytes), under the AC session key.
 */
export function generateArpcMethod2(
  sessionKey: Buffer,
  arqc: Buffer,
  csu: Buffer,
  proprietaryAuthenticationData: Buffer = Buffer.alloc(0),
): Buffer {
  requireLength(sessionKey, 16, 'sessionKey');
  requireLength(arqc, 8, '9F26');
  requireLength(csu, 4, 'csu');
  if (proprietaryAuthenticationData.length > 8) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      'proprietary authentication data is at most 8 bytes',
      'proprietaryAuthenticationData',
    );
  }
  return macIso9797Alg3(
    sessionKey,
    Buffer.concat([arqc, csu, proprietaryAuthenticationData]),
    2,
  ).subarray(0, 4);
}
