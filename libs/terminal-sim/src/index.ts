// Public API of @tillgate/terminal-sim: a POS terminal simulator for the
// card-insert tender (EMV kernel, DUKPT, MACed requests), its test keys and
// cards, and the load driver. `testing/` holds test doubles for its tests
// and the CLI's.
export * from './keys/test-terminal-keys';
export * from './dukpt/terminal-dukpt';
export * from './card/test-cards';
export * from './card/simulated-card';
export * from './emv/cvm-selection';
export * from './emv/emv-kernel';
export * from './state/terminal-state';
export * from './state/terminal-state.store';
export * from './terminal/card-insert-api';
export * from './terminal/currency';
export * from './terminal/terminal';
export * from './load/latency-stats';
export * from './load/load-driver';
export * from './load/progress-bar';
export * from './testing/card-insert-gateway.double';
export * from './testing/test-key-store';
