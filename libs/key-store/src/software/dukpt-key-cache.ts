import { aesDukpt, bytesToHex, isOnDukptPath, tdesDukpt } from '@tillgate/crypto';
import type { Ksn } from '@tillgate/crypto';
import { BoundedKeyCache } from './bounded-key-cache';

/** How many devices, and how many transactions' keys, a store keeps by default. */
export const DUKPT_CACHE_LIMITS = { devices: 4096, transactions: 256 } as const;

interface PathKey {
  readonly counter: number;
  readonly key: Buffer;
}

/** A device's initial key and the keys on the derivation path of the last counter derived for it. */
interface DeviceKeys {
  readonly initialKey: Buffer;
  path: readonly PathKey[];
}

const wipe = (key: Buffer) => key.fill(0);

/**
 * The DUKPT derivations a host repeats, kept per store:
 * - per device, the initial key (TDES IPEK, AES initial key), derived once
 *   from the BDK, and the keys on the derivation path of its last counter:
 *   a terminal's next counter shares all but its lowest one bit with a
 *   counter on that path, so it takes about one derivation step instead of
 *   one per one bit;
 * - per recent KSN, the transaction key, so the MAC, data, PIN and
 *   response-MAC keys of one transaction derive nothing again.
 * Both are bounded and wiped when they leave. Entries are named by the
 * BDK's exact key block, never its id: a rotated, retired or re-imported
 * BDK has another block, so it never meets a key derived from the old one.
 * The cached keys derive nothing the initial key does not.
 */
export class DukptKeyCache {
  readonly #devices: BoundedKeyCache<DeviceKeys>;
  readonly #transactionKeys: BoundedKeyCache<Buffer>;

  constructor(limits: { devices: number; transactions: number } = DUKPT_CACHE_LIMITS) {
    this.#devices = new BoundedKeyCache(limits.devices, (device) => {
      wipe(device.initialKey);
      device.path.forEach((step) => wipe(step.key));
    });
    this.#transactionKeys = new BoundedKeyCache(limits.transactions, wipe);
  }

  /** The KSN's transaction key under the BDK whose key block is `bdkBlock`. Use it before the next await: it may be wiped. */
  transactionKey(bdkBlock: string, bdk: Buffer, ksn: Ksn): Buffer {
    const initialId = ksn.scheme === 'tdes' ? ksn.initialKsn : ksn.initialKeyId;
    const deviceId = `${bdkBlock}/${bytesToHex(initialId)}`;
    const transactionId = `${deviceId}/${ksn.counter}`;
    const cached = this.#transactionKeys.get(transactionId);
    if (cached !== undefined) return cached;

    let device = this.#devices.get(deviceId);
    if (device === undefined) {
      const initialKey =
        ksn.scheme === 'tdes'
          ? tdesDukpt.deriveIpek(bdk, ksn.bytes)
          : aesDukpt.deriveInitialKey(bdk, ksn.initialKeyId);
      device = { initialKey, path: [] };
      this.#devices.set(deviceId, device);
    }
    // Resume from the longest key of the last path that lies on this counter's path.
    // The path's keys are prefixes of each other: those on this counter's path come first.
    const kept = device.path.filter((step) => isOnDukptPath(step.counter, ksn.counter)).length;
    const from = device.path[kept - 1] ?? { counter: 0, key: device.initialKey };
    const steps =
      ksn.scheme === 'tdes'
        ? tdesDukpt.transactionKeyPath(from, ksn.bytes)
        : aesDukpt.transactionKeyPath(from, ksn.bytes);
    device.path.slice(kept).forEach((step) => wipe(step.key));
    device.path = [...device.path.slice(0, kept), ...steps];

    // The transaction cache holds its own copy: the device's path moves on, and wipes what it drops.
    const key = Buffer.from(steps.at(-1)?.key ?? from.key);
    this.#transactionKeys.set(transactionId, key);
    return key;
  }

  /** Drops, and wipes, every key derived from the BDK whose key block is `bdkBlock` (retired, or found retired). */
  forget(bdkBlock: string): void {
    const prefix = `${bdkBlock}/`;
    this.#devices.deleteWhere((id) => id.startsWith(prefix));
    this.#transactionKeys.deleteWhere((id) => id.startsWith(prefix));
  }
}
