import { z } from 'zod';
import { cardInsertConfigDefinition, checkCardInsertDeadlines } from '@tillgate/card-insert';
import { configSchemas, defineConfig, loadConfig } from '@tillgate/platform';

/**
 * Environment of the all-in-one gateway. Every variable is documented in
 * README.md. The card-insert variables are the stand-alone service's
 * (libs/card-insert/src/card-insert.config.ts); in demo mode the gateway
 * provisions the keys, terminals and issuer they point at.
 */
export const gatewayConfigDefinition = defineConfig({
  ...cardInsertConfigDefinition,
  TILLGATE_GRPC_HOST: {
    schema: configSchemas.host('127.0.0.1'),
    description: 'Address the gRPC server binds to (0.0.0.0 in containers).',
  },
  TILLGATE_GRPC_PORT: {
    schema: configSchemas.port(50051),
    description: 'gRPC port; 0 picks a free port and prints it.',
  },
  TILLGATE_METRICS_PORT: {
    schema: configSchemas.port(9464),
    description: 'HTTP port of GET /metrics (Prometheus); 0 picks a free port.',
  },
  DATABASE_URL: {
    schema: configSchemas.databaseUrl('sqlite:.data/tillgate.sqlite'),
    description: 'Event store database: postgres://... or sqlite:<path> (the embedded default).',
    sensitive: true,
  },
  KAFKA_BROKERS: {
    schema: configSchemas.brokers(),
    description: 'Comma-separated host:port list; when unset, events are not published to Kafka.',
  },
  TILLGATE_MODE: {
    schema: z.enum(['demo', 'production']).default('demo'),
    description:
      'demo: test keys, demo terminals and an in-process issuer simulator are provisioned under TILLGATE_DATA_DIR; production: they come from the TILLGATE_KEY_*, CARD_INSERT_* and master key variables.',
  },
  TILLGATE_DATA_DIR: {
    schema: z.string().min(1).default('.data'),
    description: 'Where demo mode keeps its key store, terminals and issuer journal.',
  },
  LOG_LEVEL: { schema: configSchemas.logLevel(), description: 'pino log level.' },
});

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env) {
  return checkCardInsertDeadlines(loadConfig(gatewayConfigDefinition, env));
}
