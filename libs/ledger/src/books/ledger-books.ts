import { createAccounts, createTransfers, expireDue, type Decided } from '../domain/ledger.decider';
import type { LedgerEvent } from '../domain/ledger.events';
import { LedgerProjection, type AccountHistoryLine } from '../domain/ledger.projection';
import {
  applyInPlace,
  cloneState,
  initialLedgerState,
  type LedgerState,
} from '../domain/ledger.state';
import type {
  Account,
  AccountBalance,
  CreateAccountResult,
  CreateTransferResult,
  TransferRequest,
} from '../domain/ledger.types';
import { JournalConflict, type LedgerJournal } from './ledger-journal.port';

export interface LedgerBooksOptions {
  /** Milliseconds since the epoch; the only clock the ledger reads. */
  clock?: () => number;
  /**
   * Items decided and appended together at most (default TigerBeetle's 8,190), and never more
   * than the journal's largest append: requests are only coalesced up to that.
   */
  maxBatchItems?: number;
  /** Appends tried in all when another process wins the race (default 5); then the batch fails. */
  maxAttempts?: number;
}

type Job =
  | { type: 'accounts'; accounts: readonly Account[]; done: Settle<CreateAccountResult[]> }
  | {
      type: 'transfers';
      transfers: readonly TransferRequest[];
      done: Settle<CreateTransferResult[]>;
    }
  | { type: 'expire'; done: Settle<number> }
  | { type: 'catch-up'; done: Settle<void> };
interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

const size = (job: Job) =>
  job.type === 'accounts'
    ? job.accounts.length
    : job.type === 'transfers'
      ? job.transfers.length
      : 1;

/**
 * The ledger's application service. Concurrency: every request is queued;
 * one writer at a time takes all queued requests (up to `maxBatchItems`
 * items), decides them in arrival order against one in-memory state, and
 * appends their events in a single append at the version it decided
 * against. A hot account therefore costs one append per batch, not one
 * lock per transfer. Each batch starts by reading what other processes
 * appended since (so a refusal is never based on a stale state); when
 * another process appends in between, the append conflicts and the writer
 * catches up and decides the whole batch again (the decider is pure, so
 * this is safe), up to `maxAttempts` times.
 */
