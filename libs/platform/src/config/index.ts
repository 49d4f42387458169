export * from './config-schema';
