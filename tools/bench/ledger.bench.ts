/**
 * Ledger benchmark (issue 6, item 7). With the local infrastructure up,
 * from the repository root:
 *   node tools/infra/infra.mjs up && eval "$(node tools/infra/infra.mjs env --export)"
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/ledger.bench.ts [--seconds N] [--quick] [--dry-run]
 *
 * On one fresh Postgres database, in one run:
 *  (a) batches of 1, 128, 1,000 and 8,190 transfers, then 1 again on fuller
 *      books, through LedgerBooks (decided, event-sourced on the event
 *      store) from one client, taking turns with raw `pg` inserting the same
 *      transfers as plain rows (one unnest INSERT per batch, autocommit: one
 *      transaction);
 *  (b) the hot account: 64 clients each posting one transfer per request,
 *      all crediting one merchant-payable account, against the same load
 *      spread over 1,000 accounts; through one ledger writer, through two
 *      writers racing on the stream, and raw `pg` (INSERT the transfer and
 *      UPDATE both balances, one statement, row locks).
 * Every balance is checked afterwards against a tally of what was accepted
 * (in the writers' memory, in a replay from Postgres, in the raw table);
 * any difference fails the bench and nothing is written.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform } from 'node:os';
import { Client, Pool } from 'pg';
import type { DataSource } from 'typeorm';
import {
  EventStore,
  InvalidEvent,
  eventStoreEntities,
  eventStoreMigrations,
} from '@tillgate/event-store';
import {
  EventStoreLedgerJournal,
  JournalConflict,
  LedgerBooks,
  type Account,
  type AccountType,
  type CreateTransferResult,
  type LedgerEvent,
  type SingleTransferRequest,
} from '@tillgate/ledger';
import { openDataSource } from '@tillgate/persistence';
import { formatRate, markdownTable, parseBenchOptions, writeSection } from './report';

const {
  quick,
  dryRun,
  seconds: SECONDS,
  rounds: ROUNDS,
} = parseBenchOptions(process.argv.slice(2), { seconds: 3, quickSeconds: 0.5, rounds: 3 });
/**
 * In this order. 8,190 is TigerBeetle's batch and LedgerService's limit; 1,000 is the event
 * store's largest append. Batches of 1 come again last, on books that then hold every transfer
 * of the sizes before: deciding costs more as the books grow (see the notes).
 */
const BATCH_SIZES = [1, 128, 1000, 8190, 1] as const;
/** Each batch size is measured for at least this many batches of each kind, however long it takes. */
const MIN_BATCHES = quick ? 2 : 4;
const CLIENTS = 64;
const WRITERS = 2;
const POOL = 20;
const SPREAD_ACCOUNTS = 1000;
const LOAD_AT_START = loadavg()[0].toFixed(2);

function requiredEnv(): string {
  const { DATABASE_URL } = process.env;
  if (!DATABASE_URL?.startsWith('postgres')) {
    process.stderr.write(
      'DATABASE_URL (Postgres) must be set: run `node tools/infra/infra.mjs up` and eval its `env --export`\n',
    );
    process.exit(2);
  }
  return DATABASE_URL;
}
const DATABASE_URL = requiredEnv();

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

interface Run {
  /** Transfers accepted. */
  transfers: number;
  seconds: number;
  /** One per request (a batch in (a), one transfer in (b)). */
  latenciesMs: number[];
  /** Requests that failed (an error, not a result code). */
  failed: number;
  /** Ledger appends made during the run, when counted. */
  appends?: number;
}
const rate = (r: Run) => r.transfers / r.seconds;
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The balance a transfer changes on each side, kept by the bench from the results it got. */
class Tally {
  private readonly debits = new Map<string, bigint>();
  private readonly credits = new Map<string, bigint>();
  count = 0;

  add(t: SingleTransferRequest): void {
    this.debits.set(t.debitAccountId, (this.debits.get(t.debitAccountId) ?? 0n) + t.amount);
    this.credits.set(t.creditAccountId, (this.credits.get(t.creditAccountId) ?? 0n) + t.amount);
    this.count++;
  }

  expected(accountId: string): { debitsPosted: bigint; creditsPosted: bigint } {
    return {
      debitsPosted: this.debits.get(accountId) ?? 0n,
      creditsPosted: this.credits.get(accountId) ?? 0n,
    };
  }
}

