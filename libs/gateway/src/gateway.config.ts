import { configSchemas, defineConfig, loadConfig } from '@tillgate/platform';

/** Environment of the all-in-one gateway. Every variable is documented in README.md. */
export const gatewayConfigDefinition = defineConfig({
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
  LOG_LEVEL: { schema: configSchemas.logLevel(), description: 'pino log level.' },
});

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(gatewayConfigDefinition, env);
}
