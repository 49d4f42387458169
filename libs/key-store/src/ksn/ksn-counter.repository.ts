/**
 * The working-key families of one DUKPT transaction. A terminal uses each at
 * most once per KSN: it MACs the request once, encrypts the PIN once,
 * encrypts its data fields once.
 */
export type DukptChannel = 'mac' | 'pin' | 'data';

/** The last counter accepted for one DUKPT device, and the channels already used at that counter. */
export interface KsnCounterState {
  readonly counter: number;
  readonly channels: readonly DukptChannel[];
}

/**
 * One device's counter space: the BDK (id and version) and the device's
 * initial key ID (TDES: the KSN with its counter bits cleared; AES: the
 * 8-byte initial key ID), e.g. `bdk.pos@1:FFFF9876543210E00000`.
 */
export type DukptDeviceKey = string;

/**
 * Replay rule (ARCHITECTURE.md: a DUKPT counter that goes backwards is a
 * replay): a counter is accepted when it is above the last accepted one, or
 * equal to it for a channel not yet used at that counter (the PIN block and
 * the MAC of one transaction share a KSN). Anything else is a replay.
 */
export function isKsnCounterAccepted(
  state: KsnCounterState | undefined,
  counter: number,
  channel: DukptChannel,
): boolean {
  if (state === undefined || counter > state.counter) return true;
  return counter === state.counter && !state.channels.includes(channel);
}

export function advanceKsnCounter(
  state: KsnCounterState | undefined,
  counter: number,
  channel: DukptChannel,
): KsnCounterState {
  return state !== undefined && counter === state.counter
    ? { counter, channels: [...state.channels, channel] }
    : { counter, channels: [channel] };
}

/** Where the last accepted KSN counter of every device is kept. */
export interface KsnCounterRepository {
  find(device: DukptDeviceKey): Promise<KsnCounterState | undefined>;
  /**
   * Atomically: when `counter` is still accepted for `channel` (see
   * isKsnCounterAccepted), records it and returns true; otherwise changes
   * nothing and returns false.
   */
  advance(device: DukptDeviceKey, counter: number, channel: DukptChannel): Promise<boolean>;
}
