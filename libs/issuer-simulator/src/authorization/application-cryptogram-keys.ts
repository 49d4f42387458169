import { deriveAcSessionKey, type CryptogramVersion, type TransactionData } from '@tillgate/crypto';

/**
 * The keys of one ARQC: the card's ICC master key and the AC session key
 * of this transaction, as `deriveAcKeys` of @tillgate/crypto derives them
 * (EMV Book 2 A1.4 and A1.3), split so that the issuer pays for each once:
 * the ICC master key depends only on the issuer master key, PAN and PSN, so
 * it is derived once per card (`CardRecord.iccMasterKey`); the session key
 * depends on the ATC (and the unpredictable number), so it is derived once
 * per transaction and serves both the ARQC check and the ARPC.
 * `application-cryptogram-keys.spec.ts` checks both against `deriveAcKeys`
 * and `generateArpc` (and the chip-data check) for every CVN.
 */
export interface AcKeys {
  readonly iccMasterKey: Buffer;
  readonly sessionKey: Buffer;
}

/** The AC session key of a transaction from the card's ICC master key, by the CVN's derivation. */
export function acKeysFor(
  version: CryptogramVersion,
  iccMasterKey: Buffer,
  transaction: TransactionData,
): AcKeys {
  return { iccMasterKey, sessionKey: deriveAcSessionKey(version, iccMasterKey, transaction) };
}
