import type { EventStoreTransaction } from '@tillgate/event-store';
import {
  isKsnCounterAcceptedForAll,
  KeyStoreError,
  type DukptChannel,
  type DukptDeviceKey,
  type KsnCounterRepository,
  type KsnCounterState,
} from '@tillgate/key-store';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

type Tx = Pick<EventStoreTransaction, 'kind' | 'query'>;

/**
 * Transactions on the event store's database: `EventStore#storage`. On
 * SQLite they hold the lock that serialises every use of the single
 * better-sqlite3 connection (a statement of ours run between another
 * caller's awaits would land inside its transaction), so on SQLite every
 * statement of the repository runs in one.
 */
export interface KsnCounterTransactions {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

const CHANNELS: readonly DukptChannel[] = ['mac', 'pin', 'data'];

/**
 * The replay rule of the key store (isKsnCounterAcceptedForAll,
 * advanceKsnCounter) as the tail of ONE conditional upsert: a device's first
 * counter is inserted; a stored row is updated only when the new counter is
 * above the stored one (the channels start again) or equal to it with none
 * of the new channels used yet (they are added); otherwise nothing is
 * written and no row returned. The channel names are literals from the
 * closed set CHANNELS; the values are parameters.
 */
const UPSERT_IF_ACCEPTED = `ON CONFLICT ("device_key") DO UPDATE SET
    "counter" = EXCLUDED."counter",
    "channels" = CASE WHEN "stored"."counter" = EXCLUDED."counter"
      THEN "stored"."channels" || ',' || EXCLUDED."channels"
      ELSE EXCLUDED."channels" END
  WHERE "stored"."counter" < EXCLUDED."counter"
    OR ("stored"."counter" = EXCLUDED."counter" AND ${CHANNELS.map(
      (c) =>
        `NOT (',' || "stored"."channels" || ',' LIKE '%,${c},%' AND ',' || EXCLUDED."channels" || ',' LIKE '%,${c},%')`,
    ).join(' AND ')})
  RETURNING "device_key", "counter", "channels"`;

const INTO = `INSERT INTO "ci_ksn_counters" AS "stored" ("device_key", "counter", "channels")`;

/** One advance (SQLite; Postgres when a group of one fails). */
const ADVANCE_ONE = `${INTO} VALUES ($1, $2, $3) ${UPSERT_IF_ACCEPTED}`;

/** A group of advances of distinct devices, one row each (Postgres: parameters as arrays). */
const ADVANCE_MANY = `${INTO}
  SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::varchar[]) ${UPSERT_IF_ACCEPTED}`;

const FIND = `SELECT "counter", "channels" FROM "ci_ksn_counters" WHERE "device_key" = $1`;

/** Statements of one group written at once; more wait for one to finish. */
const MAX_GROUPS_IN_FLIGHT = 2;

interface StoredRow {
  device_key?: unknown;
  counter: unknown;
  channels: unknown;
}

/** An advance waiting for its group's statement. */
interface PendingAdvance {
  readonly device: DukptDeviceKey;
  readonly counter: number;
  readonly channels: string;
  resolve(accepted: boolean): void;
  reject(error: unknown): void;
}

/**
 * KSN counters in the `ci_ksn_counters` table of the event store's database
 * (migration 1764300000000): durable on commit, shared by every gateway
 * process on the same Postgres.
 *
 * An advance is one conditional upsert (UPSERT_IF_ACCEPTED), autocommitted:
 * no row is read first and no lock held across round trips. Two concurrent
 * advances of one device meet on the row (or, for its first counter, on the
 * primary key): Postgres makes the second wait for the first to commit and
 * judges it on the committed row, so the same counter and channel are
 * accepted at most once, across processes too.
 *
 * On Postgres concurrent advances are group-committed like the event
 * store's appends: one statement (one commit, one WAL flush) writes the
 * advances of distinct devices that arrived while the previous statements
 * were in flight; an advance of a device already in the group waits for the
 * next one (a statement may upsert a row once). Rows are written in device
 * order. If a group's statement fails, each advance is written alone, so
 * only its own failure reaches it.
 * On SQLite each advance runs in a transaction of the storage, which
 * serialises the connection.
 */
export class SqlKsnCounterRepository implements KsnCounterRepository {
  #waiting: PendingAdvance[] = [];
  #inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: KsnCounterTransactions,
  ) {}

