import {
  adjustOddParity,
  aesCmac,
  aesDecryptCbc,
  bytesToHex,
  constantTimeEqual,
  cryptogramVersionOf,
  decryptPinBlock,
  encryptPinBlock,
  generateArpc,
  macIso9797Alg3,
  openPan,
  Pan,
  parseKeyBlockHeader,
  parsePanVaultEntry,
  sealPan,
  Secret,
  serializePanVaultEntry,
  systemRandomBytes,
  tdesDecryptCbc,
  tokenizePan,
  unwrapKeyBlock,
  verifyArqc as verifyCardArqc,
  wrapKeyBlock,
} from '@tillgate/crypto';
import type { KeyBlockHeader, Ksn, PanToken, RandomBytes } from '@tillgate/crypto';
import type { AuditSink } from '../audit/audit-sink';
import type { KeyStoreLogger } from '../audit/key-store-logger';
import { KeyStoreError } from '../key-store-error';
import type {
  AcceptDukptKsnRequest,
  ArqcVerified,
  DecryptTrackDataRequest,
  DukptKsnGrant,
  GenerateDukptResponseMacRequest,
  GenerateKeyRequest,
  GenerateMacRequest,
  ImportKeyRequest,
  KeyAdministration,
  KeyInfo,
  KeyRef,
  KeyStore,
  RotateKeyRequest,
  SealedPan,
  TokenizedPan,
  TranslatedPinBlock,
  TranslatePinBlockRequest,
  UnverifiedKeyInfo,
  VerifyArqcRequest,
  VerifyDukptMacRequest,
  VerifyMacRequest,
} from '../key-store';
import type { KeyBlockRepository } from '../keys/key-block.repository';
import { combineKeyComponents, isDegenerateKey } from '../keys/key-components';
import {
  algorithmProfile,
  KEY_KIND_PROFILES,
  KeyAlgorithmName,
  keyCheckValue,
  KeyKind,
  kindOfHeader,
  securityStrength,
  storedKeyHeader,
} from '../keys/key-kind';
import { KEY_ID_PATTERN, KeyBlockChange, StoredKeyBlock } from '../keys/stored-key-block';
import {
  DukptChannel,
  DukptDeviceKey,
  isKsnCounterAccepted,
  KsnCounterRepository,
  KsnCounterState,
} from '../ksn/ksn-counter.repository';
import type { MasterKey } from '../master-key/master-key';
import { BoundedKeyCache } from './bounded-key-cache';
import { DukptKeyCache } from './dukpt-key-cache';
import { dukptMac, dukptResponseMacKey, dukptWorkingKey, parseKsnFor } from './dukpt-working-key';
import { enforceKeyUse, KEY_USE_POLICIES, KeyUse } from './key-use-policy';
import { KeyOperationRun, runKeyOperation } from './key-operation';

export interface SoftwareKeyStoreOptions {
  readonly masterKey: MasterKey;
  readonly keyBlocks: KeyBlockRepository;
  readonly ksnCounters: KsnCounterRepository;
  readonly audit: AuditSink;
  /** Failures are logged at warn, lifecycle changes at info; never key material. */
  readonly logger?: KeyStoreLogger;
  readonly now?: () => Date;
  /** Key generation, PIN block fill, key block padding, vault IVs. */
  readonly randomBytes?: RandomBytes;
}

/** A stored key after its block has been authenticated; `key` is the operation's copy, wiped when it ends. */
interface OpenedKey {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly kind: KeyKind;
  readonly algorithm: KeyAlgorithmName;
  readonly header: KeyBlockHeader;
  readonly key: Buffer;
  readonly kcv: string;
  /** The key block it came from: names the key exactly in the store's caches. */
  readonly block: string;
}

/** A key block that authenticated under the master key, with its clear key; held by the store, never returned. */
interface AuthenticatedBlock {
  readonly kind: KeyKind;
  readonly algorithm: KeyAlgorithmName;
  readonly header: KeyBlockHeader;
  readonly key: Buffer;
  readonly kcv: string;
  /** Its LB block, checked against the record that holds it at every use. */
  readonly label: string | undefined;
}

/** How many authenticated key blocks a store keeps. */
const OPENED_KEY_LIMIT = 256;

const ZERO_IV = { tdes: Buffer.alloc(8), aes: Buffer.alloc(16) } as const;
const PAN_FORMATS = new Set([0, 3, 4]);
const DUKPT_CHANNELS: readonly DukptChannel[] = ['mac', 'pin', 'data'];

/** What the store remembers of a grant it issued: the grant object itself carries nothing it trusts. */
interface IssuedGrant {
  readonly device: DukptDeviceKey;
  readonly counter: number;
  readonly channels: readonly DukptChannel[];
  readonly unspent: Set<DukptChannel>;
}

