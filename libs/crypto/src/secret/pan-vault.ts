import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError } from '../primitives';
import { Pan } from './pan';
import { asPanToken, PanToken } from './pan-token';
import { RandomBytes, systemRandomBytes } from './random-bytes';
import { exposeBytes, SecretBytes } from './secret';
import { PanVaultError } from './secret-errors';

const VAULT_KEY_LENGTH = 32;
/** NIST SP 800-38D §8.2: 96-bit random IVs; the key store rotates the key long before 2^32 entries. */
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const ENTRY_VERSION = 'v1';

/**
 * The stored form of a PAN: AES-256-GCM ciphertext bound to the PAN's token
 * (the token is the associated data), so an entry copied under another
 * token's row fails to open.
 */
export interface PanVaultEntry {
  readonly token: PanToken;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export interface SealPanOptions {
  /** AES-256 key, 32 bytes, from the key store. */
  readonly vaultKey: SecretBytes;
  /** The PAN's token from `tokenizePan`. */
  readonly token: PanToken;
  readonly randomBytes?: RandomBytes;
}

export function sealPan(pan: Pan, options: SealPanOptions): PanVaultEntry {
  const key = vaultKeyBytes(options.vaultKey);
  const iv = (options.randomBytes ?? systemRandomBytes)(IV_LENGTH);
  if (iv.length !== IV_LENGTH) {
    throw new CryptoError(
      'INVALID_IV_LENGTH',
      `vault IV must be ${IV_LENGTH} bytes, got ${iv.length}`,
      'randomBytes',
    );
  }
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(options.token, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(pan.reveal(), 'ascii'), cipher.final()]);
  return { token: options.token, iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates an entry. Any mismatch is PAN_VAULT_AUTHENTICATION_FAILED. */
export function openPan(entry: PanVaultEntry, vaultKey: SecretBytes): Pan {
  const key = vaultKeyBytes(vaultKey);
  if (entry.iv.length !== IV_LENGTH || entry.tag.length !== TAG_LENGTH) {
    throw new PanVaultError(
      'PAN_VAULT_ENTRY_MALFORMED',
      `vault entry needs a ${IV_LENGTH}-byte IV and ${TAG_LENGTH}-byte tag`,
    );
  }
  const decipher = createDecipheriv('aes-256-gcm', key, entry.iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.from(entry.token, 'ascii'));
  decipher.setAuthTag(entry.tag);
  let digits: string;
  try {
    digits = Buffer.concat([decipher.update(entry.ciphertext), decipher.final()]).toString('ascii');
  } catch {
    throw new PanVaultError(
      'PAN_VAULT_AUTHENTICATION_FAILED',
      'vault entry failed authentication (wrong key, wrong token or tampered)',
    );
  }
  return Pan.parse(digits);
}

/** `v1.<iv>.<ciphertext>.<tag>`, each part base64url; the token is stored beside it as the lookup key. */
export function serializePanVaultEntry(entry: PanVaultEntry): string {
  return [ENTRY_VERSION, entry.iv, entry.ciphertext, entry.tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function parsePanVaultEntry(token: string, serialized: string): PanVaultEntry {
  const parts = serialized.split('.');
  if (
    parts.length !== 4 ||
    parts[0] !== ENTRY_VERSION ||
    !parts.slice(1).every((p) => /^[A-Za-z0-9_-]+$/.test(p))
  ) {
    throw new PanVaultError(
      'PAN_VAULT_ENTRY_MALFORMED',
      `vault entry must be ${ENTRY_VERSION}.<iv>.<ciphertext>.<tag>`,
    );
  }
  const [iv, ciphertext, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  return { token: asPanToken(token), iv, ciphertext, tag };
}

function vaultKeyBytes(vaultKey: SecretBytes): Buffer {
  const key = exposeBytes(vaultKey);
  if (key.length !== VAULT_KEY_LENGTH) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `PAN vault key must be ${VAULT_KEY_LENGTH} bytes (AES-256), got ${key.length}`,
      'vaultKey',
    );
  }
  return key;
}
