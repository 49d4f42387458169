import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { PROTO_LOADER_OPTIONS, protoPath } from '@tillgate/contracts';
import { EventStore } from '@tillgate/event-store';
import { HostLink } from '@tillgate/host-link';
import {
  FileKeyBlockRepository,
  JsonLinesAuditSink,
  SoftwareKeyStore,
  loadMasterKey,
} from '@tillgate/key-store';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import { createLogger, freePort, Logger, NestPinoLogger } from '@tillgate/platform';
import type { DataSource } from 'typeorm';
import { eventStoreEntities, eventStoreMigrations } from '@tillgate/event-store';
import {
  HostLinkIssuer,
  KeyStoreCardDataOpener,
  KeyStoreTerminalAuthenticator,
  loadTerminalDirectory,
  type ZonePinKey,
} from './acquiring';
import { CardInsertService, type CardInsertPorts } from './application/card-insert.service';
import { ReversalWorker } from './application/reversal.worker';
import type { CardInsertConfig } from './card-insert.config';
import { CARD_INSERT_GRPC_PACKAGE, CardInsertModule } from './card-insert.module';
import { cardInsertEntities, cardInsertMigrations } from './storage/card-insert.schema';
import { SqlKsnCounterRepository } from './storage/sql-ksn-counter.repository';

/** The service and its reversal worker, ready for CardInsertModule.forRoot (the gateway uses this). */
export interface CardInsertParts {
  service: CardInsertService;
  worker: ReversalWorker;
  /** The access log of the gRPC controller. */
  logger?: Logger;
}

