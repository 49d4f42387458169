import type {
  AesDukptKeyType,
  ArpcResponse,
  CardIdentity,
  CryptogramVersion,
  Pan,
  PanToken,
  Secret,
  SecretBytes,
  TransactionData,
} from '@tillgate/crypto';
import type { KeyStoreErrorCode } from './key-store-error';
import type { KeyAlgorithmName, KeyKind } from './keys/key-kind';
import type { KeyStatus } from './keys/stored-key-block';
import type { DukptChannel } from './ksn/ksn-counter.repository';

/** A stored key by id; without `version`, the active version. */
export interface KeyRef {
  readonly id: string;
  readonly version?: number;
}

/** What the store tells about a key: never the key itself. */
export interface KeyInfo {
  readonly id: string;
  readonly version: number;
  readonly kind: KeyKind;
  readonly algorithm: KeyAlgorithmName;
  /** Key length in bytes. */
  readonly length: number;
  /** Upper-case hex; 3 bytes for TDES, 5 for AES and HMAC. */
  readonly kcv: string;
  readonly status: KeyStatus;
  /** The TR-31 attributes of the key block at rest, as authenticated by its MAC. */
  readonly keyBlock: {
    readonly version: string;
    readonly keyUsage: string;
    readonly algorithm: string;
    readonly modeOfUse: string;
    readonly exportability: string;
  };
  /** The key block's MAC, master key check and label all verified. */
  readonly integrity: 'verified';
  readonly createdAt: string;
  readonly statusChangedAt: string;
}

/** A listed key whose block did not authenticate: altered, or under another master key. Nothing about it is trusted. */
export interface UnverifiedKeyInfo {
  readonly id: string;
  readonly version: number;
  readonly status: KeyStatus;
  readonly integrity: 'failed';
  readonly reason: KeyStoreErrorCode;
  readonly createdAt: string;
  readonly statusChangedAt: string;
}

/** One clear component as entered by its custodian, with the KCV the custodian read from their form. */
export interface KeyComponent {
  readonly value: SecretBytes;
  readonly kcv: Buffer;
}

export interface ImportKeyRequest {
  readonly id: string;
  readonly kind: KeyKind;
  readonly algorithm: KeyAlgorithmName;
  /** 2 or 3 components (split knowledge), XORed together. TDES components must have odd parity. */
  readonly components: readonly KeyComponent[];
  /** KCV of the combined key (at least 3 bytes). */
  readonly kcv: Buffer;
}

export interface GenerateKeyRequest {
  readonly id: string;
  readonly kind: KeyKind;
  readonly algorithm: KeyAlgorithmName;
  /** Bytes; the kind's default when absent (16 for TDES, 32 for AES and HMAC). */
  readonly length?: number;
}

/** A new version of an existing key, from components or generated; same kind, algorithm and length. */
export interface RotateKeyRequest {
  readonly id: string;
  readonly components?: readonly KeyComponent[];
  readonly kcv?: Buffer;
}

/** Key lifecycle, for operators (the `tillgate keys` CLI). */
export interface KeyAdministration {
  importKey(request: ImportKeyRequest): Promise<KeyInfo>;
  generateKey(request: GenerateKeyRequest): Promise<KeyInfo>;
  /** The new version becomes active; the previous active version becomes superseded. */
  rotateKey(request: RotateKeyRequest): Promise<KeyInfo>;
  retireKey(ref: { readonly id: string; readonly version: number }): Promise<KeyInfo>;
  /** Every version of every key, each block authenticated on the way. */
  listKeys(): Promise<readonly (KeyInfo | UnverifiedKeyInfo)[]>;
}

export interface VerifyDukptMacRequest {
  /** The BDK: TDES (10-byte KSN) or AES (12-byte KSN). */
  readonly bdk: KeyRef;
  readonly ksn: Buffer;
  readonly message: Buffer;
  /**
   * The MAC the terminal sent. TDES: ANSI X9.19 retail MAC (ISO 9797-1
   * algorithm 3, padding method 1) under the MAC-request variant, 4 to 8
   * bytes. AES: AES-CMAC under the mac-generation working key, 8 to 16 bytes.
   */
  readonly mac: Buffer;
  /** AES DUKPT only: the MAC working key type, default aes128. */
  readonly keyType?: Extract<AesDukptKeyType, 'aes128' | 'aes192' | 'aes256'>;
  /**
   * What the KSN's counter does. `advance` (default): a counter that does
   * not advance for the device is refused (KSN_REPLAY) and, once the MAC
   * verifies, recorded; verification and replay refusal are one step.
   * `unchanged`: the MAC is verified and the counter neither checked nor
   * recorded. For a protocol whose retransmissions reuse the original KSN:
   * it verifies the MAC, recognises a retransmission, and only for a new
   * request calls {@link KeyStore.acceptDukptKsn}.
   */
  readonly ksnCounter?: 'advance' | 'unchanged';
}

