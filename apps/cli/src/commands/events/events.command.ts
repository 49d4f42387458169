import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { PROTO_ROOT } from '@tillgate/contracts';
import {
  EventStore,
  UndecodableRecord,
  createKafka,
  eventStoreEntities,
  eventToJson,
  fromKafkaMessage,
  loadProtoRegistry,
  replayProjection,
  type Projection,
} from '@tillgate/event-store';
import { openDataSource, storageKindOf } from '@tillgate/persistence';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { replayableProjections } from './replayable-projections';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliUsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
};

function tailCommand(io: CliIo): Command {
  return new Command('tail')
    .description(
      'print the events of a topic as JSON lines, payloads decoded with the schemas in proto/',
    )
    .argument('<topic>', 'e.g. tillgate.payments.v1')
    .option('--brokers <host:port,...>', 'Kafka brokers (default: $KAFKA_BROKERS)')
    .option('--from-beginning', 'start at the first record kept by the topic, not at new records')
    .option('--max-messages <n>', 'stop after n records', positiveInt('--max-messages'))
    .option('--proto-root <dir>', 'folder of the .proto files', PROTO_ROOT)
    .action(
      async (
        topic: string,
        opts: {
          brokers?: string;
          fromBeginning?: boolean;
          maxMessages?: number;
          protoRoot: string;
        },
      ) => {
        const brokers = opts.brokers ?? io.env.KAFKA_BROKERS;
        if (!brokers)
          throw new CliUsageError(
            'no Kafka brokers: pass --brokers host:port or set KAFKA_BROKERS',
          );
        const registry = loadProtoRegistry(opts.protoRoot);
        const kafka = createKafka({ brokers: brokers.split(','), clientId: 'tillgate-cli-tail' });
        // A throwaway group that commits nothing: tailing never moves anyone's offsets.
        const groupId = `tillgate-tail-${randomUUID()}`;
        const consumer = kafka.consumer({ groupId });
        let printed = 0;
        let done!: () => void;
        const finished = new Promise<void>((resolve) => (done = resolve));
        const interrupt = () => done();
        process.once('SIGINT', interrupt);
        try {
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: Boolean(opts.fromBeginning) });
          await consumer.run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              if (opts.maxMessages !== undefined && printed >= opts.maxMessages) return;
              const record = {
                topic,
                partition,
                offset: message.offset,
                key: message.key?.toString() ?? null,
                timestamp: message.timestamp,
              };
              let line: Record<string, unknown>;
              try {
                line = { ...record, event: eventToJson(registry, fromKafkaMessage(message)) };
              } catch (err) {
                if (!(err instanceof UndecodableRecord)) throw err;
                line = { ...record, error: err.message };
              }
              io.stdout(`${JSON.stringify(line)}\n`);
              if (++printed === opts.maxMessages) done();
            },
          });
          await finished;
        } finally {
          process.removeListener('SIGINT', interrupt);
          await consumer.disconnect();
          const admin = kafka.admin();
          await admin.connect();
          await admin.deleteGroups([groupId]).catch(() => undefined);
          await admin.disconnect();
        }
      },
    );
}

function replayCommand(io: CliIo, projections: Record<string, () => Projection>): Command {
  return new Command('replay')
    .description('rebuild a projection from the event store (stop the service that runs it first)')
    .argument('<projection>', 'name of the projection')
    .option('--database-url <url>', 'the event store database (default: $DATABASE_URL)')
    .option('--batch-size <n>', 'events per transaction', positiveInt('--batch-size'), 500)
    .action(async (name: string, opts: { databaseUrl?: string; batchSize: number }) => {
      const factory = projections[name];
      if (!factory) {
        const known = Object.keys(projections);
        throw new CliUsageError(
          `unknown projection "${name}"; known: ${known.length ? known.join(', ') : '(none registered yet)'}`,
        );
      }
      const url = opts.databaseUrl ?? io.env.DATABASE_URL;
      if (!url) throw new CliUsageError('no database: pass --database-url or set DATABASE_URL');
      // The schema is the running gateway's: migrations are its job, not the CLI's.
      const dataSource = await openDataSource({
        url,
        entities: eventStoreEntities(storageKindOf(url)),
        poolSize: 2,
      });
      const store = new EventStore(dataSource);
      try {
        const started = Date.now();
        const { applied } = await replayProjection(store, factory(), { batchSize: opts.batchSize });
        io.stdout(
          `${JSON.stringify({ projection: name, applied, seconds: (Date.now() - started) / 1000 })}\n`,
        );
      } finally {
        await store.close();
        await dataSource.destroy();
      }
    });
}

export function eventsCommand(
  io: CliIo,
  projections: Record<string, () => Projection> = replayableProjections,
): Command {
  return new Command('events')
    .description('the event stream: tail a topic as JSON, rebuild a projection')
    .addCommand(tailCommand(io))
    .addCommand(replayCommand(io, projections));
}
