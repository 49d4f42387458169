import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyAuditEvent } from './audit-sink';
import { JsonLinesAuditSink } from './json-lines-audit-sink';

const event = (n: number): KeyAuditEvent => ({
  type: 'tokenize-pan',
  keyId: `key-${n}`,
  keyVersion: 1,
  kcv: 'ABCDEF0123',
  outcome: 'success',
  at: '2025-01-01T00:00:00.000Z',
});
const tempDir = () => mkdtempSync(join(tmpdir(), 'audit-'));
const linesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as KeyAuditEvent);

describe('JsonLinesAuditSink', () => {
  afterEach(() => jest.restoreAllMocks());

  it('appends one JSON line per event, in the order recorded, to a 0600 file in a 0700 directory', async () => {
    const path = join(tempDir(), 'audit', 'keys.audit.jsonl');
    const sink = new JsonLinesAuditSink(path);
    await sink.record(event(1));
    await sink.record(event(2));
    await sink.close();
    expect(linesOf(path)).toEqual([event(1), event(2)]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });

  it('opens the file once, and writes concurrent records whole and in order; each resolves once written', async () => {
    const path = join(tempDir(), 'keys.audit.jsonl');
    const open = jest.spyOn(fs, 'open');
    const sink = new JsonLinesAuditSink(path);
    const events = Array.from({ length: 200 }, (_, i) => event(i));
    await Promise.all(
      events.map(async (e) => {
        await sink.record(e);
        // Resolved means written: the line is in the file already.
        expect(readFileSync(path, 'utf8')).toContain(`"keyId":"${e.keyId}"`);
      }),
    );
    await sink.record(event(200));
    expect(open).toHaveBeenCalledTimes(1);
    expect(linesOf(path)).toEqual([...events, event(200)]);
    await sink.close();
  });

  it('keeps lines written by an earlier sink on the same file', async () => {
    const path = join(tempDir(), 'keys.audit.jsonl');
    const first = new JsonLinesAuditSink(path);
    await first.record(event(1));
    await first.close();
    const second = new JsonLinesAuditSink(path);
    await second.record(event(2));
    await second.close();
    expect(linesOf(path)).toEqual([event(1), event(2)]);
  });

  it('rejects the records of a write that failed, and tries the file again for later ones', async () => {
    const dir = tempDir();
    const path = join(dir, 'keys.audit.jsonl');
    mkdirSync(path); // a directory where the file should be: open fails
    const sink = new JsonLinesAuditSink(path);
    await expect(Promise.all([sink.record(event(1)), sink.record(event(2))])).rejects.toMatchObject(
      { code: 'EISDIR' },
    );
    await fs.rmdir(path);
    await sink.record(event(3));
    await sink.close();
    expect(linesOf(path)).toEqual([event(3)]);
  });

  it('writes what is pending on close, then refuses further records', async () => {
    const path = join(tempDir(), 'keys.audit.jsonl');
    const sink = new JsonLinesAuditSink(path);
    const pending = sink.record(event(1));
    await sink.close();
    await expect(pending).resolves.toBeUndefined();
    expect(linesOf(path)).toEqual([event(1)]);
    await expect(sink.record(event(2))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
