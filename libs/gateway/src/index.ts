export * from './gateway.config';
export * from './gateway.module';
export * from './gateway.options';
export * from './health/health.registry';
export * from './start-gateway';
