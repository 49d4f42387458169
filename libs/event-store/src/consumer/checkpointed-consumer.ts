import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { createLogger, type Logger } from '@tillgate/platform';
import { fromKafkaMessage, UndecodableRecord } from '../kafka/event-record';
import { createEventProducer } from '../kafka/kafka-client';
import type { EventStore } from '../store/event-store';
import type { StoredEvent } from '../store/event.types';
import { ConsumerCheckpoint } from './consumer-checkpoint';
import { deadLetterTopicFor, toDeadLetter, type ConsumerFailure } from './dead-letter';
import type { Projection } from './projection';

export interface CheckpointedConsumerOptions {
  kafka: Kafka;
  /** The store whose database holds the projection: its transactions carry the checkpoint. */
  store: EventStore;
  projection: Projection;
  topics: string[];
  /** Default `tillgate.dlq.<projection name>`. */
  deadLetterTopic?: string;
  /** Attempts at one record before it is dead-lettered (default 3). */
  maxAttempts?: number;
  /** Pause between attempts, multiplied by the attempt number (default 200 ms). */
  retryDelayMs?: number;
  /** Records per transaction (default 100; 1 when the projection appends events). */
  maxEventsPerTransaction?: number;
  logger?: Logger;
}

interface Delivery {
  message: KafkaMessage;
  offset: bigint;
  event: StoredEvent | UndecodableRecord;
}

/**
 * Feeds a projection from Kafka, exactly once in effect. Each transaction
 * applies new events, records their ids as processed and stores the next
 * offset of the partition, all in the projection's database; the Kafka
 * offset is committed after it. A redelivered record (the relay's
 * at-least-once, a lost Kafka commit, a rebalance) is skipped by its offset
 * or by its event id. A record that cannot be decoded, or whose handler
 * keeps failing while the database is healthy, goes to the dead-letter
 * topic and is recorded as processed; when the database itself fails the
 * consumer waits and retries instead of dead-lettering.
 */
export class CheckpointedConsumer {
  private readonly checkpoint: ConsumerCheckpoint;
  private readonly deadLetterTopic: string;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly perTransaction: number;
  private readonly logger: Logger;
  private readonly types: ReadonlySet<string>;
  private readonly nextOffsets = new Map<string, bigint | null>();
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private stopping = false;

