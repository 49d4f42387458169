import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventStore, type EventStoreOptions } from '../store/event-store';
import type { AlsoStatement, AppendTransaction } from '../storage/event-storage.port';
import type { AppendResult } from '../store/event.types';
import {
  AppendNotFirstWrite,
  CardDataInEvent,
  EventIdReused,
  ExpectedVersionConflict,
  InvalidEvent,
} from '../store/event-store.errors';
import { toKafkaMessage } from '../kafka/event-record';
import { storedMessage, type StoredRecordColumns } from '../kafka/outbox-record';
import { aNewEvent, aStreamId, newEvents } from './new-event.builder';

// A known test PAN (Visa test card); never a real card.
const TEST_PAN = '4111111111111111';

/**
 * The behaviour every storage must have, run against Postgres and SQLite:
 * same code, same tests.
 */
export function eventStoreContract(
  open: () => Promise<DataSource>,
  close: (ds: DataSource) => Promise<void>,
): void {
  let dataSource: DataSource;
  let store: EventStore;
  const stores: EventStore[] = [];
  const newStore = (options: EventStoreOptions = {}) => {
    const s = new EventStore(dataSource, options);
    stores.push(s);
    return s;
  };
  const count = async (table: string) =>
    Number((await dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    dataSource = await open();
    store = newStore();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await close(dataSource);
  });

  it('appends events and reads them back with every field intact', async () => {
    const streamId = aStreamId();
    const events = [
      aNewEvent().withLabel('first').build(),
      aNewEvent().incrementing(5, 5).with({ causationId: 'cmd-1' }).build(),
    ];
    const result = await store.append(streamId, 0, events);

    expect(result.streamId).toBe(streamId);
    expect(result.nextExpectedVersion).toBe(2);
    expect(result.events.map((e) => [e.eventId, e.streamVersion])).toEqual([
      [events[0].eventId, 1],
      [events[1].eventId, 2],
    ]);
    expect(typeof result.events[0].position).toBe('bigint');
    expect(result.events[1].position).toBeGreaterThan(result.events[0].position);

    const read = await store.readStream(streamId);
    expect(read).toHaveLength(2);
    expect(read[1]).toEqual({
      position: result.events[1].position,
      eventId: events[1].eventId,
      streamId,
      streamVersion: 2,
      type: events[1].type,
      schemaVersion: 1,
      payload: Buffer.from(events[1].payload),
      occurredAt: events[1].occurredAt,
      recordedAt: expect.any(Date),
      correlationId: events[1].correlationId,
      causationId: 'cmd-1',
      merchantId: 'merchant-0001',
    });
    expect(read[0].causationId).toBeNull();
  });

  it('refuses an append at the wrong expected version with ExpectedVersionConflict, writing nothing', async () => {
    const streamId = aStreamId();
    await store.append(streamId, 0, newEvents(2));
    const before = await count('es_events');

    const attempt = store.append(streamId, 1, newEvents(1));
    await expect(attempt).rejects.toBeInstanceOf(ExpectedVersionConflict);
    await expect(attempt).rejects.toMatchObject({
      code: 'EXPECTED_VERSION_CONFLICT',
      streamId,
      expectedVersion: 1,
      actualVersion: 2,
    });
    await expect(store.append(aStreamId(), 3, newEvents(1))).rejects.toMatchObject({
      actualVersion: 0,
    });
    expect(await count('es_events')).toBe(before);
  });

  it("appends at any version with 'any'", async () => {
    const streamId = aStreamId();
    await store.append(streamId, 'any', newEvents(1));
    const result = await store.append(streamId, 'any', newEvents(2));
    expect(result.nextExpectedVersion).toBe(3);
  });

  it('returns the original result when the same events are appended again, writing nothing', async () => {
    const streamId = aStreamId();
    const events = newEvents(3);
    const original = await store.append(streamId, 0, events);
    await store.append(streamId, 3, newEvents(1)); // the stream moves on
    const rows = await count('es_events');
    const outbox = await count('es_outbox');

    // a retry with the stale expected version, from another store instance (another process)
    expect(await newStore().append(streamId, 0, events)).toEqual(original);
    expect(await count('es_events')).toBe(rows);
    expect(await count('es_outbox')).toBe(outbox);
  });

  it('refuses an event id reused for other content, or an append only partly recorded', async () => {
    const streamId = aStreamId();
    const [first, second] = newEvents(2);
    await store.append(streamId, 0, [first]);

    await expect(
      store.append(streamId, 1, [{ ...first, payload: new Uint8Array([8, 2]) }]),
    ).rejects.toBeInstanceOf(EventIdReused);
    await expect(store.append(aStreamId(), 0, [first])).rejects.toMatchObject({
      code: 'EVENT_ID_REUSED',
      eventId: first.eventId,
    });
    await expect(store.append(streamId, 1, [first, second])).rejects.toBeInstanceOf(EventIdReused);
  });

  it('group-commits concurrent appends: each keeps its own check and result', async () => {
    const contested = aStreamId();
    const free = Array.from({ length: 40 }, () => aStreamId());
    const batches = jest.spyOn(store.storage, 'appendBatch');

    const outcomes = await Promise.allSettled([
      ...free.map((id) => store.append(id, 0, newEvents(2))),
      ...Array.from({ length: 8 }, () => store.append(contested, 0, newEvents(1))),
    ]);
    const calls = batches.mock.calls.length;
    batches.mockRestore();

    expect(outcomes.slice(0, 40).every((o) => o.status === 'fulfilled')).toBe(true);
    const contestedOutcomes = outcomes.slice(40);
    expect(contestedOutcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of contestedOutcomes.filter((o) => o.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(ExpectedVersionConflict);
    }
    expect(calls).toBeLessThan(5);
    expect((await store.readStream(free[17])).map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(await store.readStream(contested)).toHaveLength(1);
  });

  it('writes one event once when the same append arrives twice in one batch', async () => {
    const streamId = aStreamId();
    const events = newEvents(2);
    const [a, b] = await Promise.all([
      store.append(streamId, 0, events),
      store.append(streamId, 0, events),
    ]);
    expect(b).toEqual(a);
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  it('writes an outbox entry per event, in the same transaction, routed to its topic', async () => {
    const topicStore = newStore({ topicFor: (id) => `tillgate.${id.split('-')[0]}.v1` });
    const streamId = aStreamId('contract');
    const result = await topicStore.append(streamId, 0, newEvents(2));
    const rows = await dataSource.query(
      `SELECT position, topic FROM es_outbox WHERE position IN (${result.events.map((e) => e.position.toString()).join(', ')}) ORDER BY position`,
    );
    expect(
      rows.map((r: { position: unknown; topic: string }) => [
        BigInt(r.position as string),
        r.topic,
      ]),
    ).toEqual(result.events.map((e) => [e.position, 'tillgate.contract.v1']));
  });

  it("stores each event's Kafka record in its outbox entry: what toKafkaMessage encodes from the stored event", async () => {
    // Positions past 2^35 take a six-byte varint, which the record's envelope must carry exactly.
    await dataSource.query(
      dataSource.options.type === 'postgres'
        ? "SELECT setval('es_events_position_seq', 50000000000)"
        : "UPDATE sqlite_sequence SET seq = 50000000000 WHERE name = 'es_events'",
    );
    const streamId = aStreamId();
    // Each way in: a group-committed batch, an 'any' append (read, plan, write) and a caller transaction.
    await store.append(streamId, 0, [
      aNewEvent().withLabel('first').with({ correlationId: undefined }).build(),
      aNewEvent().incrementing(5, 5).with({ causationId: 'cmd-1' }).build(),
    ]);
    await store.append(streamId, 'any', newEvents(1));
    await store.transaction((tx) => tx.append(streamId, 3, newEvents(1)));

    const events = await store.readStream(streamId);
    expect(events.map((e) => e.position > 50000000000n)).toEqual([true, true, true, true]);
    const rows: StoredRecordColumns[] = await dataSource.query(
      `SELECT record_key, record_value, record_headers FROM es_outbox
        WHERE position IN (${events.map((e) => e.position.toString()).join(', ')}) ORDER BY position`,
    );
    expect(rows.map((row) => storedMessage(row))).toEqual(
      events.map((e) => {
        const expected = toKafkaMessage(e);
        return {
          key: Buffer.from(expected.key as string),
          value: expected.value,
          headers: Object.fromEntries(
            Object.entries(expected.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]),
          ),
        };
      }),
    );
  });

  it('reads everything after a position, in position order, optionally by type', async () => {
    const streamId = aStreamId();
    const result = await store.append(streamId, 0, [
      aNewEvent().withLabel('x').build(),
      ...newEvents(2),
    ]);
    const after = result.events[0].position - 1n;

    const all = await store.readAll({ after, limit: 10 });
    expect(all.slice(0, 3).map((e) => e.eventId)).toEqual(result.events.map((e) => e.eventId));
    const opened = await store.readAll({ after, types: ['tillgate.probe.v1.ProbeOpened'] });
    expect(opened.map((e) => e.eventId)).toEqual([result.events[0].eventId]);
  });

  it('refuses card data in any field at the store API, without echoing it', async () => {
    const streamId = aStreamId();
    const attempts = [
      aNewEvent()
        .with({ payload: Buffer.from(`\n\x10${TEST_PAN}`, 'latin1') })
        .build(),
      aNewEvent()
        .with({ payload: Buffer.from(`;${TEST_PAN}=29121010000000000000?`, 'latin1') })
        .build(),
      aNewEvent().with({ merchantId: TEST_PAN }).build(),
      aNewEvent()
        .with({ correlationId: `req-${TEST_PAN}` })
        .build(),
    ];
    for (const event of attempts) {
      const error = await store.append(streamId, 'any', [event]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CardDataInEvent);
      expect(String((error as Error).message)).not.toContain(TEST_PAN);
    }
    await expect(store.append(`probe-${TEST_PAN}`, 0, newEvents(1))).rejects.toMatchObject({
      code: 'CARD_DATA_IN_EVENT',
      field: 'streamId',
    });
    expect(await store.readStream(streamId)).toEqual([]);
  });

  it('validates at the edge and names the offending field', async () => {
    await expect(store.append('no context', 0, newEvents(1))).rejects.toMatchObject({
      field: 'streamId',
    });
    await expect(store.append(aStreamId(), -1, newEvents(1))).rejects.toMatchObject({
      field: 'expectedVersion',
    });
    await expect(store.append(aStreamId(), 0, [])).rejects.toMatchObject({ field: 'events' });
    await expect(
      store.append(aStreamId(), 0, [aNewEvent().with({ eventId: 'NOT-A-UUID' }).build()]),
    ).rejects.toMatchObject({
      field: 'events[0].eventId',
    });
    await expect(
      store.append(aStreamId(), 0, [aNewEvent().with({ type: 'ProbeOpened' }).build()]),
    ).rejects.toBeInstanceOf(InvalidEvent);
  });

  describe("with the caller's own writes (`also`) in the batch's transaction", () => {
    const notes = 'contract_also_notes';
    beforeAll(async () => {
      await dataSource.query(
        `CREATE TABLE ${notes} (id varchar(36) PRIMARY KEY, stream_id varchar(80) NOT NULL)`,
      );
    });
    /** An `also` that records a note: one row of the caller's work table per append. */
    const noting =
      (id: string, streamId: string, fail?: Error) =>
      async (tx: AppendTransaction): Promise<void> => {
        const insert = `INSERT INTO ${notes} (id, stream_id) VALUES ($1, $2)`;
        await tx.query(tx.kind === 'postgres' ? insert : insert.replace(/\$\d/g, '?'), [
          id,
          streamId,
        ]);
        if (fail) throw fail;
      };
    const notesOf = async (streamId: string): Promise<string[]> =>
      (
        await dataSource.query(
          `SELECT id FROM ${notes} WHERE stream_id = '${streamId}' ORDER BY id`,
        )
      ).map((row: { id: string }) => row.id);

    it('commits the also-writes with the events, handing them the result', async () => {
      const streamId = aStreamId();
      const id = randomUUID();
      let seen: AppendResult | undefined;
      const result = await store.append(streamId, 0, newEvents(2), {
        also: async (tx, appended) => {
          seen = appended;
          await noting(id, streamId)(tx);
        },
      });
      expect(result.nextExpectedVersion).toBe(2);
      expect(seen).toEqual(result);
      expect(await store.readStream(streamId)).toHaveLength(2);
      expect(await notesOf(streamId)).toEqual([id]);
    });

    it('fails only the append whose also-writes throw; the others of its batch commit once', async () => {
      const streamIds = Array.from({ length: 10 }, () => aStreamId());
      const noteIds = streamIds.map(() => randomUUID());
      const refused = new Error('the work table refused it');
      const batches = jest.spyOn(store.storage, 'appendBatch');
      const outbox = await count('es_outbox');

      const outcomes = await Promise.allSettled(
        streamIds.map((streamId, i) =>
          store.append(streamId, 0, newEvents(2), {
            also: noting(noteIds[i], streamId, i === 4 ? refused : undefined),
          }),
        ),
      );
      const batchSizes = batches.mock.calls.map(([requests]) => requests.length);
      batches.mockRestore();

      // The failing append's batch (the first: it holds the first appends) rolled back, then each of its appends alone.
      expect(batchSizes[0]).toBeGreaterThan(4);
      expect(batchSizes.filter((size) => size === 1)).toHaveLength(batchSizes[0]);
      expect(outcomes.map((o) => o.status)).toEqual(
        streamIds.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
      );
      expect((outcomes[4] as PromiseRejectedResult).reason).toBe(refused);
      for (const [i, streamId] of streamIds.entries()) {
        expect((await store.readStream(streamId)).length).toBe(i === 4 ? 0 : 2);
        expect(await notesOf(streamId)).toEqual(i === 4 ? [] : [noteIds[i]]);
      }
      expect(await count('es_outbox')).toBe(outbox + 18);
    });

    it('runs no also-writes for a refused append or an idempotent re-append', async () => {
      const streamId = aStreamId();
      const events = newEvents(2);
      const first = randomUUID();
      const [original, sameInBatch] = await Promise.all([
        store.append(streamId, 0, events, { also: noting(first, streamId) }),
        store.append(streamId, 0, events, { also: noting(randomUUID(), streamId) }),
      ]);
      expect(sameInBatch).toEqual(original);

      await expect(
        store.append(streamId, 0, newEvents(1), { also: noting(randomUUID(), streamId) }),
      ).rejects.toBeInstanceOf(ExpectedVersionConflict);
      expect(
        await store.append(streamId, 0, events, { also: noting(randomUUID(), streamId) }),
      ).toEqual(original);

      expect(await notesOf(streamId)).toEqual([first]);
      expect(await store.readStream(streamId)).toHaveLength(2);
    });

    it('lands every one of many concurrent appends with also-writes exactly once', async () => {
      const streamIds = Array.from({ length: 40 }, () => aStreamId());
      const poisoned = new Set<string>(); // appends whose also-writes fail
      const appended: string[] = [];
      await Promise.all(
        streamIds.map(async (streamId, s) => {
          let version = 0;
          while (version < 4) {
            const [event] = newEvents(1);
            const poison = s % 5 === 0 && version === 2 && !poisoned.has(streamId);
            if (poison) poisoned.add(streamId).add(event.eventId);
            const refused = poison ? new Error('poisoned') : undefined;
            try {
              const result = await store.append(streamId, version, [event], {
                also: noting(event.eventId, streamId, refused),
              });
              appended.push(event.eventId);
              version = result.nextExpectedVersion;
            } catch (err) {
              if (err !== refused) throw err;
            }
          }
        }),
      );

      const ids = (table: string): Promise<string[]> =>
        dataSource
          .query(
            `SELECT ${table === 'es_events' ? 'event_id' : 'id'} AS id FROM ${table}
              WHERE stream_id IN (${streamIds.map((id) => `'${id}'`).join(', ')})`,
          )
          .then((rows: { id: string }[]) => rows.map((row) => row.id).sort());
      expect(appended).toHaveLength(160);
      expect(await ids('es_events')).toEqual([...appended].sort());
      expect(await ids(notes)).toEqual([...appended].sort());
      expect(appended.some((id) => poisoned.has(id))).toBe(false);
      const [{ n }] = await dataSource.query(
        `SELECT count(*) AS n FROM es_outbox o JOIN es_events e ON e.position = o.position
          WHERE e.stream_id IN (${streamIds.map((id) => `'${id}'`).join(', ')})`,
      );
      expect(Number(n)).toBe(160);
    });
  });

  describe("with the caller's own writes as statements (`alsoStatements`)", () => {
    const tally = 'contract_also_tally';
    beforeAll(async () => {
      await dataSource.query(
        `CREATE TABLE ${tally} (stream_id varchar(80) PRIMARY KEY, appends integer NOT NULL, last_note varchar(36))`,
      );
    });
    /** Counts the stream's appends in the caller's table: an insert the first time, an update after. */
    const counting = (streamId: string, note: string, first: boolean): AlsoStatement[] =>
      first
        ? [
            {
              sql: `INSERT INTO ${tally} (stream_id, appends, last_note) SELECT $1, 1, $2 FROM appended`,
              params: [streamId, note],
            },
          ]
        : [
            {
              sql: `UPDATE ${tally} SET appends = appends + 1, last_note = $2
                     WHERE stream_id = $1 AND EXISTS (SELECT 1 FROM appended)`,
              params: [streamId, note],
            },
          ];
    const tallyOf = async (streamId: string) =>
      (
        await dataSource.query(
          `SELECT appends, last_note FROM ${tally} WHERE stream_id = '${streamId}'`,
        )
      ).map((row: { appends: unknown; last_note: string }) => ({
        appends: Number(row.appends),
        note: row.last_note,
      }));

    it('commits them with the events, alone or in a batch, one event or several', async () => {
      const alone = aStreamId();
      await store.append(alone, 0, newEvents(1), { alsoStatements: counting(alone, 'a1', true) });
      await store.append(alone, 1, newEvents(3), { alsoStatements: counting(alone, 'a2', false) });
      expect(await tallyOf(alone)).toEqual([{ appends: 2, note: 'a2' }]);
      expect(await store.readStream(alone)).toHaveLength(4);

      const together = Array.from({ length: 6 }, () => aStreamId());
      await Promise.all(
        together.map((streamId, i) =>
          store.append(streamId, 0, newEvents(1 + (i % 2)), {
            alsoStatements: counting(streamId, `b${i}`, true),
            also: i === 3 ? async () => undefined : undefined,
          }),
        ),
      );
      for (const [i, streamId] of together.entries())
        expect(await tallyOf(streamId)).toEqual([{ appends: 1, note: `b${i}` }]);
    });

    it('writes nothing for a refused append or an idempotent re-append', async () => {
      const streamId = aStreamId();
      const events = newEvents(1);
      const original = await store.append(streamId, 0, events, {
        alsoStatements: counting(streamId, 'first', true),
      });
      await expect(
        store.append(streamId, 0, newEvents(1), {
          alsoStatements: counting(streamId, 'refused', false),
        }),
      ).rejects.toBeInstanceOf(ExpectedVersionConflict);
      expect(
        await store.append(streamId, 0, events, {
          alsoStatements: counting(streamId, 'again', false),
        }),
      ).toEqual(original);
      expect(await tallyOf(streamId)).toEqual([{ appends: 1, note: 'first' }]);
    });

    it('fails only the append whose statement the database refuses; the others of its batch commit once', async () => {
      const streamIds = Array.from({ length: 8 }, () => aStreamId());
      const outcomes = await Promise.allSettled(
        streamIds.map((streamId, i) =>
          store.append(streamId, 0, newEvents(1), {
            alsoStatements:
              i === 5
                ? [
                    {
                      // appends is NOT NULL: a data error of this append alone.
                      sql: `INSERT INTO ${tally} (stream_id, appends) SELECT $1, NULL FROM appended`,
                      params: [streamId],
                    },
                  ]
                : counting(streamId, `c${i}`, true),
          }),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual(
        streamIds.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')),
      );
      for (const [i, streamId] of streamIds.entries()) {
        expect((await store.readStream(streamId)).length).toBe(i === 5 ? 0 : 1);
        expect(await tallyOf(streamId)).toEqual(i === 5 ? [] : [{ appends: 1, note: `c${i}` }]);
      }
    });

    it('refuses a statement that does not act through `appended`, or names a parameter it lacks', async () => {
      const streamId = aStreamId();
      await expect(
        store.append(streamId, 0, newEvents(1), {
          alsoStatements: [
            { sql: `INSERT INTO ${tally} (stream_id, appends) VALUES ($1, 1)`, params: [streamId] },
          ],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ALSO_STATEMENT', field: 'alsoStatements[0].sql' });
      await expect(
        store.append(streamId, 0, newEvents(1), {
          alsoStatements: [
            counting(streamId, 'ok', true)[0],
            {
              sql: `UPDATE ${tally} SET last_note = $2 WHERE stream_id = $1 AND EXISTS (SELECT 1 FROM appended)`,
              params: [streamId],
            },
          ],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ALSO_STATEMENT', field: 'alsoStatements[1].sql' });
      expect(await store.readStream(streamId)).toEqual([]);
      expect(await tallyOf(streamId)).toEqual([]);
    });

    it('runs no statement of an append refused in its batch; its other appends commit', async () => {
      const [event] = newEvents(1);
      const first = aStreamId();
      const second = aStreamId();
      // The same event id on two streams in one batch: the second append is refused. (Two
      // batches can be in flight: four appends queued at once go two and two, in order.)
      const [kept, refused] = await Promise.allSettled([
        store.append(first, 0, [event]),
        store.append(second, 0, [event], { alsoStatements: counting(second, 'refused', true) }),
        store.append(aStreamId(), 0, newEvents(1)),
        store.append(aStreamId(), 0, newEvents(1)),
      ]);
      expect(kept.status).toBe('fulfilled');
      expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'EVENT_ID_REUSED' } });
      expect(await tallyOf(second)).toEqual([]);
    });

    it("fails with the caller's table's own error, writing none of the append's events", async () => {
      const streamId = aStreamId();
      await store.append(streamId, 0, newEvents(1), {
        alsoStatements: counting(streamId, 'first', true),
      });
      const other = aStreamId();
      // Another stream's append that inserts the same primary key: the caller's table refuses it.
      const refused = await store
        .append(other, 0, newEvents(1), { alsoStatements: counting(streamId, 'dup', true) })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refused).toBeInstanceOf(Error);
      expect(refused).not.toBeInstanceOf(ExpectedVersionConflict);
      expect(await store.readStream(other)).toEqual([]);
      expect(await tallyOf(streamId)).toEqual([{ appends: 1, note: 'first' }]);
    });
  });

  describe('in a caller transaction', () => {
    beforeAll(async () => {
      await dataSource.query(
        'CREATE TABLE contract_notes (id varchar(36) PRIMARY KEY, note varchar(20) NOT NULL)',
      );
    });

    it("commits the append, its outbox entries and the caller's writes together", async () => {
      const streamId = aStreamId();
      const id = randomUUID();
      const insertNote =
        dataSource.options.type === 'postgres'
          ? 'INSERT INTO contract_notes VALUES ($1, $2)'
          : 'INSERT INTO contract_notes VALUES (?, ?)';
      const result = await store.transaction(async (tx) => {
        const appended = await tx.append(streamId, 0, newEvents(2));
        await tx.query(insertNote, [id, 'with events']);
        return appended;
      });
      expect(result.nextExpectedVersion).toBe(2);
      expect(await store.readStream(streamId)).toHaveLength(2);
      expect(await count(`contract_notes WHERE id = '${id}'`)).toBe(1);
    });

    it('rolls back the append and its outbox entries with the transaction', async () => {
      const streamId = aStreamId();
      const outbox = await count('es_outbox');
      await expect(
        store.transaction(async (tx) => {
          await tx.append(streamId, 0, newEvents(2));
          throw new Error('the handler failed');
        }),
      ).rejects.toThrow('the handler failed');
      expect(await store.readStream(streamId)).toEqual([]);
      expect(await count('es_outbox')).toBe(outbox);
    });

    it('refuses a second append in the same transaction', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.append(aStreamId(), 0, newEvents(1));
          await tx.append(aStreamId(), 0, newEvents(1));
        }),
      ).rejects.toBeInstanceOf(AppendNotFirstWrite);
    });

    it('refuses a conflicting append with ExpectedVersionConflict', async () => {
      const streamId = aStreamId();
      await store.append(streamId, 0, newEvents(1));
      await expect(
        store.transaction((tx) => tx.append(streamId, 0, newEvents(1))),
      ).rejects.toBeInstanceOf(ExpectedVersionConflict);
    });
  });
}
