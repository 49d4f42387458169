import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aTerminalProfile } from '../testing/secure-terminal.fixture';
import {
  ConfiguredTerminalDirectory,
  loadTerminalDirectory,
  TerminalDirectoryInvalid,
} from './configured-terminal.directory';

const fileWith = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'terminals-')), 'terminals.json');
  writeFileSync(path, content);
  return path;
};

describe('ConfiguredTerminalDirectory', () => {
  it('finds the listed terminals by id, and no other', async () => {
    const directory = new ConfiguredTerminalDirectory([
      aTerminalProfile('tdes'),
      aTerminalProfile('aes128', { initialKeyId: '1234567890123456' }),
    ]);
    expect(await directory.find('TERM0001')).toMatchObject({
      dukptScheme: 'tdes',
      bdk: { id: 'bdk.tdes' },
    });
    expect(await directory.find('TERM0002')).toMatchObject({ initialKeyId: '1234567890123456' });
    expect(await directory.find('TERM0003')).toBeUndefined();
    expect(directory.terminalIds).toEqual(['TERM0001', 'TERM0002']);
  });

  it('refuses a bad list at construction, listing every problem', () => {
    let error: unknown;
    try {
      new ConfiguredTerminalDirectory([
        aTerminalProfile('tdes', { terminalId: 'T1', currency: 'XYZ' }),
        aTerminalProfile('aes128', {
          cardAcceptorId: 'X'.repeat(16),
          initialKeyId: 'FFFF9876543210E00000',
        }),
        aTerminalProfile('tdes', { terminalId: 'TERM0002' }),
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TerminalDirectoryInvalid);
    expect((error as TerminalDirectoryInvalid).problems).toEqual([
      'terminals.0.terminalId: is 8 characters (ISO 8583 field 41)',
      'terminals.0.terminalId: is printable ASCII without spaces',
      'terminals.0.currency: is not an ISO 4217 code the acquirer link knows',
      'terminals.1.cardAcceptorId: is at most 15 characters (ISO 8583 field 42)',
      "terminals.1.initialKeyId: an AES device's initial key ID is 8 bytes",
      'terminals.2.terminalId: terminal TERM0002 is listed twice',
    ]);
  });

  it('loads a JSON file and validates its shape', async () => {
    const path = fileWith(JSON.stringify({ terminals: [aTerminalProfile('tdes')] }));
    expect(await (await loadTerminalDirectory(path)).find('TERM0001')).toMatchObject({
      currency: 'CNY',
      cardAcceptorId: 'MERCHANT0000001',
    });
    await expect(
      loadTerminalDirectory(fileWith('{"terminals": [{"terminalId": "TERM0001"}]}')),
    ).rejects.toMatchObject({
      problems: expect.arrayContaining([
        expect.stringMatching(/^terminals\.0\.merchantId: /),
        expect.stringMatching(/^terminals\.0\.bdk: /),
      ]),
    });
    await expect(
      loadTerminalDirectory(fileWith('{"terminals": [], "extra": 1}')),
    ).rejects.toBeInstanceOf(TerminalDirectoryInvalid);
    await expect(loadTerminalDirectory(fileWith('not json'))).rejects.toMatchObject({
      problems: ['is not JSON'],
    });
    await expect(loadTerminalDirectory('/nonexistent/terminals.json')).rejects.toMatchObject({
      problems: ['cannot be read'],
    });
  });
});
