// Public API of @tillgate/emv. Each area lives in its own folder with its own
// index.ts; this file only re-exports them.
export * from './tlv';
export * from './dictionary';
export * from './dol';
export * from './flags';
export * from './oda';
export * from './card-profile';
export { fromHex, toHex } from './shared/bytes';
export { EmvDataError, type EmvDataErrorCode } from './shared/emv-data.error';
