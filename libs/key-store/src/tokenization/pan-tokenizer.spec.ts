import { hexToBytes, Pan, tokenizePan } from '@tillgate/crypto';
import { aKeyStore } from '../testing/key-store.builder';
import { PanTokenizer } from './pan-tokenizer';

const TOKEN_KEY = '1F1E1D1C1B1A191817161514131211100F0E0D0C0B0A09080706050403020100';
const VAULT_KEY = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';
const pan = Pan.parse('4761739001010010');

const build = () =>
  aKeyStore()
    .withKey({ id: 'pan-token', kind: 'pan-token', algorithm: 'hmac-sha256', key: TOKEN_KEY })
    .withKey({ id: 'pan-vault', kind: 'pan-vault', algorithm: 'aes', key: VAULT_KEY })
    .build();

describe('PAN tokenization through the key store', () => {
  it('tokens are the HMAC-SHA-256 of the PAN under the stored token key; the vault entry opens back', async () => {
    const { store, audit } = await build();
    const tokenizer = new PanTokenizer(store, { tokenKeyId: 'pan-token', vaultKeyId: 'pan-vault' });
    const stored = await tokenizer.protect(pan);
    expect(stored.token).toBe(tokenizePan(pan, hexToBytes(TOKEN_KEY)));
    expect(stored).toMatchObject({ tokenKeyVersion: 1, vaultKeyVersion: 1 });
    expect(stored.vaultEntry).not.toContain('4761739001010010');
    expect((await tokenizer.reveal(stored)).equals(pan)).toBe(true);
    expect(await tokenizer.token(Pan.parse('4761739001010010'))).toBe(stored.token);
    expect(audit.events.map((e) => `${e.type}:${e.keyId}`)).toEqual([
      'tokenize-pan:pan-token',
      'seal-pan:pan-vault',
      'open-pan:pan-vault',
      'tokenize-pan:pan-token',
    ]);
  });

  it('opens entries sealed under an older vault key version after a rotation', async () => {
    const { store } = await build();
    const tokenizer = new PanTokenizer(store, { tokenKeyId: 'pan-token', vaultKeyId: 'pan-vault' });
    const old = await tokenizer.protect(pan);
    await store.rotateKey({ id: 'pan-vault' });
    expect((await tokenizer.protect(pan)).vaultKeyVersion).toBe(2);
    expect((await tokenizer.reveal(old)).equals(pan)).toBe(true);
  });

  it('refuses an entry moved under another token or altered', async () => {
    const { store } = await build();
    const tokenizer = new PanTokenizer(store, { tokenKeyId: 'pan-token', vaultKeyId: 'pan-vault' });
    const stored = await tokenizer.protect(pan);
    const other = await tokenizer.protect(Pan.parse('4242424242424242'));
    await expect(tokenizer.reveal({ ...stored, token: other.token })).rejects.toMatchObject({
      code: 'VAULT_ENTRY_INVALID',
    });
    const [version, iv, ciphertext, tag] = stored.vaultEntry.split('.') as [
      string,
      string,
      string,
      string,
    ];
    const altered = [
      version,
      iv,
      (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1),
      tag,
    ].join('.');
    await expect(tokenizer.reveal({ ...stored, vaultEntry: altered })).rejects.toMatchObject({
      code: 'VAULT_ENTRY_INVALID',
    });
  });
});
