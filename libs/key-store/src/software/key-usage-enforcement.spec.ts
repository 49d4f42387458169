import { hexToBytes, Pan } from '@tillgate/crypto';
import type { KeyStore } from '../key-store';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const KEY_16 = '89ABCDEF0123456776543210FEDCBA98';
const KEY_32 = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';
const ksn = hexToBytes(tdes.vectors[0]!.ksn);
const data = Buffer.from('4012345678909D987');
const pan = Pan.parse('4111111111111111');

const build = () =>
  aKeyStore()
    .withKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk })
    .withKey({ id: 'zpk', kind: 'pin-encryption', algorithm: 'tdes', key: KEY_16 })
    .withKey({ id: 'zmk', kind: 'mac', algorithm: 'tdes', key: KEY_16 })
    .withKey({ id: 'imk', kind: 'emv-issuer-master-key', algorithm: 'tdes', key: KEY_16 })
    .withKey({ id: 'token', kind: 'pan-token', algorithm: 'hmac-sha256', key: KEY_32 })
    .withKey({ id: 'vault', kind: 'pan-vault', algorithm: 'aes', key: KEY_32 })
    .build();

const attempts: Array<[string, (store: KeyStore) => Promise<unknown>]> = [
  ['a PIN key cannot compute a MAC', (s) => s.generateMac({ key: { id: 'zpk' }, data })],
  ['a BDK cannot compute a MAC', (s) => s.generateMac({ key: { id: 'bdk' }, data })],
  [
    'an issuer master key cannot verify a MAC',
    (s) => s.verifyMac({ key: { id: 'imk' }, data, mac: Buffer.alloc(8) }),
  ],
  [
    'a MAC key cannot decrypt data',
    (s) => s.decryptTrackData({ bdk: { id: 'zmk' }, ksn, encryptedData: [Buffer.alloc(8)] }),
  ],
  [
    'a PIN key cannot derive DUKPT keys',
    (s) => s.verifyDukptMac({ bdk: { id: 'zpk' }, ksn, message: data, mac: Buffer.alloc(4) }),
  ],
  [
    'an issuer master key cannot derive DUKPT keys',
    (s) => s.decryptTrackData({ bdk: { id: 'imk' }, ksn, encryptedData: [Buffer.alloc(8)] }),
  ],
  ['a BDK cannot tokenize a PAN', (s) => s.tokenizePan({ key: { id: 'bdk' }, pan })],
  ['the vault key cannot tokenize a PAN', (s) => s.tokenizePan({ key: { id: 'vault' }, pan })],
  [
    'the token key cannot seal a PAN',
    (s) => s.sealPan({ key: { id: 'token' }, pan, token: 'a'.repeat(64) as never }),
  ],
  [
    'a MAC key cannot open the vault',
    (s) => s.openPan({ key: { id: 'zmk' }, token: 'a'.repeat(64) as never, entry: 'v1.AA.AA.AA' }),
  ],
];

describe('the usage in each key block is enforced', () => {
  it.each(attempts)('%s', async (_rule, attempt) => {
    const { store, audit } = await build();
    await expect(attempt(store)).rejects.toMatchObject({
      code: 'KEY_USAGE_VIOLATION',
      field: 'key',
    });
    expect(audit.events).toEqual([
      expect.objectContaining({ outcome: 'failure', reason: 'KEY_USAGE_VIOLATION' }),
    ]);
  });

  it('names the key, its TR-31 attributes and the refused use', async () => {
    const { store } = await build();
    await expect(store.generateMac({ key: { id: 'zpk' }, data })).rejects.toThrow(
      'key zpk version 1 has TR-31 usage P0, algorithm T, mode of use E: it may not compute a MAC',
    );
  });

  it('refuses unknown keys and versions', async () => {
    const { store } = await build();
    await expect(store.generateMac({ key: { id: 'nope' }, data })).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
    await expect(store.generateMac({ key: { id: 'zmk', version: 2 }, data })).rejects.toMatchObject(
      { code: 'KEY_NOT_FOUND' },
    );
    await expect(store.generateMac({ key: { id: '../etc' }, data })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});