export interface AcceptDukptKsnRequest {
  readonly bdk: KeyRef;
  readonly ksn: Buffer;
  /**
   * The working-key families the request uses under this KSN, accepted
   * together or not at all; default `['mac']`. Name every channel the
   * request will use (`['mac', 'data', 'pin']` for a request with track data
   * and a PIN block) and pass the grant to those operations.
   */
  readonly channels?: readonly DukptChannel[];
}

declare const grantBrand: unique symbol;

/**
 * Proof that {@link KeyStore.acceptDukptKsn} accepted a KSN for some
 * channels. Only the store that issued it honours it, only for the same
 * device (BDK id and version, initial key ID) and counter, and each channel
 * once. It holds no key material; its fields are for logs and tests.
 */
export interface DukptKsnGrant {
  readonly [grantBrand]: true;
  readonly counter: number;
  readonly channels: readonly DukptChannel[];
}

export interface GenerateDukptResponseMacRequest {
  /** The BDK of the terminal the response goes to. */
  readonly bdk: KeyRef;
  /** The KSN of the request being answered. */
  readonly ksn: Buffer;
  readonly message: Buffer;
  /** AES DUKPT only: the MAC working key type, default aes128. */
  readonly keyType?: Extract<AesDukptKeyType, 'aes128' | 'aes192' | 'aes256'>;
}

export interface DecryptTrackDataRequest {
  readonly bdk: KeyRef;
  readonly ksn: Buffer;
  /**
   * Each field the terminal encrypted under this KSN (track 1, track 2...),
   * CBC under the data-request (TDES) or data-encrypt (AES) working key.
   */
  readonly encryptedData: readonly Buffer[];
  /** CBC IV, zero when absent. */
  readonly iv?: Buffer;
  /** AES DUKPT only: the data working key type, default aes128. */
  readonly keyType?: Extract<AesDukptKeyType, 'aes128' | 'aes192' | 'aes256'>;
  /**
   * The KSN's acceptance from {@link KeyStore.acceptDukptKsn}, covering
   * `data`: the counter is then not looked up or recorded again. Without
   * it, the counter is checked and recorded for `data` by this call.
   */
  readonly grant?: DukptKsnGrant;
}

/** Formats a PIN may leave the store in (PCI PIN Security Requirement 3-3). */
export type OutgoingPinBlockFormat = 0 | 3 | 4;
/** Formats a terminal may send. Format 2 is for the card reader only and is never accepted. */
export type IncomingPinBlockFormat = 0 | 1 | 3 | 4;

export interface TranslatePinBlockRequest {
  /** The card's PAN: checks the incoming block and binds the outgoing one. There is deliberately no second PAN. */
  readonly pan: Pan;
  readonly source: {
    readonly bdk: KeyRef;
    readonly ksn: Buffer;
    readonly pinBlock: Buffer;
    readonly format: IncomingPinBlockFormat;
    /** AES DUKPT only: the PIN working key type; default aes128 for format 4, tdes2 otherwise. */
    readonly keyType?: AesDukptKeyType;
    /** The KSN's acceptance covering `pin` (see {@link DecryptTrackDataRequest.grant}). */
    readonly grant?: DukptKsnGrant;
  };
  readonly destination: {
    /** A zone PIN key (kind pin-encryption). */
    readonly key: KeyRef;
    readonly format: OutgoingPinBlockFormat;
  };
}

export interface TranslatedPinBlock {
  readonly pinBlock: Buffer;
  readonly format: OutgoingPinBlockFormat;
  readonly key: { readonly id: string; readonly version: number; readonly kcv: string };
}

export interface VerifyArqcRequest {
  /** The issuer master key for application cryptograms (kind emv-issuer-master-key). */
  readonly issuerMasterKey: KeyRef;
  readonly scheme: 'visa' | 'mastercard';
  /** Default: the profile for the CVN found in the issuer application data (9F10). */
  readonly cryptogramVersion?: CryptogramVersion;
  readonly card: CardIdentity;
  readonly transaction: TransactionData;
  /** Tag 9F26. */
  readonly arqc: Buffer;
  /** ARC for ARPC method 1, CSU for method 2. */
  readonly response: ArpcResponse;
}

