export {
  EXPORTABILITIES,
  KEY_ALGORITHMS,
  KEY_USAGES,
  MODES_OF_USE,
  OPTIONAL_BLOCK_IDS,
  TR31_VERSIONS,
  blockSizeForVersion,
  parseKeyBlockHeader,
} from './key-block-header';
export type {
  Exportability,
  KeyAlgorithm,
  KeyBlockHeader,
  KeyBlockHeaderInput,
  KeyUsage,
  ModeOfUse,
  OptionalBlock,
  OptionalBlockId,
  Tr31Version,
} from './key-block-header';
export { deriveKeyBlockKeys } from './key-block-keys';
export type { KeyBlockKeys } from './key-block-keys';
export { macLengthForVersion, unwrapKeyBlock, wrapKeyBlock } from './key-block';
export type { UnwrappedKeyBlock, WrapKeyBlockOptions } from './key-block';
export { Tr31Error } from './tr31-error';
export type { Tr31ErrorCode } from './tr31-error';
