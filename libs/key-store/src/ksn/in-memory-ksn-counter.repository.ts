import {
  advanceKsnCounter,
  DukptChannel,
  DukptDeviceKey,
  isKsnCounterAccepted,
  KsnCounterRepository,
  KsnCounterState,
} from './ksn-counter.repository';

/** Counters in process memory: a restart forgets them. For tests and single-process setups that accept that. */
export class InMemoryKsnCounterRepository implements KsnCounterRepository {
  readonly #states = new Map<DukptDeviceKey, KsnCounterState>();

  async find(device: DukptDeviceKey): Promise<KsnCounterState | undefined> {
    return this.#states.get(device);
  }

  async advance(device: DukptDeviceKey, counter: number, channel: DukptChannel): Promise<boolean> {
    const state = this.#states.get(device);
    if (!isKsnCounterAccepted(state, counter, channel)) return false;
    this.#states.set(device, advanceKsnCounter(state, counter, channel));
    return true;
  }
}
