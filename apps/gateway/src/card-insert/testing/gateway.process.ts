import type { AcquirerEstate } from './acquirer-estate';
import { ServiceProcess } from './service-process';

/**
 * Deadlines short enough for a test run and in the order production needs
 * them: the issuer deadline at least 1 s below the terminal's, reversals
 * repeated quickly.
 */
export const E2E_DEADLINES = {
  CARD_INSERT_ISSUER_DEADLINE_MS: '1500',
  CARD_INSERT_TERMINAL_DEADLINE_MS: '3000',
  CARD_INSERT_REVERSAL_DEADLINE_MS: '500',
  CARD_INSERT_REVERSAL_BACKOFF_MS: '200',
  CARD_INSERT_REVERSAL_BACKOFF_CAP_MS: '400',
  CARD_INSERT_REVERSAL_POLL_MS: '100',
} as const;

/** The terminal's own deadline for an answer (the terminal simulator's --timeout). */
export const TERMINAL_TIMEOUT_MS = Number(E2E_DEADLINES.CARD_INSERT_TERMINAL_DEADLINE_MS);

export interface GatewayProcessOptions {
  readonly estate: AcquirerEstate;
  readonly databaseUrl: string;
  readonly issuerAddress: string;
  readonly env?: Record<string, string>;
}

/**
 * apps/gateway (`node -r @swc-node/register apps/gateway/src/main.ts`, what
 * `npm start` runs) in production mode: keys, terminals and issuer host from
 * the estate's variables, the event store on `databaseUrl`, the outbox relay
 * publishing to the Kafka of the integration environment.
 */
export class GatewayProcess {
  private constructor(
    readonly process: ServiceProcess,
    readonly grpcAddress: string,
  ) {}

  static async start(options: GatewayProcessOptions): Promise<GatewayProcess> {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers)
      throw new Error(
        'KAFKA_BROKERS is not set: node tools/infra/infra.mjs up; eval "$(node tools/infra/infra.mjs env)"',
      );
    const gateway = ServiceProcess.start('gateway', 'apps/gateway/src/main.ts', {
      ...options.estate.gatewayEnv,
      ...E2E_DEADLINES,
      DATABASE_URL: options.databaseUrl,
      KAFKA_BROKERS: brokers,
      CARD_INSERT_ISSUER_HOST: options.issuerAddress,
      TILLGATE_GRPC_PORT: '0',
      TILLGATE_METRICS_PORT: '0',
      // Every line the gateway can write, so that the leak test sees them all.
      LOG_LEVEL: 'trace',
      ...options.env,
    });
    const [grpcAddress = ''] = await gateway.waitFor(/serving gRPC on (\S+)/, 60_000);
    return new GatewayProcess(gateway, grpcAddress);
  }

  logs(): string {
    return this.process.text();
  }

  kill(): Promise<void> {
    return this.process.kill();
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