/**
 * The software HSM: keys rest as TR-31 key blocks under KBPKs derived from
 * the master key. Each block is authenticated and unwrapped once and its
 * clear key kept inside the instance (as an HSM keeps loaded keys in its
 * secure memory), by the block's exact text; every operation checks the
 * record's status and its usage policy again, works on its own copy of the
 * key, and wipes it. Every operation is audited.
 */
export class SoftwareKeyStore implements KeyStore, KeyAdministration {
  readonly #masterKey: MasterKey;
  readonly #keyBlocks: KeyBlockRepository;
  readonly #ksnCounters: KsnCounterRepository;
  readonly #deps: { audit: AuditSink; logger?: KeyStoreLogger; now: () => Date };
  readonly #random: RandomBytes;
  /**
   * Key blocks that authenticated, by their exact text, with their clear
   * keys: each block is unwrapped once, not at every operation. A rotated or
   * re-imported key has another block, so an old key is never served for it.
   */
  readonly #authenticated = new BoundedKeyCache<AuthenticatedBlock>(OPENED_KEY_LIMIT, (block) =>
    block.key.fill(0),
  );
  readonly #dukpt = new DukptKeyCache();
  /** Grants issued by this instance; weak, so a grant the caller drops is forgotten. */
  readonly #grants = new WeakMap<object, IssuedGrant>();

  constructor(options: SoftwareKeyStoreOptions) {
    this.#masterKey = options.masterKey;
    this.#keyBlocks = options.keyBlocks;
    this.#ksnCounters = options.ksnCounters;
    this.#deps = {
      audit: options.audit,
      logger: options.logger,
      now: options.now ?? (() => new Date()),
    };
    this.#random = options.randomBytes ?? systemRandomBytes;
  }

  // ---- Key administration ----

  importKey(request: ImportKeyRequest): Promise<KeyInfo> {
    return runKeyOperation(this.#deps, 'import-key', async (run) => {
      const audited = run.track(request.id);
      const profile = checkNewKey(request.id, request.kind, request.algorithm);
      await this.requireNewId(request.id);
      const key = run.hold(
        combineKeyComponents(request.algorithm, profile.lengths, request.components, request.kcv),
      );
      return this.storeVersion(run, audited, 'key imported', {
        id: request.id,
        version: 1,
        kind: request.kind,
        algorithm: request.algorithm,
        key,
      });
    });
  }

  generateKey(request: GenerateKeyRequest): Promise<KeyInfo> {
    return runKeyOperation(this.#deps, 'generate-key', async (run) => {
      const audited = run.track(request.id);
      const profile = checkNewKey(request.id, request.kind, request.algorithm);
      const length = request.length ?? profile.defaultLength;
      if (!profile.lengths.includes(length)) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          `a ${request.algorithm} ${request.kind} key is ${profile.lengths.join(', ')} bytes`,
          'length',
        );
      }
      await this.requireNewId(request.id);
      return this.storeVersion(run, audited, 'key generated', {
        id: request.id,
        version: 1,
        kind: request.kind,
        algorithm: request.algorithm,
        key: run.hold(this.randomKey(request.algorithm, length)),
      });
    });
  }

  rotateKey(request: RotateKeyRequest): Promise<KeyInfo> {
    return runKeyOperation(this.#deps, 'rotate-key', async (run) => {
      const audited = run.track(request.id);
      const versions = await this.#keyBlocks.versions(request.id);
      const latest = versions[versions.length - 1];
      if (!latest) throw notFound(request.id);
      const previous = this.openRecord(run, latest);
      const key =
        request.components !== undefined
          ? run.hold(
              combineKeyComponents(
                previous.algorithm,
                [previous.key.length],
                request.components,
                request.kcv as Buffer,
              ),
            )
          : run.hold(this.randomKey(previous.algorithm, previous.key.length));
      const now = this.#deps.now().toISOString();
      const supersede: KeyBlockChange[] = versions
        .filter((r) => r.status === 'active')
        .map((r) => ({
          type: 'set-status',
          id: r.id,
          version: r.version,
          from: 'active',
          to: 'superseded',
          at: now,
        }));
      return this.storeVersion(run, audited, 'key rotated', {
        id: request.id,
        version: latest.version + 1,
        kind: previous.kind,
        algorithm: previous.algorithm,
        key,
        changes: supersede,
      });
    });
  }

  retireKey(ref: { readonly id: string; readonly version: number }): Promise<KeyInfo> {
    return runKeyOperation(this.#deps, 'retire-key', async (run) => {
      const audited = run.track(ref.id);
      const record = await this.findRecord({ id: ref.id, version: ref.version }, audited);
      if (record.status === 'retired') {
        throw new KeyStoreError(
          'KEY_RETIRED',
          `key ${ref.id} version ${ref.version} is already retired`,
          'version',
        );
      }
      const opened = this.openRecord(run, record);
      audited.kcv = opened.kcv;
      const at = this.#deps.now().toISOString();
      await this.#keyBlocks.apply([
        {
          type: 'set-status',
          id: record.id,
          version: record.version,
          from: record.status,
          to: 'retired',
          at,
        },
      ]);
      this.forget(record.keyBlock);
      this.#deps.logger?.info(
        { operation: 'retire-key', keyId: record.id, keyVersion: record.version, kcv: opened.kcv },
        'key retired',
      );
      return describe({ ...record, status: 'retired', statusChangedAt: at }, opened);
    });
  }

  /** Every key version, each block authenticated; one whose block fails is listed as such, not hidden. */
  async listKeys(): Promise<readonly (KeyInfo | UnverifiedKeyInfo)[]> {
    const records = await this.#keyBlocks.list();
    const out: (KeyInfo | UnverifiedKeyInfo)[] = [];
    for (const record of records) {
      try {
        out.push(
          await runKeyOperation(this.#deps, 'list-keys', async (run) => {
            const audited = run.track(record.id);
            audited.version = record.version;
            const opened = this.openRecord(run, record);
            audited.kcv = opened.kcv;
            // Listing a retired key must not bring its clear key back into the cache.
            if (record.status === 'retired') this.forget(record.keyBlock);
            return describe(record, opened);
          }),
        );
      } catch (error) {
        if (!(error instanceof KeyStoreError)) throw error;
        out.push({
          id: record.id,
          version: record.version,
          status: record.status,
          integrity: 'failed',
          reason: error.code,
          createdAt: record.createdAt,
          statusChangedAt: record.statusChangedAt,
        });
      }
    }
    return out;
  }

  // ---- Payment operations ----

  verifyDukptMac(request: VerifyDukptMacRequest): Promise<void> {
    return runKeyOperation(this.#deps, 'verify-dukpt-mac', async (run) => {
      const bdk = await this.open(run, request.bdk, 'derive-dukpt');
      const ksn = parseKsnFor(bdk.name, bdk.algorithm, request.ksn, 'ksn');
      const [min, max] = ksn.scheme === 'tdes' ? [4, 8] : [8, 16];
      requireBuffer(request.message, 'message');
      if (!Buffer.isBuffer(request.mac) || request.mac.length < min || request.mac.length > max) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          `a ${ksn.scheme.toUpperCase()} DUKPT MAC is ${min} to ${max} bytes`,
          'mac',
        );
      }
      const counted = (request.ksnCounter ?? 'advance') === 'advance';
      if (!counted && request.ksnCounter !== 'unchanged') {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          "ksnCounter is 'advance' or 'unchanged'",
          'ksnCounter',
        );
      }
      const device = deviceKey(bdk, ksn);
      if (counted) await this.refuseReplay(device, ksn, 'mac');
      const macKey = run.hold(
        dukptWorkingKey(this.transactionKey(bdk, ksn), ksn, 'mac', request.keyType).key,
      );
      const expected = dukptMac(ksn, macKey, request.message);
      if (!constantTimeEqual(expected.subarray(0, request.mac.length), request.mac)) {
        throw new KeyStoreError(
          'MAC_VERIFICATION_FAILED',
          `the MAC does not verify under BDK ${bdk.name} for KSN counter ${ksn.counter}`,
          'mac',
        );
      }
      if (counted) await this.acceptCounter(device, ksn, 'mac');
    });
  }

  acceptDukptKsn(request: AcceptDukptKsnRequest): Promise<DukptKsnGrant> {
    return runKeyOperation(this.#deps, 'accept-dukpt-ksn', async (run) => {
      const bdk = await this.open(run, request.bdk, 'derive-dukpt');
      const ksn = parseKsnFor(bdk.name, bdk.algorithm, request.ksn, 'ksn');
      const channels = checkedChannels(request.channels ?? ['mac']);
      const device = deviceKey(bdk, ksn);
      if (!(await this.#ksnCounters.advance(device, ksn.counter, channels))) {
        throw replay(device, ksn.counter, channels, await this.#ksnCounters.find(device));
      }
      return this.issueGrant(device, ksn.counter, channels);
    });
  }

  generateDukptResponseMac(request: GenerateDukptResponseMacRequest): Promise<Buffer> {
    return runKeyOperation(this.#deps, 'generate-dukpt-response-mac', async (run) => {
      const bdk = await this.open(run, request.bdk, 'derive-dukpt');
      const ksn = parseKsnFor(bdk.name, bdk.algorithm, request.ksn, 'ksn');
      requireBuffer(request.message, 'message');
      const macKey = run.hold(
        dukptResponseMacKey(this.transactionKey(bdk, ksn), ksn, request.keyType).key,
      );
      // Same algorithms as the request direction.
      return dukptMac(ksn, macKey, request.message);
    });
  }

  decryptTrackData(request: DecryptTrackDataRequest): Promise<readonly Secret<Buffer>[]> {
    return runKeyOperation(this.#deps, 'decrypt-track-data', async (run) => {
      const bdk = await this.open(run, request.bdk, 'derive-dukpt');
      const ksn = parseKsnFor(bdk.name, bdk.algorithm, request.ksn, 'ksn');
      if (!Array.isArray(request.encryptedData) || request.encryptedData.length === 0) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          'encryptedData must list at least one field',
          'encryptedData',
        );
      }
      request.encryptedData.forEach((field, i) => requireBuffer(field, `encryptedData[${i}]`));
      const recordUse = await this.claimKsn(
        deviceKey(bdk, ksn),
        ksn,
        'data',
        request.grant,
        'grant',
      );
      const dataKey = run.hold(
        dukptWorkingKey(this.transactionKey(bdk, ksn), ksn, 'data', request.keyType).key,
      );
      const iv = request.iv ?? ZERO_IV[ksn.scheme];
      const clear = request.encryptedData.map(
        (field) =>
          new Secret(
            ksn.scheme === 'tdes'
              ? tdesDecryptCbc(dataKey, field, iv)
              : aesDecryptCbc(dataKey, field, iv),
          ),
      );
      await recordUse();
      return clear;
    });
  }

  /**
   * PCI PIN Security Requirement 3-3: a PIN leaves in format 0, 3 or 4
   * only, never changes PAN (the request has one PAN), and, beyond 3-3,
   * never under a key of lower security strength than the terminal's.
   * Every refusal happens before the PIN block is decrypted.
   */
  translatePinBlock(request: TranslatePinBlockRequest): Promise<TranslatedPinBlock> {
    return runKeyOperation(this.#deps, 'translate-pin-block', async (run) => {
      const { source, destination } = request;
      run.track(source?.bdk?.id, 'source');
      run.track(destination?.key?.id, 'destination');
      if (!source || !destination)
        throw new KeyStoreError('INVALID_REQUEST', 'source and destination are required', 'source');
      if (!PAN_FORMATS.has(destination.format)) {
        throw new KeyStoreError(
          'PIN_TRANSLATION_REFUSED',
          `a PIN leaves the key store in ISO 9564 format 0, 3 or 4 only, not format ${String(destination.format)} (PCI PIN Security Requirement 3-3)`,
          'destination.format',
        );
      }
      if (source.format === (2 as number)) {
        throw new KeyStoreError(
          'PIN_TRANSLATION_REFUSED',
          'ISO 9564 format 2 is for the card reader only and is never translated',
          'source.format',
        );
      }
      if (![0, 1, 3, 4].includes(source.format)) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          'source.format must be 0, 1, 3 or 4',
          'source.format',
        );
      }
      if (!(request.pan instanceof Pan))
        throw new KeyStoreError('INVALID_REQUEST', 'pan must be a Pan', 'pan');
      requireBuffer(source.pinBlock, 'source.pinBlock');

      const bdk = await this.open(run, source.bdk, 'derive-dukpt', 0);
      const zpk = await this.open(run, destination.key, 'encrypt-pin', 1);
      const ksn = parseKsnFor(bdk.name, bdk.algorithm, source.ksn, 'source.ksn');
      const recordUse = await this.claimKsn(
        deviceKey(bdk, ksn),
        ksn,
        'pin',
        source.grant,
        'source.grant',
      );
      const keyType =
        source.keyType ??
        (ksn.scheme === 'aes' ? (source.format === 4 ? 'aes128' : 'tdes2') : undefined);
      const pinKey = dukptWorkingKey(this.transactionKey(bdk, ksn), ksn, 'pin', keyType);
      run.hold(pinKey.key);

      // ISO 9564-1 §9.4: format 4 is AES only; formats 0, 1, 3 are TDES only.
      if ((source.format === 4) !== (pinKey.algorithm === 'aes')) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          `a format ${source.format} PIN block cannot be under a ${pinKey.algorithm.toUpperCase()} PIN key`,
          'source.format',
        );
      }
      if ((destination.format === 4) !== (zpk.algorithm === 'aes')) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          `format ${destination.format} cannot be used with ${zpk.algorithm.toUpperCase()} key ${zpk.name}`,
          'destination.format',
        );
      }
      const from = securityStrength(pinKey.algorithm, pinKey.key.length);
      const to = securityStrength(zpk.algorithm, zpk.key.length);
      if (to < from) {
        throw new KeyStoreError(
          'PIN_TRANSLATION_REFUSED',
          `zone key ${zpk.name} (${to}-bit strength) is weaker than the terminal's PIN key (${from}-bit): the translation would weaken the PIN's protection`,
          'destination.key',
        );
      }

      const pan = request.pan.reveal();
      const pin =
        source.format === 1
          ? decryptPinBlock({ format: 1, key: pinKey.key, pinBlock: source.pinBlock })
          : decryptPinBlock({
              format: source.format,
              key: pinKey.key,
              pinBlock: source.pinBlock,
              pan,
            });
      const pinBlock = encryptPinBlock({
        format: destination.format,
        key: zpk.key,
        pin,
        pan,
        random: this.#random,
      });
      await recordUse();
      return {
        pinBlock,
        format: destination.format,
        key: { id: zpk.id, version: zpk.version, kcv: zpk.kcv },
      };
    });
  }

  verifyArqc(request: VerifyArqcRequest): Promise<ArqcVerified> {
    return runKeyOperation(this.#deps, 'verify-arqc', async (run) => {
      const imk = await this.open(run, request.issuerMasterKey, 'derive-emv');
      const transaction = request.transaction;
      if (!transaction || !Buffer.isBuffer(transaction['9F10'])) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          'transaction data must include the issuer application data (9F10)',
          '9F10',
        );
      }
      const version =
        request.cryptogramVersion ?? cryptogramVersionOf(request.scheme, transaction['9F10']);
      const keys = { issuerMasterKey: imk.key, card: request.card };
      if (!verifyCardArqc(version, keys, transaction, request.arqc)) {
        throw new KeyStoreError(
          'ARQC_VERIFICATION_FAILED',
          `the ARQC does not verify (${version.name}, issuer master key ${imk.name})`,
          '9F26',
        );
      }
      const arpc = generateArpc(version, keys, transaction, request.arqc, request.response);
      return { arpc, cryptogramVersion: version.name };
    });
  }

  generateMac(request: GenerateMacRequest): Promise<Buffer> {
    return runKeyOperation(this.#deps, 'generate-mac', async (run) => {
      const key = await this.open(run, request.key, 'generate-mac');
      requireBuffer(request.data, 'data');
      return zoneMac(key, request.data, request.padding);
    });
  }

  verifyMac(request: VerifyMacRequest): Promise<void> {
    return runKeyOperation(this.#deps, 'verify-mac', async (run) => {
      const key = await this.open(run, request.key, 'verify-mac');
      requireBuffer(request.data, 'data');
      const [min, max] = key.algorithm === 'tdes' ? [4, 8] : [8, 16];
      if (!Buffer.isBuffer(request.mac) || request.mac.length < min || request.mac.length > max) {
        throw new KeyStoreError(
          'INVALID_REQUEST',
          `a MAC under ${key.name} is ${min} to ${max} bytes`,
          'mac',
        );
      }
      const expected = zoneMac(key, request.data, request.padding);
      if (!constantTimeEqual(expected.subarray(0, request.mac.length), request.mac)) {
        throw new KeyStoreError(
          'MAC_VERIFICATION_FAILED',
          `the MAC does not verify under ${key.name}`,
          'mac',
        );
      }
    });
  }

  tokenizePan(request: { readonly key: KeyRef; readonly pan: Pan }): Promise<TokenizedPan> {
    return runKeyOperation(this.#deps, 'tokenize-pan', async (run) => {
      const key = await this.open(run, request.key, 'tokenize-pan');
      if (!(request.pan instanceof Pan))
        throw new KeyStoreError('INVALID_REQUEST', 'pan must be a Pan', 'pan');
      return { token: tokenizePan(request.pan, key.key), keyVersion: key.version };
    });
  }

  sealPan(request: {
    readonly key: KeyRef;
    readonly pan: Pan;
    readonly token: PanToken;
  }): Promise<SealedPan> {
    return runKeyOperation(this.#deps, 'seal-pan', async (run) => {
      const key = await this.open(run, request.key, 'seal-pan');
      if (!(request.pan instanceof Pan))
        throw new KeyStoreError('INVALID_REQUEST', 'pan must be a Pan', 'pan');
      const entry = sealPan(request.pan, {
        vaultKey: key.key,
        token: request.token,
        randomBytes: this.#random,
      });
      return { entry: serializePanVaultEntry(entry), keyVersion: key.version };
    });
  }

  openPan(request: {
    readonly key: KeyRef;
    readonly token: PanToken;
    readonly entry: string;
  }): Promise<Pan> {
    return runKeyOperation(this.#deps, 'open-pan', async (run) => {
      const key = await this.open(run, request.key, 'open-pan');
      return openPan(parsePanVaultEntry(request.token, request.entry), key.key);
    });
  }

  // ---- Internals ----

  /** Resolves, authenticates and usage-checks a key for one operation. `slot` picks which tracked key to complete. */
  private async open(
    run: KeyOperationRun,
    ref: KeyRef,
    use: KeyUse,
    slot?: number,
  ): Promise<OpenedKey> {
    const audited = slot === undefined ? run.track(ref?.id) : run.keys[slot];
    const record = await this.findRecord(ref, audited);
    if (record.status === 'retired') {
      this.forget(record.keyBlock);
      throw new KeyStoreError(
        'KEY_RETIRED',
        `key ${record.id} version ${record.version} is retired`,
        'key',
      );
    }
    if (record.status === 'superseded' && KEY_USE_POLICIES[use].activeOnly) {
      throw new KeyStoreError(
        'KEY_NOT_ACTIVE',
        `key ${record.id} version ${record.version} is superseded: only the active version may ${KEY_USE_POLICIES[use].description}`,
        'key',
      );
    }
    const opened = this.openRecord(run, record);
    audited.kcv = opened.kcv;
    enforceKeyUse(opened.name, opened.header, use);
    return opened;
  }

  private async findRecord(
    ref: KeyRef | undefined,
    audited: { id: string; version?: number },
  ): Promise<StoredKeyBlock> {
    if (typeof ref?.id !== 'string' || !KEY_ID_PATTERN.test(ref.id)) {
      throw new KeyStoreError(
        'INVALID_REQUEST',
        'a key id is 1 to 64 letters, digits, ".", "_" or "-"',
        'key.id',
      );
    }
    if (ref.version !== undefined && (!Number.isInteger(ref.version) || ref.version < 1)) {
      throw new KeyStoreError(
        'INVALID_REQUEST',
        'a key version is a positive integer',
        'key.version',
      );
    }
    const versions = await this.#keyBlocks.versions(ref.id);
    const record =
      ref.version === undefined
        ? versions.find((r) => r.status === 'active')
        : versions.find((r) => r.version === ref.version);
    if (!record) {
      if (ref.version === undefined && versions.length > 0) {
        throw new KeyStoreError('KEY_RETIRED', `key ${ref.id} has no active version`, 'key');
      }
      throw notFound(ref.id, ref.version);
    }
    audited.version = record.version;
    return record;
  }

  /**
   * Authenticates a stored block: the right master key (KP), the MAC, a kind
   * this store writes (once per block text), and the label against this
   * record (every time). Returns a copy of the key for this operation.
   */
  /** Drops a block's clear key, and the DUKPT keys derived from it, from the caches (wiped). */
  private forget(keyBlock: string): void {
    this.#authenticated.delete(keyBlock);
    this.#dukpt.forget(keyBlock);
  }

  private openRecord(run: KeyOperationRun, record: StoredKeyBlock): OpenedKey {
    const name = `${record.id} version ${record.version}`;
    let block = this.#authenticated.get(record.keyBlock);
    if (block === undefined) {
      block = this.authenticate(record.keyBlock, name);
      this.#authenticated.set(record.keyBlock, block);
    }
    if (block.label !== labelOf(record.id, record.version)) {
      throw tamperedBlock(name, `is labelled '${block.label ?? ''}': it belongs to another key`);
    }
    return {
      id: record.id,
      version: record.version,
      name,
      kind: block.kind,
      algorithm: block.algorithm,
      header: block.header,
      key: run.hold(Buffer.from(block.key)),
      kcv: block.kcv,
      block: record.keyBlock,
    };
  }

  private authenticate(keyBlock: string, name: string): AuthenticatedBlock {
    const tampered = (why: string) => tamperedBlock(name, why);
    let header: KeyBlockHeader;
    try {
      header = parseKeyBlockHeader(keyBlock);
    } catch {
      throw tampered('is malformed');
    }
    if (header.version !== 'B' && header.version !== 'D')
      throw tampered(`has version ${header.version}, not B or D`);
    const kp = header.optionalBlocks.find((b) => b.id === 'KP')?.data;
    const expectedKp = this.#masterKey.kbpkCheck(header.version);
    if (kp !== expectedKp) {
      throw new KeyStoreError(
        'MASTER_KEY_MISMATCH',
        `the key block of ${name} was wrapped under another master key, or its header was altered (KBPK check ${kp ?? 'absent'}, this master key gives ${expectedKp}; master key KCV ${this.#masterKey.kcv})`,
        'masterKey',
      );
    }
    let key: Buffer;
    try {
      const unwrapped = unwrapKeyBlock(keyBlock, this.#masterKey.kbpk(header.version));
      header = unwrapped.header;
      key = unwrapped.key.expose();
    } catch {
      throw tampered('does not authenticate under this master key (its MAC or length was altered)');
    }
    const kind = kindOfHeader(header);
    if (
      !kind ||
      header.exportability !== 'N' ||
      !algorithmProfile(kind.kind, kind.algorithm)?.lengths.includes(key.length)
    ) {
      key.fill(0);
      throw tampered('has attributes this store never writes');
    }
    return {
      ...kind,
      header,
      key,
      kcv: bytesToHex(keyCheckValue(kind.algorithm, key)),
      label: header.optionalBlocks.find((b) => b.id === 'LB')?.data,
    };
  }

  /** Wraps a new key version, reads it back, stores it with `changes`, then audits and logs it. */
  private async storeVersion(
    run: KeyOperationRun,
    audited: { version?: number; kcv?: string },
    logMessage: string,
    k: {
      id: string;
      version: number;
      kind: KeyKind;
      algorithm: KeyAlgorithmName;
      key: Buffer;
      changes?: readonly KeyBlockChange[];
    },
  ): Promise<KeyInfo> {
    const header = storedKeyHeader({
      kind: k.kind,
      algorithm: k.algorithm,
      label: labelOf(k.id, k.version),
      kbpkCheck: this.#masterKey.kbpkCheck(k.algorithm === 'tdes' ? 'B' : 'D'),
    });
    const keyBlock = wrapKeyBlock({
      kbpk: this.#masterKey.kbpk(header.version),
      header,
      key: k.key,
      randomBytes: this.#random,
    });
    const now = this.#deps.now().toISOString();
    const record: StoredKeyBlock = {
      id: k.id,
      version: k.version,
      status: 'active',
      keyBlock,
      createdAt: now,
      statusChangedAt: now,
    };
    // Read back before storing: a block that does not open must never be the only copy of a key.
    const opened = this.openRecord(run, record);
    await this.#keyBlocks.apply([...(k.changes ?? []), { type: 'insert', record }]);
    Object.assign(audited, { version: k.version, kcv: opened.kcv });
    this.#deps.logger?.info(
      { keyId: k.id, keyVersion: k.version, kind: k.kind, kcv: opened.kcv },
      logMessage,
    );
    return describe(record, opened);
  }

  private async requireNewId(id: string): Promise<void> {
    if ((await this.#keyBlocks.versions(id)).length > 0) {
      throw new KeyStoreError(
        'KEY_ALREADY_EXISTS',
        `key ${id} already exists: rotate it to add a version`,
        'id',
      );
    }
  }

  private randomKey(algorithm: KeyAlgorithmName, length: number): Buffer {
    // A healthy source gives a degenerate key with probability 2^-56 or less; a few tries, then it is broken.
    for (let attempt = 0; attempt < 4; attempt++) {
      const raw = this.#random(length);
      if (raw.length !== length)
        throw new KeyStoreError('INTERNAL_ERROR', 'random source returned too few bytes');
      const key = algorithm === 'tdes' ? adjustOddParity(raw) : Buffer.from(raw);
      raw.fill(0);
      if (!isDegenerateKey(algorithm, key)) return key;
      key.fill(0);
    }
    throw new KeyStoreError('INTERNAL_ERROR', 'random source keeps producing degenerate keys');
  }

  /** The KSN's transaction key, from the store's DUKPT cache; use it before the next await. */
  private transactionKey(bdk: OpenedKey, ksn: Ksn): Buffer {
    return this.#dukpt.transactionKey(bdk.block, bdk.key, ksn);
  }

  private async refuseReplay(
    device: DukptDeviceKey,
    ksn: Ksn,
    channel: DukptChannel,
  ): Promise<void> {
    const state = await this.#ksnCounters.find(device);
    if (!isKsnCounterAccepted(state, ksn.counter, channel))
      throw replay(device, ksn.counter, [channel], state);
  }

  /** Records the counter only after the operation succeeded, so a forged request cannot move a device's counter. */
  private async acceptCounter(
    device: DukptDeviceKey,
    ksn: Ksn,
    channel: DukptChannel,
  ): Promise<void> {
    if (!(await this.#ksnCounters.advance(device, ksn.counter, [channel]))) {
      throw replay(device, ksn.counter, [channel], await this.#ksnCounters.find(device));
    }
  }

  /**
   * The replay check of one channel before its key is derived. Without a
   * grant, the counter is checked now and the returned step records it once
   * the operation succeeded. With one, the grant's channel is spent now and
   * there is nothing left to record.
   */
  private async claimKsn(
    device: DukptDeviceKey,
    ksn: Ksn,
    channel: DukptChannel,
    grant: DukptKsnGrant | undefined,
    field: string,
  ): Promise<() => Promise<void>> {
    if (grant === undefined) {
      await this.refuseReplay(device, ksn, channel);
      return () => this.acceptCounter(device, ksn, channel);
    }
    this.spendGrant(grant, device, ksn, channel, field);
    return async () => undefined;
  }

  private issueGrant(
    device: DukptDeviceKey,
    counter: number,
    channels: readonly DukptChannel[],
  ): DukptKsnGrant {
    const grant = Object.freeze({ counter, channels: Object.freeze([...channels]) });
    // The record holds the grant's frozen channels, not the caller's array, which it may change.
    this.#grants.set(grant, {
      device,
      counter,
      channels: grant.channels,
      unspent: new Set(channels),
    });
    return grant as unknown as DukptKsnGrant;
  }

  /** Checks and spends one channel of a grant, with no await in between: concurrent calls cannot both spend it. */
  private spendGrant(
    grant: DukptKsnGrant,
    device: DukptDeviceKey,
    ksn: Ksn,
    channel: DukptChannel,
    field: string,
  ): void {
    const issued =
      typeof grant === 'object' && grant !== null ? this.#grants.get(grant) : undefined;
    const refuse = (why: string) => new KeyStoreError('INVALID_REQUEST', why, field);
    if (issued === undefined) throw refuse('the KSN grant was not issued by this key store');
    if (issued.device !== device || issued.counter !== ksn.counter) {
      throw refuse(
        `the KSN grant is for device ${issued.device} counter ${issued.counter}, not ${device} counter ${ksn.counter}`,
      );
    }
    if (!issued.channels.includes(channel))
      throw refuse(`the KSN grant does not cover the ${channel} channel`);
    if (!issued.unspent.delete(channel)) {
      throw new KeyStoreError(
        'KSN_REPLAY',
        `the ${channel} channel of the KSN grant for device ${device} counter ${ksn.counter} was already used: replay refused`,
        field,
      );
    }
  }
}

