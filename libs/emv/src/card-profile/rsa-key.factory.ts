import { generateKeyPairSync } from 'node:crypto';
import { bigIntToBytes, bytesToBigInt, modPow, type RsaPrivateKey } from '../oda/rsa';
import type { RandomSource } from './random.source';

export type EmvPublicExponent = 3 | 65537;

/** Makes RSA key pairs for test CAs, issuers and cards. */
export interface RsaKeyFactory {
  generate(bits: number, publicExponent: EmvPublicExponent): RsaPrivateKey;
}

const SMALL_PRIMES = (() => {
  const primes: bigint[] = [];
  for (let n = 3; primes.length < 300; n += 2) {
    if (primes.every((p) => BigInt(n) % p !== 0n)) primes.push(BigInt(n));
  }
  return primes;
})();

function randomBelow(random: RandomSource, bound: bigint): bigint {
  const length = Math.ceil(bound.toString(16).length / 2) + 8;
  return bytesToBigInt(random(length)) % bound;
}

function isProbablePrime(n: bigint, random: RandomSource, rounds: number): boolean {
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (let i = 0; i < rounds; i++) {
    const a = 2n + randomBelow(random, n - 3n);
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

/** A prime of exactly `bits` bits, top two bits set (so p*q has 2*bits bits), with gcd(e, p-1) = 1. */
function randomPrime(random: RandomSource, bits: number, e: bigint): bigint {
  const top = 3n << BigInt(bits - 2);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const candidate = (bytesToBigInt(random(bits / 8)) & mask) | top | 1n;
    if ((candidate - 1n) % e === 0n) continue;
    if (isProbablePrime(candidate, random, 40)) return candidate;
  }
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

/**
 * Key pairs derived only from the injected randomness (Miller-Rabin, 40
 * rounds): a seeded source gives the same keys every run. About 0.1 s for the
 * default CA, issuer and ICC sizes.
 */
export function deterministicRsaKeyFactory(random: RandomSource): RsaKeyFactory {
  return {
    generate(bits, publicExponent) {
      if (!Number.isInteger(bits) || bits % 16 !== 0 || bits < 512 || bits > 1984) {
        throw new RangeError(
          `key size must be a multiple of 16 bits from 512 to 1984, got ${bits}`,
        );
      }
      const e = BigInt(publicExponent);
      for (;;) {
        const p = randomPrime(random, bits / 2, e);
        const q = randomPrime(random, bits / 2, e);
        if (p === q) continue;
        const n = p * q;
        const d = modInverse(e, (p - 1n) * (q - 1n));
        const length = bits / 8;
        return {
          modulus: bigIntToBytes(n, length),
          exponent: bigIntToBytes(e, publicExponent === 3 ? 1 : 3),
          privateExponent: bigIntToBytes(d, length),
        };
      }
    },
  };
}

/** Key pairs from OpenSSL (node:crypto generateKeyPairSync): fast, not reproducible. */
export const nodeRsaKeyFactory: RsaKeyFactory = {
  generate(bits, publicExponent) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
    const jwk = privateKey.export({ format: 'jwk' });
    const bytes = (b64: string | undefined): Uint8Array =>
      new Uint8Array(Buffer.from(b64 ?? '', 'base64url'));
    const length = bits / 8;
    return {
      modulus: bigIntToBytes(bytesToBigInt(bytes(jwk.n)), length),
      exponent: bytes(jwk.e),
      privateExponent: bigIntToBytes(bytesToBigInt(bytes(jwk.d)), length),
    };
  },
};
