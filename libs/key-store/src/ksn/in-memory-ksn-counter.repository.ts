import {
  advanceKsnCounter,
  DukptChannel,
  DukptDeviceKey,
  isKsnCounterAcceptedForAll,
  KsnCounterRepository,
  KsnCounterState,
} from './ksn-counter.repository';

/** Counters in process memory: a restart forgets them. For tests and single-process setups that accept that. */
export class InMemoryKsnCounterRepository implements KsnCounterRepository {
  readonly #states = new Map<DukptDeviceKey, KsnCounterState>();

  async find(device: DukptDeviceKey): Promise<KsnCounterState | undefined> {
    return this.#states.get(device);
  }

  async advance(
    device: DukptDeviceKey,
    counter: number,
    channels: readonly DukptChannel[],
  ): Promise<boolean> {
    const state = this.#states.get(device);
    if (!isKsnCounterAcceptedForAll(state, counter, channels)) return false;
    this.#states.set(device, advanceKsnCounter(state, counter, channels));
    return true;
  }
}