/** Balances that differ from the tally: a lost or doubled update. The bench stops on it. */
class BalanceMismatch extends Error {
  override readonly name = 'BalanceMismatch';
  constructor(where: string, problems: readonly string[]) {
    super(
      `${where}: ${problems.length} balance(s) differ from the accepted transfers:\n  ${problems.slice(0, 10).join('\n  ')}`,
    );
  }
}

type Balance = { debitsPosted: bigint; creditsPosted: bigint; pending?: bigint };

function checkBalances(
  where: string,
  accountIds: readonly string[],
  tally: Tally,
  actual: (accountId: string) => Balance | undefined,
): void {
  const problems: string[] = [];
  for (const id of accountIds) {
    const want = tally.expected(id);
    const got = actual(id);
    if (
      !got ||
      got.debitsPosted !== want.debitsPosted ||
      got.creditsPosted !== want.creditsPosted ||
      (got.pending ?? 0n) !== 0n
    ) {
      problems.push(
        `${id}: expected debits ${want.debitsPosted} credits ${want.creditsPosted}, got ${got ? `debits ${got.debitsPosted} credits ${got.creditsPosted} pending ${got.pending ?? 0n}` : 'no account'}`,
      );
    }
  }
  if (problems.length > 0) throw new BalanceMismatch(where, problems);
}

/** The writers' in-memory balances and a replay of the stream from Postgres must both match the tally. */
async function verifyLedger(
  label: string,
  dataSource: DataSource,
  streamId: string,
  writers: readonly LedgerBooks[],
  accountIds: readonly string[],
  tally: Tally,
): Promise<void> {
  const store = new EventStore(dataSource);
  const replay = new LedgerBooks(new EventStoreLedgerJournal(store, { streamId }));
  try {
    await replay.catchUp();
    for (const [i, books] of [replay, ...writers].entries()) {
      await books.catchUp();
      const balances = new Map(books.balances(accountIds).map((b, j) => [accountIds[j], b]));
      checkBalances(
        `${label}, ${i === 0 ? 'replay from Postgres' : `writer ${i}`}`,
        accountIds,
        tally,
        (id) => {
          const b = balances.get(id);
          return b && { ...b, pending: b.debitsPending + b.creditsPending };
        },
      );
    }
  } finally {
    await store.close();
  }
}

const account = (id: string, type: AccountType): Account => ({
  id,
  type,
  currency: 'EUR',
  flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false },
  reference: '',
});

let transferSeq = 0;
/** A card payment's settlement leg: scheme receivable debited, merchant payable credited. */
const transfer = (debitAccountId: string, creditAccountId: string): SingleTransferRequest => ({
  kind: 'single',
  id: `t-${++transferSeq}`,
  debitAccountId,
  creditAccountId,
  amount: BigInt(1 + Math.floor(Math.random() * 50_000)),
  currency: 'EUR',
  code: 'settlement',
});

/** A ledger writer on its own EventStore (as a separate service process would have), on `streamId`. */
function openWriter(dataSource: DataSource, streamId: string) {
  const store = new EventStore(dataSource);
  const journal = new CountingJournal(store, { streamId });
  return { store, journal, books: new LedgerBooks(journal) };
}

/** Counts the appends that went through (not those that lost a race), to show how requests coalesce. */
class CountingJournal extends EventStoreLedgerJournal {
  appends = 0;

  override async append(expectedVersion: number, events: readonly LedgerEvent[]): Promise<number> {
    const version = await super.append(expectedVersion, events);
    this.appends++;
    return version;
  }
}

/** Opened 500 per request: one request's events must fit in one append of the event store. */
async function openAccounts(books: LedgerBooks, accounts: readonly Account[]): Promise<void> {
  for (let i = 0; i < accounts.length; i += 500) {
    const results = await books.createAccounts(accounts.slice(i, i + 500));
    const refused = results.filter((r) => r !== 'ok');
    if (refused.length > 0) throw new Error(`accounts refused: ${refused.join(', ')}`);
  }
}

function requireOk(results: readonly CreateTransferResult[]): void {
  const refused = results.find((r) => r !== 'ok');
  if (refused) throw new Error(`a transfer was refused with ${refused}; every one should pass`);
}

// ---------------------------------------------------------------- (a) batch sizes

