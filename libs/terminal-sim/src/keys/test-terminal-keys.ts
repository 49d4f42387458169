/**
 * The demo and test terminal keys, in one place so that the gateway's
 * embedded default can load the same BDKs.
 *
 * TEST KEYS ONLY. Both BDKs are published in the ANSI X9.24 standards and
 * their test vectors: anyone can derive every key of every terminal from
 * them. They must never protect a real card.
 */
export type DukptSchemeName = 'tdes' | 'aes';

export interface TestBdk {
  /** Id the gateway's key store should give the BDK (kind `bdk`). */
  readonly keyId: string;
  readonly algorithm: 'tdes' | 'aes';
  /** The BDK in clear, upper-case hex. */
  readonly bdk: string;
  /**
   * TDES: the initial KSN (10 bytes, counter 0). AES: the 8-byte initial key
   * ID (BDK ID | derivation ID); the KSN is it followed by a 32-bit counter.
   */
  readonly initialKeyId: string;
}

export const TEST_TERMINAL_KEYS: { readonly [S in DukptSchemeName]: TestBdk } = Object.freeze({
  /** ANSI X9.24-1:2009 Annex A.4 test BDK and initial KSN. */
  tdes: Object.freeze({
    keyId: 'bdk.test.tdes',
    algorithm: 'tdes',
    bdk: '0123456789ABCDEFFEDCBA9876543210',
    initialKeyId: 'FFFF9876543210E00000',
  }),
  /** ANSI X9.24-3:2017 Annex B.1 test AES-128 BDK and initial key ID. */
  aes: Object.freeze({
    keyId: 'bdk.test.aes',
    algorithm: 'aes',
    bdk: 'FEDCBA9876543210F1F1F1F1F1F1F1F1',
    initialKeyId: '1234567890123456',
  }),
});

/** The demo terminal id; the gateway's embedded default enrols it. */
export const DEFAULT_TERMINAL_ID = 'TERM0001';

/**
 * The test key of the n-th demo terminal (1-based): the same BDK, and an
 * initial KSN / key ID whose device part is n - 1 above the published one,
 * so terminal 1 uses exactly the published test KSN and each terminal is a
 * device of its own (its own KSN counter at the gateway).
 */
export function testTerminalKey(scheme: DukptSchemeName, terminalNumber: number): TestBdk {
  if (!Number.isInteger(terminalNumber) || terminalNumber < 1 || terminalNumber > 9999) {
    throw new RangeError('terminal number must be 1..9999');
  }
  const base = TEST_TERMINAL_KEYS[scheme];
  const id = Buffer.from(base.initialKeyId, 'hex');
  if (scheme === 'tdes') {
    // The device id ends 21 bits above the KSN's right end (X9.24-1 Annex A).
    const deviceBits = id.readUIntBE(4, 6) / 2 ** 21 + (terminalNumber - 1);
    id.writeUIntBE(deviceBits * 2 ** 21, 4, 6);
  } else {
    id.writeUInt32BE((id.readUInt32BE(4) + terminalNumber - 1) >>> 0, 4);
  }
  return { ...base, initialKeyId: id.toString('hex').toUpperCase() };
}

/** TERM0001 -> 1: the demo terminals are numbered in their id. */
export function terminalNumberOf(terminalId: string): number {
  const match = /(\d{1,4})$/.exec(terminalId);
  return match ? Math.max(1, Number(match[1])) : 1;
}