  constructor(private readonly options: CheckpointedConsumerOptions) {
    const { projection } = options;
    this.checkpoint = new ConsumerCheckpoint(projection.name);
    this.deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicFor(projection.name);
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.perTransaction = projection.appendsEvents ? 1 : (options.maxEventsPerTransaction ?? 100);
    this.logger = (options.logger ?? createLogger({ name: 'consumer' })).child({
      consumer: projection.name,
    });
    this.types = new Set(projection.eventTypes);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const consumer = this.options.kafka.consumer({ groupId: this.options.projection.name });
    this.consumer = consumer;
    // After a rebalance another instance may have moved a partition on: read its offset again.
    consumer.on(consumer.events.GROUP_JOIN, () => this.nextOffsets.clear());
    await consumer.connect();
    for (const topic of this.options.topics)
      await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await this.producer?.disconnect().catch(() => undefined);
    this.consumer = null;
    this.producer = null;
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const next = await this.nextOffset(topic, partition);
    const deliveries: Delivery[] = batch.messages
      .filter((m) => next === null || BigInt(m.offset) >= next)
      .map((message) => ({ message, offset: BigInt(message.offset), event: decode(message) }));
    const skipped = batch.messages.length - deliveries.length;
    if (skipped) resolveOffset(batch.messages[skipped - 1].offset);

    for (let i = 0; i < deliveries.length && isRunning() && !isStale() && !this.stopping;) {
      const group = takeGroup(deliveries, i, this.perTransaction);
      await this.process(topic, partition, group);
      i += group.length;
      const last = group[group.length - 1].message.offset;
      this.nextOffsets.set(key(topic, partition), BigInt(last) + 1n);
      resolveOffset(last);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  /** Applies a group of decodable records in one transaction; a failing group is retried record by record. */
  private async process(topic: string, partition: number, group: Delivery[]): Promise<void> {
    if (group.length === 1 && group[0].event instanceof UndecodableRecord) {
      return this.deadLetter(topic, partition, group[0], {
        kind: 'undecodable',
        error: group[0].event,
      });
    }
    if (group.length > 1) {
      try {
        return await this.apply(topic, partition, group);
      } catch {
        for (const delivery of group) await this.process(topic, partition, [delivery]);
        return;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.apply(topic, partition, group);
      } catch (err) {
        if (attempt < this.maxAttempts) {
          await sleep(this.retryDelayMs * attempt);
          continue;
        }
        if (!(await this.databaseHealthy())) {
          this.logger.warn({ err }, 'the database is failing: waiting instead of dead-lettering');
          attempt = 0;
          await sleep(this.retryDelayMs * this.maxAttempts);
          continue;
        }
        return this.deadLetter(topic, partition, group[0], {
          kind: 'handler-failed',
          error: err,
          attempts: attempt,
        });
      }
    }
  }

  private apply(topic: string, partition: number, group: Delivery[]): Promise<void> {
    const events = group.map((d) => d.event as StoredEvent);
    return this.options.store.transaction(async (tx) => {
      const relevant = events.filter((e) => this.types.has(e.type));
      const done = await this.checkpoint.processed(
        tx,
        relevant.map((e) => e.eventId),
      );
      const applied = new Set<string>();
      for (const event of relevant) {
        if (done.has(event.eventId) || applied.has(event.eventId)) continue;
        await this.options.projection.apply(event, tx);
        applied.add(event.eventId);
      }
      await this.checkpoint.markProcessed(tx, [...applied], 'applied');
      await this.checkpoint.saveOffset(tx, topic, partition, group[group.length - 1].offset + 1n);
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    delivery: Delivery,
    failure: ConsumerFailure,
  ): Promise<void> {
    const name = this.options.projection.name;
    this.producer ??= createEventProducer(this.options.kafka);
    await this.producer.connect();
    await this.producer.send({
      topic: this.deadLetterTopic,
      acks: -1,
      messages: [toDeadLetter(failure, { topic, partition, message: delivery.message }, name)],
    });
    this.logger.error(
      {
        topic,
        partition,
        offset: delivery.message.offset,
        reason: failure.kind,
        deadLetterTopic: this.deadLetterTopic,
      },
      'record dead-lettered',
    );
    await this.options.store.transaction(async (tx) => {
      if (!(delivery.event instanceof UndecodableRecord)) {
        const already = await this.checkpoint.processed(tx, [delivery.event.eventId]);
        if (!already.size)
          await this.checkpoint.markProcessed(tx, [delivery.event.eventId], 'dead-lettered');
      }
      await this.checkpoint.saveOffset(tx, topic, partition, delivery.offset + 1n);
    });
  }

  private async nextOffset(topic: string, partition: number): Promise<bigint | null> {
    const k = key(topic, partition);
    if (!this.nextOffsets.has(k)) {
      this.nextOffsets.set(
        k,
        await this.options.store.transaction((tx) =>
          this.checkpoint.nextOffset(tx, topic, partition),
        ),
      );
    }
    return this.nextOffsets.get(k) ?? null;
  }

  private async databaseHealthy(): Promise<boolean> {
    try {
      await this.options.store.transaction((tx) => tx.query('SELECT 1'));
      return true;
    } catch {
      return false;
    }
  }
}

const key = (topic: string, partition: number) => `${topic}:${partition}`;

function decode(message: KafkaMessage): StoredEvent | UndecodableRecord {
  try {
    return fromKafkaMessage(message);
  } catch (err) {
    return err instanceof UndecodableRecord ? err : new UndecodableRecord((err as Error).message);
  }
}

/** Consecutive deliveries from `from`, at most `max`; an undecodable record always forms a group of its own. */
function takeGroup(deliveries: Delivery[], from: number, max: number): Delivery[] {
  if (deliveries[from].event instanceof UndecodableRecord) return [deliveries[from]];
  let to = from;
  while (
    to < deliveries.length &&
    to - from < max &&
    !(deliveries[to].event instanceof UndecodableRecord)
  )
    to++;
  return deliveries.slice(from, to);
}
