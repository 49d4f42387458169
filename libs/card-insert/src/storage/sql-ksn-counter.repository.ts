import type { EventStoreTransaction } from '@tillgate/event-store';
import {
  advanceKsnCounter,
  isKsnCounterAccepted,
  KeyStoreError,
  type DukptChannel,
  type DukptDeviceKey,
  type KsnCounterRepository,
  type KsnCounterState,
} from '@tillgate/key-store';

type Tx = Pick<EventStoreTransaction, 'kind' | 'query'>;

/**
 * Transactions on the event store's database: `EventStore#storage` (or the
 * EventStore itself). On SQLite they hold the lock that serialises every use
 * of the single better-sqlite3 connection (a statement of ours run between
 * another caller's awaits would land inside its transaction); on Postgres
 * they are READ COMMITTED transactions on a pooled connection. The storage
 * is the better choice: the store's own `transaction` also wakes the outbox
 * relay after each commit, and a counter write publishes nothing.
 */
export interface KsnCounterTransactions {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

const CHANNELS: readonly DukptChannel[] = ['mac', 'pin', 'data'];

/** `$1, $2...` placeholders for Postgres, `?` for SQLite (parameters are always in order here). */
function sql(tx: Tx, text: string): string {
  return tx.kind === 'postgres' ? text : text.replace(/\$\d+/g, '?');
}

/**
 * KSN counters in the `ci_ksn_counters` table of the event store's database
 * (migration 1764300000000): durable on commit, shared by every gateway
 * process on the same Postgres.
 *
 * `advance` is one transaction that reads the device's row locked (Postgres
 * `SELECT ... FOR UPDATE`; SQLite has one writer at a time), judges it with
 * the key store's own rule (`isKsnCounterAccepted`) and writes
 * `advanceKsnCounter`'s state. A concurrent advance of the same device waits
 * for the row lock and then judges the committed state, so the same counter
 * and channel are accepted at most once, across processes too. A device's
 * first counter is inserted with ON CONFLICT DO NOTHING: when another
 * process inserted it first, the row it committed is locked and judged.
 */
export class SqlKsnCounterRepository implements KsnCounterRepository {
  constructor(private readonly transactions: KsnCounterTransactions) {}

  find(device: DukptDeviceKey): Promise<KsnCounterState | undefined> {
    return this.transactions.transaction((tx) => readState(tx, device, false));
  }

  advance(device: DukptDeviceKey, counter: number, channel: DukptChannel): Promise<boolean> {
    return this.transactions.transaction(async (tx) => {
      // Twice at most: the second pass judges a first row another process inserted meanwhile.
      for (let pass = 0; pass < 2; pass++) {
        const state = await readState(tx, device, true);
        if (!isKsnCounterAccepted(state, counter, channel)) return false;
        const next = advanceKsnCounter(state, counter, channel);
        if (state !== undefined) {
          await updateState(tx, device, next);
          return true;
        }
        if (await insertState(tx, device, next)) return true;
      }
      throw new KeyStoreError(
        'STORE_CONFLICT',
        `the KSN counter of device ${device} was inserted and then vanished`,
      );
    });
  }
}

async function readState(
  tx: Tx,
  device: DukptDeviceKey,
  forUpdate: boolean,
): Promise<KsnCounterState | undefined> {
  const lock = forUpdate && tx.kind === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await tx.query<{ counter: unknown; channels: unknown }>(
    sql(tx, `SELECT "counter", "channels" FROM "ci_ksn_counters" WHERE "device_key" = $1${lock}`),
    [device],
  );
  return rows.length ? decodeState(device, rows[0]) : undefined;
}

async function updateState(tx: Tx, device: DukptDeviceKey, state: KsnCounterState): Promise<void> {
  await tx.query(
    sql(tx, `UPDATE "ci_ksn_counters" SET "counter" = $1, "channels" = $2 WHERE "device_key" = $3`),
    [state.counter, state.channels.join(','), device],
  );
}

/** Inserts the device's first state; false when a row for it exists already (committed by another process). */
async function insertState(
  tx: Tx,
  device: DukptDeviceKey,
  state: KsnCounterState,
): Promise<boolean> {
  const rows = await tx.query<{ device_key: string }>(
    sql(
      tx,
      `INSERT INTO "ci_ksn_counters" ("device_key", "counter", "channels") VALUES ($1, $2, $3)
       ON CONFLICT ("device_key") DO NOTHING RETURNING "device_key"`,
    ),
    [device, state.counter, state.channels.join(',')],
  );
  return rows.length === 1;
}

/** A row as the key store's state; a row no advance could have written is refused, not trusted. */
function decodeState(
  device: DukptDeviceKey,
  row: { counter: unknown; channels: unknown },
): KsnCounterState {
  const counter = Number(row.counter);
  const channels = typeof row.channels === 'string' ? row.channels.split(',') : [];
  const valid =
    Number.isSafeInteger(counter) &&
    counter >= 0 &&
    channels.length > 0 &&
    new Set(channels).size === channels.length &&
    channels.every((c) => (CHANNELS as readonly string[]).includes(c));
  if (!valid)
    throw new KeyStoreError(
      'STORE_CORRUPT',
      `ci_ksn_counters: counter of device ${device} is malformed`,
    );
  return { counter, channels: channels as DukptChannel[] };
}
