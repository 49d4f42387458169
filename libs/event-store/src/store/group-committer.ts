import { EventStoreClosed } from './event-store.errors';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

export interface GroupCommitOptions {
  /**
   * How long an idle committer waits after the first request before writing,
   * to gather more. 0 (the default) writes at once: under load, requests
   * that arrive while batches are being written form the next batch anyway.
   */
  windowMs: number;
  /** Most items (e.g. events) in one batch; a single larger request still goes alone. */
  maxBatchItems: number;
  /**
   * Batches written at the same time (default 2): while the database
   * commits one, the next is planned and sent. Requests with the same key
   * (stream) are never in two of them, and keep their order.
   */
  maxInFlight: number;
}

interface Waiting<Req, Res> {
  request: Req;
  key: string;
  items: number;
  resolve(value: Res): void;
  reject(error: Error): void;
}

/**
 * Group commit: requests queue while batches are being written; a new batch
 * takes its share of what is queued (split among the free slots, up to
 * maxBatchItems) and `write` handles it in one
 * database transaction, returning one outcome per request, so one refused
 * request does not fail the others. If `write` throws, every request of that
 * batch fails with that error. Up to maxInFlight batches are written at once,
 * never two holding requests with the same key: a request waits while an
 * earlier one with its key is in flight, and so does every later one with
 * that key, so per key the order of submission is the order of writing.
 */
export class GroupCommitter<Req, Res> {
  private readonly queue: Waiting<Req, Res>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busyKeys = new Set<string>();
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly write: (batch: Req[]) => Promise<Outcome<Res>[]>,
    private readonly options: GroupCommitOptions,
    private readonly describe: (request: Req) => { key: string; items: number } = () => ({
      key: '',
      items: 1,
    }),
  ) {}

  submit(request: Req): Promise<Res> {
    if (this.closed) return Promise.reject(new EventStoreClosed());
    const { key, items } = this.describe(request);
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, key, items, resolve, reject });
      this.schedule();
    });
  }

  /** Stops taking requests and waits for the queued ones to be written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight.size || this.queue.length) {
      this.startBatches();
      await Promise.race(this.inFlight);
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight.size >= this.options.maxInFlight) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.startBatches();
    };
    // A microtask still lets requests submitted in the same tick join the batch.
    if (this.options.windowMs <= 0) queueMicrotask(start);
    else setTimeout(start, this.options.windowMs);
  }

  private startBatches(): void {
    while (this.inFlight.size < this.options.maxInFlight) {
      // What is queued is shared among the free slots: while the database
      // commits one batch, the next is being prepared, instead of one large
      // batch at a time with the other slot idle.
      const free = this.options.maxInFlight - this.inFlight.size;
      const batch = this.take(Math.ceil(this.queue.length / free));
      if (batch.length === 0) return;
      for (const waiting of batch) this.busyKeys.add(waiting.key);
      const running: Promise<void> = this.run(batch).finally(() => {
        this.inFlight.delete(running);
        for (const waiting of batch) this.busyKeys.delete(waiting.key);
        if (this.queue.length) this.schedule();
      });
      this.inFlight.add(running);
    }
  }

  /**
   * The next batch: queued requests whose key is not in flight, in order, up
   * to maxBatchItems, taking up to `requests` of them plus every later one of
   * a key it already holds (a stream's queued appends share one transaction
   * rather than wait for each other's commits).
   */
  private take(requests: number): Waiting<Req, Res>[] {
    const taken: Waiting<Req, Res>[] = [];
    const keys = new Set<string>();
    const held = new Set(this.busyKeys);
    let items = 0;
    for (let i = 0; i < this.queue.length;) {
      const waiting = this.queue[i];
      const fits = taken.length === 0 || items + waiting.items <= this.options.maxBatchItems;
      const within = taken.length < requests || keys.has(waiting.key);
      if (held.has(waiting.key) || !fits || !within) {
        // Later requests with this key must not overtake it.
        held.add(waiting.key);
        i++;
        continue;
      }
      taken.push(waiting);
      keys.add(waiting.key);
      items += waiting.items;
      this.queue.splice(i, 1);
    }
    return taken;
  }

  private async run(batch: Waiting<Req, Res>[]): Promise<void> {
    let outcomes: Outcome<Res>[];
    try {
      outcomes = await this.write(batch.map((w) => w.request));
    } catch (err) {
      for (const waiting of batch) waiting.reject(err as Error);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }
}
