import { createHmac } from 'node:crypto';
import { kcv } from '@tillgate/crypto';
import type {
  KeyBlockHeader,
  KeyBlockHeaderInput,
  OptionalBlock,
  Tr31Version,
} from '@tillgate/crypto';

/** What a stored key is for. The kind fixes the TR-31 key usage and mode of use of its key block. */
export type KeyKind =
  'bdk' | 'pin-encryption' | 'mac' | 'emv-issuer-master-key' | 'pan-token' | 'pan-vault';

export type KeyAlgorithmName = 'tdes' | 'aes' | 'hmac-sha256';

interface AlgorithmProfile {
  /** X9.143 §6.3.1 table 2 key usage. */
  readonly keyUsage: string;
  readonly lengths: readonly number[];
  readonly defaultLength: number;
}

interface KindProfile {
  readonly description: string;
  /** X9.143 §6.3.3 table 4 mode of use. */
  readonly modeOfUse: string;
  readonly algorithms: Partial<Record<KeyAlgorithmName, AlgorithmProfile>>;
}

export const KEY_KIND_PROFILES: Readonly<Record<KeyKind, KindProfile>> = {
  bdk: {
    description: 'DUKPT base derivation key: only derives terminal keys',
    modeOfUse: 'X',
    algorithms: {
      // X9.24-1:2009 TDES DUKPT as implemented in @tillgate/crypto takes a 2TDEA BDK only.
      tdes: { keyUsage: 'B0', lengths: [16], defaultLength: 16 },
      aes: { keyUsage: 'B0', lengths: [16, 24, 32], defaultLength: 32 },
    },
  },
  'pin-encryption': {
    description: 'zone PIN key: PIN blocks leave the store encrypted under it (encrypt only)',
    modeOfUse: 'E',
    algorithms: {
      tdes: { keyUsage: 'P0', lengths: [16, 24], defaultLength: 16 },
      aes: { keyUsage: 'P0', lengths: [16, 24, 32], defaultLength: 32 },
    },
  },
  mac: {
    description: 'zone MAC key: ISO 9797-1 algorithm 3 (TDES) or CMAC (AES)',
    modeOfUse: 'C',
    algorithms: {
      tdes: { keyUsage: 'M3', lengths: [16], defaultLength: 16 },
      aes: { keyUsage: 'M6', lengths: [16, 24, 32], defaultLength: 32 },
    },
  },
  'emv-issuer-master-key': {
    description: 'EMV issuer master key for application cryptograms (IMK-AC)',
    modeOfUse: 'X',
    algorithms: { tdes: { keyUsage: 'E0', lengths: [16], defaultLength: 16 } },
  },
  'pan-token': {
    description: 'HMAC-SHA-256 key that turns PANs into lookup tokens',
    modeOfUse: 'C',
    algorithms: { 'hmac-sha256': { keyUsage: 'M7', lengths: [32, 48, 64], defaultLength: 32 } },
  },
  'pan-vault': {
    description: 'AES-256-GCM key of the PAN vault',
    modeOfUse: 'B',
    algorithms: { aes: { keyUsage: 'D0', lengths: [32], defaultLength: 32 } },
  },
};

export const KEY_KINDS = Object.keys(KEY_KIND_PROFILES) as readonly KeyKind[];
export const KEY_ALGORITHMS: readonly KeyAlgorithmName[] = ['tdes', 'aes', 'hmac-sha256'];

// X9.143 §6.3.2 table 3.
const TR31_ALGORITHM: Record<KeyAlgorithmName, string> = {
  tdes: 'T',
  aes: 'A',
  'hmac-sha256': 'H',
};
// X9.143 §6.3.6.5 table 13: HMAC hash algorithm '21' is SHA-256.
const HM_SHA256 = '21';

/** Key block version at rest: B (TDES key derivation binding) for TDES keys, D (AES) for the others. */
export function keyBlockVersionFor(algorithm: KeyAlgorithmName): Tr31Version {
  return algorithm === 'tdes' ? 'B' : 'D';
}

export function algorithmProfile(
  kind: KeyKind,
  algorithm: KeyAlgorithmName,
): AlgorithmProfile | undefined {
  return KEY_KIND_PROFILES[kind]?.algorithms[algorithm];
}

/** The header of a stored key block: non-exportable, storage context only, labelled with the key's id and version. */
export function storedKeyHeader(params: {
  kind: KeyKind;
  algorithm: KeyAlgorithmName;
  label: string;
  /** X9.143 KP block: the KCV of the KBPK, so a block under another master key is recognised as such. */
  kbpkCheck: string;
}): KeyBlockHeaderInput {
  const profile = algorithmProfile(params.kind, params.algorithm);
  if (!profile) throw new Error(`no ${params.algorithm} profile for ${params.kind}`);
  const optionalBlocks: OptionalBlock[] = [
    { id: 'KP', data: params.kbpkCheck },
    { id: 'LB', data: params.label },
  ];
  if (params.algorithm === 'hmac-sha256') optionalBlocks.push({ id: 'HM', data: HM_SHA256 });
  return {
    version: keyBlockVersionFor(params.algorithm),
    keyUsage: profile.keyUsage,
    algorithm: TR31_ALGORITHM[params.algorithm],
    modeOfUse: KEY_KIND_PROFILES[params.kind].modeOfUse,
    exportability: 'N',
    keyContext: '1',
    optionalBlocks,
  };
}

/** The kind and algorithm an authenticated stored header describes, or undefined if it is not one this store writes. */
export function kindOfHeader(
  header: KeyBlockHeader,
): { kind: KeyKind; algorithm: KeyAlgorithmName } | undefined {
  for (const kind of KEY_KINDS) {
    const profile = KEY_KIND_PROFILES[kind];
    for (const [algorithm, p] of Object.entries(profile.algorithms) as [
      KeyAlgorithmName,
      AlgorithmProfile,
    ][]) {
      if (
        p.keyUsage === header.keyUsage &&
        TR31_ALGORITHM[algorithm] === header.algorithm &&
        profile.modeOfUse === header.modeOfUse
      ) {
        return { kind, algorithm };
      }
    }
  }
  return undefined;
}

/** Displayed KCV length in bytes: 3 for TDES (X9.24-1 practice), 5 for AES (X9.24-3). */
export const KCV_LENGTH: Record<KeyAlgorithmName, number> = { tdes: 3, aes: 5, 'hmac-sha256': 5 };
const KCV_MAX_LENGTH: Record<KeyAlgorithmName, number> = { tdes: 8, aes: 16, 'hmac-sha256': 32 };

/**
 * Key check value: TDES encrypts a zero block, AES takes its CMAC
 * (X9.24-3). HMAC keys have no standard KCV; this store uses
 * HMAC-SHA-256 of 16 zero bytes.
 */
export function keyCheckValue(
  algorithm: KeyAlgorithmName,
  key: Buffer,
  length: number = KCV_LENGTH[algorithm],
): Buffer {
  switch (algorithm) {
    case 'tdes':
      return kcv(key, 'tdes', length);
    case 'aes':
      return kcv(key, 'aes', length);
    case 'hmac-sha256':
      return createHmac('sha256', key).update(Buffer.alloc(16)).digest().subarray(0, length);
  }
}

export function maxKcvLength(algorithm: KeyAlgorithmName): number {
  return KCV_MAX_LENGTH[algorithm];
}

/** NIST SP 800-57 Part 1 Rev. 5 §5.6.1.1 table 2: security strength in bits. */
export function securityStrength(algorithm: KeyAlgorithmName, length: number): number {
  if (algorithm === 'tdes') return length === 24 ? 112 : 80;
  return length * 8;
}
