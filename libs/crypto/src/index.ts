// Public API of @tillgate/crypto. Each area lives in its own folder with its
// own index.ts; this file only re-exports them.
export * from './primitives';
export * from './dukpt';
export * from './pin';
export * from './tr31';
export * from './emv';
export * from './secret';
export * from './pki';
