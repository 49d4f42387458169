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

/**
 * The replay rule for several channels of one request at once: the counter
 * is accepted for every channel, and no channel is named twice (a terminal
 * uses each working-key family once per KSN). An empty list accepts nothing.
 */
export function isKsnCounterAcceptedForAll(
  state: KsnCounterState | undefined,
  counter: number,
  channels: readonly DukptChannel[],
): boolean {
  return (
    channels.length > 0 &&
    new Set(channels).size === channels.length &&
    channels.every((channel) => isKsnCounterAccepted(state, counter, channel))
  );
}

/** The state after `channels` were accepted at `counter` (check isKsnCounterAcceptedForAll first). */
export function advanceKsnCounter(
  state: KsnCounterState | undefined,
  counter: number,
  channels: readonly DukptChannel[],
): KsnCounterState {
  return state !== undefined && counter === state.counter
    ? { counter, channels: [...state.channels, ...channels] }
    : { counter, channels: [...channels] };
}

/** Where the last accepted KSN counter of every device is kept. */
export interface KsnCounterRepository {
  find(device: DukptDeviceKey): Promise<KsnCounterState | undefined>;
  /**
   * Atomically: when `counter` is still accepted for every channel in
   * `channels` (see isKsnCounterAcceptedForAll), records them all and
   * returns true; otherwise changes nothing and returns false.
   */
  advance(
    device: DukptDeviceKey,
    counter: number,
    channels: readonly DukptChannel[],
  ): Promise<boolean>;
}
