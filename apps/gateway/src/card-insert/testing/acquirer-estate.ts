import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCardProfile, seededRandom, serializeCardProfile } from '@tillgate/emv';
import {
  FileKeyBlockRepository,
  InMemoryKsnCounterRepository,
  JsonLinesAuditSink,
  MasterKey,
  SoftwareKeyStore,
  componentsOf,
  type KeyAlgorithmName,
  type KeyKind,
} from '@tillgate/key-store';
import {
  TEST_TERMINAL_KEYS,
  loadTestCard,
  testTerminalKey,
  type TestCard,
} from '@tillgate/terminal-sim';

/**
 * The acquirer side a production gateway reads from its configuration:
 * a key store (test BDKs, zone PIN keys, the PAN token key), the enrolled
 * terminals and the issuer's test cards, written under one directory so
 * that a restarted gateway finds the same estate. Test keys only: the BDKs
 * are the published X9.24 ones the terminal simulator derives from.
 */

/** Clear zone PIN keys shared by the gateway's key store and the issuer simulator. */
export const ZONE_PIN_KEYS = {
  tdes: { id: 'zpk.e2e.tdes', hex: '89ABCDEF0123456776543210FEDCBA98' },
  aes: { id: 'zpk.e2e.aes', hex: '000102030405060708090A0B0C0D0E0F' },
} as const;
const PAN_TOKEN_KEY_ID = 'pan-token.e2e';
/** ISO 4217 CNY: the issuer simulator's default account currency. */
export const CURRENCY = { alpha: 'CNY', numeric: '156' } as const;
export const MERCHANT_ID = 'merchant-e2e-0001';
/** Terminals TERM0001..TERM0016 (TDES DUKPT) are enrolled. */
export const TERMINALS = 16;

/** The issuer's cards the scenarios insert (seeds the simulator derives too, or card files). */
export interface EstateCards {
  /** The demo card 1 (seed), balance from ISSUER_SIM_OPENING_BALANCE. */
  readonly approving: TestCard;
  /** The demo card 2 (seed). */
  readonly second: TestCard;
  /** A card file with 5.00 CNY available. */
  readonly poor: TestCard;
  /** A card file whose application expired on 2023-01-31. */
  readonly expired: TestCard;
}

export interface AcquirerEstate {
  readonly dir: string;
  /** The gateway's variables for this estate (production mode, without the issuer host). */
  readonly gatewayEnv: Record<string, string>;
  /** ISSUER_SIM_CARDS_DIR of the simulator. */
  readonly cardsDir: string;
  readonly cardSeeds: readonly string[];
  readonly cards: EstateCards;
}

const pad = (n: number) => String(n).padStart(4, '0');
export const terminalId = (n: number) => `TERM${pad(n)}`;

function terminalsFile(): object {
  return {
    terminals: Array.from({ length: TERMINALS }, (_, i) => ({
      terminalId: terminalId(i + 1),
      merchantId: MERCHANT_ID,
      merchantName: 'TILLGATE E2E SHOP',
      merchantCity: 'SHANGHAI',
      cardAcceptorId: 'E2E000000000001',
      currency: CURRENCY.alpha,
      bdk: { id: TEST_TERMINAL_KEYS.tdes.keyId },
      dukptScheme: 'tdes',
      initialKeyId: testTerminalKey('tdes', i + 1).initialKeyId,
    })),
  };
}

async function provisionKeys(masterKeyHex: string, keyStoreFile: string, auditFile: string) {
  const audit = new JsonLinesAuditSink(auditFile);
  const keys = new SoftwareKeyStore({
    masterKey: MasterKey.fromBytes(Buffer.from(masterKeyHex, 'hex')),
    keyBlocks: new FileKeyBlockRepository(keyStoreFile),
    ksnCounters: new InMemoryKsnCounterRepository(),
    audit,
  });
  try {
    await importKeys(keys);
  } finally {
    await audit.close();
  }
}

