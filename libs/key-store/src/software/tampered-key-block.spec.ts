import { parseKeyBlockHeader } from '@tillgate/crypto';
import { InMemoryKeyBlockRepository } from '../keys/in-memory-key-block.repository';
import type { StoredKeyBlock } from '../keys/stored-key-block';
import { aKeyStore } from '../testing/key-store.builder';

const ZPK = '89ABCDEF0123456776543210FEDCBA98';
const ZPK_B = '0123456789ABCDEFFEDCBA9876543210';
const OTHER_MASTER_KEY = '00'.repeat(31) + '01';

async function storedKeys(): Promise<StoredKeyBlock[]> {
  const { keyBlocks } = await aKeyStore()
    .withKey({ id: 'zpk.a', kind: 'pin-encryption', algorithm: 'tdes', key: ZPK })
    .withKey({ id: 'zpk.b', kind: 'pin-encryption', algorithm: 'tdes', key: ZPK_B })
    .withKey({ id: 'zmk', kind: 'mac', algorithm: 'aes', key: ZPK + ZPK_B })
    .build();
  return [...(await keyBlocks.list())];
}

/** A store over records someone edited at rest. */
async function storeOver(records: StoredKeyBlock[], masterKey?: string) {
  const builder = aKeyStore().withKeyBlocks(new InMemoryKeyBlockRepository(records));
  return (masterKey ? builder.withMasterKey(masterKey) : builder).build();
}

function edit(
  records: StoredKeyBlock[],
  id: string,
  change: (block: string) => string,
): StoredKeyBlock[] {
  return records.map((r) => (r.id === id ? { ...r, keyBlock: change(r.keyBlock) } : r));
}

const flip = (text: string, at: number) =>
  text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1);
const data = Buffer.from('0800 network management');

describe('a tampered stored key block is refused', () => {
  it.each([
    ['a bit of the encrypted key', (b: string) => flip(b, parseKeyBlockHeader(b).text.length + 4)],
    ['a bit of the MAC', (b: string) => flip(b, b.length - 1)],
    ['the key version number in the header', (b: string) => b.slice(0, 9) + '07' + b.slice(11)],
  ])('%s', async (_what, change) => {
    const { store, audit } = await storeOver(edit(await storedKeys(), 'zmk', change));
    await expect(store.generateMac({ key: { id: 'zmk' }, data })).rejects.toMatchObject({
      code: 'KEY_BLOCK_TAMPERED',
      field: 'keyBlock',
    });
    expect(audit.events).toEqual([
      expect.objectContaining({
        keyId: 'zmk',
        keyVersion: 1,
        outcome: 'failure',
        reason: 'KEY_BLOCK_TAMPERED',
      }),
    ]);
    expect(audit.events[0]).not.toHaveProperty('kcv');
  });

  it('a PIN key whose header was rewritten to make it a MAC key', async () => {
    const records = edit(await storedKeys(), 'zpk.a', (b) => b.slice(0, 5) + 'M3TC' + b.slice(9));
    const { store } = await storeOver(records);
    await expect(store.generateMac({ key: { id: 'zpk.a' }, data })).rejects.toMatchObject({
      code: 'KEY_BLOCK_TAMPERED',
    });
  });

  it('a key block moved under another key id (its LB label names the key it belongs to)', async () => {
    const records = await storedKeys();
    const a = records.find((r) => r.id === 'zpk.a')!;
    const swapped = records.map((r) => (r.id === 'zpk.b' ? { ...r, keyBlock: a.keyBlock } : r));
    const { store } = await storeOver(swapped);
    await expect(store.listKeys()).resolves.toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'zpk.b', integrity: 'failed', reason: 'KEY_BLOCK_TAMPERED' }),
      ]),
    );
  });

  it('a record whose version was changed', async () => {
    const records = (await storedKeys()).map((r) => (r.id === 'zmk' ? { ...r, version: 2 } : r));
    const { store } = await storeOver(records);
    await expect(store.generateMac({ key: { id: 'zmk' }, data })).rejects.toMatchObject({
      code: 'KEY_BLOCK_TAMPERED',
    });
  });

  it('key blocks under another master key are recognised as such', async () => {
    const { store } = await storeOver(await storedKeys(), OTHER_MASTER_KEY);
    await expect(store.generateMac({ key: { id: 'zmk' }, data })).rejects.toMatchObject({
      code: 'MASTER_KEY_MISMATCH',
    });
  });

  it('a listing shows the tampered version as failed and the others as verified', async () => {
    const { store } = await storeOver(
      edit(await storedKeys(), 'zmk', (b) => flip(b, b.length - 3)),
    );
    expect((await store.listKeys()).map((k) => [k.id, k.integrity])).toEqual([
      ['zmk', 'failed'],
      ['zpk.a', 'verified'],
      ['zpk.b', 'verified'],
    ]);
  });
});

describe('a block changed at rest after the store used it', () => {
  /** Records an editor (another process, an attacker with file access) can rewrite while the store runs. */
  async function editableStore() {
    let records = await storedKeys();
    const keyBlocks = {
      versions: async (id: string) => records.filter((r) => r.id === id),
      list: async () => records,
      apply: async () => {
        throw new Error('not used');
      },
    };
    const { store } = await aKeyStore().withKeyBlocks(keyBlocks).build();
    return {
      store,
      blockOf: (id: string) => records.find((r) => r.id === id)?.keyBlock ?? '',
      editAtRest: (id: string, change: (block: string) => string) => {
        records = edit(records, id, change);
      },
    };
  }

  it('is authenticated again, not served from the keys the store holds', async () => {
    const { store, blockOf, editAtRest } = await editableStore();
    const mac = await store.generateMac({ key: { id: 'zmk' }, data });
    const original = blockOf('zmk');
    editAtRest('zmk', (b) => flip(b, b.length - 1));
    await expect(store.generateMac({ key: { id: 'zmk' }, data })).rejects.toMatchObject({
      code: 'KEY_BLOCK_TAMPERED',
    });
    editAtRest('zmk', () => original);
    await expect(store.generateMac({ key: { id: 'zmk' }, data })).resolves.toEqual(mac);
  });

  it('is refused by its label when copied under another key, even while the store holds it', async () => {
    const { store, blockOf, editAtRest } = await editableStore();
    await store.generateMac({ key: { id: 'zmk' }, data });
    editAtRest('zpk.a', () => blockOf('zmk'));
    await expect(store.generateMac({ key: { id: 'zpk.a' }, data })).rejects.toMatchObject({
      code: 'KEY_BLOCK_TAMPERED',
      message: expect.stringContaining("labelled 'zmk@1'"),
    });
  });
});
