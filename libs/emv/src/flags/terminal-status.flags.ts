import { BitFieldLayout, bitsOf } from './bit-field';

export type TvrFlag =
  | 'offlineDataAuthenticationNotPerformed'
  | 'sdaFailed'
  | 'iccDataMissing'
  | 'cardOnExceptionFile'
  | 'ddaFailed'
  | 'cdaFailed'
  | 'sdaSelected'
  | 'differentApplicationVersions'
  | 'expiredApplication'
  | 'applicationNotYetEffective'
  | 'requestedServiceNotAllowed'
  | 'newCard'
  | 'cardholderVerificationNotSuccessful'
  | 'unrecognisedCvm'
  | 'pinTryLimitExceeded'
  | 'pinPadNotPresentOrNotWorking'
  | 'pinNotEntered'
  | 'onlinePinEntered'
  | 'floorLimitExceeded'
  | 'lowerConsecutiveOfflineLimitExceeded'
  | 'upperConsecutiveOfflineLimitExceeded'
  | 'randomlySelectedForOnline'
  | 'merchantForcedOnline'
  | 'defaultTdolUsed'
  | 'issuerAuthenticationFailed'
  | 'scriptFailedBeforeFinalGenerateAc'
  | 'scriptFailedAfterFinalGenerateAc';

/** Terminal Verification Results, tag 95: EMV 4.3 Book 3 Annex C5. */
export const TVR = new BitFieldLayout<TvrFlag>(
  '95',
  5,
  bitsOf([
    [
      'offlineDataAuthenticationNotPerformed',
      1,
      8,
      'Offline data authentication was not performed',
    ],
    ['sdaFailed', 1, 7, 'SDA failed'],
    ['iccDataMissing', 1, 6, 'ICC data missing'],
    ['cardOnExceptionFile', 1, 5, 'Card appears on terminal exception file'],
    ['ddaFailed', 1, 4, 'DDA failed'],
    ['cdaFailed', 1, 3, 'CDA failed'],
    ['sdaSelected', 1, 2, 'SDA selected'],
    ['differentApplicationVersions', 2, 8, 'ICC and terminal have different application versions'],
    ['expiredApplication', 2, 7, 'Expired application'],
    ['applicationNotYetEffective', 2, 6, 'Application not yet effective'],
    ['requestedServiceNotAllowed', 2, 5, 'Requested service not allowed for card product'],
    ['newCard', 2, 4, 'New card'],
    ['cardholderVerificationNotSuccessful', 3, 8, 'Cardholder verification was not successful'],
    ['unrecognisedCvm', 3, 7, 'Unrecognised CVM'],
    ['pinTryLimitExceeded', 3, 6, 'PIN Try Limit exceeded'],
    [
      'pinPadNotPresentOrNotWorking',
      3,
      5,
      'PIN entry required and PIN pad not present or not working',
    ],
    ['pinNotEntered', 3, 4, 'PIN entry required, PIN pad present, but PIN was not entered'],
    ['onlinePinEntered', 3, 3, 'Online PIN entered'],
    ['floorLimitExceeded', 4, 8, 'Transaction exceeds floor limit'],
    ['lowerConsecutiveOfflineLimitExceeded', 4, 7, 'Lower consecutive offline limit exceeded'],
    ['upperConsecutiveOfflineLimitExceeded', 4, 6, 'Upper consecutive offline limit exceeded'],
    ['randomlySelectedForOnline', 4, 5, 'Transaction selected randomly for online processing'],
    ['merchantForcedOnline', 4, 4, 'Merchant forced transaction online'],
    ['defaultTdolUsed', 5, 8, 'Default TDOL used'],
    ['issuerAuthenticationFailed', 5, 7, 'Issuer authentication failed'],
    [
      'scriptFailedBeforeFinalGenerateAc',
      5,
      6,
      'Script processing failed before final GENERATE AC',
    ],
    ['scriptFailedAfterFinalGenerateAc', 5, 5, 'Script processing failed after final GENERATE AC'],
  ]),
);

export type TsiFlag =
  | 'offlineDataAuthenticationPerformed'
  | 'cardholderVerificationPerformed'
  | 'cardRiskManagementPerformed'
  | 'issuerAuthenticationPerformed'
  | 'terminalRiskManagementPerformed'
  | 'scriptProcessingPerformed';

/** Transaction Status Information, tag 9B: EMV 4.3 Book 3 Annex C6. */
export const TSI = new BitFieldLayout<TsiFlag>(
  '9B',
  2,
  bitsOf([
    ['offlineDataAuthenticationPerformed', 1, 8, 'Offline data authentication was performed'],
    ['cardholderVerificationPerformed', 1, 7, 'Cardholder verification was performed'],
    ['cardRiskManagementPerformed', 1, 6, 'Card risk management was performed'],
    ['issuerAuthenticationPerformed', 1, 5, 'Issuer authentication was performed'],
    ['terminalRiskManagementPerformed', 1, 4, 'Terminal risk management was performed'],
    ['scriptProcessingPerformed', 1, 3, 'Script processing was performed'],
  ]),
);

export type AipFlag =
  | 'sdaSupported'
  | 'ddaSupported'
  | 'cardholderVerificationSupported'
  | 'terminalRiskManagementToBePerformed'
  | 'issuerAuthenticationSupported'
  | 'cdaSupported';

/** Application Interchange Profile, tag 82: EMV 4.3 Book 3 Annex C1. */
export const AIP = new BitFieldLayout<AipFlag>(
  '82',
  2,
  bitsOf([
    ['sdaSupported', 1, 7, 'SDA supported'],
    ['ddaSupported', 1, 6, 'DDA supported'],
    ['cardholderVerificationSupported', 1, 5, 'Cardholder verification is supported'],
    ['terminalRiskManagementToBePerformed', 1, 4, 'Terminal risk management is to be performed'],
    ['issuerAuthenticationSupported', 1, 3, 'Issuer authentication is supported'],
    ['cdaSupported', 1, 1, 'CDA supported'],
  ]),
);

export const decodeTvr = (bytes: Uint8Array): Record<TvrFlag, boolean> => TVR.decode(bytes);
export const encodeTvr = (
  flags: Iterable<TvrFlag> | Partial<Record<TvrFlag, boolean>>,
): Uint8Array => TVR.encode(flags);
export const decodeTsi = (bytes: Uint8Array): Record<TsiFlag, boolean> => TSI.decode(bytes);
export const encodeTsi = (
  flags: Iterable<TsiFlag> | Partial<Record<TsiFlag, boolean>>,
): Uint8Array => TSI.encode(flags);
export const decodeAip = (bytes: Uint8Array): Record<AipFlag, boolean> => AIP.decode(bytes);
