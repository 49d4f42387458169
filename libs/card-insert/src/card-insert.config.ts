import { z } from 'zod';
import { masterKeyConfig } from '@tillgate/key-store';
import { ConfigError, configSchemas, defineConfig, loadConfig } from '@tillgate/platform';

const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const keyId = z.string().min(1);

/** Environment of the stand-alone card-insert service (apps/card-insert). */
export const cardInsertConfigDefinition = defineConfig({
  TILLGATE_GRPC_HOST: {
    schema: configSchemas.host('127.0.0.1'),
    description: 'Address the gRPC server binds to.',
  },
  TILLGATE_GRPC_PORT: {
    schema: configSchemas.port(50062),
    description: 'gRPC port; 0 picks a free port.',
  },
  DATABASE_URL: {
    schema: configSchemas.databaseUrl('sqlite:.data/tillgate.sqlite'),
    description: 'Event store and card-insert tables: postgres://... or sqlite:<path>.',
    sensitive: true,
  },
  CARD_INSERT_ISSUER_HOST: {
    schema: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
      .default('127.0.0.1:5858'),
    description: 'The issuer host (ISO 8583 over the host link), host:port.',
  },
  CARD_INSERT_TERMINAL_DEADLINE_MS: {
    schema: ms(30_000),
    description: "The terminal's own response timeout: every Authorize is answered before it.",
  },
  CARD_INSERT_ISSUER_DEADLINE_MS: {
    schema: ms(10_000),
    description:
      'How long the issuer gets for an authorization; at least 1 s below the terminal deadline.',
  },
  CARD_INSERT_REVERSAL_DEADLINE_MS: {
    schema: ms(5_000),
    description: 'How long the issuer gets to acknowledge one 0400/0401.',
  },
  CARD_INSERT_REVERSAL_BACKOFF_MS: {
    schema: ms(1_000),
    description: 'Wait before the first 0401 repeat; doubles per repeat.',
  },
  CARD_INSERT_REVERSAL_BACKOFF_CAP_MS: {
    schema: ms(60_000),
    description: 'Longest wait between 0401 repeats.',
  },
  CARD_INSERT_REVERSAL_POLL_MS: {
    schema: ms(500),
    description: 'How often the reversal queue is polled.',
  },
  CARD_INSERT_FEE_BASIS_POINTS: {
    schema: z.coerce.number().int().min(0).max(10_000).default(0),
    description: "The gateway's merchant fee in basis points of each capture (0 = none).",
  },
  CARD_INSERT_TERMINALS_FILE: {
    schema: z.string().min(1).default('config/terminals.json'),
    description: 'JSON file of enrolled terminals ({ "terminals": [...] }).',
  },
  TILLGATE_KEY_STORE_FILE: {
    schema: z.string().min(1).default('.data/keys.json'),
    description: 'Key block file of the software key store.',
  },
  TILLGATE_KEY_AUDIT_FILE: {
    schema: z.string().min(1).default('.data/keys.audit.jsonl'),
    description: 'Audit log of key uses (JSON lines; never key material).',
  },
  CARD_INSERT_PAN_TOKEN_KEY_ID: {
    schema: keyId.default('pan-token'),
    description: 'Key id of the PAN tokenization HMAC key.',
  },
  CARD_INSERT_ZONE_PIN_KEY_TDES_ID: {
    schema: keyId.optional(),
    description: 'Key id of the TDES zone PIN key (format 0) for TDES DUKPT terminals.',
  },
  CARD_INSERT_ZONE_PIN_KEY_AES_ID: {
    schema: keyId.optional(),
    description: 'Key id of the AES zone PIN key (format 4) for AES DUKPT terminals.',
  },
  ...masterKeyConfig,
  LOG_LEVEL: { schema: configSchemas.logLevel(), description: 'pino log level.' },
});

export type CardInsertConfig = ReturnType<typeof loadCardInsertConfig>;

export function loadCardInsertConfig(env: Record<string, string | undefined> = process.env) {
  return checkCardInsertDeadlines(loadConfig(cardInsertConfigDefinition, env));
}

/**
 * The terminal must get a definitive answer (91 on timeout) before it gives
 * up on its own: the issuer deadline is at least 1 s below the terminal's.
 * For every loader of these variables (this service's, the gateway's).
 */
export function checkCardInsertDeadlines<
  C extends { CARD_INSERT_ISSUER_DEADLINE_MS: number; CARD_INSERT_TERMINAL_DEADLINE_MS: number },
>(config: C): C {
  if (config.CARD_INSERT_ISSUER_DEADLINE_MS + 1000 > config.CARD_INSERT_TERMINAL_DEADLINE_MS)
    throw new ConfigError([
      {
        variable: 'CARD_INSERT_ISSUER_DEADLINE_MS',
        problem: 'must be at least 1000 ms below CARD_INSERT_TERMINAL_DEADLINE_MS',
      },
    ]);
  return config;
}
