import { adjustOddParity, macIso9797Alg3 } from '../primitives';
import { requireLength } from './emv-error';

/**
 * Visa secure messaging session key (VIS, used with CVN 10): the ICC master
 * key's left half xor (000000000000 || ATC), right half xor (000000000000 || ~ATC).
 */
export function deriveVisaSecureMessagingSessionKey(iccMasterKey: Buffer, atc: Buffer): Buffer {
  requireLength(iccMasterKey, 16, 'iccMasterKey');
  requireLength(atc, 2, '9F36');
  const key = Buffer.from(iccMasterKey);
  key[6] ^= atc[0];
  key[7] ^= atc[1];
  key[14] ^= ~atc[0] & 0xff;
  key[15] ^= ~atc[1] & 0xff;
  return adjustOddParity(key);
}

/**
 * EMV 4.4 Book 2 §9.2.1: issuer script command MAC, ISO/IEC 9797-1 MAC
 * algorithm 3 with padding method 2 under the secure messaging (integrity)
 * session key. `macInput` is what the CVN prescribes, e.g. for Visa
 * CLA INS P1 P2 Lc || ATC || ARQC || command data.
 */
export function generateIssuerScriptMac(smiSessionKey: Buffer, macInput: Buffer): Buffer {
  requireLength(smiSessionKey, 16, 'smiSessionKey');
  return macIso9797Alg3(smiSessionKey, macInput, 2);
}
