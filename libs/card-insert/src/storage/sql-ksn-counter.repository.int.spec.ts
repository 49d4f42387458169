import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore } from '@tillgate/event-store';
import {
  FileKsnCounterRepository,
  InMemoryKsnCounterRepository,
  type DukptChannel,
  type KsnCounterRepository,
} from '@tillgate/key-store';
import type { DataSource } from 'typeorm';
import { freshCardInsertDatabase, openCardInsertDataSource } from '../testing/card-insert.database';
import { SqlKsnCounterRepository } from './sql-ksn-counter.repository';

const DEVICE = 'bdk.pos@1:FFFF9876543210E00000';
const OTHER = 'bdk.pos@1:FFFF9876543210C00000';
const tempDir = () => mkdtempSync(join(tmpdir(), 'ksn-sql-'));

/** A repository on one data source, and how to let go of it. */
interface Opened {
  repo: KsnCounterRepository;
  dataSource?: DataSource;
  close(): Promise<void>;
}

async function sqlRepository(dataSource: DataSource): Promise<Opened> {
  const store = new EventStore(dataSource);
  return {
    repo: new SqlKsnCounterRepository(dataSource, store.storage),
    dataSource,
    close: async () => {
      await store.close();
      await dataSource.destroy();
    },
  };
}

const postgres = {
  db: undefined as Awaited<ReturnType<typeof freshCardInsertDatabase>> | undefined,
  async open(): Promise<Opened> {
    postgres.db ??= await freshCardInsertDatabase();
    return sqlRepository(await postgres.db.open());
  },
};

afterAll(async () => {
  await postgres.db?.drop();
});

/**
 * The same contract as the key store's own repositories: the SQL one must
 * accept and refuse exactly what InMemoryKsnCounterRepository does.
 */
describe.each<[string, () => Promise<Opened>]>([
  [
    'in memory',
    async () => ({ repo: new InMemoryKsnCounterRepository(), close: async () => undefined }),
  ],
  [
    'JSON file',
    async () => ({
      repo: new FileKsnCounterRepository(join(tempDir(), 'ksn-counters.json')),
      close: async () => undefined,
    }),
  ],
  ['SQL on SQLite', async () => sqlRepository(await openCardInsertDataSource('sqlite::memory:'))],
  ['SQL on Postgres', () => postgres.open()],
])('KsnCounterRepository contract: %s', (_name, open) => {
  let opened: Opened;
  let device: string;
  let n = 0;

  beforeEach(async () => {
    opened = await open();
    // A device of its own per test: the Postgres database is shared by the file's tests.
    device = `${DEVICE}#${++n}`;
  });
  afterEach(() => opened.close());

  it('accepts the first counter, refuses it again, refuses a lower one, accepts a higher one', async () => {
    const { repo } = opened;
    expect(await repo.find(device)).toBeUndefined();
    expect(await repo.advance(device, 10, ['mac'])).toBe(true);
    expect(await repo.advance(device, 10, ['mac'])).toBe(false);
    expect(await repo.advance(device, 9, ['mac'])).toBe(false);
    expect(await repo.advance(device, 9, ['pin'])).toBe(false);
    expect(await repo.find(device)).toEqual({ counter: 10, channels: ['mac'] });
    expect(await repo.advance(device, 11, ['mac'])).toBe(true);
    expect(await repo.find(device)).toEqual({ counter: 11, channels: ['mac'] });
  });

  it('accepts one counter once per channel, keeps the channels in the order used, and resets them on a higher counter', async () => {
    const { repo } = opened;
    expect(await repo.advance(device, 3, ['pin'])).toBe(true);
    expect(await repo.advance(device, 3, ['mac'])).toBe(true);
    expect(await repo.advance(device, 3, ['data'])).toBe(true);
    expect(await repo.advance(device, 3, ['mac'])).toBe(false);
    expect(await repo.find(device)).toEqual({ counter: 3, channels: ['pin', 'mac', 'data'] });
    expect(await repo.advance(device, 4, ['data'])).toBe(true);
    expect(await repo.find(device)).toEqual({ counter: 4, channels: ['data'] });
    expect(await repo.advance(device, 3, ['pin'])).toBe(false);
  });

  it('keeps devices apart', async () => {
    const { repo } = opened;
    expect(await repo.advance(device, 7, ['mac'])).toBe(true);
    expect(await repo.advance(`${OTHER}#${n}`, 1, ['mac'])).toBe(true);
    expect(await repo.find(device)).toEqual({ counter: 7, channels: ['mac'] });
    expect(await repo.find(`${OTHER}#${n}`)).toEqual({ counter: 1, channels: ['mac'] });
  });

  it('takes a 32-bit AES DUKPT counter', async () => {
    const { repo } = opened;
    expect(await repo.advance(device, 0xfffffffe, ['mac'])).toBe(true);
    expect(await repo.advance(device, 0xfffffffe, ['mac'])).toBe(false);
    expect(await repo.find(device)).toEqual({ counter: 0xfffffffe, channels: ['mac'] });
  });

  it('accepts several channels at once, all or none', async () => {
    const { repo } = opened;
    expect(await repo.advance(device, 5, ['mac', 'data'])).toBe(true);
    expect(await repo.find(device)).toEqual({ counter: 5, channels: ['mac', 'data'] });
    // pin is still free at 5, data is not: nothing is recorded.
    expect(await repo.advance(device, 5, ['pin', 'data'])).toBe(false);
    expect(await repo.find(device)).toEqual({ counter: 5, channels: ['mac', 'data'] });
    expect(await repo.advance(device, 5, ['pin'])).toBe(true);
    expect(await repo.advance(device, 6, ['mac', 'data', 'pin'])).toBe(true);
    expect(await repo.find(device)).toEqual({ counter: 6, channels: ['mac', 'data', 'pin'] });
    expect(await repo.advance(device, 6, ['mac'])).toBe(false);
    expect(await repo.advance(device, 7, ['mac', 'mac'])).toBe(false);
    expect(await repo.advance(device, 7, [])).toBe(false);
    expect(await repo.find(device)).toEqual({ counter: 6, channels: ['mac', 'data', 'pin'] });
  });

  it('lets exactly one of concurrent requests with the same counter through', async () => {
    const { repo } = opened;
    const first = await Promise.all(
      Array.from({ length: 10 }, () => repo.advance(device, 9, ['mac'])),
    );
    expect(first.filter(Boolean)).toHaveLength(1);
    const next = await Promise.all(
      Array.from({ length: 10 }, () => repo.advance(device, 10, ['pin'])),
    );
    expect(next.filter(Boolean)).toHaveLength(1);
    // Overlapping channel sets at one counter: no channel is granted twice.
    const sets: DukptChannel[][] = [['mac', 'data'], ['data', 'pin'], ['pin'], ['mac'], ['data']];
    const granted = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sets[i % sets.length]).map(async (set) =>
        (await repo.advance(device, 11, set)) ? set : [],
      ),
    );
    const used = granted.flat();
    expect(new Set(used).size).toBe(used.length);
    expect([...(await repo.find(device))!.channels].sort()).toEqual([...used].sort());
  });
});