const RAW_TRANSFERS = `CREATE TABLE raw_transfers (
  id text PRIMARY KEY, kind text NOT NULL, debit_account_id text NOT NULL, credit_account_id text NOT NULL,
  amount bigint NOT NULL, currency char(3) NOT NULL, code text NOT NULL, recorded_at bigint NOT NULL)`;
const RAW_INSERT_BATCH = `INSERT INTO raw_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, code, recorded_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])`;

function rawInsertBatch(db: Client, batch: readonly SingleTransferRequest[]) {
  const column = <T>(pick: (t: SingleTransferRequest) => T) => batch.map(pick);
  const at = Date.now();
  return db.query(RAW_INSERT_BATCH, [
    column((t) => t.id),
    column((t) => t.kind),
    column((t) => t.debitAccountId),
    column((t) => t.creditAccountId),
    column((t) => t.amount.toString()),
    column((t) => t.currency),
    column((t) => t.code),
    column(() => at),
  ]);
}

interface BatchCase {
  size: number;
  raw: Run;
  /** Null when the books refuse a batch of this size; `refusal` says why. */
  ours: Run | null;
  refusal: string | null;
  /** Transfers held by the books when this size started (the decider copies its maps per batch). */
  heldBefore: number;
}

/**
 * One client, raw and ours taking turns one batch at a time for
 * ROUNDS x SECONDS per size (at least MIN_BATCHES each): both see the same
 * background load. A rate is transfers over the time spent in them.
 */
async function batchSizes(dataSource: DataSource): Promise<BatchCase[]> {
  const streamId = 'ledger-batches';
  const { store, books } = openWriter(dataSource, streamId);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const payables = Array.from({ length: 100 }, (_, i) => `merchant-${i}`);
  const schemes = Array.from({ length: 10 }, (_, i) => `scheme-${i}`);
  const tally = new Tally();
  const makeBatch = (size: number) =>
    Array.from({ length: size }, (_, i) =>
      transfer(schemes[i % schemes.length], payables[(transferSeq + i) % payables.length]),
    );
  const ours = async (batch: SingleTransferRequest[]) => {
    requireOk(await books.createTransfers(batch));
    batch.forEach((t) => tally.add(t));
  };
  const cases: BatchCase[] = [];
  try {
    await client.query(RAW_TRANSFERS);
    await openAccounts(books, [
      ...payables.map((id) => account(id, 'merchant_payable')),
      ...schemes.map((id) => account(id, 'scheme_receivable')),
    ]);
    for (const size of BATCH_SIZES) {
      // Untimed: connections, prepared statements, the JIT on this size.
      await rawInsertBatch(client, makeBatch(size));
      const refusal = await ours(makeBatch(size)).then(
        () => null,
        (err: unknown) => {
          // The one refusal we report rather than fail on: a batch larger than one append holds.
          if (err instanceof InvalidEvent && err.field === 'events') return err.message;
          throw err;
        },
      );
      const heldBefore = tally.count;
      const runs = { raw: [] as number[], ours: [] as number[] };
      const end = now() + ROUNDS * SECONDS * 1000;
      while (now() < end || runs.raw.length < MIN_BATCHES) {
        const rawBatch = makeBatch(size);
        let t = now();
        await rawInsertBatch(client, rawBatch);
        runs.raw.push(now() - t);
        if (refusal !== null) continue;
        const ourBatch = makeBatch(size);
        t = now();
        await ours(ourBatch);
        runs.ours.push(now() - t);
      }
      const run = (latenciesMs: number[]): Run => ({
        transfers: latenciesMs.length * size,
        seconds: latenciesMs.reduce((a, b) => a + b, 0) / 1000,
        latenciesMs,
        failed: 0,
      });
      const measured: BatchCase = {
        size,
        raw: run(runs.raw),
        ours: refusal === null ? run(runs.ours) : null,
        refusal,
        heldBefore,
      };
      cases.push(measured);
      process.stderr.write(
        `(a) ${size}: raw ${formatRate(rate(measured.raw))}/s, ours ${measured.ours ? `${formatRate(rate(measured.ours))}/s` : `refused: ${refusal}`}\n`,
      );
    }
    await verifyLedger(
      '(a) batch sizes',
      dataSource,
      streamId,
      [books],
      [...payables, ...schemes],
      tally,
    );
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM raw_transfers',
    );
    const rawRows = rows[0].n;
    const rawSent =
      cases.reduce((sum, c) => sum + c.raw.transfers, 0) + BATCH_SIZES.reduce((a, b) => a + b, 0);
    if (rawRows !== rawSent)
      throw new Error(`raw_transfers holds ${rawRows} rows, ${rawSent} were inserted`);
    return cases;
  } finally {
    await client.end();
    await store.close();
  }
}

