// Public API of @tillgate/key-store: the KeyStore port, its software
// implementation, the repositories it rests on, and their errors.
export { KEY_STORE_ERROR_CODES, KeyStoreError, isKeyStoreError } from './key-store-error';
export type { KeyStoreErrorCode } from './key-store-error';
export type {
  AcceptDukptKsnRequest,
  ArqcVerified,
  DecryptTrackDataRequest,
  DukptKsnGrant,
  GenerateDukptResponseMacRequest,
  GenerateKeyRequest,
  GenerateMacRequest,
  ImportKeyRequest,
  IncomingPinBlockFormat,
  KeyAdministration,
  KeyComponent,
  KeyInfo,
  KeyRef,
  KeyStore,
  OutgoingPinBlockFormat,
  RotateKeyRequest,
  SealedPan,
  TokenizedPan,
  TranslatedPinBlock,
  TranslatePinBlockRequest,
  UnverifiedKeyInfo,
  VerifyArqcRequest,
  VerifyDukptMacRequest,
  VerifyMacRequest,
} from './key-store';
export { KEY_ALGORITHMS, KEY_KINDS, KEY_KIND_PROFILES, keyCheckValue } from './keys/key-kind';
export type { KeyAlgorithmName, KeyKind } from './keys/key-kind';
export { KEY_ID_PATTERN, KEY_STATUSES } from './keys/stored-key-block';
export type { KeyBlockChange, KeyStatus, StoredKeyBlock } from './keys/stored-key-block';
export type { KeyBlockRepository } from './keys/key-block.repository';
export { InMemoryKeyBlockRepository } from './keys/in-memory-key-block.repository';
export { FileKeyBlockRepository } from './keys/file-key-block.repository';
export { MASTER_KEY_LENGTH, MasterKey } from './master-key/master-key';
export { loadMasterKey, masterKeyConfig } from './master-key/master-key.config';
export {
  advanceKsnCounter,
  isKsnCounterAccepted,
  isKsnCounterAcceptedForAll,
} from './ksn/ksn-counter.repository';
export type {
  DukptChannel,
  DukptDeviceKey,
  KsnCounterRepository,
  KsnCounterState,
} from './ksn/ksn-counter.repository';
export { InMemoryKsnCounterRepository } from './ksn/in-memory-ksn-counter.repository';
export { FileKsnCounterRepository } from './ksn/file-ksn-counter.repository';
export type { AuditSink, KeyAuditEvent, KeyOperation } from './audit/audit-sink';
export type { KeyStoreLogger } from './audit/key-store-logger';
export { InMemoryAuditSink } from './audit/in-memory-audit-sink';
export { JsonLinesAuditSink } from './audit/json-lines-audit-sink';
export { LoggerAuditSink } from './audit/logger-audit-sink';
export { KEY_USE_POLICIES } from './software/key-use-policy';
export type { KeyUse } from './software/key-use-policy';
export { SoftwareKeyStore } from './software/software-key-store';
export type { SoftwareKeyStoreOptions } from './software/software-key-store';
export { PanTokenizer } from './tokenization/pan-tokenizer';
export type { ProtectedPan } from './tokenization/pan-tokenizer';
// Test support: a store on in-memory repositories with known clear keys imported.
export { aKeyStore, componentsOf } from './testing/key-store.builder';
