export * from './protocol/mac-input';
