import { z } from 'zod';
import { storageKindOf } from '@tillgate/persistence';
import { ConfigError, configSchemas, defineConfig, loadConfig } from '@tillgate/platform';

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
  LEDGER_KAFKA_BROKERS: {
    schema: configSchemas.brokers(),
    description:
      'Comma-separated host:port list; when set, the ledger posts the payment events of LEDGER_PAYMENTS_TOPIC to its books. Needs LEDGER_JOURNAL=event-store on a postgres:// DATABASE_URL. Unset: no consumer.',
  },
  LEDGER_PAYMENTS_TOPIC: {
    schema: z.string().min(1).default('tillgate.payments.v1'),
    description: 'Topic of the payment events the ledger posts (with LEDGER_KAFKA_BROKERS).',
  },
  LEDGER_PAYMENTS_CONSUMER_GROUP: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"')
      .default('ledger-payments'),
    description:
      'Kafka consumer group and checkpoint name of that consumer; its dead letters go to tillgate.dlq.<group>.',
  },
  LOG_LEVEL: { schema: configSchemas.logLevel(), description: 'pino log level.' },
});

export type LedgerConfig = ReturnType<typeof loadLedgerConfig>;

export function loadLedgerConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(ledgerConfigDefinition, env);
  // The consumer's checkpoint lives in the ledger's event store, which must be Postgres (see PaymentPostingConsumer).
  if (
    config.LEDGER_KAFKA_BROKERS &&
    (config.LEDGER_JOURNAL !== 'event-store' || storageKindOf(config.DATABASE_URL) !== 'postgres')
  ) {
    throw new ConfigError([
      {
        variable: 'LEDGER_KAFKA_BROKERS',
        problem:
          'posting payment events needs LEDGER_JOURNAL=event-store and a postgres:// DATABASE_URL',
      },
    ]);
  }
  return config;
}