// ---------------------------------------------------------------- (b) hot account

type Spread = 'hot' | 'spread';
const HOT = 'merchant-hot';
const creditAccounts = (spread: Spread) =>
  spread === 'hot' ? [HOT] : Array.from({ length: SPREAD_ACCOUNTS }, (_, i) => `merchant-${i}`);
/** Each client debits its own scheme account, so the only shared row is the credited one. */
const debitAccounts = () => Array.from({ length: CLIENTS }, (_, i) => `scheme-${i}`);

/** `CLIENTS` loops posting one transfer per request for SECONDS; every request timed. */
async function drive(
  spread: Spread,
  post: (client: number, t: SingleTransferRequest) => Promise<boolean>,
): Promise<Run> {
  const credits = creditAccounts(spread);
  const debits = debitAccounts();
  const latenciesMs: number[] = [];
  let transfers = 0;
  let failed = 0;
  const start = now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let n = client;
      while (now() < end) {
        const t = transfer(debits[client], credits[n++ % credits.length]);
        const began = now();
        if (await post(client, t)) transfers++;
        else failed++;
        latenciesMs.push(now() - began);
      }
    }),
  );
  return { transfers, seconds: (now() - start) / 1000, latenciesMs, failed };
}

let streamSeq = 0;
/** `writers` ledger writers on a fresh stream, the clients shared among them round-robin. */
async function ledgerCase(dataSource: DataSource, spread: Spread, writers: number): Promise<Run> {
  const streamId = `ledger-hot-${++streamSeq}`;
  const opened = Array.from({ length: writers }, () => openWriter(dataSource, streamId));
  const books = opened.map((w) => w.books);
  const accountIds = [...creditAccounts(spread), ...debitAccounts()];
  const tally = new Tally();
  try {
    await openAccounts(books[0], [
      ...creditAccounts(spread).map((id) => account(id, 'merchant_payable')),
      ...debitAccounts().map((id) => account(id, 'scheme_receivable')),
    ]);
    await Promise.all(books.map((b) => b.catchUp()));
    const appendsBefore = opened.reduce((sum, w) => sum + w.journal.appends, 0);
    const run = await drive(spread, async (client, t) => {
      try {
        const [result] = await books[client % writers].createTransfers([t]);
        requireOk([result]);
        tally.add(t);
        return true;
      } catch (err) {
        // A batch that lost the race maxAttempts times fails as a whole; it recorded nothing.
        if (err instanceof JournalConflict) return false;
        throw err;
      }
    });
    await verifyLedger(
      `(b) ${spread}, ${writers} writer(s)`,
      dataSource,
      streamId,
      books,
      accountIds,
      tally,
    );
    return {
      ...run,
      appends: opened.reduce((sum, w) => sum + w.journal.appends, 0) - appendsBefore,
    };
  } finally {
    await Promise.all(opened.map((w) => w.store.close()));
  }
}

/**
 * The textbook SQL ledger: insert the transfer and add its amount to both
 * balances in one statement (one transaction), so the credited row is
 * locked from the UPDATE to the commit's WAL flush.
 */
const RAW_POST = `WITH t AS (
    INSERT INTO raw_hot_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, code, recorded_at)
    VALUES ($1, 'single', $2, $3, $4, 'EUR', 'settlement', $5)
  ), c AS (UPDATE raw_accounts SET credits_posted = credits_posted + $4 WHERE id = $3),
     d AS (UPDATE raw_accounts SET debits_posted = debits_posted + $4 WHERE id = $2)
  SELECT 1`;