  async find(device: DukptDeviceKey): Promise<KsnCounterState | undefined> {
    const rows =
      this.dataSource.options.type === 'postgres'
        ? await this.prepared<StoredRow>('ci_ksn_find', FIND, [device])
        : await this.transactions.transaction((tx) => tx.query<StoredRow>(sqlite(FIND), [device]));
    return rows.length ? decodeState(device, rows[0]) : undefined;
  }

  async advance(
    device: DukptDeviceKey,
    counter: number,
    channels: readonly DukptChannel[],
  ): Promise<boolean> {
    // The rule's own refusals of the list (none, or one channel twice), judged without a state.
    if (!isKsnCounterAcceptedForAll(undefined, counter, channels)) return false;
    checkChannels(channels);
    const joined = channels.join(',');
    if (this.dataSource.options.type !== 'postgres') {
      const rows = await this.transactions.transaction((tx) =>
        tx.query<StoredRow>(sqlite(ADVANCE_ONE), [device, counter, joined]),
      );
      return accepted(device, rows[0]);
    }
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.push({ device, counter, channels: joined, resolve, reject });
      this.#writeNextGroup();
    });
  }

  #writeNextGroup(): void {
    if (this.#inFlight >= MAX_GROUPS_IN_FLIGHT || this.#waiting.length === 0) return;
    const group: PendingAdvance[] = [];
    const later: PendingAdvance[] = [];
    const devices = new Set<DukptDeviceKey>();
    for (const advance of this.#waiting) {
      if (devices.has(advance.device)) later.push(advance);
      else {
        devices.add(advance.device);
        group.push(advance);
      }
    }
    this.#waiting = later;
    // Every statement locks its rows in device order: concurrent ones (here
    // or in another process) wait for each other instead of deadlocking.
    group.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    this.#inFlight++;
    void this.#write(group).finally(() => {
      this.#inFlight--;
      this.#writeNextGroup();
    });
  }

  async #write(group: readonly PendingAdvance[]): Promise<void> {
    let rows: StoredRow[];
    try {
      rows =
        group.length === 1
          ? await this.prepared<StoredRow>('ci_ksn_advance_one', ADVANCE_ONE, [
              group[0].device,
              group[0].counter,
              group[0].channels,
            ])
          : await this.prepared<StoredRow>('ci_ksn_advance_many', ADVANCE_MANY, [
              group.map((a) => a.device),
              group.map((a) => a.counter),
              group.map((a) => a.channels),
            ]);
    } catch (error) {
      // Alone again only when the statement surely wrote nothing because of
      // one advance's values (or a deadlock): after a lost connection it may
      // have committed, and a retry would meet its own row and call it a replay.
      if (group.length === 1 || !mayBelongToOneAdvance(error))
        group.forEach((advance) => advance.reject(error));
      else await Promise.all(group.map((advance) => this.#write([advance])));
      return;
    }
    const written = new Map(rows.map((row) => [row.device_key, row]));
    for (const advance of group) {
      try {
        advance.resolve(accepted(advance.device, written.get(advance.device)));
      } catch (error) {
        advance.reject(error);
      }
    }
  }

  /**
   * On TypeORM's pg pool, as a named prepared statement: parsed and planned
   * once per pooled connection (pg remembers which connection prepared it).
   */
  private async prepared<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    return (await pool.query({ name, text, values })).rows;
  }
}

/** `?` placeholders for SQLite (the parameters are always in order here). */
const sqlite = (text: string) => text.replace(/\$\d+/g, '?');

/**
 * Whether the upsert wrote the device's row (it returns the row it wrote).
 * What it wrote is checked: a row that was malformed before shows here.
 */
function accepted(device: DukptDeviceKey, written: StoredRow | undefined): boolean {
  if (written === undefined) return false;
  decodeState(device, written);
  return true;
}

/** The channels are stored comma-separated and judged against CHANNELS: only the known ones. */
function checkChannels(channels: readonly DukptChannel[]): void {
  if (!channels.every((c) => CHANNELS.includes(c)))
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `a KSN is accepted for one or more of ${CHANNELS.join(', ')}`,
      'channels',
    );
}

/** A row as the key store's state; a row no advance could have written is refused, not trusted. */
function decodeState(device: DukptDeviceKey, row: StoredRow): KsnCounterState {
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

/** Postgres data exceptions (22), integrity violations (23) and a deadlock (40P01) roll back the statement. */
function mayBelongToOneAdvance(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^2[23]/.test(code) || code === '40P01');
}
