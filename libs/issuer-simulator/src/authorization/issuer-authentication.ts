import { generateArpcMethod1, generateArpcMethod2 } from '@tillgate/crypto';
import type { ResponseCode } from '../messages/response-code';
import type { ChipDataCheck } from './chip-data.verifier';

/** CSU, Book 3 CCD Table 11 / VIS 1.6: byte 2 b8 = issuer approves online transaction. */
const CSU_APPROVED = Buffer.from('00800000', 'hex');
const CSU_DECLINED = Buffer.from('00000000', 'hex');

/**
 * Issuer authentication data for tag 91, by the card's CVN:
 * - method 1 (Book 2 §8.2.1): ARPC (8 bytes) || ARC (2 bytes, the response
 *   code in ASCII, e.g. '3030' for 00), under the ICC master key or the
 *   session key as the CVN says;
 * - method 2 (Book 2 §8.2.2): ARPC (4 bytes) || CSU (4 bytes), under the
 *   session key.
 * The keys are those the ARQC verified under (as `generateArpc` of
 * @tillgate/crypto would derive them again).
 * Sent with approvals and declines alike, so the card knows the answer is
 * the issuer's.
 */
export function issuerAuthenticationData(
  chip: Extract<ChipDataCheck, { outcome: 'verified' }>,
  responseCode: ResponseCode,
): Uint8Array {
  const { version, keys, arqc } = chip;
  if (version.arpc.method === 1) {
    const arc = Buffer.from(responseCode, 'ascii');
    const key = version.arpc.key === 'icc-master-key' ? keys.iccMasterKey : keys.sessionKey;
    return Buffer.concat([generateArpcMethod1(key, arqc, arc), arc]);
  }
  const csu = responseCode === '00' ? CSU_APPROVED : CSU_DECLINED;
  return Buffer.concat([generateArpcMethod2(keys.sessionKey, arqc, csu), csu]);
}
