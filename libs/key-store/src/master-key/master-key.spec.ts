import { inspect } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasOddParity, hexToBytes, Secret } from '@tillgate/crypto';
import { ConfigError } from '@tillgate/platform';
import { TEST_MASTER_KEY_HEX } from '../testing/key-store.builder';
import { MasterKey } from './master-key';
import { loadMasterKey } from './master-key.config';

const HEX = TEST_MASTER_KEY_HEX;

async function configError(load: Promise<unknown>): Promise<ConfigError> {
  try {
    await load;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('MasterKey', () => {
  const masterKey = MasterKey.fromBytes(hexToBytes(HEX));

  it('derives distinct KBPKs: AES-256 for version D, 3TDEA with odd parity for version B', () => {
    const d = masterKey.kbpk('D').expose();
    const b = masterKey.kbpk('B').expose();
    expect(d).toHaveLength(32);
    expect(b).toHaveLength(24);
    expect(hasOddParity(b)).toBe(true);
    expect(d.equals(hexToBytes(HEX))).toBe(false);
    expect(
      MasterKey.fromBytes(new Secret(hexToBytes(HEX)))
        .kbpk('D')
        .expose()
        .equals(d),
    ).toBe(true);
  });

  it('announces its KBPKs in the X9.143 KP block form: 00 + TDES KCV, 01 + CMAC KCV', () => {
    expect(masterKey.kbpkCheck('B')).toMatch(/^00[0-9A-F]{6}$/);
    expect(masterKey.kbpkCheck('D')).toMatch(/^01[0-9A-F]{10}$/);
  });

  it('prints as its KCV only, however it is printed', () => {
    const shown = [
      String(masterKey),
      `${masterKey}`,
      JSON.stringify({ masterKey }),
      inspect(masterKey),
    ].join(' ');
    expect(shown).toContain(masterKey.kcv);
    expect(shown.toUpperCase()).not.toContain(HEX.toUpperCase());
    expect(masterKey.kcv).toMatch(/^[0-9A-F]{10}$/);
  });

  it('must be an AES-256 key', () => {
    expect(() => MasterKey.fromBytes(Buffer.alloc(16, 1))).toThrow(
      expect.objectContaining({ code: 'MASTER_KEY_INVALID' }),
    );
  });
});

describe('loadMasterKey', () => {
  it('reads TILLGATE_MASTER_KEY', async () => {
    expect((await loadMasterKey({ TILLGATE_MASTER_KEY: HEX.toLowerCase() })).kcv).toBe(
      MasterKey.fromBytes(hexToBytes(HEX)).kcv,
    );
  });

  it('reads TILLGATE_MASTER_KEY_FILE, ignoring surrounding whitespace', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'master-key-')), 'master.key');
    writeFileSync(file, `${HEX}\n`, { mode: 0o600 });
    expect((await loadMasterKey({ TILLGATE_MASTER_KEY_FILE: file })).kcv).toBe(
      MasterKey.fromBytes(hexToBytes(HEX)).kcv,
    );
  });

  it('refuses a malformed key without echoing it', async () => {
    const bad = HEX.slice(0, 62);
    const error = await configError(loadMasterKey({ TILLGATE_MASTER_KEY: bad }));
    expect(error.problems).toEqual([
      { variable: 'TILLGATE_MASTER_KEY', problem: expect.stringContaining('64 hex digits') },
    ]);
    expect(error.message).not.toContain(bad);
  });

  it('refuses a file that does not hold a key without echoing its content', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'master-key-')), 'master.key');
    writeFileSync(file, `${HEX}00`);
    const error = await configError(loadMasterKey({ TILLGATE_MASTER_KEY_FILE: file }));
    expect(error.message).toContain('TILLGATE_MASTER_KEY_FILE');
    expect(error.message).not.toContain(HEX);
  });

  it('names a file it cannot read', async () => {
    const error = await configError(
      loadMasterKey({ TILLGATE_MASTER_KEY_FILE: '/nonexistent/master.key' }),
    );
    expect(error.message).toContain('ENOENT');
  });

  it('needs exactly one source', async () => {
    expect((await configError(loadMasterKey({}))).message).toContain('required');
    expect(
      (
        await configError(
          loadMasterKey({ TILLGATE_MASTER_KEY: HEX, TILLGATE_MASTER_KEY_FILE: '/x' }),
        )
      ).message,
    ).toContain('not both');
  });
});
