import { ConfigError, createLogger } from '@tillgate/platform';
import { loadIssuerSimulatorConfig, startIssuerSimulator } from '@tillgate/issuer-simulator';

async function main(): Promise<void> {
  let config;
  try {
    config = loadIssuerSimulatorConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'issuer-simulator' });
  const simulator = await startIssuerSimulator(config, { logger });

  process.stdout.write(
    [
      '',
      `Issuer simulator: ISO 8583 on ${simulator.host.address} (${simulator.issuer.cards.size} cards), control channel on ${simulator.control.url}`,
      `Try it:  curl ${simulator.control.url}/cards`,
      '',
    ].join('\n'),
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    simulator.close().then(
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
    `issuer simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