function checkNewKey(id: string, kind: KeyKind, algorithm: KeyAlgorithmName) {
  if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      'a key id is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      'id',
    );
  }
  if (!KEY_KIND_PROFILES[kind]) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `unknown key kind; one of ${Object.keys(KEY_KIND_PROFILES).join(', ')}`,
      'kind',
    );
  }
  const profile = algorithmProfile(kind, algorithm);
  if (!profile) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `a ${kind} key is ${Object.keys(KEY_KIND_PROFILES[kind].algorithms).join(' or ')}, not ${String(algorithm)}`,
      'algorithm',
    );
  }
  return profile;
}

function describe(record: StoredKeyBlock, opened: OpenedKey): KeyInfo {
  return {
    id: record.id,
    version: record.version,
    kind: opened.kind,
    algorithm: opened.algorithm,
    length: opened.key.length,
    kcv: opened.kcv,
    status: record.status,
    keyBlock: {
      version: opened.header.version,
      keyUsage: opened.header.keyUsage,
      algorithm: opened.header.algorithm,
      modeOfUse: opened.header.modeOfUse,
      exportability: opened.header.exportability,
    },
    integrity: 'verified',
    createdAt: record.createdAt,
    statusChangedAt: record.statusChangedAt,
  };
}

function zoneMac(key: OpenedKey, data: Buffer, padding: 1 | 2 | 3 = 1): Buffer {
  // M3: ISO 9797-1 algorithm 3 (ANSI X9.19); M6: CMAC (ISO 9797-1:2011 algorithm 5, NIST SP 800-38B).
  return key.header.keyUsage === 'M3'
    ? macIso9797Alg3(key.key, data, padding)
    : aesCmac(key.key, data);
}