export interface ArqcVerified {
  /** Tag 91 payload: the ARPC. */
  readonly arpc: Buffer;
  readonly cryptogramVersion: string;
}

export interface GenerateMacRequest {
  /** A zone MAC key (kind mac). */
  readonly key: KeyRef;
  readonly data: Buffer;
  /** ISO 9797-1 padding for TDES keys (algorithm 3); default 1. Ignored for CMAC. */
  readonly padding?: 1 | 2 | 3;
}

export interface VerifyMacRequest extends GenerateMacRequest {
  /** At least 4 bytes (TDES) or 8 (CMAC); compared with the leftmost bytes of the MAC. */
  readonly mac: Buffer;
}

export interface TokenizedPan {
  readonly token: PanToken;
  readonly keyVersion: number;
}

export interface SealedPan {
  /** `v1.<iv>.<ciphertext>.<tag>` (see @tillgate/crypto serializePanVaultEntry). */
  readonly entry: string;
  readonly keyVersion: number;
}

/**
 * The payment operations the gateway may ask of its keys. Each is a whole
 * operation: keys are named, never handed out, and a clear PIN or key never
 * crosses this interface. The software implementation ships; a PKCS#11 or
 * payShield adapter can implement the same interface.
 */
export interface KeyStore {
  /** Rebuilds the terminal's DUKPT MAC key from the BDK and KSN and verifies the MAC; throws MAC_VERIFICATION_FAILED. */
  verifyDukptMac(request: VerifyDukptMacRequest): Promise<void>;
  /**
   * The replay refusal on its own: requires the KSN counter to be accepted
   * for the device for every channel named (see isKsnCounterAcceptedForAll)
   * and records them all in one step; throws KSN_REPLAY. It proves nothing
   * about the sender: call it only for a request whose MAC verified under
   * this KSN (`verifyDukptMac` with `ksnCounter: 'unchanged'`), or a forger
   * could move a device's counter.
   *
   * The grant it returns lets `decryptTrackData` and `translatePinBlock`
   * use the KSN without another counter look-up: each channel once, on this
   * store instance only. A channel is spent by the first operation that
   * presents the grant and gets past its request checks and key look-ups to
   * the replay check, whether it then succeeds or fails (the counter was
   * recorded when the grant was issued, so nothing can use the channel
   * again: one KSN, one decryption attempt). A grant for another
   * device, counter or channel, or not issued by this store, is refused
   * (INVALID_REQUEST, field `grant`, `source.grant` for a PIN translation); a spent
   * channel is KSN_REPLAY.
   */
  acceptDukptKsn(request: AcceptDukptKsnRequest): Promise<DukptKsnGrant>;
  /**
   * The MAC of the host's response to a terminal, under the response MAC key
   * of the request's KSN: TDES X9.24-1 MAC-response variant with the ANSI
   * X9.19 retail MAC (8 bytes); AES X9.24-3 `mac-verification` (2001) key
   * with AES-CMAC (16 bytes; callers may send the leftmost 8). The counter is
   * not touched: the response belongs to a request already accepted.
   */
  generateDukptResponseMac(request: GenerateDukptResponseMacRequest): Promise<Buffer>;
  /** Decrypts the terminal's track data fields; with a grant, spends its `data` channel. */
  decryptTrackData(request: DecryptTrackDataRequest): Promise<readonly Secret<Buffer>[]>;
  /** Decrypts the terminal's PIN block under its DUKPT key and re-encrypts it under a zone PIN key; with a grant, spends its `pin` channel. */
  translatePinBlock(request: TranslatePinBlockRequest): Promise<TranslatedPinBlock>;
  /** Verifies the card's ARQC (throws ARQC_VERIFICATION_FAILED) and returns the ARPC. */
  verifyArqc(request: VerifyArqcRequest): Promise<ArqcVerified>;
  generateMac(request: GenerateMacRequest): Promise<Buffer>;
  /** Throws MAC_VERIFICATION_FAILED. */
  verifyMac(request: VerifyMacRequest): Promise<void>;
  tokenizePan(request: { readonly key: KeyRef; readonly pan: Pan }): Promise<TokenizedPan>;
  sealPan(request: {
    readonly key: KeyRef;
    readonly pan: Pan;
    readonly token: PanToken;
  }): Promise<SealedPan>;
  /** `key` should name the version that sealed the entry. */
  openPan(request: {
    readonly key: KeyRef;
    readonly token: PanToken;
    readonly entry: string;
  }): Promise<Pan>;
}