async function importKeys(keys: SoftwareKeyStore): Promise<void> {
  const imports: { id: string; kind: KeyKind; algorithm: KeyAlgorithmName; hex: string }[] = [
    {
      id: TEST_TERMINAL_KEYS.tdes.keyId,
      kind: 'bdk',
      algorithm: 'tdes',
      hex: TEST_TERMINAL_KEYS.tdes.bdk,
    },
    {
      id: TEST_TERMINAL_KEYS.aes.keyId,
      kind: 'bdk',
      algorithm: 'aes',
      hex: TEST_TERMINAL_KEYS.aes.bdk,
    },
    {
      id: ZONE_PIN_KEYS.tdes.id,
      kind: 'pin-encryption',
      algorithm: 'tdes',
      hex: ZONE_PIN_KEYS.tdes.hex,
    },
    {
      id: ZONE_PIN_KEYS.aes.id,
      kind: 'pin-encryption',
      algorithm: 'aes',
      hex: ZONE_PIN_KEYS.aes.hex,
    },
  ];
  for (const key of imports) {
    const { components, kcv } = componentsOf(key.algorithm, Buffer.from(key.hex, 'hex'));
    await keys.importKey({ id: key.id, kind: key.kind, algorithm: key.algorithm, components, kcv });
  }
  await keys.generateKey({ id: PAN_TOKEN_KEY_ID, kind: 'pan-token', algorithm: 'hmac-sha256' });
}

/** A card file as the issuer simulator and the terminal simulator both read it. */
function writeCardFile(
  path: string,
  seed: string,
  profile: { expiryDate?: string },
  account: object,
): void {
  const card = generateCardProfile({ random: seededRandom(seed), ...profile });
  writeFileSync(
    path,
    JSON.stringify({ profile: JSON.parse(serializeCardProfile(card)), account }, null, 2),
  );
}

/** Writes a fresh estate under `dir`. */
export async function provisionEstate(dir: string): Promise<AcquirerEstate> {
  mkdirSync(dir, { recursive: true });
  const masterKeyFile = join(dir, 'master.key');
  const masterKeyHex = randomBytes(32).toString('hex');
  writeFileSync(masterKeyFile, masterKeyHex + '\n', { mode: 0o600 });
  const keyStoreFile = join(dir, 'keys.json');
  const auditFile = join(dir, 'keys.audit.jsonl');
  await provisionKeys(masterKeyHex, keyStoreFile, auditFile);
  const terminals = join(dir, 'terminals.json');
  writeFileSync(terminals, JSON.stringify(terminalsFile(), null, 2));

  const cardsDir = join(dir, 'cards');
  mkdirSync(cardsDir);
  const poorFile = join(cardsDir, 'poor.json');
  const expiredFile = join(cardsDir, 'expired.json');
  writeCardFile(poorFile, 'tillgate-e2e-poor-card', {}, { balance: 500 });
  writeCardFile(expiredFile, 'tillgate-e2e-expired-card', { expiryDate: '230131' }, {});
  const [first, second] = ['tillgate-demo-card-1', 'tillgate-demo-card-2'] as const;
  const cardSeeds = [first, second];
  return {
    dir,
    cardsDir,
    cardSeeds,
    cards: {
      approving: loadTestCard(first),
      second: loadTestCard(second),
      poor: loadTestCard(poorFile),
      expired: loadTestCard(expiredFile),
    },
    gatewayEnv: {
      TILLGATE_MODE: 'production',
      TILLGATE_MASTER_KEY_FILE: masterKeyFile,
      TILLGATE_KEY_STORE_FILE: keyStoreFile,
      TILLGATE_KEY_AUDIT_FILE: auditFile,
      CARD_INSERT_TERMINALS_FILE: terminals,
      CARD_INSERT_PAN_TOKEN_KEY_ID: PAN_TOKEN_KEY_ID,
      CARD_INSERT_ZONE_PIN_KEY_TDES_ID: ZONE_PIN_KEYS.tdes.id,
      CARD_INSERT_ZONE_PIN_KEY_AES_ID: ZONE_PIN_KEYS.aes.id,
      TILLGATE_DATA_DIR: dir,
    },
  };
}
