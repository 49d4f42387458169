// Test support shared by every project's specs (never imported by production code).
export * from './fuzz/byte-mutation';
export * from './fuzz/fuzz.config';
