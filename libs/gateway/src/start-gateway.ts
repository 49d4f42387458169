import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { ReflectionService } from '@grpc/reflection';
import { PROTO_LOADER_OPTIONS, gatewayV1, protoPath } from '@tillgate/contracts';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import {
  createLogger,
  freePort,
  GatewayMetrics,
  GrpcMetricsInterceptor,
  Logger,
  NestPinoLogger,
  startMetricsServer,
} from '@tillgate/platform';
import { GATEWAY_GRPC_PACKAGES, GatewayModule } from './gateway.module';
import { GatewayConfig } from './gateway.config';
import { HealthRegistry } from './health/health.registry';

export interface RunningGateway {
  grpcAddress: string;
  metricsUrl: string;
  close(): Promise<void>;
}

/**
 * Boots every service module in one process: gRPC (with server reflection),
 * the metrics endpoint and the database. Used by apps/gateway and by the
 * end-to-end tests, so both run exactly the same wiring.
 */
export async function startGateway(
  config: GatewayConfig,
  options: { version: string; logger?: Logger; clock?: () => number } = { version: '0.0.0' },
): Promise<RunningGateway> {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'gateway' });
  const host = config.TILLGATE_GRPC_HOST;
  const grpcPort = config.TILLGATE_GRPC_PORT || (await freePort(host));

  const dataSource = await openDataSource({ url: config.DATABASE_URL });
  const metrics = new GatewayMetrics({ service: 'gateway' });

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    GatewayModule.forRoot({
      version: options.version,
      enabledTenders: [] as gatewayV1.Tender[],
      storage: storageKindOf(config.DATABASE_URL),
      eventPublishing: Boolean(config.KAFKA_BROKERS),
      startedAt,
      clock,
    }),
    {
      logger: new NestPinoLogger(logger),
      transport: Transport.GRPC,
      options: {
        url: `${host}:${grpcPort}`,
        package: GATEWAY_GRPC_PACKAGES.map((p) => p.package),
        protoPath: GATEWAY_GRPC_PACKAGES.map((p) => protoPath(p.proto)),
        loader: PROTO_LOADER_OPTIONS,
        gracefulShutdown: true,
        onLoadPackageDefinition: (pkg, server) => new ReflectionService(pkg).addToServer(server),
      },
    },
  );
  app.useGlobalInterceptors(new GrpcMetricsInterceptor(metrics));
  await app.listen();

  const services = GATEWAY_GRPC_PACKAGES.flatMap((p) => p.services.map((s) => `${p.package}.${s}`));
  app.get(HealthRegistry).markServing(services);

  const metricsServer = await startMetricsServer(
    metrics.registry,
    host,
    config.TILLGATE_METRICS_PORT,
  );
  const grpcAddress = `${host}:${grpcPort}`;
  const metricsUrl = `http://${host}:${metricsServer.port}/metrics`;
  logger.info(
    { grpcAddress, metricsUrl, storage: storageKindOf(config.DATABASE_URL) },
    'gateway serving',
  );

  let closing: Promise<void> | undefined;
  return {
    grpcAddress,
    metricsUrl,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await metricsServer.close();
        await dataSource.destroy();
      })()),
  };
}