async function rawCase(pool: Pool, spread: Spread): Promise<Run> {
  const accountIds = [...creditAccounts(spread), ...debitAccounts()];
  await pool.query('TRUNCATE raw_hot_transfers, raw_accounts');
  await pool.query('INSERT INTO raw_accounts (id) SELECT unnest($1::text[])', [accountIds]);
  const tally = new Tally();
  const run = await drive(spread, async (_, t) => {
    await pool.query(RAW_POST, [
      t.id,
      t.debitAccountId,
      t.creditAccountId,
      t.amount.toString(),
      Date.now(),
    ]);
    tally.add(t);
    return true;
  });
  const { rows } = await pool.query<{ id: string; debits_posted: string; credits_posted: string }>(
    'SELECT id, debits_posted, credits_posted FROM raw_accounts',
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  checkBalances(`(b) raw ${spread}`, accountIds, tally, (id) => {
    const r = byId.get(id);
    return r && { debitsPosted: BigInt(r.debits_posted), creditsPosted: BigInt(r.credits_posted) };
  });
  return run;
}

const HOT_CASES = [
  { key: 'raw-hot', label: `raw pg, ${CLIENTS} clients, pool ${POOL}`, spread: 'hot', writers: 0 },
  {
    key: 'raw-spread',
    label: `raw pg, ${CLIENTS} clients, pool ${POOL}`,
    spread: 'spread',
    writers: 0,
  },
  { key: 'ours-hot', label: `ledger, 1 writer, ${CLIENTS} clients`, spread: 'hot', writers: 1 },
  {
    key: 'ours-spread',
    label: `ledger, 1 writer, ${CLIENTS} clients`,
    spread: 'spread',
    writers: 1,
  },
  {
    key: 'ours2-hot',
    label: `ledger, ${WRITERS} writers, ${CLIENTS} clients`,
    spread: 'hot',
    writers: WRITERS,
  },
  {
    key: 'ours2-spread',
    label: `ledger, ${WRITERS} writers, ${CLIENTS} clients`,
    spread: 'spread',
    writers: WRITERS,
  },
] as const;

/** Rounds alternate the cases (in and out of order); the best round of each is kept. Every round is verified. */
async function hotAccount(dataSource: DataSource): Promise<Map<string, Run>> {
  const pool = new Pool({ connectionString: databaseUrl, max: POOL });
  const kept = new Map<string, Run>();
  try {
    await pool.query(RAW_TRANSFERS.replace('raw_transfers', 'raw_hot_transfers'));
    await pool.query(
      'CREATE TABLE raw_accounts (id text PRIMARY KEY, debits_posted bigint NOT NULL DEFAULT 0, credits_posted bigint NOT NULL DEFAULT 0)',
    );
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round runs the cases backwards, so no case always follows the same one.
      for (const c of round % 2 === 0 ? HOT_CASES : [...HOT_CASES].reverse()) {
        const run =
          c.writers === 0
            ? await rawCase(pool, c.spread)
            : await ledgerCase(dataSource, c.spread, c.writers);
        process.stderr.write(
          `(b) ${c.label}, ${c.spread}: ${formatRate(rate(run))}/s, ${run.failed} failed, balances exact\n`,
        );
        const best = kept.get(c.key);
        if (!best || rate(run) > rate(best)) kept.set(c.key, run);
      }
    }
    return kept;
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------- report

let databaseUrl = '';

function machine(): string {
  const status = platform() === 'linux' ? readFileSync('/proc/self/status', 'utf8') : '';
  const allowed = /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1];
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString().slice(0, 10)}`,
    `- machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} logical cores${allowed ? ` (process allowed on CPUs ${allowed})` : ''}, ${platform()}/${arch()}; load average at the start ${LOAD_AT_START}, at the end ${loadavg()[0].toFixed(2)}`,
    `- node ${process.version}; Postgres local to the machine (\`tools/infra\`), fsync and synchronous_commit on; bench, Postgres and the rest share the cores`,
  ].join('\n');
}

type HotCaseKey = (typeof HOT_CASES)[number]['key'];
function runOf(hot: ReadonlyMap<string, Run>, key: HotCaseKey): Run {
  const run = hot.get(key);
  if (!run) throw new Error(`hot-account case ${key} was not measured`);
  return run;
}

