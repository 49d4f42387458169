import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyBlockRepository } from './file-key-block.repository';
import { InMemoryKeyBlockRepository } from './in-memory-key-block.repository';
import type { KeyBlockRepository } from './key-block.repository';
import type { StoredKeyBlock } from './stored-key-block';

const AT = '2025-01-01T00:00:00.000Z';

function aRecord(
  id: string,
  version: number,
  status: StoredKeyBlock['status'] = 'active',
): StoredKeyBlock {
  return {
    id,
    version,
    status,
    keyBlock: `D0000P0AE00N0000-${id}-${version}`,
    createdAt: AT,
    statusChangedAt: AT,
  };
}

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'key-blocks-')), 'keys.json');

describe.each<[string, () => KeyBlockRepository]>([
  ['in memory', () => new InMemoryKeyBlockRepository()],
  ['JSON file', () => new FileKeyBlockRepository(tempFile())],
])('KeyBlockRepository contract: %s', (_name, create) => {
  it('stores versions and lists them by id then version', async () => {
    const repo = create();
    await repo.apply([
      { type: 'insert', record: aRecord('zpk', 2) },
      { type: 'insert', record: aRecord('bdk', 1) },
    ]);
    await repo.apply([{ type: 'insert', record: aRecord('zpk', 1, 'superseded') }]);
    expect((await repo.list()).map((r) => `${r.id}@${r.version}`)).toEqual([
      'bdk@1',
      'zpk@1',
      'zpk@2',
    ]);
    expect((await repo.versions('zpk')).map((r) => r.version)).toEqual([1, 2]);
    expect(await repo.versions('unknown')).toEqual([]);
  });

  it('applies a change set all or nothing', async () => {
    const repo = create();
    await repo.apply([{ type: 'insert', record: aRecord('zpk', 1) }]);
    await expect(
      repo.apply([
        { type: 'set-status', id: 'zpk', version: 1, from: 'active', to: 'superseded', at: AT },
        { type: 'insert', record: aRecord('zpk', 1) },
      ]),
    ).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    expect((await repo.versions('zpk'))[0]!.status).toBe('active');
  });

  it('refuses a status change that finds another status (a concurrent change got there first)', async () => {
    const repo = create();
    await repo.apply([{ type: 'insert', record: aRecord('zpk', 1, 'retired') }]);
    await expect(
      repo.apply([
        { type: 'set-status', id: 'zpk', version: 1, from: 'active', to: 'superseded', at: AT },
      ]),
    ).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
  });
});

describe('FileKeyBlockRepository', () => {
  it('survives a restart and writes atomically: a 0600 file, no temp file left behind', async () => {
    const path = tempFile();
    await new FileKeyBlockRepository(path).apply([{ type: 'insert', record: aRecord('zpk', 1) }]);
    expect(await new FileKeyBlockRepository(path).versions('zpk')).toEqual([aRecord('zpk', 1)]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, '..'))).toEqual(['keys.json']);
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('tillgate-key-store/1');
  });

  it('serialises concurrent writers', async () => {
    const path = tempFile();
    const a = new FileKeyBlockRepository(path);
    const b = new FileKeyBlockRepository(path);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).apply([{ type: 'insert', record: aRecord(`k${i}`, 1) }]),
      ),
    );
    expect(await a.list()).toHaveLength(8);
  });

  it('sees changes made by another instance at the next read with recheckMs 0', async () => {
    const path = tempFile();
    const reader = new FileKeyBlockRepository(path, { recheckMs: 0 });
    expect(await reader.list()).toEqual([]);
    await new FileKeyBlockRepository(path).apply([{ type: 'insert', record: aRecord('zpk', 1) }]);
    expect(await reader.list()).toHaveLength(1);
  });

  it('sees a change made by another process within recheckMs, without re-reading the file before', async () => {
    const path = tempFile();
    const reader = new FileKeyBlockRepository(path, { recheckMs: 100 });
    expect(await reader.list()).toEqual([]);
    await new FileKeyBlockRepository(path).apply([{ type: 'insert', record: aRecord('zpk', 1) }]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await reader.versions('zpk')).toEqual([aRecord('zpk', 1)]);
  });

  it('serves reads from memory between checks, and sees its own changes at once', async () => {
    const path = tempFile();
    const repo = new FileKeyBlockRepository(path, { recheckMs: 60_000 });
    await repo.apply([{ type: 'insert', record: aRecord('zpk', 1) }]);
    expect(await repo.list()).toHaveLength(1);
    // Another process (the CLI) rotates: not seen until the next check...
    await new FileKeyBlockRepository(path).apply([{ type: 'insert', record: aRecord('zpk', 2) }]);
    expect(await repo.list()).toHaveLength(1);
    // ...but a write through this instance reads the file under its lock, and is seen with it.
    await repo.apply([{ type: 'insert', record: aRecord('bdk', 1) }]);
    expect((await repo.list()).map((r) => `${r.id}@${r.version}`)).toEqual([
      'bdk@1',
      'zpk@1',
      'zpk@2',
    ]);
  });

  it('waits for another process lock, then names the lock file', async () => {
    const path = tempFile();
    writeFileSync(`${path}.lock`, '99999');
    await expect(
      new FileKeyBlockRepository(path, { lockTimeoutMs: 100 }).apply([
        { type: 'insert', record: aRecord('zpk', 1) },
      ]),
    ).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('.lock'),
    });
  });

  it.each([
    ['not JSON', '{'],
    ['another format', JSON.stringify({ format: 'x', keys: [] })],
    [
      'a malformed record',
      JSON.stringify({ format: 'tillgate-key-store/1', keys: [{ id: 'zpk' }] }),
    ],
    [
      'a repeated record',
      JSON.stringify({
        format: 'tillgate-key-store/1',
        keys: [aRecord('zpk', 1), aRecord('zpk', 1)],
      }),
    ],
  ])('refuses a file holding %s', async (_what, content) => {
    const path = tempFile();
    writeFileSync(path, content);
    await expect(new FileKeyBlockRepository(path).list()).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
  });
});
