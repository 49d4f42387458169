import type { Pan, PanToken } from '@tillgate/crypto';
import type { KeyStore } from '../key-store';

/** A PAN at rest: its lookup token and its vault entry, each with the key version that made it. */
export interface ProtectedPan {
  readonly token: PanToken;
  readonly tokenKeyVersion: number;
  readonly vaultEntry: string;
  readonly vaultKeyVersion: number;
}

/**
 * PAN tokenization over the key store (ARCHITECTURE.md: stored PANs are a
 * keyed hash for lookup plus an encrypted vault entry). The HMAC key and
 * the vault key stay in the store; this helper only names them.
 */
export class PanTokenizer {
  constructor(
    private readonly store: KeyStore,
    private readonly keys: { readonly tokenKeyId: string; readonly vaultKeyId: string },
  ) {}

  /** Token (active token key) and vault entry (active vault key) for storing a PAN. */
  async protect(pan: Pan): Promise<ProtectedPan> {
    const { token, keyVersion: tokenKeyVersion } = await this.store.tokenizePan({
      key: { id: this.keys.tokenKeyId },
      pan,
    });
    const { entry, keyVersion: vaultKeyVersion } = await this.store.sealPan({
      key: { id: this.keys.vaultKeyId },
      pan,
      token,
    });
    return { token, tokenKeyVersion, vaultEntry: entry, vaultKeyVersion };
  }

  /** The token to look a PAN up by; pass the version the stored tokens were made with after a rotation. */
  async token(pan: Pan, tokenKeyVersion?: number): Promise<PanToken> {
    return (
      await this.store.tokenizePan({
        key: { id: this.keys.tokenKeyId, version: tokenKeyVersion },
        pan,
      })
    ).token;
  }

  /** The PAN back from its vault entry (authenticated against its token). */
  reveal(stored: Pick<ProtectedPan, 'token' | 'vaultEntry' | 'vaultKeyVersion'>): Promise<Pan> {
    return this.store.openPan({
      key: { id: this.keys.vaultKeyId, version: stored.vaultKeyVersion },
      token: stored.token,
      entry: stored.vaultEntry,
    });
  }
}
