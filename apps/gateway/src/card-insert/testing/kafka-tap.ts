import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { paymentEventCodec, type PaymentEvent } from '@tillgate/card-insert';
import { createKafka, fromKafkaMessage, type StoredEvent } from '@tillgate/event-store';

/** The topics the gateway's card-insert streams publish to (`tillgate.<context>.v1`). */
export const GATEWAY_TOPICS = ['tillgate.payments.v1', 'tillgate.security.v1'] as const;

export interface TappedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer;
  /** The record value as the broker holds it. */
  readonly value: Buffer;
  readonly headers: Record<string, Buffer>;
}

/**
 * Every record written to the gateway's topics after `open()`, read from
 * the real broker. The topics are shared with other runs, so the tap starts
 * at the end offsets it saw when it opened and ignores anything older.
 */
export class KafkaTap {
  readonly records: TappedRecord[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async open(): Promise<KafkaTap> {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS is not set (node tools/infra/infra.mjs env)');
    const kafka = createKafka({
      clientId: `card-insert-e2e-${randomBytes(4).toString('hex')}`,
      brokers: brokers.split(','),
    });
    const admin = kafka.admin();
    await admin.connect();
    const start = new Map<string, { topic: string; partition: number; offset: bigint }>();
    try {
      // A first run on a fresh broker: the topics exist before the tap subscribes.
      await admin.createTopics({
        topics: GATEWAY_TOPICS.map((topic) => ({ topic })),
        waitForLeaders: true,
      });
      for (const topic of GATEWAY_TOPICS)
        for (const o of await admin.fetchTopicOffsets(topic))
          start.set(`${topic}/${o.partition}`, {
            topic,
            partition: o.partition,
            offset: BigInt(o.high),
          });
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: `card-insert-e2e-${randomBytes(6).toString('hex')}`,
    });
    const tap = new KafkaTap(consumer);
    await consumer.connect();
    for (const topic of GATEWAY_TOPICS) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const offset = BigInt(message.offset);
        if (offset < (start.get(`${topic}/${partition}`)?.offset ?? 0n)) return;
        tap.records.push({
          topic,
          partition,
          offset,
          key: message.key ?? Buffer.alloc(0),
          value: message.value ?? Buffer.alloc(0),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [
              k,
              Buffer.isBuffer(v) ? v : Buffer.from(String(v)),
            ]),
          ),
        });
      },
    });
    // Skip the history of the shared topics instead of fetching it.
    for (const { topic, partition, offset } of start.values())
      consumer.seek({ topic, partition, offset: offset.toString() });
    return tap;
  }

  /**
   * The payment events of one payment as a consumer decodes them (envelope
   * proto, then the event's own proto), first delivery of each event id, in
   * stream order.
   */
  paymentEvents(paymentId: string): PaymentEvent['type'][] {
    return this.decodedPayment(paymentId).map((e) => e.type);
  }

  decodedPayment(paymentId: string): PaymentEvent[] {
    return this.storedPayment(paymentId).map((e) => paymentEventCodec.decode(e));
  }

  /**
   * The envelopes of one payment's stream in the order the broker delivers
   * them (one key, one partition: offset order), first delivery of each
   * event id (the relay delivers at least once).
   */
  storedPayment(paymentId: string): StoredEvent[] {
    const streamId = `payments-${paymentId}`;
    const seen = new Set<string>();
    return this.records
      .filter((r) => r.topic === 'tillgate.payments.v1' && r.key.toString() === streamId)
      .sort((a, b) => Number(a.offset - b.offset))
      .map((r) => fromKafkaMessage({ value: r.value, headers: r.headers }))
      .filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  }

  /** Waits until `condition` holds over what was read; fails naming `what`. */
  async waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Kafka: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