/** Builds the card-insert flow on an event store and the acquiring ports. */
export function createCardInsert(
  store: EventStore,
  ports: CardInsertPorts,
  config: Pick<
    CardInsertConfig,
    | 'CARD_INSERT_ISSUER_DEADLINE_MS'
    | 'CARD_INSERT_REVERSAL_DEADLINE_MS'
    | 'CARD_INSERT_REVERSAL_BACKOFF_MS'
    | 'CARD_INSERT_REVERSAL_BACKOFF_CAP_MS'
    | 'CARD_INSERT_REVERSAL_POLL_MS'
    | 'CARD_INSERT_FEE_BASIS_POINTS'
  >,
  options: { logger?: Logger; clock?: () => Date } = {},
): CardInsertParts {
  const service = new CardInsertService(store, ports, {
    issuerDeadlineMs: config.CARD_INSERT_ISSUER_DEADLINE_MS,
    merchantFeeBasisPoints: config.CARD_INSERT_FEE_BASIS_POINTS,
    clock: options.clock,
  });
  const worker = new ReversalWorker(store, service.paymentStreams, ports.terminals, ports.issuer, {
    issuerDeadlineMs: config.CARD_INSERT_ISSUER_DEADLINE_MS,
    reversalDeadlineMs: config.CARD_INSERT_REVERSAL_DEADLINE_MS,
    backoffBaseMs: config.CARD_INSERT_REVERSAL_BACKOFF_MS,
    backoffCapMs: config.CARD_INSERT_REVERSAL_BACKOFF_CAP_MS,
    pollIntervalMs: config.CARD_INSERT_REVERSAL_POLL_MS,
    clock: options.clock,
    onError: (err) =>
      options.logger?.warn(
        { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        'reversal worker pass failed; retried next poll',
      ),
  });
  return { service, worker, logger: options.logger };
}

/** The data source of the card-insert service: event store tables plus its own, migrated. */
export function openCardInsertDatabase(url: string): Promise<DataSource> {
  return openDataSource({
    url,
    entities: [...eventStoreEntities(storageKindOf(url)), ...cardInsertEntities],
    migrations: [...eventStoreMigrations, ...cardInsertMigrations],
  });
}

/**
 * The production adapters from configuration: the software key store
 * (master key, key blocks, and the KSN counters in the `ci_ksn_counters`
 * table of the event store's database: autocommitted statements on
 * Postgres, the storage's transactions on SQLite, which serialise its
 * single connection), the terminals file, and the issuer host over the
 * host link. `close` stops the link and closes the key store's audit
 * file.
 */
export async function acquiringPortsFromConfig(
  config: CardInsertConfig,
  logger: Logger,
  database: { store: EventStore; dataSource: DataSource },
  env: Record<string, string | undefined> = process.env,
): Promise<{ ports: CardInsertPorts; close(): Promise<void> }> {
  const audit = new JsonLinesAuditSink(config.TILLGATE_KEY_AUDIT_FILE);
  const keys = new SoftwareKeyStore({
    masterKey: await loadMasterKey(env),
    keyBlocks: new FileKeyBlockRepository(config.TILLGATE_KEY_STORE_FILE),
    ksnCounters: new SqlKsnCounterRepository(database.dataSource, database.store.storage),
    audit,
  });
  const zonePinKeys: Partial<Record<'tdes' | 'aes128', ZonePinKey>> = {};
  if (config.CARD_INSERT_ZONE_PIN_KEY_TDES_ID)
    zonePinKeys.tdes = { key: { id: config.CARD_INSERT_ZONE_PIN_KEY_TDES_ID }, format: 0 };
  if (config.CARD_INSERT_ZONE_PIN_KEY_AES_ID)
    zonePinKeys.aes128 = { key: { id: config.CARD_INSERT_ZONE_PIN_KEY_AES_ID }, format: 4 };
  const [host, port] = config.CARD_INSERT_ISSUER_HOST.split(':');
  const link = new HostLink({
    host,
    port: Number(port),
    requestTimeoutMs: config.CARD_INSERT_ISSUER_DEADLINE_MS,
    logger: logger.child({ component: 'host-link' }),
  });
  link.start();
  return {
    ports: {
      terminals: await loadTerminalDirectory(config.CARD_INSERT_TERMINALS_FILE),
      authenticator: new KeyStoreTerminalAuthenticator(keys),
      cards: new KeyStoreCardDataOpener({
        keys,
        panTokenKey: { id: config.CARD_INSERT_PAN_TOKEN_KEY_ID },
        zonePinKeys,
      }),
      issuer: new HostLinkIssuer(link),
    },
    close: async () => {
      await link.close();
      // After the link: nothing uses a key any more; the pending audit lines are written.
      await audit.close();
    },
  };
}

export interface RunningCardInsert {
  grpcAddress: string;
  service: CardInsertService;
  worker: ReversalWorker;
  close(): Promise<void>;
}

/**
 * Boots the card-insert service alone as a gRPC microservice. `ports` and
 * `dataSource` may be given (tests, the gateway's e2e): then they are the
 * caller's to close; otherwise they come from `config`.
 */
export async function startCardInsert(
  config: CardInsertConfig,
  options: {
    logger?: Logger;
    ports?: CardInsertPorts;
    dataSource?: DataSource;
    clock?: () => Date;
  } = {},
): Promise<RunningCardInsert> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'card-insert' });
  const host = config.TILLGATE_GRPC_HOST;
  const grpcPort = config.TILLGATE_GRPC_PORT || (await freePort(host));
  const ownDataSource = !options.dataSource;
  const dataSource = options.dataSource ?? (await openCardInsertDatabase(config.DATABASE_URL));
  const store = new EventStore(dataSource);
  const acquiring = options.ports
    ? { ports: options.ports, close: async () => undefined }
    : await acquiringPortsFromConfig(config, logger, { store, dataSource });
  const parts = createCardInsert(store, acquiring.ports, config, { logger, clock: options.clock });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    CardInsertModule.forRoot(parts),
    {
      logger: new NestPinoLogger(logger),
      transport: Transport.GRPC,
      options: {
        url: `${host}:${grpcPort}`,
        package: CARD_INSERT_GRPC_PACKAGE.package,
        protoPath: protoPath(CARD_INSERT_GRPC_PACKAGE.proto),
        loader: PROTO_LOADER_OPTIONS,
        gracefulShutdown: true,
      },
    },
  );
  await app.listen();
  const grpcAddress = `${host}:${grpcPort}`;
  logger.info({ grpcAddress, storage: storageKindOf(config.DATABASE_URL) }, 'card-insert serving');
  let closing: Promise<void> | undefined;
  return {
    grpcAddress,
    ...parts,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await store.close();
        await acquiring.close();
        if (ownDataSource) await dataSource.destroy();
      })()),
  };
}
