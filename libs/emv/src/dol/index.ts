export * from './dol.codec';
