import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
});
