import {
  aesCmac,
  aesDukpt,
  aesEncryptCbc,
  aesKsnWithCounter,
  constantTimeEqual,
  encryptPinBlock,
  hexToBytes,
  macIso9797Alg3,
  tdesDukpt,
  tdesEncryptCbc,
  tdesKsnWithCounter,
} from '@tillgate/crypto';
import type { AesDukptUsage } from '@tillgate/crypto';
import type { DukptSchemeName, TestBdk } from '../keys/test-terminal-keys';

/**
 * The terminal's side of DUKPT: it holds only the initial key loaded at key
 * injection (never the BDK) and, per request, the working keys of one
 * transaction counter.
 */
export interface InjectedKey {
  readonly scheme: DukptSchemeName;
  /** TDES: the IPEK; AES: the AES-128 initial key. */
  readonly initialKey: Buffer;
  /** TDES: the 10-byte initial KSN; AES: the 8-byte initial key ID. */
  readonly initialKeyId: Buffer;
}

/**
 * Key injection: what a key-loading device does once, in a secure room,
 * from the BDK and the terminal's initial KSN (X9.24-1 A.6) or initial key
 * ID (X9.24-3 §6.3.3). The BDK is dropped afterwards.
 */
export function injectInitialKey(bdk: TestBdk): InjectedKey {
  const key = hexToBytes(bdk.bdk);
  const id = hexToBytes(bdk.initialKeyId);
  return bdk.algorithm === 'tdes'
    ? { scheme: 'tdes', initialKey: tdesDukpt.deriveIpek(key, id), initialKeyId: id }
    : { scheme: 'aes', initialKey: aesDukpt.deriveInitialKey(key, id), initialKeyId: id };
}

/** The keys of one request: everything the terminal encrypts or MACs under one KSN. */
export interface DukptTransaction {
  readonly scheme: DukptSchemeName;
  readonly ksn: Buffer;
  readonly counter: number;
  /** TDES: X9.19 retail MAC (ISO 9797-1 alg. 3, padding 1); AES: CMAC; both 8 bytes. */
  requestMac(data: Buffer): Buffer;
  /** CBC with a zero IV; `data` must be a whole number of blocks (see padTrackData). */
  encryptData(data: Buffer): Buffer;
  /** ISO 9564 format 0 (TDES) or format 4 (AES). */
  encryptPinBlock(pin: string, pan: string): Buffer;
  /** True when `mac` is the gateway's response MAC over `data` under this KSN. */
  verifyResponseMac(data: Buffer, mac: Uint8Array): boolean;
}

export const MAC_LENGTH = 8;

/**
 * The AES DUKPT usage of the key the gateway MACs its response with. X9.24-3
 * names a `mac-verification` (2001) key for the host-to-device direction; if
 * the gateway settles on another usage, change it here only.
 */
export const AES_RESPONSE_MAC_USAGE: AesDukptUsage = 'mac-verification';

/** The DUKPT transaction for one counter of the injected key. */
export function dukptTransaction(key: InjectedKey, counter: number): DukptTransaction {
  return key.scheme === 'tdes' ? tdesTransaction(key, counter) : aesTransaction(key, counter);
}

function tdesTransaction(key: InjectedKey, counter: number): DukptTransaction {
  const ksn = tdesKsnWithCounter(key.initialKeyId, counter);
  const transactionKey = tdesDukpt.deriveTransactionKey(key.initialKey, ksn);
  const working = (usage: Parameters<typeof tdesDukpt.workingKey>[1]) =>
    tdesDukpt.workingKey(transactionKey, usage);
  const mac = (usage: 'mac-request' | 'mac-response', data: Buffer) =>
    macIso9797Alg3(working(usage), data, 1).subarray(0, MAC_LENGTH);
  return {
    scheme: 'tdes',
    ksn,
    counter,
    requestMac: (data) => mac('mac-request', data),
    encryptData: (data) => tdesEncryptCbc(working('data-request'), data),
    encryptPinBlock: (pin, pan) => encryptPinBlock({ format: 0, key: working('pin'), pin, pan }),
    verifyResponseMac: (data, received) =>
      constantTimeEqual(mac('mac-response', data), Buffer.from(received)),
  };
}

function aesTransaction(key: InjectedKey, counter: number): DukptTransaction {
  const ksn = aesKsnWithCounter(key.initialKeyId, counter);
  const transactionKey = aesDukpt.deriveTransactionKey(key.initialKey, ksn);
  const working = (usage: AesDukptUsage) =>
    aesDukpt.workingKey(transactionKey, { ksn, usage, keyType: 'aes128' });
  const mac = (usage: AesDukptUsage, data: Buffer) =>
    aesCmac(working(usage), data).subarray(0, MAC_LENGTH);
  return {
    scheme: 'aes',
    ksn,
    counter,
    requestMac: (data) => mac('mac-generation', data),
    encryptData: (data) => aesEncryptCbc(working('data-encrypt'), data),
    encryptPinBlock: (pin, pan) => encryptPinBlock({ format: 4, key: working('pin'), pin, pan }),
    verifyResponseMac: (data, received) =>
      constantTimeEqual(mac(AES_RESPONSE_MAC_USAGE, data), Buffer.from(received)),
  };
}

/**
 * Track 2 equivalent data (tag 57, BCD with 'D' separator) padded to the
 * cipher's block with 'F' nibbles: F is tag 57's own filler and never a
 * track 2 character, so the gateway strips every trailing F after
 * decryption without ambiguity (zero padding would be ambiguous: '00' may
 * end the discretionary data).
 */
export function padTrackData(tag57: Uint8Array, scheme: DukptSchemeName): Buffer {
  const block = scheme === 'tdes' ? 8 : 16;
  const length = Math.ceil(tag57.length / block) * block;
  const out = Buffer.alloc(length, 0xff);
  Buffer.from(tag57).copy(out);
  return out;
}
