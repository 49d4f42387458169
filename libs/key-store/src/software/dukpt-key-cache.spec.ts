import {
  aesDukpt,
  aesKsnWithCounter,
  hexToBytes,
  parseKsn,
  tdesDukpt,
  tdesKsnWithCounter,
} from '@tillgate/crypto';
import aes from '../test-data/dukpt-aes.json';
import tdes from '../test-data/dukpt-tdes.json';
import { BoundedKeyCache } from './bounded-key-cache';
import { DukptKeyCache } from './dukpt-key-cache';

const TDES_BDK = hexToBytes(tdes.common_inputs.bdk);
const AES_BDK = hexToBytes(aes.bdk);
const DEVICE = hexToBytes(tdes.common_inputs.initial_ksn);
const BLOCK = 'B0000B0TX00N0100KP10...'; // stands for the BDK's key block text

describe('BoundedKeyCache', () => {
  it('keeps at most its capacity, evicting and wiping the least recently used', () => {
    const cache = new BoundedKeyCache<Buffer>(2, (key) => key.fill(0));
    const [a, b, c] = [Buffer.alloc(4, 1), Buffer.alloc(4, 2), Buffer.alloc(4, 3)];
    cache.set('a', a);
    cache.set('b', b);
    expect(cache.get('a')).toBe(a); // 'b' is now the least recently used
    cache.set('c', c);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(b.equals(Buffer.alloc(4))).toBe(true);
    expect(cache.get('a')).toBe(a);
    expect(a.equals(Buffer.alloc(4, 1))).toBe(true);
  });

  it('wipes an entry that is deleted or replaced', () => {
    const cache = new BoundedKeyCache<Buffer>(4, (key) => key.fill(0));
    const [a, a2] = [Buffer.alloc(4, 1), Buffer.alloc(4, 2)];
    cache.set('a', a);
    cache.set('a', a2);
    expect(a.equals(Buffer.alloc(4))).toBe(true);
    cache.delete('a');
    expect(a2.equals(Buffer.alloc(4))).toBe(true);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('DukptKeyCache', () => {
  it('gives the X9.24-1 transaction key of each KSN, and the same buffer for the same KSN', () => {
    const cache = new DukptKeyCache();
    for (const vector of tdes.vectors) {
      const ksn = parseKsn(hexToBytes(vector.ksn));
      const expected = tdesDukpt.deriveTransactionKey(
        tdesDukpt.deriveIpek(TDES_BDK, ksn.bytes),
        ksn.bytes,
      );
      const key = cache.transactionKey(BLOCK, TDES_BDK, ksn);
      expect(key.equals(expected)).toBe(true);
      expect(cache.transactionKey(BLOCK, TDES_BDK, ksn)).toBe(key);
    }
  });

  it('gives the X9.24-3 transaction key of each KSN', () => {
    const cache = new DukptKeyCache();
    for (const vector of aes.pin_block_vectors) {
      const ksn = parseKsn(hexToBytes(vector.ksn));
      const expected = aesDukpt.deriveTransactionKey(
        aesDukpt.deriveInitialKey(AES_BDK, hexToBytes(aes.initial_key_id)),
        ksn.bytes,
      );
      expect(cache.transactionKey(BLOCK, AES_BDK, ksn).equals(expected)).toBe(true);
    }
  });

  it("gives the keys of a derivation from scratch, for counters in any order (resuming the path is proven by transactionKeyPath's own specs)", () => {
    // Tiny limits: the transaction cache misses, so every call goes through the device path.
    const cache = new DukptKeyCache({ devices: 4, transactions: 1 });
    const other = hexToBytes('FFFF9876543211E00000');
    const aesDevice = hexToBytes(aes.initial_key_id);
    const tdesIpek = (device: Buffer) => tdesDukpt.deriveIpek(TDES_BDK, device);
    const aesInitial = aesDukpt.deriveInitialKey(AES_BDK, aesDevice);
    const counters = [
      1, 2, 3, 4, 6, 7, 8, 5, 0x3ff, 0x400, 0x401, 0x1ff800, 0x1ff000, 0x1ff001, 0x800, 9, 3,
    ];
    for (const [i, counter] of counters.entries()) {
      const device = i % 3 === 0 ? other : DEVICE;
      const tdesKsn = parseKsn(tdesKsnWithCounter(device, counter));
      expect(cache.transactionKey(BLOCK, TDES_BDK, tdesKsn)).toEqual(
        tdesDukpt.deriveTransactionKey(tdesIpek(device), tdesKsn.bytes),
      );
      const aesKsn = parseKsn(aesKsnWithCounter(aesDevice, counter * 0x800));
      expect(cache.transactionKey(BLOCK, AES_BDK, aesKsn)).toEqual(
        aesDukpt.deriveTransactionKey(aesInitial, aesKsn.bytes),
      );
    }
  });

  it('names entries by the BDK key block: another block derives afresh, even with the same KSN', () => {
    const cache = new DukptKeyCache();
    const ksn = parseKsn(tdesKsnWithCounter(DEVICE, 5));
    const other = Buffer.from(TDES_BDK);
    other[0]! ^= 0x02;
    const first = cache.transactionKey(BLOCK, TDES_BDK, ksn);
    const second = cache.transactionKey(`${BLOCK}2`, other, ksn);
    expect(second.equals(first)).toBe(false);
    expect(
      second.equals(
        tdesDukpt.deriveTransactionKey(tdesDukpt.deriveIpek(other, ksn.bytes), ksn.bytes),
      ),
    ).toBe(true);
  });

  it("forgets, and wipes, every key of one BDK block (retired) and none of another's", () => {
    const cache = new DukptKeyCache();
    const ksn = (counter: number) => parseKsn(tdesKsnWithCounter(DEVICE, counter));
    const retired = [
      cache.transactionKey(BLOCK, TDES_BDK, ksn(1)),
      cache.transactionKey(BLOCK, TDES_BDK, ksn(2)),
    ];
    const kept = cache.transactionKey(`${BLOCK}2`, TDES_BDK, ksn(1));
    const keptCopy = Buffer.from(kept);
    cache.forget(BLOCK);
    for (const key of retired) expect(key.equals(Buffer.alloc(16))).toBe(true);
    expect(kept.equals(keptCopy)).toBe(true);
    expect(cache.transactionKey(`${BLOCK}2`, TDES_BDK, ksn(1))).toBe(kept);
    // The retired block's device keys went too: a new derivation, equal to one from scratch.
    const again = cache.transactionKey(BLOCK, TDES_BDK, ksn(2));
    expect(again).not.toBe(retired[1]);
    expect(again.equals(keptCopy)).toBe(false);
    expect(
      again.equals(
        tdesDukpt.deriveTransactionKey(tdesDukpt.deriveIpek(TDES_BDK, ksn(2).bytes), ksn(2).bytes),
      ),
    ).toBe(true);
  });

  it('wipes the transaction keys it evicts', () => {
    const cache = new DukptKeyCache({ devices: 2, transactions: 2 });
    const key = (counter: number) =>
      cache.transactionKey(BLOCK, TDES_BDK, parseKsn(tdesKsnWithCounter(DEVICE, counter)));
    const first = key(1);
    key(2);
    key(3);
    expect(first.equals(Buffer.alloc(16))).toBe(true);
    const again = key(1);
    expect(again).not.toBe(first);
    expect(again.equals(Buffer.alloc(16))).toBe(false);
  });
});
