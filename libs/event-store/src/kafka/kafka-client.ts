import {
  Kafka,
  logLevel,
  Partitioners,
  type ISocketFactory,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from '@tillgate/platform';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  /** How sockets are opened (TLS proxies; tests cut the network with it). */
  socketFactory?: ISocketFactory;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own log lines go to our logger (at most at warn level, below that only with debug on). */
export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = options.logger;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    socketFactory: options.socketFactory,
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...extra } = entry.log;
      // The relay recreates its producer after a failed send and consumers deduplicate:
      // bounded retries are intended, the warning about them is not news.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      logger[LEVELS[entry.level] ?? 'info'](
        { kafka: { namespace: entry.namespace, ...extra } },
        message,
      );
    },
  });
}

/**
 * The producer every publisher of events uses: idempotent (the broker drops
 * the duplicates of its own retries), acks from all in-sync replicas, one
 * request in flight so retries cannot reorder a partition, and the Java
 * client's murmur2 partitioner so a stream id maps to the same partition
 * for every client.
 */
export function createEventProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}
