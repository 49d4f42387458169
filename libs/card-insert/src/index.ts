export * from './protocol/mac-input';
export * from './acquiring';
