import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import {
  CARD_INSERT_GRPC_PACKAGE,
  CardInsertModule,
  acquiringPortsFromConfig,
  createCardInsert,
  openCardInsertDatabase,
  type CardInsertConfig,
  type CardInsertPorts,
} from '@tillgate/card-insert';
import { PROTO_LOADER_OPTIONS, gatewayV1, protoPath } from '@tillgate/contracts';
import { EventStore, OutboxRelay, createKafka } from '@tillgate/event-store';
import { storageKindOf } from '@tillgate/persistence';
import {
  createLogger,
  freePort,
  GatewayMetrics,
  GrpcMetricsInterceptor,
  Logger,
  NestPinoLogger,
  startMetricsServer,
} from '@tillgate/platform';
import { startDemoEstate, type DemoEstate } from './demo/demo-estate';
import { GATEWAY_GRPC_PACKAGES, GatewayModule } from './gateway.module';
import { GatewayConfig } from './gateway.config';
import { HealthRegistry } from './health/health.registry';

export interface RunningGateway {
  grpcAddress: string;
  metricsUrl: string;
  /** Demo mode only: the in-process issuer simulator's ISO 8583 address. */
  demoIssuerAddress?: string;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  version: string;
  logger?: Logger;
  clock?: () => number;
  /** Replaces the card-insert adapters built from config (tests); then they are the caller's to close. */
  cardInsertPorts?: CardInsertPorts;
}

const GRPC_PACKAGES = [...GATEWAY_GRPC_PACKAGES, CARD_INSERT_GRPC_PACKAGE];

/** Closes what was opened, newest first, even when one of them fails. */
class Resources {
  private readonly closers: (() => Promise<unknown>)[] = [];
  add(close: () => Promise<unknown>): void {
    this.closers.unshift(close);
  }
  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (const close of this.closers.splice(0)) await close().catch((e) => failures.push(e));
    if (failures.length > 0) throw failures[0];
  }
}

/**
 * Boots every service module in one process: gRPC (with server reflection),
 * the card-insert tender on the event store (with its outbox relay when
 * KAFKA_BROKERS is set), the metrics endpoint and the database. Used by
 * apps/gateway and by the end-to-end tests, so both run exactly the same
 * wiring.
 */
export async function startGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = { version: '0.0.0' },
): Promise<RunningGateway> {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'gateway' });
  const host = config.TILLGATE_GRPC_HOST;
  const grpcPort = config.TILLGATE_GRPC_PORT || (await freePort(host));
  const resources = new Resources();
  try {
    const dataSource = await openCardInsertDatabase(config.DATABASE_URL);
    resources.add(() => dataSource.destroy());
    const store = new EventStore(dataSource);
    const metrics = new GatewayMetrics({ service: 'gateway' });

    if (config.KAFKA_BROKERS) {
      const relay = new OutboxRelay(dataSource, {
        kafka: createKafka({ clientId: 'tillgate-gateway', brokers: config.KAFKA_BROKERS, logger }),
        store,
        logger: logger.child({ component: 'outbox-relay' }),
      });
      relay.start();
      resources.add(() => relay.stop());
    }

    let estate: DemoEstate | undefined;
    if (config.TILLGATE_MODE === 'demo') {
      estate = await startDemoEstate(config.TILLGATE_DATA_DIR, logger);
      resources.add(() => estate!.close());
      logger.warn(
        { issuer: estate.issuerAddress, dataDir: config.TILLGATE_DATA_DIR },
        'DEMO MODE: published test keys, demo terminals and an in-process issuer simulator; never for real cards',
      );
    }
    const cardConfig: CardInsertConfig = { ...config, ...estate?.env };
    let ports = options.cardInsertPorts;
    if (!ports) {
      const masterKeyEnv = estate
        ? { TILLGATE_MASTER_KEY_FILE: estate.env.TILLGATE_MASTER_KEY_FILE }
        : {
            TILLGATE_MASTER_KEY: config.TILLGATE_MASTER_KEY,
            TILLGATE_MASTER_KEY_FILE: config.TILLGATE_MASTER_KEY_FILE,
          };
      const acquiring = await acquiringPortsFromConfig(
        cardConfig,
        logger,
        { store, dataSource },
        masterKeyEnv,
      );
      resources.add(() => acquiring.close());
      ports = acquiring.ports;
    }
    const cardInsert = createCardInsert(store, ports, cardConfig, {
      logger: logger.child({ component: 'card-insert' }),
    });

    const app = await NestFactory.createMicroservice<MicroserviceOptions>(
      GatewayModule.forRoot(
        {
          version: options.version,
          enabledTenders: [gatewayV1.Tender.TENDER_CARD_INSERT],
          storage: storageKindOf(config.DATABASE_URL),
          eventPublishing: Boolean(config.KAFKA_BROKERS),
          startedAt,
          clock,
        },
        [CardInsertModule.forRoot(cardInsert)],
      ),
      {
        logger: new NestPinoLogger(logger),
        transport: Transport.GRPC,
        options: {
          url: `${host}:${grpcPort}`,
          package: GRPC_PACKAGES.map((p) => p.package),
          protoPath: GRPC_PACKAGES.map((p) => protoPath(p.proto)),
          loader: PROTO_LOADER_OPTIONS,
          gracefulShutdown: true,
          onLoadPackageDefinition: (pkg, server) => new ReflectionService(pkg).addToServer(server),
        },
      },
    );
    resources.add(() => app.close());
    app.useGlobalInterceptors(new GrpcMetricsInterceptor(metrics));
    await app.listen();

    const services = GRPC_PACKAGES.flatMap((p) => p.services.map((s) => `${p.package}.${s}`));
    app.get(HealthRegistry).markServing(services);

    const metricsServer = await startMetricsServer(
      metrics.registry,
      host,
      config.TILLGATE_METRICS_PORT,
    );
    resources.add(() => metricsServer.close());
    const grpcAddress = `${host}:${grpcPort}`;
    const metricsUrl = `http://${host}:${metricsServer.port}/metrics`;
    logger.info(
      {
        grpcAddress,
        metricsUrl,
        storage: storageKindOf(config.DATABASE_URL),
        mode: config.TILLGATE_MODE,
        tenders: ['card-insert'],
      },
      'gateway serving',
    );

    let closing: Promise<void> | undefined;
    return {
      grpcAddress,
      metricsUrl,
      demoIssuerAddress: estate?.issuerAddress,
      close: () => (closing ??= resources.close()),
    };
  } catch (error) {
    await resources.close().catch(() => undefined);
    throw error;
  }
}
