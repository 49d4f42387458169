import { randomUUID } from 'node:crypto';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createLogger, type Logger } from '@tillgate/platform';
import { createEventProducer } from '../kafka/kafka-client';
import type { Checkpoint, OutboxLag, OutboxRecord, OutboxSession } from './outbox.port';
import { PostgresOutbox } from './postgres-outbox';
import { RelayMetrics } from './relay.metrics';
import { SqliteOutbox } from './sqlite-outbox';

export interface OutboxRelayOptions {
  kafka: Kafka;
  /** Names the relay lock and checkpoint; one active relay per name and database. Default `kafka`. */
  name?: string;
  /** Outbox entries read per round, and at most sent per Kafka request (default 500). */
  batchSize?: number;
  /** Pause when caught up, before reading again (default 100 ms; a commit of `store` wakes it early). */
  idleDelayMs?: number;
  /** How often a standby relay tries to take the lock (default 1 s). */
  lockRetryMs?: number;
  /** Backoff after a failure, doubling from min to max (default 200 ms to 5 s). */
  retryDelayMs?: { min: number; max: number };
  /** How often the lag gauges are refreshed (default 5 s). */
  lagIntervalMs?: number;
  /** How often published outbox entries are deleted (default 60 s). */
  pruneIntervalMs?: number;
  /** SQLite only: how long the relay lease lasts without renewal (default 15 s). */
  leaseMs?: number;
  metrics?: RelayMetrics;
  logger?: Logger;
  /** The in-process store (or anything that tells of commits), whose commits wake the relay without waiting for the next poll. */
  store?: CommitSignal;
  /**
   * How long after a commit of `store` an idle relay wakes (default 20 ms),
   * unless the commits since it last woke hold a batch (`batchSize` events):
   * then at once. Reading, sending to Kafka and saving the checkpoint right
   * after each small commit runs on the event loop and the database while
   * the request that committed is still on its way (its issuer call, its
   * next commit); a short wait lets that request finish and gathers its
   * later commits into the same round. A busy relay does not wait: it reads
   * again at once.
   */
  commitWakeDelayMs?: number;
}

/** Says when events were committed; the EventStore is one. */
export interface CommitSignal {
  /** Calls `listener` after each commit with the number of events it held at most; returns the function that unsubscribes. */
  onCommit(listener: (events: number) => void): () => void;
}

