export * from './tag-dictionary';
