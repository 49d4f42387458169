import { adjustOddParity, exposeBytes, hasOddParity } from '@tillgate/crypto';
import { KeyStoreError } from '../key-store-error';
import type { KeyComponent } from '../key-store';
import { KeyAlgorithmName, keyCheckValue, maxKcvLength } from './key-kind';

const MIN_KCV_LENGTH = 3;

/**
 * Forms a key from 2 or 3 clear components under split knowledge (X9.24-1
 * §7.7, PCI PIN Requirement 6): each component must match the KCV its
 * custodian entered, TDES components must have odd parity (a typing error
 * shows up before the KCV is even compared), the XOR of the components must
 * match the combined KCV and must not be degenerate. TDES results are set
 * to odd parity. The caller owns the returned buffer and should wipe it.
 */
export function combineKeyComponents(
  algorithm: KeyAlgorithmName,
  allowedLengths: readonly number[],
  components: readonly KeyComponent[],
  combinedKcv: Buffer,
): Buffer {
  if (!Array.isArray(components) || components.length < 2 || components.length > 3) {
    throw new KeyStoreError(
      'INVALID_COMPONENTS',
      'a key is formed from 2 or 3 components',
      'components',
    );
  }
  const values = components.map((c, i) => {
    const value = exposeBytes(c.value);
    const field = `components[${i}]`;
    if (!Buffer.isBuffer(value) || !allowedLengths.includes(value.length)) {
      throw new KeyStoreError(
        'INVALID_COMPONENTS',
        `component ${i + 1} must be ${allowedLengths.join(', ')} bytes, got ${Buffer.isBuffer(value) ? value.length : typeof value}`,
        field,
      );
    }
    if (algorithm === 'tdes' && !hasOddParity(value)) {
      throw new KeyStoreError(
        'INVALID_COMPONENTS',
        `component ${i + 1} does not have odd parity (each byte needs an odd number of one bits): check it for a typing error`,
        field,
      );
    }
    if (!matchesKcv(algorithm, value, c.kcv, `${field}.kcv`)) {
      throw new KeyStoreError(
        'COMPONENT_KCV_MISMATCH',
        `component ${i + 1} does not match the KCV entered with it`,
        field,
      );
    }
    return value;
  });
  if (values.some((v) => v.length !== values[0].length)) {
    throw new KeyStoreError(
      'INVALID_COMPONENTS',
      'components must all have the same length',
      'components',
    );
  }

  const xored = Buffer.alloc(values[0].length);
  for (const value of values) for (let i = 0; i < xored.length; i++) xored[i] ^= value[i];
  const key = algorithm === 'tdes' ? adjustOddParity(xored) : xored;
  if (key !== xored) xored.fill(0);

  if (isDegenerateKey(algorithm, key)) {
    key.fill(0);
    throw new KeyStoreError(
      'INVALID_COMPONENTS',
      'the components combine to a degenerate key (all zero, or TDES with equal key parts): were the same components entered twice?',
      'components',
    );
  }
  if (!matchesKcv(algorithm, key, combinedKcv, 'kcv')) {
    key.fill(0);
    throw new KeyStoreError(
      'COMBINED_KCV_MISMATCH',
      'the combined key does not match the KCV entered for it',
      'kcv',
    );
  }
  return key;
}

/** KCVs are compared on as many bytes as were entered (at least 3). */
function matchesKcv(
  algorithm: KeyAlgorithmName,
  key: Buffer,
  expected: Buffer,
  field: string,
): boolean {
  const max = maxKcvLength(algorithm);
  if (!Buffer.isBuffer(expected) || expected.length < MIN_KCV_LENGTH || expected.length > max) {
    throw new KeyStoreError(
      'INVALID_REQUEST',
      `a KCV must be ${MIN_KCV_LENGTH} to ${max} bytes`,
      field,
    );
  }
  return keyCheckValue(algorithm, key, expected.length).equals(expected);
}

/** All zero, or a TDES key whose parts repeat (K1 = K2, or K2 = K3): no better than single DES. */
export function isDegenerateKey(algorithm: KeyAlgorithmName, key: Buffer): boolean {
  if (key.every((b) => b === 0)) return true;
  if (algorithm !== 'tdes') return false;
  // DES ignores parity bits, so compare the parts with them cleared: K1 = K2 (or K2 = K3) is single DES.
  const part = (i: number) => Buffer.from(key.subarray(i * 8, i * 8 + 8).map((b) => b & 0xfe));
  const parts = key.length / 8;
  return part(0).equals(part(1)) || (parts === 3 && part(1).equals(part(2)));
}
