export { EmvError } from './emv-error';
export type { EmvErrorCode } from './emv-error';
export { deriveIccMasterKey } from './icc-master-key';
export type { CardIdentity, MasterKeyDerivationOption } from './icc-master-key';
export {
  atcDiversifier,
  atcUnpredictableNumberDiversifier,
  deriveCommonSessionKey,
  deriveEmv2000TreeSessionKey,
} from './session-key';
export {
  generateApplicationCryptogram,
  generateArpcMethod1,
  generateArpcMethod2,
  verifyApplicationCryptogram,
} from './application-cryptogram';
export type { AcPadding } from './application-cryptogram';
export { deriveVisaSecureMessagingSessionKey, generateIssuerScriptMac } from './secure-messaging';
export {
  parseIssuerApplicationData,
  parseMastercardIssuerApplicationData,
  parseVisaIssuerApplicationData,
} from './issuer-application-data';
export type {
  IssuerApplicationData,
  MastercardIssuerApplicationData,
  VisaIssuerApplicationData,
} from './issuer-application-data';
export {
  CRYPTOGRAM_VERSIONS,
  TRANSACTION_TAG_LENGTHS,
  buildAcInput,
  cryptogramVersionFor,
  cryptogramVersionOf,
  deriveAcKeys,
  deriveAcSessionKey,
  generateArpc,
  generateArqc,
  verifyArqc,
} from './cryptogram-version';
export type {
  AcDataElement,
  ArpcResponse,
  CardKeys,
  CryptogramVersion,
  TransactionData,
  TransactionTag,
} from './cryptogram-version';
