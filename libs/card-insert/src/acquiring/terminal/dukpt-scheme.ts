import { cardInsertV1 } from '@tillgate/contracts';
import { AES_KSN_LENGTH, TDES_KSN_LENGTH } from '@tillgate/crypto';
import type { DukptSchemeName } from '../acquiring.ports';

const { DukptScheme } = cardInsertV1;

/** The proto enum value a terminal of this scheme puts in `authentication.scheme`. */
export const DUKPT_SCHEME_VALUES: Readonly<Record<DukptSchemeName, cardInsertV1.DukptScheme>> = {
  tdes: DukptScheme.DUKPT_SCHEME_TDES,
  aes128: DukptScheme.DUKPT_SCHEME_AES128,
};

/** X9.24-1 KSNs are 10 bytes, X9.24-3 KSNs 12. */
export const KSN_LENGTHS: Readonly<Record<DukptSchemeName, number>> = {
  tdes: TDES_KSN_LENGTH,
  aes128: AES_KSN_LENGTH,
};

/** Every MAC on the card-insert protocol is 8 bytes (proto: MessageAuthentication.mac). */
export const PROTOCOL_MAC_LENGTH = 8;