/** X9.143 LB block of a stored key: binds the block to its record, so blocks cannot be swapped between keys. */
function labelOf(id: string, version: number): string {
  return `${id}@${version}`;
}

function deviceKey(bdk: OpenedKey, ksn: Ksn): DukptDeviceKey {
  const initial = ksn.scheme === 'tdes' ? ksn.initialKsn : ksn.initialKeyId;
  return `${bdk.id}@${bdk.version}:${bytesToHex(initial)}`;
}

function replay(
  device: DukptDeviceKey,
  counter: number,
  channels: readonly DukptChannel[],
  state: KsnCounterState | undefined,
): KeyStoreError {
  const used = channels.filter((c) => counter === state?.counter && state.channels.includes(c));
  const why =
    used.length > 0
      ? `its ${used.join(' and ')} key${used.length > 1 ? 's were' : ' was'} already used at this counter`
      : `the last accepted counter is ${state?.counter}`;
  return new KeyStoreError(
    'KSN_REPLAY',
    `KSN counter ${counter} does not advance for device ${device} (${why}): replay refused`,
    'ksn',
  );
}

/** A non-empty list of known channels, each named once. */
function checkedChannels(channels: readonly DukptChannel[]): readonly DukptChannel[] {
  if (
    !Array.isArray(channels) ||
    channels.length === 0 ||
    !channels.every((c) => DUKPT_CHANNELS.includes(c)) ||
    new Set(channels).size !== channels.length
  ) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `channels lists one or more of ${DUKPT_CHANNELS.join(', ')}, each once`,
      'channels',
    );
  }
  return channels;
}

function tamperedBlock(name: string, why: string): KeyStoreError {
  return new KeyStoreError(
    'KEY_BLOCK_TAMPERED',
    `the stored key block of ${name} ${why}`,
    'keyBlock',
  );
}

function notFound(id: string, version?: number): KeyStoreError {
  return new KeyStoreError(
    'KEY_NOT_FOUND',
    version === undefined ? `no key ${id}` : `no key ${id} version ${version}`,
    'key',
  );
}

function requireBuffer(value: unknown, field: string): void {
  if (!Buffer.isBuffer(value))
    throw new KeyStoreError('INVALID_REQUEST', `${field} must be bytes`, field);
}
