import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { DataSource } from 'typeorm';
import { eventStoreContract } from '../testing/event-store.contract';
import { createTestDatabase, openEventStoreDataSource } from '../testing/integration-env';
import { aStreamId, newEvents } from '../testing/new-event.builder';
import { EventStore } from './event-store';
import { AppendNotFirstWrite, ExpectedVersionConflict } from './event-store.errors';
import { waitUntil } from '../testing/wait-until';
import { uvarint } from '../kafka/outbox-record';
import type { AppendTransaction } from '../storage/event-storage.port';

jest.setTimeout(60_000);

describe('EventStore on Postgres', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  eventStoreContract(
    async () => {
      database = await createTestDatabase('store');
      return openEventStoreDataSource(database.url);
    },
    async (ds) => {
      await ds.destroy();
      await database.drop();
    },
  );
});

describe('EventStore on a SQLite file (WAL), the embedded default: same contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-event-store-'));
  eventStoreContract(
    () => openEventStoreDataSource(`sqlite:${join(dir, 'events.sqlite')}`),
    async (ds) => {
      await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  );
});

describe('EventStore on Postgres, what only Postgres can show', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase('store_pg');
    dataSource = await openEventStoreDataSource(database.url);
    store = new EventStore(dataSource);
  });
  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
    await database.drop();
  });

  it("splices positions into stored records with es_uvarint, protobuf's varint, as the JavaScript encoder does", async () => {
    const values = [1n, 127n, 128n, 300n, 2n ** 35n, 2n ** 53n + 1n, 2n ** 63n - 1n];
    const [{ encoded }] = await dataSource.query(
      'SELECT array_agg(es_uvarint(v) ORDER BY o) AS encoded FROM unnest($1::bigint[]) WITH ORDINALITY AS t(v, o)',
      [values.map(String)],
    );
    expect(encoded).toEqual(values.map(uvarint));
    await expect(dataSource.query('SELECT es_uvarint(-1)')).rejects.toThrow(/negative/);
  });

  it('writes 64 concurrent appends in a handful of transactions, not 64', async () => {
    const results = await Promise.all(
      Array.from({ length: 64 }, () => store.append(aStreamId(), 0, newEvents(1))),
    );
    const positions = results.map((r) => r.events[0].position.toString());
    const [{ transactions }] = await dataSource.query(
      'SELECT count(DISTINCT tx_id)::int AS transactions FROM es_outbox WHERE position = ANY($1::bigint[])',
      [positions],
    );
    expect(transactions).toBeLessThanOrEqual(3);
  });

  it('re-plans a batch when another process wins a race on one of its streams, failing only that append', async () => {
    const contested = aStreamId();
    // Another writer with its own group committer, writing one batch at a time.
    const other = new EventStore(dataSource, { groupCommit: { maxInFlight: 1 } });
    const query = dataSource.query.bind(dataSource);
    // Counts the writes that hit the unique constraint, in both writers' storages.
    let lostRaces = 0;
    const spies = [store, other].map((s) => {
      const storage = s.storage as unknown as {
        prepared(sql: string, parameters?: unknown[]): Promise<unknown>;
      };
      const prepared = storage.prepared.bind(storage);
      return jest
        .spyOn(storage, 'prepared')
        .mockImplementation(async (sql: string, parameters?: unknown[]) => {
          try {
            return await prepared(sql, parameters);
          } catch (err) {
            if ((err as { code?: string }).code === '23505') lostRaces++;
            throw err;
          }
        });
    });
    // Holds both writers' INSERTs until both have read the contested stream as empty.
    const blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE es_outbox IN EXCLUSIVE MODE');
      const settled = Promise.allSettled([
        store.append(contested, 0, newEvents(1)),
        other.append(contested, 0, newEvents(1)),
        ...Array.from({ length: 10 }, () => other.append(aStreamId(), 0, newEvents(1))),
      ]);
      await waitUntil(async () => {
        const [{ waiting }] = await query(
          `SELECT count(*)::int AS waiting FROM pg_locks
            WHERE NOT granted AND relation = 'es_outbox'::regclass
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return waiting === 2;
      });
      await blocker.query('COMMIT');
      const outcomes = await settled;

      expect(lostRaces).toBe(1); // one batch hit the unique constraint...
      const refused = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
      expect(refused).toHaveLength(1); // ...and was re-planned: only the contested append failed
      expect(refused[0].reason).toBeInstanceOf(ExpectedVersionConflict);
      expect(await store.readStream(contested)).toHaveLength(1);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      await blocker.end();
      await other.close();
    }
  });

  describe('also-writes', () => {
    beforeAll(() =>
      dataSource.query(
        'CREATE TABLE also_notes (id uuid PRIMARY KEY, stream_id text NOT NULL, xid bigint)',
      ),
    );
    const note = (id: string, streamId: string) => async (tx: AppendTransaction) => {
      await tx.query(
        'INSERT INTO also_notes VALUES ($1, $2, pg_current_xact_id_if_assigned()::text::bigint)',
        [id, streamId],
      );
    };

    it("run in the transaction that wrote the batch's events", async () => {
      const streamIds = Array.from({ length: 8 }, () => aStreamId());
      const conflicted = aStreamId();
      await store.append(conflicted, 0, newEvents(1));
      const outcomes = await Promise.allSettled([
        ...streamIds.map((id) =>
          store.append(id, 0, newEvents(1), { also: note(randomUUID(), id) }),
        ),
        store.append(conflicted, 0, newEvents(1), { also: note(randomUUID(), conflicted) }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual([
        ...streamIds.map(() => 'fulfilled'),
        'rejected',
      ]);

      const rows: { stream_id: string; note_xid: string; event_xid: string }[] =
        await dataSource.query(
          `SELECT n.stream_id, n.xid::text AS note_xid, o.tx_id::text AS event_xid
           FROM also_notes n JOIN es_events e USING (stream_id) JOIN es_outbox o USING (position)
          WHERE n.stream_id = ANY($1::text[])`,
          [[...streamIds, conflicted]],
        );
      expect(rows.map((r) => r.stream_id).sort()).toEqual([...streamIds].sort());
      expect(rows.every((r) => r.note_xid === r.event_xid)).toBe(true);
      expect(new Set(rows.map((r) => r.event_xid)).size).toBeLessThanOrEqual(2); // the batches
    });

    it("fail with the work table's own error, for their append only", async () => {
      const taken = randomUUID();
      const first = aStreamId();
      await store.append(first, 0, newEvents(1), { also: note(taken, first) });
      const streamIds = Array.from({ length: 5 }, () => aStreamId());
      const outcomes = await Promise.allSettled(
        streamIds.map((id, i) =>
          store.append(id, 0, newEvents(1), { also: note(i === 2 ? taken : randomUUID(), id) }),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({
        code: '23505',
        constraint: 'also_notes_pkey',
      });
      expect(await store.readStream(streamIds[2])).toEqual([]);
    });
  });

  describe('statement also-writes', () => {
    beforeAll(() =>
      dataSource.query('CREATE TABLE also_tally (stream_id text PRIMARY KEY, note text NOT NULL)'),
    );
    const tallying = (streamId: string, note: string) => ({
      alsoStatements: [
        {
          sql: 'INSERT INTO also_tally (stream_id, note) SELECT $1, $2 FROM appended',
          params: [streamId, note],
        },
      ],
    });
    /** Per stream: the note, and whether the transaction that wrote the event wrote it. */
    const tallied = (streamIds: string[]) =>
      dataSource.query(
        `SELECT t.stream_id, t.note, t.xmin::text = (o.tx_id & 4294967295)::text AS same_transaction
           FROM also_tally t JOIN es_events e USING (stream_id) JOIN es_outbox o USING (position)
          WHERE t.stream_id = ANY($1::text[]) AND e.stream_version = 1 ORDER BY t.note`,
        [streamIds],
      );
    /** Counts the statements on TypeORM's pool, and the query runners (an explicit transaction each). */
    const counting = async (work: () => Promise<unknown>) => {
      const pool = (dataSource.driver as PostgresDriver).master as Pool;
      const runners = jest.spyOn(dataSource, 'createQueryRunner');
      const queries = jest.spyOn(pool, 'query');
      try {
        await work();
        return { runners: runners.mock.calls.length, statements: queries.mock.calls.length };
      } finally {
        runners.mockRestore();
        queries.mockRestore();
      }
    };

    it('write an append alone in its batch in one statement', async () => {
      const streamId = aStreamId();
      const counted = await counting(() =>
        store.append(streamId, 0, newEvents(1), tallying(streamId, 'alone')),
      );
      expect(counted).toEqual({ runners: 0, statements: 1 });
      expect(await tallied([streamId])).toEqual([
        { stream_id: streamId, note: 'alone', same_transaction: true },
      ]);
    });

    it('write a batch of appends to distinct streams in one statement per batch', async () => {
      const streamIds = Array.from({ length: 16 }, () => aStreamId());
      const batches = jest.spyOn(store.storage, 'appendBatch');
      const counted = await counting(() =>
        Promise.all(
          streamIds.map((id, i) =>
            store.append(id, 0, newEvents(1 + (i % 3)), tallying(id, `n${i + 10}`)),
          ),
        ),
      );
      const batchCount = batches.mock.calls.length;
      batches.mockRestore();
      expect(batchCount).toBeLessThan(streamIds.length);
      expect(counted).toEqual({ runners: 0, statements: batchCount });
      expect(await tallied(streamIds)).toEqual(
        streamIds.map((id, i) => ({ stream_id: id, note: `n${i + 10}`, same_transaction: true })),
      );
    });
  });

  it('fails an append whose also swallowed a failed query, rather than report it written', async () => {
    const streamId = aStreamId();
    await expect(
      store.append(streamId, 0, newEvents(1), {
        // The transaction is aborted after the failed query; its COMMIT rolls back.
        also: async (tx) => {
          await tx.query('SELECT 1 / 0').catch(() => undefined);
        },
      }),
    ).rejects.toThrow(/rolled back/);
    expect(await store.readStream(streamId)).toEqual([]);
  });

  it('runs a batch with also-writes at read committed, whatever the connection default, and leaves no transaction open', async () => {
    await dataSource.query(
      "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = serializable', current_database()); END $$",
    );
    const serializable = await openEventStoreDataSource(database.url);
    const onSerializable = new EventStore(serializable);
    try {
      const seen: string[] = [];
      await onSerializable.append(aStreamId(), 0, newEvents(1), {
        also: async (tx) => {
          const [row] = await tx.query<{ level: string }>(
            "SELECT current_setting('transaction_isolation') AS level",
          );
          seen.push(row.level);
        },
      });
      expect(seen).toEqual(['read committed']);
      // A refused also rolls back; the pooled connection is clean for the next user.
      await expect(
        onSerializable.append(aStreamId(), 0, newEvents(1), {
          also: async (tx) => {
            await tx.query('SELECT 1 FROM no_such_table');
          },
        }),
      ).rejects.toMatchObject({ code: '42P01' });
      const [{ open }] = await dataSource.query(
        `SELECT count(*)::int AS open FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(open).toBe(0);
    } finally {
      await onSerializable.close();
      await serializable.destroy();
      await dataSource.query(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET default_transaction_isolation', current_database()); END $$",
      );
    }
  });

  it('refuses an append that is not the first write of its transaction', async () => {
    await dataSource.query('CREATE TABLE IF NOT EXISTS first_write_probe (id int)');
    await expect(
      store.transaction(async (tx) => {
        await tx.query('INSERT INTO first_write_probe VALUES (1)');
        await tx.append(aStreamId(), 0, newEvents(1));
      }),
    ).rejects.toBeInstanceOf(AppendNotFirstWrite);
  });
});
