import { ConfigError, createLogger, tillgateVersion } from '@tillgate/platform';
import { loadGatewayConfig, startGateway } from '@tillgate/gateway';

async function main(): Promise<void> {
  const version = tillgateVersion();
  let config;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'gateway' });
  const gateway = await startGateway(config, { version, logger });

  process.stdout.write(
    [
      '',
      `Tillgate ${version} is serving gRPC on ${gateway.grpcAddress} (metrics: ${gateway.metricsUrl})`,
      `Try it:  npx tillgate info --address ${gateway.grpcAddress}`,
      `   or:   grpcurl -plaintext ${gateway.grpcAddress} tillgate.gateway.v1.GatewayService/GetServerInfo`,
      '',
    ].join('\n'),
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  // One line, no stack: operators see what failed; details are in the log.
  process.stderr.write(
    `gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