/** Kafka did not acknowledge a batch; the relay retries it with a new producer. */
class PublishFailed extends Error {
  constructor(cause: unknown) {
    super(`Kafka did not acknowledge the batch: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

/** Stays under Kafka's default 1 MiB request limit; one event is at most 256 KiB plus its envelope. */
const MAX_SEND_BYTES = 512 * 1024;

/**
 * Publishes the outbox to Kafka. One relay per database is active at a time
 * (others wait on the relay lock); it reads outbox entries after its
 * checkpoint in an order that never skips a late commit (see PostgresOutbox
 * and SqliteOutbox), sends them with an idempotent producer (acks=all, key =
 * stream id) and only then advances the checkpoint (with the read of the
 * batch after next). A crash between a send and its checkpoint re-sends what
 * was sent since the last saved checkpoint, at most two batches: delivery is
 * at-least-once, consumers deduplicate by event id. While Kafka is unreachable the batch is
 * retried with backoff and events accumulate in the database; the lag
 * gauges show it; the gateway keeps appending.
 */
export class OutboxRelay {
  readonly metrics: RelayMetrics;
  private readonly name: string;
  private readonly session: OutboxSession;
  private readonly logger: Logger;
  private readonly o: Required<
    Pick<
      OutboxRelayOptions,
      | 'batchSize'
      | 'idleDelayMs'
      | 'lockRetryMs'
      | 'retryDelayMs'
      | 'lagIntervalMs'
      | 'pruneIntervalMs'
      | 'commitWakeDelayMs'
    >
  >;
  private producer: Producer | null = null;
  private holding = false;
  private checkpoint: Checkpoint = { txId: null, position: 0n };
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private commitWakeTimer: NodeJS.Timeout | null = null;
  private committedSinceWake = 0;
  private prunedAt = 0;
  private unsubscribe: (() => void) | null = null;

  /** On the outbox of `source`: a data source's (Postgres or SQLite), or a session of its own (e.g. a test double). */
  constructor(
    source: DataSource | OutboxSession,
    private readonly options: OutboxRelayOptions,
  ) {
    this.name = options.name ?? 'kafka';
    this.session =
      'acquire' in source
        ? source
        : source.options.type === 'postgres'
          ? new PostgresOutbox(source, this.name)
          : new SqliteOutbox(
              source,
              this.name,
              `${process.pid}-${randomUUID()}`,
              options.leaseMs ?? 15_000,
            );
    this.metrics = options.metrics ?? new RelayMetrics();
    this.logger = (options.logger ?? createLogger({ name: 'outbox-relay' })).child({
      relay: this.name,
    });
    this.o = {
      batchSize: options.batchSize ?? 500,
      idleDelayMs: options.idleDelayMs ?? 100,
      lockRetryMs: options.lockRetryMs ?? 1000,
      retryDelayMs: options.retryDelayMs ?? { min: 200, max: 5000 },
      lagIntervalMs: options.lagIntervalMs ?? 5000,
      pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
      commitWakeDelayMs: options.commitWakeDelayMs ?? 20,
    };
  }

  /** True while this relay holds the lock and publishes. */
  get active(): boolean {
    return this.holding;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.prunedAt = Date.now();
    this.unsubscribe =
      this.options.store?.onCommit((events) => this.wakeAfterCommit(events)) ?? null;
    this.lagTimer = setInterval(
      () => void this.measureLag().catch(() => undefined),
      this.o.lagIntervalMs,
    );
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.unsubscribe?.();
    if (this.commitWakeTimer) clearTimeout(this.commitWakeTimer);
    this.commitWakeTimer = null;
    await this.loop;
    this.loop = null;
  }

  /** Measures the lag now and updates the gauges; null when this relay is not the active one. */
  async measureLag(): Promise<OutboxLag | null> {
    if (!this.holding) return null;
    const lag = await this.session.lag(this.checkpoint);
    const labels = { relay: this.name };
    this.metrics.lagEvents.set(labels, lag.events);
    this.metrics.lagSeconds.set(
      labels,
      lag.oldestRecordedAt ? Math.max(0, (Date.now() - lag.oldestRecordedAt.getTime()) / 1000) : 0,
    );
    return lag;
  }

  private wakeAfterCommit(events: number): void {
    this.committedSinceWake += events;
    if (this.o.commitWakeDelayMs <= 0 || this.committedSinceWake >= this.o.batchSize)
      return this.wakeNow();
    this.commitWakeTimer ??= setTimeout(() => this.wakeNow(), this.o.commitWakeDelayMs);
  }

  private wakeNow(): void {
    if (this.commitWakeTimer) clearTimeout(this.commitWakeTimer);
    this.commitWakeTimer = null;
    this.committedSinceWake = 0;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    // The next batch, read while Kafka takes the current one; the read also saves the
    // checkpoint of the batch Kafka acknowledged before (`Read.saving`).
    let ahead: Promise<Read> | null = null;
    // Acknowledged by Kafka, its checkpoint not saved yet: it rides on the next read.
    let acknowledged: Batch | null = null;
    while (!this.stopping) {
      try {
        if (!this.holding && !(await this.takeLock())) {
          await this.pause(this.o.lockRetryMs);
          continue;
        }
        const { batch, saving } = await (ahead ?? this.readBatch(this.checkpoint, null));
        ahead = null;
        if (saving) this.saved(saving);
        if (!batch) {
          if (acknowledged) await this.save(acknowledged);
          acknowledged = null;
          await this.pause(this.o.idleDelayMs);
          continue;
        }
        // Checkpoints are saved in order, each after Kafka acknowledged its batch: the one
        // of the batch before this one with the read of the batch after it. If that read
        // fails, the relay starts over from the checkpoint it finds saved, and sends again
        // what it sent since (at-least-once).
        ahead = this.readBatch(batch.last, acknowledged);
        ahead.catch(() => undefined); // its error surfaces when it is awaited
        acknowledged = null;
        // Lets the read reach the database before kafkajs encodes the batch, which holds
        // the event loop for milliseconds: Postgres then reads while kafkajs encodes.
        await setImmediatePromise();
        await this.publish(batch);
        acknowledged = batch;
        failures = 0;
        await this.pruneNow();
      } catch (err) {
        // After a failure, read again from the last saved checkpoint.
        const readFailed = !(await this.settle(ahead));
        ahead = null;
        failures++;
        if (err instanceof PublishFailed) {
          this.metrics.publishFailures.inc({ relay: this.name });
          this.logger.warn(
            { err: err.cause, failures },
            'Kafka did not take the batch; events stay in the outbox and are retried',
          );
          await this.closeProducer();
        }
        if (!(err instanceof PublishFailed) || readFailed) {
          // The database (or a bug): start over from the stored checkpoint with a fresh session.
          this.logger.error(
            { err, failures },
            'outbox relay failed: it gives the lock up and takes it again',
          );
          acknowledged = null;
          await this.dropLock();
        }
        const { min, max } = this.o.retryDelayMs;
        await this.pause(Math.min(max, min * 2 ** Math.min(failures - 1, 16)));
      }
    }
    if ((await this.settle(ahead)) && acknowledged && this.holding)
      await this.save(acknowledged).catch(() => undefined);
    await this.dropLock();
    await this.closeProducer();
  }

  /** Records that Kafka acknowledged `batch`: the checkpoint, then the metric. */
  private async save(batch: Batch): Promise<void> {
    await this.session.advance(batch.last);
    this.saved(batch);
  }

  /** Waits for a read in flight and counts the checkpoint it saved; false when it failed. */
  private async settle(ahead: Promise<Read> | null): Promise<boolean> {
    try {
      const saving = (await ahead)?.saving;
      if (saving) this.saved(saving);
      return true;
    } catch {
      return false;
    }
  }

  /** `batch`'s checkpoint is saved. */
  private saved(batch: Batch): void {
    this.checkpoint = batch.last;
    this.metrics.published.inc({ relay: this.name }, batch.events);
  }

  /** The entries after `after`, in sends that fit a request (null when there is none), saving `saving`'s checkpoint first. */
  private async readBatch(after: Checkpoint, saving: Batch | null): Promise<Read> {
    const batch = await this.session.read(after, this.o.batchSize, saving?.last);
    return {
      batch: batch && {
        last: batch.last,
        events: batch.records.length,
        sends: sendsOf(batch.records),
      },
      saving,
    };
  }

  private async takeLock(): Promise<boolean> {
    if (!(await this.session.acquire())) return false;
    try {
      this.checkpoint = await this.session.loadCheckpoint();
    } catch (err) {
      await this.session.release();
      throw err;
    }
    this.holding = true;
    this.metrics.active.set({ relay: this.name }, 1);
    this.logger.info(
      {
        checkpoint: {
          txId: this.checkpoint.txId?.toString() ?? null,
          position: this.checkpoint.position.toString(),
        },
      },
      'outbox relay active',
    );
    void this.measureLag().catch(() => undefined);
    return true;
  }

  private async dropLock(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    this.metrics.active.set({ relay: this.name }, 0);
    await this.session.release();
  }

  private async publish(batch: Batch): Promise<void> {
    try {
      if (!this.producer) {
        this.producer = createEventProducer(this.options.kafka);
        await this.producer.connect();
      }
      for (const topicMessages of batch.sends)
        await this.producer.sendBatch({ acks: -1, topicMessages });
    } catch (err) {
      throw new PublishFailed(err);
    }
  }

  private async closeProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.prunedAt < this.o.pruneIntervalMs) return;
    this.prunedAt = Date.now();
    await this.session.prune(this.checkpoint);
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

/** A read: its batch, and the batch whose checkpoint it saved. */
interface Read {
  batch: Batch | null;
  saving: Batch | null;
}

/** Outbox entries read in one round, ready to send. */
interface Batch {
  last: Checkpoint;
  events: number;
  /** One sendBatch each, in order. */
  sends: TopicMessages[][];
}

/** Splits the records into sends under MAX_SEND_BYTES, keeping their order. */
function sendsOf(records: readonly OutboxRecord[]): TopicMessages[][] {
  const sends: Map<string, Message[]>[] = [new Map()];
  let bytes = 0;
  for (const { topic, message } of records) {
    // The headers and the request's framing of a record stay well under 256 bytes.
    const size = byteLength(message.value) + byteLength(message.key) + 256;
    if (bytes + size > MAX_SEND_BYTES && bytes > 0) {
      sends.push(new Map());
      bytes = 0;
    }
    const send = sends[sends.length - 1];
    const messages = send.get(topic);
    if (messages) messages.push(message);
    else send.set(topic, [message]);
    bytes += size;
  }
  return sends.map((send) => [...send].map(([topic, messages]) => ({ topic, messages })));
}

const byteLength = (bytes: Buffer | string | null | undefined) =>
  bytes ? Buffer.byteLength(bytes) : 0;
