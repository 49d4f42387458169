import { KeyStoreError } from '../key-store-error';
import type { KeyBlockHeader } from '@tillgate/crypto';

/** What an operation does with a key, and so which key blocks may serve it. */
export type KeyUse =
  | 'derive-dukpt'
  | 'encrypt-pin'
  | 'generate-mac'
  | 'verify-mac'
  | 'derive-emv'
  | 'tokenize-pan'
  | 'seal-pan'
  | 'open-pan';

interface KeyUsePolicy {
  readonly description: string;
  /** X9.143 §6.3.1 key usages that allow it. */
  readonly keyUsages: readonly string[];
  /** X9.143 §6.3.3 modes of use that allow it. */
  readonly modesOfUse: readonly string[];
  readonly algorithms?: readonly string[];
  /**
   * Protecting new data needs the active version; verifying, decrypting and
   * deriving for a terminal or card that still holds an older key may use a
   * superseded one.
   */
  readonly activeOnly: boolean;
}

export const KEY_USE_POLICIES: Readonly<Record<KeyUse, KeyUsePolicy>> = {
  'derive-dukpt': {
    description: 'derive DUKPT terminal keys',
    keyUsages: ['B0'],
    modesOfUse: ['X'],
    activeOnly: false,
  },
  'encrypt-pin': {
    description: 'encrypt a PIN block',
    keyUsages: ['P0'],
    modesOfUse: ['B', 'E'],
    activeOnly: true,
  },
  'generate-mac': {
    description: 'compute a MAC',
    keyUsages: ['M3', 'M6'],
    modesOfUse: ['C', 'G'],
    activeOnly: true,
  },
  'verify-mac': {
    description: 'verify a MAC',
    keyUsages: ['M3', 'M6'],
    modesOfUse: ['C', 'V'],
    activeOnly: false,
  },
  'derive-emv': {
    description: 'derive EMV card keys',
    keyUsages: ['E0'],
    modesOfUse: ['X'],
    activeOnly: false,
  },
  'tokenize-pan': {
    description: 'tokenize a PAN',
    keyUsages: ['M7'],
    modesOfUse: ['C', 'G'],
    activeOnly: false,
  },
  'seal-pan': {
    description: 'encrypt a PAN into the vault',
    keyUsages: ['D0'],
    modesOfUse: ['B', 'E'],
    algorithms: ['A'],
    activeOnly: true,
  },
  'open-pan': {
    description: 'decrypt a PAN from the vault',
    keyUsages: ['D0'],
    modesOfUse: ['B', 'D'],
    algorithms: ['A'],
    activeOnly: false,
  },
};

/** Refuses a key whose authenticated header does not allow `use`. */
export function enforceKeyUse(name: string, header: KeyBlockHeader, use: KeyUse): void {
  const policy = KEY_USE_POLICIES[use];
  const allowed =
    policy.keyUsages.includes(header.keyUsage) &&
    policy.modesOfUse.includes(header.modeOfUse) &&
    (policy.algorithms === undefined || policy.algorithms.includes(header.algorithm));
  if (!allowed) {
    throw new KeyStoreError(
      'KEY_USAGE_VIOLATION',
      `key ${name} has TR-31 usage ${header.keyUsage}, algorithm ${header.algorithm}, mode of use ${header.modeOfUse}: it may not ${policy.description}`,
      'key',
    );
  }
}
