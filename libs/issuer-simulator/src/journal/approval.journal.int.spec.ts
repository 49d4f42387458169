import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApprovalJournal } from './approval.journal';

describe('ApprovalJournal with a JSON-lines file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'issuer-journal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON object per line, numbered, and keeps the same entries in memory', () => {
    const file = join(dir, 'journal.jsonl');
    const journal = new ApprovalJournal(file);
    const approval = {
      kind: 'approval' as const,
      at: '2025-05-06T10:15:30.000Z',
      mti: '0200',
      terminalId: 'TERM0001',
      stan: '000123',
      transmissionDateTime: '0506101530',
      maskedPan: '476173******0119',
      amount: 1_000,
      currency: '156',
      authCode: '000001',
    };
    journal.record(approval);
    journal.record({
      kind: 'reversal',
      at: '2025-05-06T10:16:00.000Z',
      mti: '0400',
      terminalId: 'TERM0001',
      stan: '000124',
      transmissionDateTime: '0506101600',
      maskedPan: '476173******0119',
      amount: 1_000,
      currency: '156',
      original: {
        mti: '0200',
        stan: '000123',
        transmissionDateTime: '0506101530',
        authCode: '000001',
      },
    });
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(journal.entries());
    expect(lines[0]).toEqual({ sequence: 1, ...approval });
    expect(journal.netTotals()).toEqual({ '156': 0 });
  });

  it('in batches, writes nothing per entry, then every entry in order at the interval or on close', async () => {
    const file = join(dir, 'batched.jsonl');
    const journal = new ApprovalJournal(file, { flushIntervalMs: 20 });
    const approval = (stan: string) => ({
      kind: 'approval' as const,
      at: '2025-05-06T10:15:30.000Z',
      mti: '0200',
      terminalId: 'TERM0001',
      stan,
      transmissionDateTime: '0506101530',
      maskedPan: '476173******0119',
      amount: 500,
      currency: '156',
      authCode: '000002',
    });
    const read = () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as unknown)
        : [];
    journal.record(approval('000001'));
    journal.record(approval('000002'));
    expect(read()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(read()).toEqual(journal.entries());
    journal.record(approval('000003'));
    journal.close();
    expect(read()).toEqual(journal.entries());
    expect(journal.entries().map((e) => e.sequence)).toEqual([1, 2, 3]);
  });
});