describe('SqlKsnCounterRepository on SQLite', () => {
  it('remembers counters when the database is opened again', async () => {
    const url = `sqlite:${join(tempDir(), 'tillgate.sqlite')}`;
    const before = await sqlRepository(await openCardInsertDataSource(url));
    expect(await before.repo.advance(DEVICE, 7, ['pin'])).toBe(true);
    await before.close();

    const after = await sqlRepository(await openCardInsertDataSource(url));
    try {
      expect(await after.repo.advance(DEVICE, 7, ['pin'])).toBe(false);
      expect(await after.repo.find(DEVICE)).toEqual({ counter: 7, channels: ['pin'] });
      expect(await after.repo.advance(DEVICE, 7, ['mac'])).toBe(true);
    } finally {
      await after.close();
    }
  });

  it('waits for an event store transaction open on the single connection instead of running inside it', async () => {
    const dataSource = await openCardInsertDataSource('sqlite::memory:');
    const store = new EventStore(dataSource);
    const repo = new SqlKsnCounterRepository(dataSource, store.storage);
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const open = new Promise<void>((resolve) => (entered = resolve));
      // A transaction that writes, then waits between awaits, then rolls back.
      const rolledBack = store
        .transaction(async (tx) => {
          await tx.query(
            `INSERT INTO "ci_requests" ("request_id", "operation", "fingerprint", "response", "created_at_ms") VALUES ('r1', 'Void', 'f', 'x', 0)`,
          );
          entered();
          await held;
          throw new Error('roll back');
        })
        .catch((err: Error) => err.message);
      await open;
      const advanced = repo.advance(DEVICE, 1, ['mac']);
      release();
      expect(await rolledBack).toBe('roll back');
      expect(await advanced).toBe(true);
      // Had the advance run inside the open transaction, its row would have been rolled back.
      expect(await repo.find(DEVICE)).toEqual({ counter: 1, channels: ['mac'] });
    } finally {
      await store.close();
      await dataSource.destroy();
    }
  });

  it('refuses a row no advance could have written, until a higher counter replaces it', async () => {
    const opened = await sqlRepository(await openCardInsertDataSource('sqlite::memory:'));
    try {
      await opened.dataSource!.query(
        `INSERT INTO "ci_ksn_counters" ("device_key", "counter", "channels") VALUES (?, 5, 'mac,mac')`,
        [DEVICE],
      );
      await expect(opened.repo.find(DEVICE)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
      // At the same counter the row's channels count: what they became is refused too.
      await expect(opened.repo.advance(DEVICE, 5, ['pin'])).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
      });
      await expect(opened.repo.advance(DEVICE, 4, ['pin'])).resolves.toBe(false);
      // Above it they do not: the counter's row is written whole.
      await expect(opened.repo.advance(DEVICE, 6, ['mac'])).resolves.toBe(true);
      expect(await opened.repo.find(DEVICE)).toEqual({ counter: 6, channels: ['mac'] });
    } finally {
      await opened.close();
    }
  });
});

