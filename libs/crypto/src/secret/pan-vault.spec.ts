import { createHmac } from 'node:crypto';
import { isCryptoError } from '../primitives';
import { Pan } from './pan';
import { asPanToken, tokenizePan } from './pan-token';
import {
  openPan,
  parsePanVaultEntry,
  PanVaultEntry,
  sealPan,
  serializePanVaultEntry,
} from './pan-vault';
import { Secret } from './secret';
import { PanVaultError } from './secret-errors';

const tokenKey = Buffer.alloc(32, 0x11);
const vaultKey = new Secret(Buffer.alloc(32, 0x22));
const fixedIv = () => Buffer.from('000102030405060708090a0b', 'hex');
const pan = Pan.parse('4761739001010010');

function vaultError(open: () => unknown): PanVaultError {
  try {
    open();
  } catch (error) {
    if (error instanceof PanVaultError) return error;
    throw error;
  }
  throw new Error('expected a PanVaultError');
}

describe('tokenizePan', () => {
  it('is HMAC-SHA-256 of the ASCII digits, lower-case hex', () => {
    const expected = createHmac('sha256', tokenKey).update('4761739001010010').digest('hex');
    expect(tokenizePan(pan, tokenKey)).toBe(expected);
    expect(tokenizePan(pan, new Secret(tokenKey))).toBe(expected);
  });

  it('is stable for equal PANs and differs across PANs and keys', () => {
    const again = tokenizePan(Pan.parse('4761739001010010'), tokenKey);
    expect(again).toBe(tokenizePan(pan, tokenKey));
    expect(tokenizePan(Pan.parse('4242424242424242'), tokenKey)).not.toBe(again);
    expect(tokenizePan(pan, Buffer.alloc(32, 0x12))).not.toBe(again);
  });

  it('refuses a key shorter than the hash output', () => {
    expect(() => tokenizePan(pan, Buffer.alloc(31))).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_LENGTH', field: 'tokenKey' }),
    );
  });

  it('checks the form of stored tokens', () => {
    const token = tokenizePan(pan, tokenKey);
    expect(asPanToken(token)).toBe(token);
    expect(() => asPanToken(token.toUpperCase())).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => asPanToken('4761739001010010')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('PAN vault (AES-256-GCM, token as associated data)', () => {
  const token = tokenizePan(pan, tokenKey);
  const entry = sealPan(pan, { vaultKey, token, randomBytes: fixedIv });

  it('round-trips and keeps no clear digits in the entry', () => {
    expect(openPan(entry, vaultKey).reveal()).toBe('4761739001010010');
    expect(entry.ciphertext).toHaveLength(16);
    expect(entry.ciphertext.toString('latin1')).not.toContain('4761739001010010');
    expect(serializePanVaultEntry(entry)).not.toContain('4761739001010010');
  });

  it('is deterministic with injected randomness and fresh without it', () => {
    const again = sealPan(pan, { vaultKey, token, randomBytes: fixedIv });
    expect(again.ciphertext.equals(entry.ciphertext)).toBe(true);
    const a = sealPan(pan, { vaultKey, token });
    const b = sealPan(pan, { vaultKey, token });
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(openPan(a, vaultKey).equals(pan)).toBe(true);
  });

  it('serializes to v1.<iv>.<ciphertext>.<tag> and back', () => {
    const text = serializePanVaultEntry(entry);
    expect(text).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(openPan(parsePanVaultEntry(token, text), vaultKey).equals(pan)).toBe(true);
  });

  const tampered: Array<[string, (e: PanVaultEntry) => PanVaultEntry]> = [
    ['a ciphertext bit', (e) => ({ ...e, ciphertext: flipBit(e.ciphertext, 3) })],
    ['a tag bit', (e) => ({ ...e, tag: flipBit(e.tag, 15) })],
    ['the IV', (e) => ({ ...e, iv: flipBit(e.iv, 0) })],
    [
      'the token (entry moved to another PAN row)',
      (e) => ({ ...e, token: tokenizePan(Pan.parse('4242424242424242'), tokenKey) }),
    ],
  ];

  it.each(tampered)('refuses an entry with %s changed', (_what, tamper) => {
    expect(vaultError(() => openPan(tamper(entry), vaultKey)).code).toBe(
      'PAN_VAULT_AUTHENTICATION_FAILED',
    );
  });

  it('refuses the wrong key', () => {
    expect(vaultError(() => openPan(entry, Buffer.alloc(32, 0x23))).code).toBe(
      'PAN_VAULT_AUTHENTICATION_FAILED',
    );
  });

  it('refuses malformed entries and keys', () => {
    expect(
      vaultError(() => openPan({ ...entry, tag: entry.tag.subarray(0, 12) }, vaultKey)).code,
    ).toBe('PAN_VAULT_ENTRY_MALFORMED');
    for (const text of ['', 'v2.AA.AA.AA', 'v1.AA.AA', 'v1.AA.A+A.AA']) {
      expect(vaultError(() => parsePanVaultEntry(token, text)).code).toBe(
        'PAN_VAULT_ENTRY_MALFORMED',
      );
    }
    expect(() => sealPan(pan, { vaultKey: Buffer.alloc(16), token })).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_LENGTH', field: 'vaultKey' }),
    );
    expect(() => sealPan(pan, { vaultKey, token, randomBytes: () => Buffer.alloc(8) })).toThrow(
      expect.objectContaining({ code: 'INVALID_IV_LENGTH' }),
    );
  });

  it('does not name the PAN or key in its errors', () => {
    const error = vaultError(() => openPan({ ...entry, tag: flipBit(entry.tag, 0) }, vaultKey));
    expect(isCryptoError(error, 'PAN_VAULT_AUTHENTICATION_FAILED')).toBe(true);
    expect(error.message).not.toMatch(/4761|2222/);
  });
});

function flipBit(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
}
