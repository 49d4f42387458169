import { createServer } from 'node:net';
import { ConfigError } from '../config/config-schema';
import { Logger, createLogger } from '../logging/logger';

/** A port the OS says is free on `host` now (for a server configured with port 0). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface ServiceDefinition<
  C extends { LOG_LEVEL: string },
  S extends { close(): Promise<void> },
> {
  /** Log name and the subject of the one-line start-up failure message. */
  name: string;
  loadConfig(): C;
  start(config: C, logger: Logger): Promise<S>;
  /** Lines printed once the service serves: where it listens and how to try it. */
  banner(service: S): string[];
}

/**
 * The `main` of every Tillgate app: a bad configuration lists every problem
 * and exits 2; a start-up failure is one line and exits 1 (details in the
 * log, never a stack trace); SIGTERM/SIGINT close the service and exit 0.
 */
export function runService<C extends { LOG_LEVEL: string }, S extends { close(): Promise<void> }>(
  definition: ServiceDefinition<C, S>,
): void {
  const main = async () => {
    let config: C;
    try {
      config = definition.loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
    const logger = createLogger({ level: config.LOG_LEVEL, name: definition.name });
    const service = await definition.start(config, logger);
    process.stdout.write(['', ...definition.banner(service), ''].join('\n'));

    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      service.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  };
  main().catch((err: unknown) => {
    process.stderr.write(
      `${definition.name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