describe('SqlKsnCounterRepository on Postgres', () => {
  it('accepts a counter exactly once among 50 concurrent advances from two processes (two data sources)', async () => {
    const a = await postgres.open();
    const b = await postgres.open();
    const device = `${DEVICE}#race`;
    const race = (counter: number) =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).repo.advance(device, counter, ['mac']),
        ),
      );
    try {
      // The device's first counter: the racers collide on the INSERT.
      expect((await race(100)).filter(Boolean)).toHaveLength(1);
      // A higher one: the racers queue on the row lock.
      expect((await race(101)).filter(Boolean)).toHaveLength(1);
      expect(await a.repo.find(device)).toEqual({ counter: 101, channels: ['mac'] });
      // Mixed channels and counters: one per (counter, channel) at most, and never backwards.
      const mixed = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).repo.advance(device, 101 + (i % 3), [i % 5 < 2 ? 'pin' : 'data']),
        ),
      );
      const state = await b.repo.find(device);
      expect(state?.counter).toBe(103);
      expect(mixed.filter(Boolean).length).toBeGreaterThanOrEqual(1);
      expect(mixed.filter(Boolean).length).toBeLessThanOrEqual(6);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('writes concurrent advances of many devices together, each judged on its own row', async () => {
    const opened = await postgres.open();
    const devices = Array.from({ length: 12 }, (_, i) => `${DEVICE}#group-${i}`);
    try {
      await opened.repo.advance(devices[0], 7, ['mac']);
      const statements = jest.spyOn(
        opened.repo as unknown as { prepared: (name: string) => Promise<unknown[]> },
        'prepared',
      );
      // Three copies per device and counter, interleaved: one per device wins.
      const results = await Promise.all(
        [0, 1, 2].flatMap(() =>
          devices.map(async (device) => [device, await opened.repo.advance(device, 7, ['data'])]),
        ),
      );
      const names = statements.mock.calls.map(([name]) => name);
      statements.mockRestore();
      // Together: grouped statements, fewer than the 36 advances.
      expect(names).toContain('ci_ksn_advance_many');
      expect(names.length).toBeLessThan(36);
      for (const device of devices)
        expect(results.filter(([d, won]) => d === device && won)).toHaveLength(1);
      expect(await opened.repo.find(devices[0])).toEqual({ counter: 7, channels: ['mac', 'data'] });
      expect(await opened.repo.find(devices[5])).toEqual({ counter: 7, channels: ['data'] });
    } finally {
      await opened.close();
    }
  });

  it('fails only the advance whose row the database refuses when advances are written together', async () => {
    const opened = await postgres.open();
    const broken = `${DEVICE}#broken`;
    const fine = Array.from({ length: 5 }, (_, i) => `${DEVICE}#fine-${i}`);
    try {
      // A row no advance wrote, whose channels cannot grow within the column's 16 characters.
      await opened.dataSource!.query(
        `INSERT INTO "ci_ksn_counters" ("device_key", "counter", "channels") VALUES ($1, 5, 'data,data,data')`,
        [broken],
      );
      const results = await Promise.allSettled([
        ...fine.map((device) => opened.repo.advance(device, 5, ['mac'])),
        opened.repo.advance(broken, 5, ['mac']),
        ...fine.map((device) => opened.repo.advance(device, 6, ['mac'])),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        ...fine.map(() => 'fulfilled'),
        'rejected',
        ...fine.map(() => 'fulfilled'),
      ]);
      for (const device of fine)
        expect(await opened.repo.find(device)).toEqual({ counter: 6, channels: ['mac'] });
    } finally {
      await opened.close();
    }
  });

  it('remembers counters when the data source is opened again', async () => {
    const device = `${DEVICE}#restart`;
    const before = await postgres.open();
    expect(await before.repo.advance(device, 42, ['mac'])).toBe(true);
    await before.close();

    const after = await postgres.open();
    try {
      expect(await after.repo.advance(device, 42, ['mac'])).toBe(false);
      expect(await after.repo.advance(device, 41, ['pin'])).toBe(false);
      expect(await after.repo.find(device)).toEqual({ counter: 42, channels: ['mac'] });
    } finally {
      await after.close();
    }
  });
});
