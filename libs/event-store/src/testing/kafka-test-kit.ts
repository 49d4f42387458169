import { connect, type Socket } from 'node:net';
import type { ISocketFactory, Kafka } from 'kafkajs';
import { createLogger } from '@tillgate/platform';
import { fromKafkaMessage } from '../kafka/event-record';
import { createKafka } from '../kafka/kafka-client';
import type { StoredEvent } from '../store/event.types';
import { integrationEnv, runId } from './integration-env';
import { waitUntil } from './wait-until';

export const silentLogger = () => createLogger({ level: 'silent' });

export function testKafka(socketFactory?: ISocketFactory): Kafka {
  return createKafka({
    brokers: integrationEnv().kafkaBrokers,
    clientId: `event-store-test-${runId()}`,
    socketFactory,
  });
}

/** A topic of its own for one test, `tillgate.<label><run>.v1`. */
export async function createTestTopic(
  kafka: Kafka,
  label: string,
  partitions = 3,
): Promise<string> {
  const topic = `tillgate.${label}${runId()}.v1`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // best effort: the broker is throwaway
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string;
  /** The record value as sent, byte for byte. */
  value: Buffer;
  headers: Record<string, string>;
  event: StoredEvent;
}

/** Reads a topic from the beginning until `done(records)` holds or `timeoutMs` passed; returns what it read. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  done: (records: ConsumedRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${runId()}` });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value ?? Buffer.alloc(0),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
          event: fromKafkaMessage(message),
        });
      },
    });
    // On timeout the caller's assertions on the records say what is missing.
    await waitUntil(() => done(records), { timeoutMs, what: `records on ${topic}` }).catch(
      () => undefined,
    );
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Records in partition order, deduplicated by event id (first delivery wins), as a consumer sees them. */
export function firstDeliveries(records: ConsumedRecord[]): ConsumedRecord[] {
  const seen = new Set<string>();
  return [...records]
    .sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
    .filter((r) => !seen.has(r.event.eventId) && seen.add(r.event.eventId));
}

/**
 * A switch in the Kafka client's sockets: `cut()` destroys every open
 * connection and refuses new ones, as a network partition from the broker
 * would; `restore()` lets connections through again. The broker is the real one.
 */
export class NetworkGate {
  private open = true;
  private readonly sockets = new Set<Socket>();

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    // While cut, connect where nothing listens: ECONNREFUSED, as from a broker that is down.
    const socket = this.open
      ? connect({ host, port }, onConnect)
      : connect({ host: '127.0.0.1', port: 1 }, onConnect);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  };

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy(new Error('network cut'));
  }

  restore(): void {
    this.open = true;
  }
}

/** The end offset (high watermark) of each partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}