function render(batches: readonly BatchCase[], hot: ReadonlyMap<string, Run>): string {
  const batchRows = batches.flatMap((c) => [
    [
      `${c.size.toLocaleString('en-US')}`,
      'raw pg (unnest INSERT)',
      formatRate(rate(c.raw)),
      ms(percentile(c.raw.latenciesMs, 50)),
      ms(percentile(c.raw.latenciesMs, 99)),
      '',
    ],
    c.ours
      ? [
          `${c.size.toLocaleString('en-US')}`,
          `ledger (${c.heldBefore.toLocaleString('en-US')} held)`,
          formatRate(rate(c.ours)),
          ms(percentile(c.ours.latenciesMs, 50)),
          ms(percentile(c.ours.latenciesMs, 99)),
          `${(rate(c.ours) / rate(c.raw)).toFixed(2)}×`,
        ]
      : [`${c.size.toLocaleString('en-US')}`, `ledger: refused (${c.refusal})`, '-', '-', '-', '-'],
  ]);
  const hotRows = HOT_CASES.map((c) => {
    const run = runOf(hot, c.key);
    const base = runOf(
      hot,
      c.writers === 0 ? 'raw-spread' : c.writers === 1 ? 'ours-spread' : 'ours2-spread',
    );
    return [
      c.label,
      c.spread === 'hot' ? '1 account' : `${SPREAD_ACCOUNTS.toLocaleString('en-US')} accounts`,
      formatRate(rate(run)),
      ms(percentile(run.latenciesMs, 50)),
      ms(percentile(run.latenciesMs, 99)),
      run.appends ? (run.transfers / run.appends).toFixed(1) : '-',
      run.failed.toLocaleString('en-US'),
      `${(rate(run) / rate(base)).toFixed(2)}×`,
    ];
  });
  return `## Ledger (\`tools/bench/ledger.bench.ts\`)

${machine()}

Reproduce: \`node tools/infra/infra.mjs up && eval "$(node tools/infra/infra.mjs env --export)" && SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/ledger.bench.ts\`

### (a) CreateTransfers by batch size, one client

Ours: \`LedgerBooks.createTransfers(batch)\` on the event store on Postgres: read what other
writers appended, decide every transfer (idempotency, accounts, currency, limits), append one
\`TransferRecorded\` event per transfer to the ledger stream with its outbox entry (one statement,
one transaction), then update the in-memory balances and history. Raw: \`pg\` inserting the same
transfers as plain rows (\`id\` primary key, no balances) with one \`unnest\` INSERT per batch in
autocommit. Both take turns batch by batch for ${ROUNDS * SECONDS} s per size (at least ${MIN_BATCHES} batches), sizes in
the order shown; "held" is how many transfers the books held (in memory) when the size started.
Latencies are per batch.

${markdownTable(['batch', 'case', 'transfers/s', 'p50 ms', 'p99 ms', 'ours ÷ raw'], batchRows)}

### (b) Hot account: ${CLIENTS} concurrent clients, one transfer per request

Every client debits its own scheme account and credits either the one merchant-payable account
("1 account") or one of ${SPREAD_ACCOUNTS.toLocaleString('en-US')} in turn. Raw: one statement per request inserting the transfer and
adding its amount to both balances (\`UPDATE … SET credits_posted = credits_posted + $amount\`).
Ledger: \`createTransfers([transfer])\` per request, with ${WRITERS} writers each on its own event store
(standing in for ${WRITERS} service processes) sharing the clients round-robin. ${ROUNDS} round(s) of ${SECONDS} s per
case, cases alternating (in reverse order every other round), best round kept. After every round each balance was checked against the
sum of the accepted transfers, in each writer's memory, in a replay of the stream from Postgres
and in the raw table: all exact (the bench fails when one is not). "Per append" is transfers
per ledger append (requests coalesced into one batch); "failed" counts requests refused after
losing the append race 5 times (nothing recorded, the client may retry).

${markdownTable(
  ['case', 'credited', 'transfers/s', 'p50 ms', 'p99 ms', 'per append', 'failed', 'hot ÷ spread'],
  hotRows,
)}

### Reading the figures

${explanation(batches, hot)}`;
}

