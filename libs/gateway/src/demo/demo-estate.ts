import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  loadIssuerSimulatorConfig,
  startIssuerSimulator,
  type RunningIssuerSimulator,
} from '@tillgate/issuer-simulator';
import type { Logger } from '@tillgate/platform';
import { TEST_TERMINAL_KEYS, testTerminalKey } from '@tillgate/terminal-sim';

/**
 * The embedded default's demo estate: everything the card-insert tender
 * needs that a real acquirer would get from key ceremonies, terminal
 * enrolment and an issuer connection, provisioned under the data directory
 * on first start and reused afterwards.
 *
 * TEST MATERIAL ONLY. The BDKs are the ones published in ANSI X9.24-1 and
 * X9.24-3 (the terminal simulator derives its keys from them) and the zone
 * PIN keys are fixed values written below: anyone can derive every key.
 * `TILLGATE_MODE=production` never uses this file.
 */

/** The clear zone PIN keys shared with the in-process issuer simulator. */
export const DEMO_ZONE_PIN_KEYS = {
  tdes: { id: 'zpk.demo.tdes', hex: '89ABCDEF0123456776543210FEDCBA98' },
  aes: { id: 'zpk.demo.aes', hex: '000102030405060708090A0B0C0D0E0F' },
} as const;
export const DEMO_PAN_TOKEN_KEY_ID = 'pan-token.demo';
/** ISO 4217 CNY: the issuer simulator's default account currency, and the terminal simulator's. */
export const DEMO_CURRENCY = { alpha: 'CNY', numeric: '156' } as const;
/** TDES terminals TERM0001.., AES terminals TERMA001..: as many as `terminal-sim load` drives by default. */
export const DEMO_TERMINALS_PER_SCHEME = 32;

