import { randomBytes } from 'node:crypto';

/**
 * Source of randomness, injected wherever a function needs it (IVs, key
 * block padding, certificate serial numbers) so tests can be deterministic.
 */
export type RandomBytes = (length: number) => Buffer;

/** The operating system CSPRNG (node:crypto.randomBytes). */
export const systemRandomBytes: RandomBytes = (length) => randomBytes(length);
