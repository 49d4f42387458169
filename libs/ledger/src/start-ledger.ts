import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { PROTO_LOADER_OPTIONS, protoPath } from '@tillgate/contracts';
import { EventStore, eventStoreEntities, eventStoreMigrations } from '@tillgate/event-store';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import { createLogger, freePort, Logger, NestPinoLogger } from '@tillgate/platform';
import { EventStoreLedgerJournal } from './books/event-store-ledger.journal';
import { InMemoryLedgerJournal } from './books/in-memory-ledger.journal';
import type { LedgerJournal } from './books/ledger-journal.port';
import type { LedgerConfig } from './ledger.config';
import { LEDGER_GRPC_PACKAGE, LedgerModule } from './ledger.module';

export interface RunningLedger {
  grpcAddress: string;
  close(): Promise<void>;
}

async function journalFor(
  config: LedgerConfig,
): Promise<{ journal: LedgerJournal; close(): Promise<void> }> {
  switch (config.LEDGER_JOURNAL) {
    case 'memory':
      return { journal: new InMemoryLedgerJournal(), close: async () => undefined };
    case 'event-store': {
      const kind = storageKindOf(config.DATABASE_URL);
      const dataSource = await openDataSource({
        url: config.DATABASE_URL,
        entities: eventStoreEntities(kind),
        migrations: eventStoreMigrations,
      });
      const store = new EventStore(dataSource);
      return {
        journal: new EventStoreLedgerJournal(store),
        close: async () => {
          await store.close();
          await dataSource.destroy();
        },
      };
    }
    default: {
      const never: never = config.LEDGER_JOURNAL;
      throw new Error(`unknown journal ${String(never)}`);
    }
  }
}

/** Boots the ledger alone as a gRPC microservice: used by apps/ledger and the e2e test. */
export async function startLedger(
  config: LedgerConfig,
  options: { logger?: Logger; clock?: () => number } = {},
): Promise<RunningLedger> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'ledger' });
  const host = config.TILLGATE_GRPC_HOST;
  const port = config.TILLGATE_GRPC_PORT || (await freePort(host));
  const { journal, close: closeJournal } = await journalFor(config);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    LedgerModule.forRoot({
      journal,
      clock: options.clock,
      expirySweepMs: config.LEDGER_EXPIRY_SWEEP_MS,
    }),
    {
      logger: new NestPinoLogger(logger),
      transport: Transport.GRPC,
      options: {
        url: `${host}:${port}`,
        package: LEDGER_GRPC_PACKAGE.package,
        protoPath: protoPath(LEDGER_GRPC_PACKAGE.proto),
        loader: PROTO_LOADER_OPTIONS,
        gracefulShutdown: true,
      },
    },
  );
  await app.listen();
  const grpcAddress = `${host}:${port}`;
  if (config.LEDGER_JOURNAL === 'memory')
    logger.warn('ledger journal is in memory: every balance is lost on exit');
  logger.info({ grpcAddress }, 'ledger serving');
  let closing: Promise<void> | undefined;
  return {
    grpcAddress,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await closeJournal();
      })()),
  };
}