export interface DemoEstate {
  /** Variables to lay over the environment so the card-insert config finds the estate. */
  readonly env: Record<string, string>;
  readonly issuer: RunningIssuerSimulator;
  readonly issuerAddress: string;
  close(): Promise<void>;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The demo terminals: one merchant, TDES and AES DUKPT devices of the published test BDKs. */
export function demoTerminals(): object {
  const terminal = (terminalId: string, scheme: 'tdes' | 'aes', n: number) => ({
    terminalId,
    merchantId: 'merchant-demo-0001',
    merchantName: 'TILLGATE DEMO SHOP',
    merchantCity: 'SHANGHAI',
    cardAcceptorId: 'DEMO00000000001',
    currency: DEMO_CURRENCY.alpha,
    bdk: { id: TEST_TERMINAL_KEYS[scheme].keyId },
    dukptScheme: scheme === 'tdes' ? 'tdes' : 'aes128',
    initialKeyId: testTerminalKey(scheme, n).initialKeyId,
  });
  const numbers = Array.from({ length: DEMO_TERMINALS_PER_SCHEME }, (_, i) => i + 1);
  return {
    terminals: [
      ...numbers.map((n) => terminal(`TERM${pad(n, 4)}`, 'tdes', n)),
      ...numbers.map((n) => terminal(`TERMA${pad(n, 3)}`, 'aes', n)),
    ],
  };
}

async function demoMasterKeyFile(dataDir: string): Promise<string> {
  const file = join(dataDir, 'demo-master.key');
  if (!existsSync(file)) {
    await writeFile(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  }
  return file;
}

/** Imports (or generates) each demo key that the key block file does not hold yet. */
async function provisionDemoKeys(
  masterKeyFile: string,
  keyStoreFile: string,
  auditFile: string,
): Promise<void> {
  const audit = new JsonLinesAuditSink(auditFile);
  const keys = new SoftwareKeyStore({
    masterKey: MasterKey.fromBytes(
      Buffer.from((await readFile(masterKeyFile, 'utf8')).trim(), 'hex'),
    ),
    keyBlocks: new FileKeyBlockRepository(keyStoreFile),
    ksnCounters: new InMemoryKsnCounterRepository(),
    audit,
  });
  try {
    await importMissingDemoKeys(keys);
  } finally {
    // The sink keeps its file open: write what is pending and let go of it.
    await audit.close();
  }
}

async function importMissingDemoKeys(keys: SoftwareKeyStore): Promise<void> {
  const present = new Set((await keys.listKeys()).map((k) => k.id));
  const known: { id: string; kind: KeyKind; algorithm: KeyAlgorithmName; hex: string }[] = [
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
      id: DEMO_ZONE_PIN_KEYS.tdes.id,
      kind: 'pin-encryption',
      algorithm: 'tdes',
      hex: DEMO_ZONE_PIN_KEYS.tdes.hex,
    },
    {
      id: DEMO_ZONE_PIN_KEYS.aes.id,
      kind: 'pin-encryption',
      algorithm: 'aes',
      hex: DEMO_ZONE_PIN_KEYS.aes.hex,
    },
  ];
  for (const key of known.filter((k) => !present.has(k.id))) {
    const { components, kcv } = componentsOf(key.algorithm, Buffer.from(key.hex, 'hex'));
    await keys.importKey({ id: key.id, kind: key.kind, algorithm: key.algorithm, components, kcv });
  }
  if (!present.has(DEMO_PAN_TOKEN_KEY_ID)) {
    await keys.generateKey({
      id: DEMO_PAN_TOKEN_KEY_ID,
      kind: 'pan-token',
      algorithm: 'hmac-sha256',
    });
  }
}

/**
 * Provisions the demo estate under `dataDir` (idempotent) and starts the
 * issuer simulator in-process on a free loopback port, holding the demo
 * cards the terminal simulator knows by name.
 */
export async function startDemoEstate(dataDir: string, logger: Logger): Promise<DemoEstate> {
  await mkdir(dataDir, { recursive: true });
  const masterKeyFile = await demoMasterKeyFile(dataDir);
  await chmod(masterKeyFile, 0o600);
  const keyStoreFile = join(dataDir, 'keys.json');
  const auditFile = join(dataDir, 'keys.audit.jsonl');
  await provisionDemoKeys(masterKeyFile, keyStoreFile, auditFile);
  const terminalsFile = join(dataDir, 'demo-terminals.json');
  await writeFile(terminalsFile, JSON.stringify(demoTerminals(), null, 2) + '\n');

  const issuer = await startIssuerSimulator(
    loadIssuerSimulatorConfig({
      ISSUER_SIM_PORT: '0',
      ISSUER_SIM_CONTROL_PORT: '0',
      ISSUER_SIM_ZONE_PIN_KEY: DEMO_ZONE_PIN_KEYS.tdes.hex,
      ISSUER_SIM_AES_ZONE_PIN_KEY: DEMO_ZONE_PIN_KEYS.aes.hex,
      ISSUER_SIM_CURRENCY: DEMO_CURRENCY.numeric,
      ISSUER_SIM_JOURNAL_FILE: join(dataDir, 'demo-issuer.journal.jsonl'),
      LOG_LEVEL: 'warn',
    }),
    { logger: logger.child({ component: 'demo-issuer' }) },
  );
  const issuerAddress = `127.0.0.1:${issuer.host.port}`;
  return {
    env: {
      TILLGATE_MASTER_KEY_FILE: masterKeyFile,
      TILLGATE_KEY_STORE_FILE: keyStoreFile,
      TILLGATE_KEY_AUDIT_FILE: auditFile,
      CARD_INSERT_TERMINALS_FILE: terminalsFile,
      CARD_INSERT_ISSUER_HOST: issuerAddress,
      CARD_INSERT_PAN_TOKEN_KEY_ID: DEMO_PAN_TOKEN_KEY_ID,
      CARD_INSERT_ZONE_PIN_KEY_TDES_ID: DEMO_ZONE_PIN_KEYS.tdes.id,
      CARD_INSERT_ZONE_PIN_KEY_AES_ID: DEMO_ZONE_PIN_KEYS.aes.id,
    },
    issuer,
    issuerAddress,
    close: () => issuer.close(),
  };
}