export class LedgerBooks {
  private state: LedgerState = initialLedgerState();
  private version = 0;
  private readonly projection = new LedgerProjection();
  private readonly queue: Job[] = [];
  private draining = false;
  private readonly clock: () => number;
  private readonly maxBatchItems: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly journal: LedgerJournal,
    options: LedgerBooksOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    // Several requests are coalesced only while their items fit in one append; one larger
    // request is still tried on its own (and refused by a journal that cannot hold it).
    this.maxBatchItems = Math.min(
      options.maxBatchItems ?? 8190,
      journal.maxEventsPerAppend ?? Number.POSITIVE_INFINITY,
    );
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /**
   * Reads the journal from where this instance left off: at start-up this
   * rebuilds state and projections by replay. Queued like a write, so it
   * never interleaves with one.
   */
  catchUp(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.enqueue({ type: 'catch-up', done: { resolve, reject } }),
    );
  }

  /** Only inside the writer (`drain`): the one place besides an append where state changes. */
  private async readNewEvents(): Promise<void> {
    const { events, version } = await this.journal.read(this.version);
    for (const event of events) {
      applyInPlace(this.state, event);
      this.projection.apply(event);
    }
    this.version = version;
  }

  createAccounts(accounts: readonly Account[]): Promise<CreateAccountResult[]> {
    return new Promise((resolve, reject) =>
      this.enqueue({ type: 'accounts', accounts, done: { resolve, reject } }),
    );
  }

  createTransfers(transfers: readonly TransferRequest[]): Promise<CreateTransferResult[]> {
    return new Promise((resolve, reject) =>
      this.enqueue({ type: 'transfers', transfers, done: { resolve, reject } }),
    );
  }

  /** Records the expiry of every reservation due now; answers how many. Run it on a timer. */
  expirePending(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.enqueue({ type: 'expire', done: { resolve, reject } }),
    );
  }

  /** Balances from the projection, with each account's currency; undefined for an unknown account. */
  balances(
    accountIds: readonly string[],
  ): ((AccountBalance & { accountId: string; currency: string }) | undefined)[] {
    return accountIds.map((accountId) => {
      const entry = this.state.accounts.get(accountId);
      const balance = this.projection.balanceOf(accountId);
      return entry && balance && { accountId, currency: entry.account.currency, ...balance };
    });
  }

  accountExists(accountId: string): boolean {
    return this.state.accounts.has(accountId);
  }

  history(accountId: string, after: number, limit: number): AccountHistoryLine[] {
    return this.projection.historyOf(accountId, after, limit);
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    if (!this.draining) void this.drain();
  }

  /** The one writer. The flag is cleared in the same tick the queue is seen empty, so no job is left behind. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      let taken = 1;
      let items = size(this.queue[0]);
      while (taken < this.queue.length && items + size(this.queue[taken]) <= this.maxBatchItems)
        items += size(this.queue[taken++]);
      const batch = this.queue.splice(0, taken);
      try {
        const outcomes = await this.write(batch);
        batch.forEach((job, i) => settle(job, outcomes[i]));
      } catch (err) {
        batch.forEach((job) => job.done.reject(err));
      }
    }
    this.draining = false;
  }

  /**
   * Decides `batch` and appends its events in one append. The decider never
   * changes the state it is given (it works on its own copy), so the batch
   * is decided on `this.state` itself and the state is brought up to date
   * only once the append is committed: no copy of the whole state per batch,
   * which would cost time in proportion to every transfer ever recorded.
   * A private copy is made only when a later step of the batch must see an
   * earlier step's events (accounts opened, then transfers, in one batch).
   */
  private async write(batch: Job[]): Promise<unknown[]> {
    const steps = stepsOf(batch);
    for (let attempt = 1; ; attempt++) {
      // Refusals append nothing, so no conflict would reveal a stale state: read what others wrote first.
      await this.readNewEvents();
      const now = this.clock();
      let state = this.state;
      let applied = 0;
      const events: LedgerEvent[] = [];
      const outcomes: unknown[] = [];
      for (const step of steps) {
        if (events.length > applied) {
          if (state === this.state) state = cloneState(state);
          for (let i = applied; i < events.length; i++) applyInPlace(state, events[i]);
          applied = events.length;
        }
        const decided = this.decide(state, step, now);
        for (const event of decided.events) events.push(event);
        outcomes.push(...outcomesOf(step, decided));
      }
      if (events.length === 0) return outcomes;
      try {
        this.version = await this.journal.append(this.version, events);
      } catch (err) {
        if (!(err instanceof JournalConflict) || attempt >= this.maxAttempts) throw err;
        continue;
      }
      for (let i = state === this.state ? 0 : applied; i < events.length; i++)
        applyInPlace(state, events[i]);
      this.state = state;
      events.forEach((e) => this.projection.apply(e));
      return outcomes;
    }
  }

  private decide(state: LedgerState, step: Step, now: number): Decided<unknown> {
    if (step.type === 'transfers') {
      // One decider call for the whole run of requests: the decider copies its state once per call.
      const transfers =
        step.jobs.length === 1 ? step.jobs[0].transfers : step.jobs.flatMap((j) => j.transfers);
      return createTransfers(state, transfers, now);
    }
    const { job } = step;
    switch (job.type) {
      case 'accounts':
        return createAccounts(state, job.accounts);
      case 'expire':
        return { events: expireDue(state, now), results: [] };
      case 'catch-up':
        return { events: [], results: [] };
      default: {
        const never: never = job;
        throw new Error(`unknown job ${JSON.stringify(never)}`);
      }
    }
  }
}

type TransfersJob = Extract<Job, { type: 'transfers' }>;

/** What the batch decides in one decider call: a run of transfer requests, or any other job. */
type Step =
  { type: 'transfers'; jobs: TransfersJob[] } | { type: 'other'; job: Exclude<Job, TransfersJob> };

/**
 * Consecutive transfer jobs decided as one request list give the results
 * they would give one after the other: items are decided in order, each
 * seeing those before it, at the same `now` (so the expiry sweep that opens
 * the call finds nothing more to expire at the start of the next job).
 * The exception is a job ending inside a linked chain: alone it fails the
 * open chain, joined it would extend the chain into the next job; such a
 * job ends its run.
 */
function stepsOf(batch: readonly Job[]): Step[] {
  const steps: Step[] = [];
  let run: TransfersJob[] | null = null;
  for (const job of batch) {
    if (job.type !== 'transfers') {
      steps.push({ type: 'other', job });
      run = null;
      continue;
    }
    if (run === null) {
      run = [];
      steps.push({ type: 'transfers', jobs: run });
    }
    run.push(job);
    if (job.transfers.length > 0 && job.transfers[job.transfers.length - 1].linked) run = null;
  }
  return steps;
}

/** Each job's outcome, in order: its own slice of the results of a run of transfer jobs. */
function outcomesOf(step: Step, decided: Decided<unknown>): unknown[] {
  if (step.type === 'transfers') {
    let from = 0;
    return step.jobs.map((job) => decided.results.slice(from, (from += job.transfers.length)));
  }
  switch (step.job.type) {
    case 'expire':
      return [decided.events.length];
    case 'catch-up':
      return [undefined];
    default:
      return [decided.results];
  }
}

function settle(job: Job, outcome: unknown): void {
  (job.done as Settle<unknown>).resolve(outcome);
}
