export * from './card-data-redaction';
export * from './logger';
