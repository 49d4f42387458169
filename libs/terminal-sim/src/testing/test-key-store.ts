import { randomBytes } from 'node:crypto';
import { adjustOddParity, hexToBytes, xor } from '@tillgate/crypto';
import {
  InMemoryAuditSink,
  InMemoryKeyBlockRepository,
  InMemoryKsnCounterRepository,
  MasterKey,
  SoftwareKeyStore,
  keyCheckValue,
  type KeyAlgorithmName,
  type KeyKind,
} from '@tillgate/key-store';
import { TEST_TERMINAL_KEYS } from '../keys/test-terminal-keys';

/**
 * Test-only zone PIN keys the gateway double translates terminal PIN blocks
 * to. The key store never moves a PIN to a weaker key, so a PIN from an
 * AES-128 DUKPT terminal needs an AES zone key (format 4); one from a TDES
 * terminal may go to a TDES zone key (format 0).
 */
export const TEST_ZONE_PIN_KEYS = {
  tdes: {
    id: 'zpk.test.tdes',
    algorithm: 'tdes',
    format: 0,
    hex: '89ABCDEF0123456776543210FEDCBA98',
  },
  aes: { id: 'zpk.test.aes', algorithm: 'aes', format: 4, hex: '000102030405060708090A0B0C0D0E0F' },
} as const;

const TEST_MASTER_KEY = '6B1A0D3E4F57C2891E3D5A7B9C0F2E4D6A8B1C3D5E7F90A2B4C6D8E0F1A3B5C7';

/**
 * A real in-memory SoftwareKeyStore loaded the way the gateway's embedded
 * default would be: both test BDKs under their key ids, and a zone PIN key.
 * Keys are entered as two components, as custodians would.
 */
export async function testKeyStore(): Promise<SoftwareKeyStore> {
  const store = new SoftwareKeyStore({
    masterKey: MasterKey.fromBytes(hexToBytes(TEST_MASTER_KEY)),
    keyBlocks: new InMemoryKeyBlockRepository(),
    ksnCounters: new InMemoryKsnCounterRepository(),
    audit: new InMemoryAuditSink(),
  });
  const load = async (id: string, kind: KeyKind, algorithm: KeyAlgorithmName, hex: string) => {
    const key = hexToBytes(hex);
    const fix = (b: Buffer) => (algorithm === 'tdes' ? adjustOddParity(b) : b);
    const first = fix(randomBytes(key.length));
    const second = fix(xor(key, first));
    await store.importKey({
      id,
      kind,
      algorithm,
      components: [first, second].map((value) => ({
        value,
        kcv: keyCheckValue(algorithm, value),
      })),
      kcv: keyCheckValue(algorithm, key),
    });
  };
  for (const bdk of Object.values(TEST_TERMINAL_KEYS)) {
    await load(bdk.keyId, 'bdk', bdk.algorithm, bdk.bdk);
  }
  for (const zpk of Object.values(TEST_ZONE_PIN_KEYS)) {
    await load(zpk.id, 'pin-encryption', zpk.algorithm, zpk.hex);
  }
  return store;
}
