/**
 * An aggregate as pure functions (see ../shared/STYLE.md): `decide` turns a
 * command and the current state into new events (or throws a domain error),
 * `evolve` folds one event into the state. No I/O, no clock, no randomness.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** The state after `events`, from the initial state. */
export function fold<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
