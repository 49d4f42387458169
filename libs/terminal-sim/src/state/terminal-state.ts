import { nextTransactionCounter } from '@tillgate/crypto';
import type { DukptSchemeName } from '../keys/test-terminal-keys';

/**
 * What a terminal remembers between two runs of the CLI: the DUKPT counter
 * of each key (a KSN is never used twice), the STAN, each card's ATC (the
 * simulated chip's counter lives in the card, but the card here lives in a
 * file), and the last request for `--retransmit`. No card data: cards are
 * named by a one-way hash of their PAN.
 */
export interface TerminalState {
  readonly version: 1;
  readonly terminals: Readonly<Record<string, TerminalRecord>>;
  readonly cards: Readonly<Record<string, { readonly atc: number }>>;
}

export interface TerminalRecord {
  readonly ksnCounters: Readonly<Partial<Record<DukptSchemeName, number>>>;
  /** The last STAN used, 0 before the first request. */
  readonly stan: number;
  readonly lastPaymentId?: string;
  readonly lastRequest?: StoredRequest;
}

/** A request as it went on the wire (its protobuf encoding, base64), to be sent again unchanged. */
export interface StoredRequest {
  readonly operation: string;
  readonly protobuf: string;
}

export const EMPTY_STATE: TerminalState = { version: 1, terminals: {}, cards: {} };

const EMPTY_TERMINAL: TerminalRecord = { ksnCounters: {}, stan: 0 };

export const MAX_STAN = 999_999;

export function terminalRecord(state: TerminalState, terminalId: string): TerminalRecord {
  return state.terminals[terminalId] ?? EMPTY_TERMINAL;
}

function withTerminal(
  state: TerminalState,
  terminalId: string,
  change: (t: TerminalRecord) => TerminalRecord,
): TerminalState {
  return {
    ...state,
    terminals: { ...state.terminals, [terminalId]: change(terminalRecord(state, terminalId)) },
  };
}

/** The next DUKPT counter (skipping counters with too many one bits, X9.24) and the state that records it. */
export function advanceKsnCounter(
  state: TerminalState,
  terminalId: string,
  scheme: DukptSchemeName,
): { counter: number; state: TerminalState } {
  const current = terminalRecord(state, terminalId).ksnCounters[scheme] ?? 0;
  const counter = nextTransactionCounter(scheme, current);
  return {
    counter,
    state: withTerminal(state, terminalId, (t) => ({
      ...t,
      ksnCounters: { ...t.ksnCounters, [scheme]: counter },
    })),
  };
}

/** The next STAN, 1..999999 then 1 again. */
export function advanceStan(
  state: TerminalState,
  terminalId: string,
): { stan: number; state: TerminalState } {
  const stan = (terminalRecord(state, terminalId).stan % MAX_STAN) + 1;
  return { stan, state: withTerminal(state, terminalId, (t) => ({ ...t, stan })) };
}

/** The card's next ATC (the first transaction of a new card uses 1). */
export function advanceAtc(
  state: TerminalState,
  cardKey: string,
): { atc: number; state: TerminalState } {
  const atc = (state.cards[cardKey]?.atc ?? 0) + 1;
  if (atc > 0xffff) throw new RangeError('the card application transaction counter is exhausted');
  return { atc, state: { ...state, cards: { ...state.cards, [cardKey]: { atc } } } };
}

export function rememberRequest(
  state: TerminalState,
  terminalId: string,
  request: StoredRequest,
  paymentId?: string,
): TerminalState {
  return withTerminal(state, terminalId, (t) => ({
    ...t,
    lastRequest: request,
    ...(paymentId === undefined ? {} : { lastPaymentId: paymentId }),
  }));
}

export function rememberPayment(
  state: TerminalState,
  terminalId: string,
  paymentId: string,
): TerminalState {
  return withTerminal(state, terminalId, (t) => ({ ...t, lastPaymentId: paymentId }));
}
