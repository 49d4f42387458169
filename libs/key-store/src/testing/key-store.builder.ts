import { adjustOddParity, hexToBytes, xor } from '@tillgate/crypto';
import type { RandomBytes } from '@tillgate/crypto';
import { randomBytes } from 'node:crypto';
import { InMemoryAuditSink } from '../audit/in-memory-audit-sink';
import type { KeyStoreLogger } from '../audit/key-store-logger';
import type { KeyComponent } from '../key-store';
import type { KeyBlockRepository } from '../keys/key-block.repository';
import { InMemoryKeyBlockRepository } from '../keys/in-memory-key-block.repository';
import { KeyAlgorithmName, keyCheckValue, KeyKind } from '../keys/key-kind';
import { InMemoryKsnCounterRepository } from '../ksn/in-memory-ksn-counter.repository';
import type { KsnCounterRepository } from '../ksn/ksn-counter.repository';
import { MasterKey } from '../master-key/master-key';
import { SoftwareKeyStore } from '../software/software-key-store';

/** Test-only master key. */
export const TEST_MASTER_KEY_HEX =
  '6B1A0D3E4F57C2891E3D5A7B9C0F2E4D6A8B1C3D5E7F90A2B4C6D8E0F1A3B5C7';

export interface ClearKey {
  readonly id: string;
  readonly kind: KeyKind;
  readonly algorithm: KeyAlgorithmName;
  readonly key: string;
}

/**
 * Two components of a known key, as two custodians would enter them: a
 * random first component and the XOR remainder, each with its KCV; TDES
 * components get odd parity, which the combined key ignores.
 */
export function componentsOf(
  algorithm: KeyAlgorithmName,
  key: Buffer,
  random: RandomBytes = randomBytes,
): { components: KeyComponent[]; kcv: Buffer } {
  const fix = (b: Buffer) => (algorithm === 'tdes' ? adjustOddParity(b) : b);
  const first = fix(random(key.length));
  const second = fix(xor(key, first));
  return {
    components: [first, second].map((value) => ({ value, kcv: keyCheckValue(algorithm, value) })),
    kcv: keyCheckValue(algorithm, key),
  };
}

export function aKeyStore(): KeyStoreBuilder {
  return new KeyStoreBuilder();
}

export class KeyStoreBuilder {
  #masterKeyHex = TEST_MASTER_KEY_HEX;
  #keyBlocks: KeyBlockRepository = new InMemoryKeyBlockRepository();
  #ksnCounters: KsnCounterRepository = new InMemoryKsnCounterRepository();
  #logger: KeyStoreLogger | undefined;
  #random: RandomBytes | undefined;
  #now: (() => Date) | undefined;
  readonly #keys: ClearKey[] = [];

  withMasterKey(hex: string): this {
    this.#masterKeyHex = hex;
    return this;
  }

  withKeyBlocks(repository: KeyBlockRepository): this {
    this.#keyBlocks = repository;
    return this;
  }

  withKsnCounters(repository: KsnCounterRepository): this {
    this.#ksnCounters = repository;
    return this;
  }

  withLogger(logger: KeyStoreLogger): this {
    this.#logger = logger;
    return this;
  }

  withRandom(random: RandomBytes): this {
    this.#random = random;
    return this;
  }

  withClock(now: () => Date): this {
    this.#now = now;
    return this;
  }

  /** A key imported from two components when the store is built. */
  withKey(key: ClearKey): this {
    this.#keys.push(key);
    return this;
  }

  async build() {
    const audit = new InMemoryAuditSink();
    const masterKey = MasterKey.fromBytes(hexToBytes(this.#masterKeyHex));
    const store = new SoftwareKeyStore({
      masterKey,
      keyBlocks: this.#keyBlocks,
      ksnCounters: this.#ksnCounters,
      audit,
      logger: this.#logger,
      randomBytes: this.#random,
      now: this.#now,
    });
    for (const key of this.#keys) {
      const { components, kcv } = componentsOf(key.algorithm, hexToBytes(key.key));
      await store.importKey({
        id: key.id,
        kind: key.kind,
        algorithm: key.algorithm,
        components,
        kcv,
      });
    }
    audit.events.length = 0;
    return { store, audit, masterKey, keyBlocks: this.#keyBlocks, ksnCounters: this.#ksnCounters };
  }
}
