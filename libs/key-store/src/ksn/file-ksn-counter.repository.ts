import { JsonFile } from '../file/json-file';
import { KeyStoreError } from '../key-store-error';
import {
  advanceKsnCounter,
  DukptChannel,
  DukptDeviceKey,
  isKsnCounterAcceptedForAll,
  KsnCounterRepository,
  KsnCounterState,
} from './ksn-counter.repository';

const FORMAT = 'tillgate-ksn-counters/1';
const CHANNELS: readonly DukptChannel[] = ['mac', 'pin', 'data'];

type Counters = Readonly<Record<DukptDeviceKey, KsnCounterState>>;

/**
 * Counters in one JSON file (`{ "format": "tillgate-ksn-counters/1", "devices": {...} }`),
 * rewritten atomically on every accepted KSN. Survives restarts; one
 * writing process at a time (the file is locked during each write).
 */
export class FileKsnCounterRepository implements KsnCounterRepository {
  readonly #file: JsonFile<Counters>;

  /**
   * `recheckMs`: see JsonFileOptions; default 0 here (the file is checked at
   * every read): counters are the replay guard, and a stale `find` would let
   * a KSN another process just used pass the pre-check of an operation.
   */
  constructor(path: string, options: { lockTimeoutMs?: number; recheckMs?: number } = {}) {
    this.#file = new JsonFile<Counters>({
      path,
      lockTimeoutMs: options.lockTimeoutMs,
      recheckMs: options.recheckMs ?? 0,
      empty: () => ({}),
      encode: (devices) => ({ format: FORMAT, devices }),
      decode: (raw) => decode(raw, path),
    });
  }

  async find(device: DukptDeviceKey): Promise<KsnCounterState | undefined> {
    return (await this.#file.read())[device];
  }

  advance(
    device: DukptDeviceKey,
    counter: number,
    channels: readonly DukptChannel[],
  ): Promise<boolean> {
    return this.#file.update((devices) => {
      const state = devices[device];
      if (!isKsnCounterAcceptedForAll(state, counter, channels))
        return { next: devices, result: false };
      return {
        next: { ...devices, [device]: advanceKsnCounter(state, counter, channels) },
        result: true,
      };
    });
  }
}

function decode(raw: unknown, path: string): Counters {
  const doc = raw as { format?: unknown; devices?: unknown } | null;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    doc.format !== FORMAT ||
    typeof doc.devices !== 'object' ||
    doc.devices === null
  ) {
    throw new KeyStoreError('STORE_CORRUPT', `${path} is not a ${FORMAT} file`, 'path');
  }
  const devices: Record<DukptDeviceKey, KsnCounterState> = {};
  for (const [device, value] of Object.entries(doc.devices as Record<string, unknown>)) {
    const state = value as { counter?: unknown; channels?: unknown } | null;
    const valid =
      typeof state === 'object' &&
      state !== null &&
      Number.isInteger(state.counter) &&
      (state.counter as number) > 0 &&
      Array.isArray(state.channels) &&
      state.channels.every((c) => (CHANNELS as readonly unknown[]).includes(c));
    if (!valid)
      throw new KeyStoreError(
        'STORE_CORRUPT',
        `${path}: counter of device ${device} is malformed`,
        'path',
      );
    devices[device] = {
      counter: state.counter as number,
      channels: state.channels as DukptChannel[],
    };
  }
  return devices;
}
