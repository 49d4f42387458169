export { type Clock, type TimerHandle, systemClock } from './clock';
export { ManualClock } from './manual-clock';
