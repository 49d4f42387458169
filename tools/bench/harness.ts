import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Measurement {
  readonly iterations: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
}

export interface MeasureOptions {
  /** Measure for this long (default 1 s)... */
  readonly seconds?: number;
  /** ...or stop after this many iterations, whichever comes first. */
  readonly maxIterations?: number;
  /** Untimed iterations first, for the JIT and caches (default: 0.3 s worth, at most maxIterations / 10). */
  readonly warmupSeconds?: number;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

/**
 * Runs `fn` repeatedly on the main thread and reports operations per
 * second. Synchronous work (node:crypto ciphers included) never leaves this
 * thread, so a case uses one core; pin the process (`taskset -c 0`) to keep
 * it on the same one. `fn` may be async: it is awaited each time.
 */
export async function measure(
  fn: () => unknown,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const seconds = options.seconds ?? 1;
  const max = options.maxIterations ?? Number.POSITIVE_INFINITY;
  const warmupMax = Number.isFinite(max) ? Math.floor(max / 10) : Number.POSITIVE_INFINITY;
  const warmupUntil = now() + (options.warmupSeconds ?? 0.3);
  let warmed = 0;
  while (now() < warmupUntil && warmed < warmupMax) {
    await fn();
    warmed++;
  }
  const limit = max - warmed;
  const start = now();
  let iterations = 0;
  let elapsed = 0;
  // Check the clock every `batch` iterations so that timing does not dominate cheap cases.
  let batch = 1;
  while (elapsed < seconds && iterations < limit) {
    const size = Math.min(batch, limit - iterations);
    for (let i = 0; i < size; i++) await fn();
    iterations += size;
    elapsed = now() - start;
    if (elapsed < seconds / 100) batch *= 2;
  }
  return { iterations, seconds: elapsed, opsPerSecond: iterations / elapsed };
}

/** One node:crypto cipher construction and the bytes pushed through it. */
export interface CipherCall {
  readonly direction: 'encrypt' | 'decrypt';
  readonly algorithm: string;
  readonly keyLength: number;
  readonly ivLength: number | null;
  bytes: number;
}

// The real module object, not an interop copy: code compiled to CommonJS reads its functions from it at call time.
const nodeCrypto = require('node:crypto') as typeof import('node:crypto');

/** Records every cipher node:crypto builds while `fn` runs (calls, algorithms, key and data sizes). */
export async function traceCipherCalls(fn: () => unknown): Promise<CipherCall[]> {
  const calls: CipherCall[] = [];
  const original = { encrypt: nodeCrypto.createCipheriv, decrypt: nodeCrypto.createDecipheriv };
  const wrap =
    (direction: 'encrypt' | 'decrypt') =>
    (algorithm: string, key: Buffer, iv: Buffer | null, ...rest: unknown[]) => {
      const cipher = (original[direction] as (...a: unknown[]) => import('node:crypto').Cipher)(
        algorithm,
        key,
        iv,
        ...rest,
      );
      const call: CipherCall = {
        direction,
        algorithm,
        keyLength: key.length,
        ivLength: iv === null ? null : iv.length,
        bytes: 0,
      };
      calls.push(call);
      const update = cipher.update.bind(cipher) as (data: Buffer) => Buffer;
      (cipher as unknown as { update: (data: Buffer) => Buffer }).update = (data: Buffer) => {
        call.bytes += data.length;
        return update(data);
      };
      return cipher;
    };
  Object.assign(nodeCrypto, { createCipheriv: wrap('encrypt'), createDecipheriv: wrap('decrypt') });
  try {
    await fn();
  } finally {
    Object.assign(nodeCrypto, {
      createCipheriv: original.encrypt,
      createDecipheriv: original.decrypt,
    });
  }
  return calls;
}

/** Cipher blocks in a trace: 8 bytes for DES-family algorithms, 16 for AES. */
export function blockCount(calls: readonly CipherCall[]): number {
  return calls.reduce((sum, c) => sum + c.bytes / (c.algorithm.startsWith('aes') ? 16 : 8), 0);
}

/**
 * The raw baseline: the same cipher constructions with the same algorithms
 * and the same key, IV and data sizes, straight on node:crypto, with nothing
 * of ours in between.
 */
export function rawReplay(calls: readonly CipherCall[]): () => void {
  const prepared = calls.map((c) => ({
    ...c,
    key: randomBytes(c.keyLength),
    iv: c.ivLength === null ? null : randomBytes(c.ivLength),
    data: randomBytes(c.bytes),
  }));
  return () => {
    for (const p of prepared) {
      const cipher =
        p.direction === 'encrypt'
          ? createCipheriv(p.algorithm, p.key, p.iv)
          : createDecipheriv(p.algorithm, p.key, p.iv);
      cipher.setAutoPadding(false);
      cipher.update(p.data);
      cipher.final();
    }
  };
}
