import type { Kafka, ProducerBatch } from 'kafkajs';
import { silentLogger } from '../testing/kafka-test-kit';
import { waitUntil } from '../testing/wait-until';
import { OutboxRelay } from './outbox-relay';
import type { Checkpoint, OutboxBatch, OutboxSession } from './outbox.port';

/**
 * The relay's loop against an outbox and a producer in memory: which
 * checkpoints it saves, when, and how often it counts a batch, on the paths
 * the integration tests cannot steer (a read that fails after Kafka took a
 * batch, a send that fails, a stop in the middle of a send).
 */

/** An outbox of entries 1..size, a stored checkpoint, and a log of what the relay asked. */
class MemoryOutbox implements OutboxSession {
  stored: Checkpoint = { txId: 0n, position: 0n };
  readonly calls: string[] = [];
  /** Makes the next read that carries a save fail, before it saves. */
  failNextSavingRead = false;
  holding = false;

  constructor(private readonly size: number) {}

  async acquire() {
    this.calls.push('acquire');
    this.holding = true;
    return true;
  }
  async release() {
    this.calls.push('release');
    this.holding = false;
  }
  async loadCheckpoint() {
    return this.stored;
  }
  async read(after: Checkpoint, limit: number, save?: Checkpoint): Promise<OutboxBatch | null> {
    this.calls.push(
      save ? `read>${after.position} save ${save.position}` : `read>${after.position}`,
    );
    if (save && this.failNextSavingRead) {
      this.failNextSavingRead = false;
      throw new Error('connection lost');
    }
    if (save) this.stored = save;
    const from = Number(after.position) + 1;
    const to = Math.min(this.size, from + limit - 1);
    if (from > to) return null;
    const records = [];
    for (let position = from; position <= to; position++)
      records.push({
        topic: 'tillgate.test.v1',
        message: { key: `stream-${position % 3}`, value: Buffer.from(String(position)) },
      });
    return { records, last: { txId: 1n, position: BigInt(to) } };
  }
  async advance(to: Checkpoint) {
    this.calls.push(`advance ${to.position}`);
    this.stored = to;
  }
  async lag() {
    return { events: 0, oldestRecordedAt: null };
  }
  async prune() {
    return 0;
  }
}

/** A producer that records what Kafka acknowledged; a send can be made to fail (by number) or to wait. */
class MemoryKafka {
  readonly acknowledged: number[] = [];
  readonly failingSends = new Set<number>();
  hold: Promise<void> | null = null;
  sending = false;
  private sends = 0;

  asKafka(): Kafka {
    return {
      producer: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async ({ topicMessages }: ProducerBatch) => {
          this.sending = true;
          try {
            await this.hold;
            if (this.failingSends.has(++this.sends)) throw new Error('broker unreachable');
            for (const { messages } of topicMessages ?? [])
              for (const m of messages) this.acknowledged.push(Number(String(m.value)));
            return [];
          } finally {
            this.sending = false;
          }
        },
      }),
    } as unknown as Kafka;
  }
}

function relayOn(outbox: MemoryOutbox, kafka: MemoryKafka) {
  return new OutboxRelay(outbox, {
    kafka: kafka.asKafka(),
    batchSize: 10,
    idleDelayMs: 5,
    retryDelayMs: { min: 1, max: 5 },
    lagIntervalMs: 60_000,
    logger: silentLogger(),
  });
}

const published = async (relay: OutboxRelay) =>
  (await relay.metrics.published.get()).values[0]?.value ?? 0;

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the outbox relay loop', () => {
  it("saves each batch's checkpoint with the read after next, the last one alone, and counts each batch once", async () => {
    const outbox = new MemoryOutbox(35);
    const kafka = new MemoryKafka();
    const relay = relayOn(outbox, kafka);
    relay.start();
    await waitUntil(async () => (await published(relay)) === 35, { what: 'all published' });
    await relay.stop();

    expect(kafka.acknowledged).toEqual(range(1, 35));
    expect(outbox.stored.position).toBe(35n);
    expect(outbox.calls.slice(0, 6)).toEqual([
      'acquire',
      'read>0',
      'read>10', // read while batch 1..10 is sent; nothing acknowledged before it
      'read>20 save 10', // batch 1..10 acknowledged: saved with the read of 21..30
      'read>30 save 20',
      'read>35 save 30', // finds nothing
    ]);
    expect(outbox.calls[6]).toBe('advance 35'); // caught up: the last checkpoint alone
    expect(await published(relay)).toBe(35);
  });

  it('sends again from the stored checkpoint when a read that saves fails, and counts nothing twice', async () => {
    const outbox = new MemoryOutbox(30);
    outbox.failNextSavingRead = true;
    const kafka = new MemoryKafka();
    const relay = relayOn(outbox, kafka);
    relay.start();
    await waitUntil(async () => (await published(relay)) === 30, { what: 'all published' });
    await relay.stop();

    // The failed read would have saved 10: it did not, so the relay gave the lock up,
    // took it again at the stored checkpoint (0) and sent 1..20 again.
    expect(outbox.calls).toContain('release');
    expect(kafka.acknowledged).toEqual([...range(1, 20), ...range(1, 30)]);
    expect(outbox.stored.position).toBe(30n);
    expect(await published(relay)).toBe(30);
  });

  it('retries a batch Kafka did not take, keeping the checkpoint before it', async () => {
    const outbox = new MemoryOutbox(30);
    const kafka = new MemoryKafka();
    kafka.failingSends.add(2);
    const relay = relayOn(outbox, kafka);
    relay.start();
    await waitUntil(async () => (await published(relay)) === 30, { what: 'all published' });
    await relay.stop();

    expect(kafka.acknowledged).toEqual(range(1, 30)); // 11..20 failed once, then went
    expect((await relay.metrics.publishFailures.get()).values[0]?.value).toBe(1);
    expect(outbox.stored.position).toBe(30n);
    expect(await published(relay)).toBe(30);
  });

  it('saves the checkpoint of a batch Kafka acknowledged while the relay was stopping', async () => {
    const outbox = new MemoryOutbox(10);
    const kafka = new MemoryKafka();
    let release!: () => void;
    kafka.hold = new Promise((resolve) => (release = resolve));
    const relay = relayOn(outbox, kafka);
    relay.start();
    await waitUntil(() => kafka.sending, { what: 'the send to start' });
    const stopped = relay.stop();
    release();
    await stopped;

    expect(kafka.acknowledged).toEqual(range(1, 10));
    expect(outbox.stored.position).toBe(10n);
    expect(await published(relay)).toBe(10);
    expect(outbox.holding).toBe(false);
  });
});
