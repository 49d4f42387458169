import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToBytes, parseKeyBlockHeader } from '@tillgate/crypto';
import { FileKeyBlockRepository } from '../keys/file-key-block.repository';
import { keyCheckValue } from '../keys/key-kind';
import { aKeyStore, componentsOf } from '../testing/key-store.builder';

const BDK = '0123456789ABCDEFFEDCBA9876543210'; // X9.24-1:2009 A.4, KCV 08D7B4
const AES_BDK = 'FEDCBA9876543210F1F1F1F1F1F1F1F1'; // X9.24-3:2017 supplement

describe('key lifecycle: import, generate, rotate, retire, list', () => {
  it('imports a key from components and rests it as a TR-31 block: B for TDES, D for AES, non-exportable', async () => {
    const { store, keyBlocks, audit } = await aKeyStore().build();
    const tdes = componentsOf('tdes', hexToBytes(BDK));
    const info = await store.importKey({ id: 'bdk.pos', kind: 'bdk', algorithm: 'tdes', ...tdes });
    expect(info).toMatchObject({
      id: 'bdk.pos',
      version: 1,
      kind: 'bdk',
      algorithm: 'tdes',
      length: 16,
      kcv: '08D7B4',
      status: 'active',
    });
    expect(info.keyBlock).toEqual({
      version: 'B',
      keyUsage: 'B0',
      algorithm: 'T',
      modeOfUse: 'X',
      exportability: 'N',
    });

    const aes = componentsOf('aes', hexToBytes(AES_BDK));
    const aesInfo = await store.importKey({ id: 'bdk.aes', kind: 'bdk', algorithm: 'aes', ...aes });
    expect(aesInfo.keyBlock).toMatchObject({ version: 'D', keyUsage: 'B0', algorithm: 'A' });

    const [stored] = await keyBlocks.versions('bdk.pos');
    const header = parseKeyBlockHeader(stored!.keyBlock);
    expect(header.keyContext).toBe('1');
    expect(header.optionalBlocks.find((b) => b.id === 'LB')?.data).toBe('bdk.pos@1');
    expect(stored!.keyBlock).not.toContain(BDK);
    expect(audit.events).toEqual([
      expect.objectContaining({
        type: 'import-key',
        keyId: 'bdk.pos',
        keyVersion: 1,
        kcv: '08D7B4',
        outcome: 'success',
      }),
      expect.objectContaining({
        type: 'import-key',
        keyId: 'bdk.aes',
        keyVersion: 1,
        outcome: 'success',
      }),
    ]);
  });

  it('refuses a second import under the same id', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'bdk.pos', kind: 'bdk', algorithm: 'tdes', key: BDK })
      .build();
    await expect(
      store.importKey({
        id: 'bdk.pos',
        kind: 'bdk',
        algorithm: 'tdes',
        ...componentsOf('tdes', hexToBytes(BDK)),
      }),
    ).rejects.toMatchObject({ code: 'KEY_ALREADY_EXISTS' });
  });

  it('gives up on a random source that keeps producing degenerate keys', async () => {
    const { store } = await aKeyStore()
      .withRandom((length) => Buffer.alloc(length, 0x2a))
      .build();
    await expect(
      store.generateKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes' }),
    ).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('refuses kinds, algorithms and lengths that do not go together', async () => {
    const { store } = await aKeyStore().build();
    await expect(
      store.generateKey({ id: 'imk', kind: 'emv-issuer-master-key', algorithm: 'aes' }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'algorithm',
    });
    await expect(
      store.generateKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes', length: 24 }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'length',
    });
    await expect(
      store.generateKey({ id: 'no spaces', kind: 'mac', algorithm: 'aes' }),
    ).rejects.toMatchObject({ field: 'id' });
  });

  it('generates keys from the injected random source', async () => {
    let n = 0;
    const { store } = await aKeyStore()
      .withRandom((length) => Buffer.from(Array.from({ length }, () => (n += 37) & 0xff)))
      .build();
    const zpk = await store.generateKey({
      id: 'zpk',
      kind: 'pin-encryption',
      algorithm: 'tdes',
      length: 24,
    });
    expect(zpk).toMatchObject({ length: 24, keyBlock: { keyUsage: 'P0', modeOfUse: 'E' } });
    const token = await store.generateKey({
      id: 'pan-token',
      kind: 'pan-token',
      algorithm: 'hmac-sha256',
    });
    expect(token).toMatchObject({
      length: 32,
      keyBlock: { version: 'D', keyUsage: 'M7', algorithm: 'H', modeOfUse: 'C' },
    });
  });

  it('rotates: the new version is active, the old one superseded, both listed', async () => {
    const { store, audit } = await aKeyStore()
      .withKey({ id: 'zmk', kind: 'mac', algorithm: 'aes', key: AES_BDK + AES_BDK })
      .build();
    const v2 = await store.rotateKey({ id: 'zmk' });
    expect(v2).toMatchObject({
      id: 'zmk',
      version: 2,
      status: 'active',
      algorithm: 'aes',
      length: 32,
    });
    const v3 = await store.rotateKey({
      id: 'zmk',
      ...componentsOf('aes', hexToBytes(AES_BDK + BDK)),
    });
    expect(v3.kcv).toBe(
      keyCheckValue('aes', hexToBytes(AES_BDK + BDK))
        .toString('hex')
        .toUpperCase(),
    );
    expect((await store.listKeys()).map((k) => [k.version, k.status])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'active'],
    ]);
    expect(audit.events.filter((e) => e.type === 'rotate-key').map((e) => e.keyVersion)).toEqual([
      2, 3,
    ]);
  });

  it('refuses to rotate with components of another length', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'zmk', kind: 'mac', algorithm: 'aes', key: AES_BDK })
      .build();
    await expect(
      store.rotateKey({ id: 'zmk', ...componentsOf('aes', hexToBytes(AES_BDK + AES_BDK)) }),
    ).rejects.toMatchObject({
      code: 'INVALID_COMPONENTS',
    });
    await expect(store.rotateKey({ id: 'nope' })).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('retires a version: it can no longer be used, and cannot be retired twice', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'zmk', kind: 'mac', algorithm: 'aes', key: AES_BDK })
      .build();
    await store.rotateKey({ id: 'zmk' });
    const retired = await store.retireKey({ id: 'zmk', version: 1 });
    expect(retired).toMatchObject({ version: 1, status: 'retired' });
    await expect(
      store.verifyMac({
        key: { id: 'zmk', version: 1 },
        data: Buffer.from('x'),
        mac: Buffer.alloc(8),
      }),
    ).rejects.toMatchObject({
      code: 'KEY_RETIRED',
    });
    await expect(store.retireKey({ id: 'zmk', version: 1 })).rejects.toMatchObject({
      code: 'KEY_RETIRED',
    });
    await store.retireKey({ id: 'zmk', version: 2 });
    await expect(
      store.generateMac({ key: { id: 'zmk' }, data: Buffer.from('x') }),
    ).rejects.toMatchObject({ code: 'KEY_RETIRED' });
    await expect(store.retireKey({ id: 'zmk', version: 9 })).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
  });

  it('keeps a superseded version for verifying and decrypting, never for protecting new data', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'zmk', kind: 'mac', algorithm: 'aes', key: AES_BDK })
      .withKey({ id: 'zpk', kind: 'pin-encryption', algorithm: 'aes', key: AES_BDK })
      .build();
    const data = Buffer.from('4012345678909D987');
    const mac = await store.generateMac({ key: { id: 'zmk' }, data });
    await store.rotateKey({ id: 'zmk' });
    await store.rotateKey({ id: 'zpk' });
    await expect(
      store.verifyMac({ key: { id: 'zmk', version: 1 }, data, mac }),
    ).resolves.toBeUndefined();
    await expect(store.generateMac({ key: { id: 'zmk', version: 1 }, data })).rejects.toMatchObject(
      { code: 'KEY_NOT_ACTIVE' },
    );
    await expect(store.verifyMac({ key: { id: 'zmk' }, data, mac })).rejects.toMatchObject({
      code: 'MAC_VERIFICATION_FAILED',
    });
  });

  it('keeps keys in a file that another store instance reads back', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'key-store-')), 'keys.json');
    const first = await aKeyStore()
      .withKeyBlocks(new FileKeyBlockRepository(path))
      .withKey({ id: 'bdk.pos', kind: 'bdk', algorithm: 'tdes', key: BDK })
      .build();
    await first.store.generateKey({ id: 'pan-vault', kind: 'pan-vault', algorithm: 'aes' });
    const second = await aKeyStore().withKeyBlocks(new FileKeyBlockRepository(path)).build();
    expect(
      (await second.store.listKeys()).map((k) => [
        k.id,
        k.integrity,
        'kcv' in k ? k.kcv.length : 0,
      ]),
    ).toEqual([
      ['bdk.pos', 'verified', 6],
      ['pan-vault', 'verified', 10],
    ]);
    expect(readFileSync(path, 'utf8')).not.toContain(BDK);
  });
});
