import {
  AES_KSN_LENGTH,
  TDES_KSN_LENGTH,
  aesCmac,
  aesDukpt,
  macIso9797Alg3,
  parseKsn,
  tdesDukpt,
} from '@tillgate/crypto';
import type { AesDukptKeyType, AesDukptUsage, Ksn, TdesDukptUsage } from '@tillgate/crypto';
import { KeyStoreError } from '../key-store-error';
import type { KeyAlgorithmName } from '../keys/key-kind';
import type { DukptChannel } from '../ksn/ksn-counter.repository';

/**
 * The working key the terminal used for a request, named from the terminal's
 * side: X9.24-1 request variants for TDES, X9.24-3 usages for AES (the
 * terminal MACs with mac-generation and encrypts with data-encrypt).
 */
const TDES_USAGE: Record<DukptChannel, TdesDukptUsage> = {
  pin: 'pin',
  mac: 'mac-request',
  data: 'data-request',
};
const AES_USAGE: Record<DukptChannel, AesDukptUsage> = {
  pin: 'pin',
  mac: 'mac-generation',
  data: 'data-encrypt',
};

const KEY_TYPES: Record<DukptChannel, readonly AesDukptKeyType[]> = {
  pin: ['tdes2', 'tdes3', 'aes128', 'aes192', 'aes256'],
  mac: ['aes128', 'aes192', 'aes256'],
  data: ['aes128', 'aes192', 'aes256'],
};

export interface DukptWorkingKey {
  readonly key: Buffer;
  readonly algorithm: Extract<KeyAlgorithmName, 'tdes' | 'aes'>;
}

/** Parses a KSN and checks that it belongs to the BDK's DUKPT scheme (10 bytes for TDES, 12 for AES). */
export function parseKsnFor(
  bdkName: string,
  bdkAlgorithm: KeyAlgorithmName,
  ksn: Buffer,
  field: string,
): Ksn {
  const expected = bdkAlgorithm === 'tdes' ? TDES_KSN_LENGTH : AES_KSN_LENGTH;
  if (!Buffer.isBuffer(ksn) || ksn.length !== expected) {
    throw new KeyStoreError(
      'INVALID_KSN',
      `BDK ${bdkName} is ${bdkAlgorithm === 'tdes' ? 'a TDES' : 'an AES'} BDK: the KSN must be ${expected} bytes, got ${Buffer.isBuffer(ksn) ? ksn.length : typeof ksn}`,
      field,
    );
  }
  return parseKsn(ksn);
}

/** The working key of a channel from the KSN's transaction key (see DukptKeyCache). */
export function dukptWorkingKey(
  transactionKey: Buffer,
  ksn: Ksn,
  channel: DukptChannel,
  keyType: AesDukptKeyType | undefined,
): DukptWorkingKey {
  if (ksn.scheme === 'tdes') {
    if (keyType !== undefined) {
      throw new KeyStoreError('INVALID_REQUEST', 'keyType applies to AES DUKPT only', 'keyType');
    }
    return { key: tdesDukpt.workingKey(transactionKey, TDES_USAGE[channel]), algorithm: 'tdes' };
  }
  const type = keyType ?? 'aes128';
  if (!KEY_TYPES[channel].includes(type)) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `AES DUKPT ${channel} keys are ${KEY_TYPES[channel].join(', ')}, not ${String(type)}`,
      'keyType',
    );
  }
  const key = aesDukpt.workingKey(transactionKey, {
    ksn: ksn.bytes,
    usage: AES_USAGE[channel],
    keyType: type,
  });
  return { key, algorithm: type.startsWith('tdes') ? 'tdes' : 'aes' };
}

/**
 * The key the host MACs its response with, the one the terminal verifies
 * with. TDES: the X9.24-1 MAC-response variant (the request MAC key's
 * counterpart). AES: X9.24-3 §6.3.2 key usage 2001 "message authentication,
 * verification": the device holds that key to verify what the host sent,
 * and the host computes the same key to generate it; the request direction
 * uses 2000 (generation), so a request MAC can never pass as a response.
 */
export function dukptResponseMacKey(
  transactionKey: Buffer,
  ksn: Ksn,
  keyType: AesDukptKeyType | undefined,
): DukptWorkingKey {
  if (ksn.scheme === 'tdes') {
    if (keyType !== undefined) {
      throw new KeyStoreError('INVALID_REQUEST', 'keyType applies to AES DUKPT only', 'keyType');
    }
    return { key: tdesDukpt.workingKey(transactionKey, 'mac-response'), algorithm: 'tdes' };
  }
  const type = keyType ?? 'aes128';
  if (!KEY_TYPES.mac.includes(type)) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `AES DUKPT MAC keys are ${KEY_TYPES.mac.join(', ')}, not ${String(type)}`,
      'keyType',
    );
  }
  const key = aesDukpt.workingKey(transactionKey, {
    ksn: ksn.bytes,
    usage: 'mac-verification',
    keyType: type,
  });
  return { key, algorithm: 'aes' };
}

/**
 * A DUKPT MAC under `key`, request or response direction alike: ANSI X9.19
 * with zero padding for TDES (X9.24-1 Annex A test data), AES-CMAC (NIST SP
 * 800-38B) for AES (X9.24-3).
 */
export function dukptMac(ksn: Ksn, key: Buffer, message: Buffer): Buffer {
  return ksn.scheme === 'tdes' ? macIso9797Alg3(key, message, 1) : aesCmac(key, message);
}
