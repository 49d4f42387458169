export * from './gateway.config';
export * from './gateway.module';
export * from './gateway.options';
export * from './health/health.registry';
export * from './start-gateway';
export { DEMO_PAN_TOKEN_KEY_ID, DEMO_ZONE_PIN_KEYS } from './demo/demo-estate';
