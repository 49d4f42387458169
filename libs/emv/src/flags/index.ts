export * from './bit-field';
export * from './terminal-status.flags';
export * from './cvm.decoder';
