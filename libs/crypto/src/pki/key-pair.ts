import { generateKeyPairSync } from 'node:crypto';
import { Secret } from '../secret/secret';

export interface RsaKeyPair {
  /** SubjectPublicKeyInfo, PEM. */
  readonly publicKeyPem: string;
  /** PKCS#8, PEM. */
  readonly privateKeyPem: Secret<string>;
}

/**
 * An RSA key pair from the operating system's generator, through OpenSSL
 * (node-forge's pure-JavaScript generator is far slower). 2048 bits is the
 * floor for terminal and CA keys (NIST SP 800-57 part 1, 112-bit strength).
 */
export function generateRsaKeyPair(bits = 2048): RsaKeyPair {
  if (!Number.isInteger(bits) || bits < 2048)
    throw new RangeError('RSA keys must be at least 2048 bits');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: new Secret(privateKey) };
}
