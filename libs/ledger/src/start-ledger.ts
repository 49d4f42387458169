import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { PROTO_LOADER_OPTIONS, protoPath } from '@tillgate/contracts';
import {
  createKafka,
  EventStore,
  eventStoreEntities,
  eventStoreMigrations,
} from '@tillgate/event-store';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import { createLogger, freePort, Logger, NestPinoLogger } from '@tillgate/platform';
import { EventStoreLedgerJournal } from './books/event-store-ledger.journal';
import { InMemoryLedgerJournal } from './books/in-memory-ledger.journal';
import { LedgerBooks } from './books/ledger-books';
import type { LedgerJournal } from './books/ledger-journal.port';
import type { LedgerConfig } from './ledger.config';
import { LEDGER_GRPC_PACKAGE, LedgerModule } from './ledger.module';
import { PaymentPostingConsumer } from './payments/payment-posting.consumer';

export interface RunningLedger {
  grpcAddress: string;
  close(): Promise<void>;
}

async function journalFor(
  config: LedgerConfig,
): Promise<{ journal: LedgerJournal; store: EventStore | null; close(): Promise<void> }> {
  switch (config.LEDGER_JOURNAL) {
    case 'memory':
      return { journal: new InMemoryLedgerJournal(), store: null, close: async () => undefined };
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
        store,
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
  const { journal, store, close: closeJournal } = await journalFor(config);
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

  let payments: PaymentPostingConsumer | null = null;
  if (config.LEDGER_KAFKA_BROKERS) {
    try {
      payments = await startPaymentPosting(
        config,
        config.LEDGER_KAFKA_BROKERS,
        store,
        app.get(LedgerBooks),
        logger,
      );
    } catch (err) {
      await app.close();
      await closeJournal();
      throw err;
    }
  }
  logger.info({ grpcAddress, paymentPosting: Boolean(payments) }, 'ledger serving');
  let closing: Promise<void> | undefined;
  return {
    grpcAddress,
    close: () =>
      (closing ??= (async () => {
        // The consumer first: it writes to the books and the store that close after it.
        await payments?.stop();
        await app.close();
        await closeJournal();
      })()),
  };
}

async function startPaymentPosting(
  config: LedgerConfig,
  brokers: string[],
  store: EventStore | null,
  books: LedgerBooks,
  logger: Logger,
): Promise<PaymentPostingConsumer> {
  // loadLedgerConfig refuses LEDGER_KAFKA_BROKERS without the event-store journal.
  if (!store) throw new Error('posting payment events needs LEDGER_JOURNAL=event-store');
  const consumer = new PaymentPostingConsumer({
    kafka: createKafka({ brokers, clientId: 'ledger', logger }),
    store,
    books,
    topic: config.LEDGER_PAYMENTS_TOPIC,
    name: config.LEDGER_PAYMENTS_CONSUMER_GROUP,
    logger,
  });
  await consumer.start();
  logger.info(
    {
      topic: consumer.topic,
      group: consumer.name,
      deadLetterTopic: consumer.deadLetterTopic,
      brokers,
    },
    'posting payment events from Kafka',
  );
  return consumer;
}
