import { ConfigError, createLogger } from '@tillgate/platform';
import { loadLedgerConfig, startLedger } from '@tillgate/ledger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadLedgerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'ledger' });
  const ledger = await startLedger(config, { logger });
  process.stdout.write(`Tillgate ledger is serving gRPC on ${ledger.grpcAddress}\n`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    ledger.close().then(
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
  process.stderr.write(
    `ledger failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