function explanation(batches: readonly BatchCase[], hot: ReadonlyMap<string, Run>): string {
  const measured = batches.filter((c): c is BatchCase & { ours: Run } => c.ours !== null);
  const first = measured[0];
  const last = measured[measured.length - 1];
  const largest = measured.reduce((a, b) => (b.size > a.size ? b : a));
  const refused = batches.filter((c) => c.ours === null).map((c) => c.size.toLocaleString('en-US'));
  const r = (key: HotCaseKey) => rate(runOf(hot, key));
  const failed = (hot.get('ours2-hot')?.failed ?? 0) + (hot.get('ours2-spread')?.failed ?? 0);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const held = (c: BatchCase) =>
    `${c.heldBefore.toLocaleString('en-US')} transfer${c.heldBefore === 1 ? '' : 's'}`;
  return `**What limits a batch.** A batch is one append, hence one transaction and one WAL flush, whatever
its size. Our request makes two round trips where raw makes one: the read of what other writers
appended since, then one guarded statement inserting the events and their outbox entries if the
stream is still at the version decided against; each event row is wider than a raw row (envelope,
protobuf payload, position, outbox row and their indexes). With batches of 1 on fresh books
that costs ${ratio(rate(first.ours), rate(first.raw))} of raw. As batches grow, the commit is amortised and the work per transfer
takes over, on both sides of the wire and on the same two loaded cores: in the ledger's one Node
thread, decide it, encode one protobuf event, have the event store validate it and scan it for
card data, then update the balances and the history projection; in Postgres, two rows (event and
outbox entry) and their indexes where raw writes one narrow row (${ratio(rate(largest.ours), rate(largest.raw))} of raw at
${largest.size.toLocaleString('en-US')}).${
    refused.length > 0
      ? ` Batches of ${refused.join(', ')} are refused: the event store takes at most
1,000 events in one append and LedgerBooks writes one request in one append, so today a
CreateTransfers larger than 1,000 items fails whatever LedgerService accepts (8,190).`
      : ''
  }

**The books grow.** \`createTransfers\` in the domain copies the state's maps (every transfer ever
recorded) before deciding, once per call, so a batch costs time in proportion to what the books
hold: batches of 1 ran at ${formatRate(rate(first.ours))}/s on books holding ${held(first)} and at
${formatRate(rate(last.ours))}/s on books holding ${held(last)} (p50 ${ms(percentile(first.ours.latenciesMs, 50))} → ${ms(percentile(last.ours.latenciesMs, 50))} ms). LedgerBooks no longer adds copies of its
own (it used to copy the state once per batch and the decider once per queued request); the
decider's own copy remains, and is what to remove next (copy on write instead of a full copy).

**The hot account.** LedgerBooks never locks an account. Each writer keeps the ledger's state in
memory and queues every request; one drain loop takes everything queued (up to one append's
worth), decides it in arrival order against one state (so two transfers to the same account see
each other's effect), and writes the events of the whole batch in ONE append to the single
ledger stream, guarded by the stream version it decided against (optimistic concurrency on the
unique (stream, version) key of es_events). ${CLIENTS} clients on one account therefore cost one
append per batch, not ${CLIENTS} row locks: hot runs at ${ratio(r('ours-hot'), r('ours-spread'))} of spread with one writer (the
ledger does the same work for both; the rest is this shared machine's noise). What
limits it is that a writer has one append in flight at a time (the next batch is decided on
the state the previous one leaves): its rate is the transfers coalesced per append (at most one
per client here) over one read plus one append on a shared, loaded Postgres. Raw SQL serialises
on the hot row instead (each transaction holds its lock from the UPDATE through the commit's WAL
flush): ${ratio(r('raw-hot'), r('raw-spread'))} of spread, and the ledger's hot rate is ${ratio(r('ours-hot'), r('raw-hot'))} raw's.

**Two writers.** A second writer (another process) is not coordinated with the first: each batch
first reads what the other appended, and when the other appends between that read and the
append, the append conflicts and the writer catches up and decides the whole batch again (the
decider is pure), up to 5 attempts; then the batch fails and nothing of it is recorded. No
update is lost (every balance was verified), but the writers waste work on each other${
    failed > 0
      ? ` and ${failed.toLocaleString('en-US')}
request(s) failed after losing 5 races`
      : ''
  }: one writer per ledger stream is the configuration to run.`;
}

async function main(): Promise<void> {
  const name = `tillgate_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  const dataSource = await openDataSource({
    url: databaseUrl,
    entities: eventStoreEntities('postgres'),
    migrations: eventStoreMigrations,
    poolSize: POOL,
  });
  try {
    const batches = await batchSizes(dataSource);
    const hot = await hotAccount(dataSource);
    const markdown = render(batches, hot);
    if (dryRun) process.stdout.write(`${markdown}\n`);
    else {
      writeSection('ledger', markdown);
      process.stderr.write('wrote the ledger section of docs/benchmarks.md\n');
    }
  } finally {
    await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
