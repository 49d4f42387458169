import { readFileSync } from 'node:fs';
import { ConfigError, configSchemas, defineConfig, loadConfig } from '@tillgate/platform';
import { z } from 'zod';

const optionalPath = () => z.string().min(1).optional();

/** Environment of apps/issuer-simulator. Every variable is described in libs/issuer-simulator/README.md. */
export const issuerSimulatorConfigDefinition = defineConfig({
  ISSUER_SIM_HOST: {
    schema: configSchemas.host('127.0.0.1'),
    description: 'Address the ISO 8583 listener binds to.',
  },
  ISSUER_SIM_PORT: {
    schema: configSchemas.port(8583),
    description: 'ISO 8583 port (2-byte length frames); 0 picks a free port and prints it.',
  },
  ISSUER_SIM_CONTROL_PORT: {
    schema: configSchemas.port(8584),
    description: 'HTTP control channel port, always on 127.0.0.1; 0 picks a free port.',
  },
  ISSUER_SIM_ZONE_PIN_KEY: {
    schema: z
      .string()
      .regex(
        /^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/,
        'expected a 2- or 3-key TDES key as 32 or 48 hex digits',
      )
      .transform((hex) => Buffer.from(hex, 'hex')),
    description: 'TDES zone PIN key (clear, test only) of 8-byte field 52 PIN blocks.',
    sensitive: true,
  },
  ISSUER_SIM_PIN_BLOCK_FORMAT: {
    schema: z
      .enum(['0', '3'])
      .default('0')
      .transform((f) => Number(f) as 0 | 3),
    description: 'ISO 9564 format of an 8-byte field 52 (TDES zone key): 0 or 3.',
  },
  ISSUER_SIM_AES_ZONE_PIN_KEY: {
    schema: z
      .string()
      .regex(
        /^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$/,
        'expected an AES-128, -192 or -256 key as 32, 48 or 64 hex digits',
      )
      .transform((hex) => Buffer.from(hex, 'hex'))
      .optional(),
    description:
      'AES zone PIN key (clear, test only) of 16-byte field 52 PIN blocks (ISO 9564 format 4, AES DUKPT terminals). Unset: those are answered 96.',
    sensitive: true,
  },
  ISSUER_SIM_CARD_SEEDS: {
    schema: z
      .string()
      .default('tillgate-demo-card-1,tillgate-demo-card-2')
      .transform((s) =>
        s
          .split(',')
          .map((seed) => seed.trim())
          .filter(Boolean),
      ),
    description:
      'Comma-separated seeds; each gives the card `tillgate emv card-profile new --seed <seed>` writes. Empty: none.',
  },
  ISSUER_SIM_CARDS_DIR: {
    schema: optionalPath(),
    description:
      'Directory of card files (*.json): card profiles, or { profile, account } objects.',
  },
  ISSUER_SIM_OPENING_BALANCE: {
    schema: z.coerce.number().int().nonnegative().default(100_000),
    description: 'Balance, in minor units, of every card whose file does not set one.',
  },
  ISSUER_SIM_CURRENCY: {
    schema: z
      .string()
      .regex(/^\d{3}$/, 'expected an ISO 4217 numeric code')
      .default('156'),
    description: 'Account currency (field 49) of every card whose file does not set one.',
  },
  ISSUER_SIM_JOURNAL_FILE: {
    schema: optionalPath(),
    description: 'Append approvals and reversals to this JSON-lines file as well.',
  },
  ISSUER_SIM_JOURNAL_FLUSH_MS: {
    schema: z.coerce.number().int().min(0).max(60_000).default(100),
    description:
      'Journal file entries are written in batches at most this many ms apart (and at shutdown); 0 writes each one before its response is sent.',
  },
  ISSUER_SIM_TLS_CERT_FILE: {
    schema: optionalPath(),
    description:
      'PEM certificate of the host; with KEY and CA files, the listener requires mutual TLS.',
  },
  ISSUER_SIM_TLS_KEY_FILE: {
    schema: optionalPath(),
    description: 'PEM private key of the host.',
    sensitive: true,
  },
  ISSUER_SIM_TLS_CA_FILE: {
    schema: optionalPath(),
    description: 'PEM CA certificates that client certificates must chain to.',
  },
  LOG_LEVEL: { schema: configSchemas.logLevel(), description: 'pino log level.' },
});

export type IssuerSimulatorConfig = ReturnType<typeof loadIssuerSimulatorConfig>;

const TLS_FILES = [
  'ISSUER_SIM_TLS_CERT_FILE',
  'ISSUER_SIM_TLS_KEY_FILE',
  'ISSUER_SIM_TLS_CA_FILE',
] as const;

export function loadIssuerSimulatorConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(issuerSimulatorConfigDefinition, env);
  const tlsSet = TLS_FILES.filter((name) => config[name] !== undefined);
  if (tlsSet.length !== 0 && tlsSet.length !== TLS_FILES.length) {
    throw new ConfigError(
      TLS_FILES.filter((name) => config[name] === undefined).map((variable) => ({
        variable,
        problem: 'mutual TLS needs the certificate, key and CA files together',
      })),
    );
  }
  return config;
}

/** The listener's mutual TLS material, when the config names it. */
export function tlsFromConfig(config: IssuerSimulatorConfig) {
  const {
    ISSUER_SIM_TLS_CERT_FILE: cert,
    ISSUER_SIM_TLS_KEY_FILE: key,
    ISSUER_SIM_TLS_CA_FILE: ca,
  } = config;
  if (!cert || !key || !ca) return undefined;
  return { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca) };
}
