import { z } from 'zod';
import { configSchemas, defineConfig, loadConfig } from '@tillgate/platform';

/** Environment of the stand-alone ledger service (apps/ledger). */
export const ledgerConfigDefinition = defineConfig({
  TILLGATE_GRPC_HOST: {
    schema: configSchemas.host('127.0.0.1'),
    description: 'Address the gRPC server binds to.',
  },
  TILLGATE_GRPC_PORT: {
    schema: configSchemas.port(50061),
    description: 'gRPC port; 0 picks a free port.',
  },
  LEDGER_JOURNAL: {
    // No default: running on the in-memory journal must be a deliberate choice.
    schema: z.enum(['event-store', 'memory']),
    description:
      'Where ledger events are kept: "event-store" (DATABASE_URL) or "memory" (development only: lost on exit).',
  },
  DATABASE_URL: {
    schema: configSchemas.databaseUrl('sqlite:.data/tillgate.sqlite'),
    description:
      'Event store database for LEDGER_JOURNAL=event-store: postgres://... or sqlite:<path>.',
    sensitive: true,
  },
  LEDGER_EXPIRY_SWEEP_MS: {
    schema: z.coerce.number().int().min(0).default(1000),
    description: 'How often due reservations are expired, in milliseconds; 0 turns the sweep off.',
  },
  LOG_LEVEL: { schema: configSchemas.logLevel(), description: 'pino log level.' },
});

export type LedgerConfig = ReturnType<typeof loadLedgerConfig>;

export function loadLedgerConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(ledgerConfigDefinition, env);
}
