export {
  AES_KSN_LENGTH,
  AES_MAX_COUNTER,
  AES_MAX_ONE_BITS,
  TDES_KSN_LENGTH,
  TDES_MAX_COUNTER,
  TDES_MAX_ONE_BITS,
  aesKsnWithCounter,
  isOnDukptPath,
  nextKsn,
  nextTransactionCounter,
  parseAesKsn,
  parseKsn,
  parseTdesKsn,
  tdesInitialKsn,
  tdesKsnWithCounter,
} from './ksn';
export type { AesKsn, Ksn, TdesKsn } from './ksn';
export { TDES_DUKPT_USAGES, tdesDukpt } from './tdes-dukpt';
export type { TdesDukptUsage } from './tdes-dukpt';
export { AES_DUKPT_KEY_TYPES, AES_DUKPT_USAGES, aesDukpt } from './aes-dukpt';
export type { AesDukptKeyType, AesDukptUsage } from './aes-dukpt';
