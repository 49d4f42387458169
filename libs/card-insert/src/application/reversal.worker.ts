import { cardInsertEventsV1 } from '@tillgate/contracts';
import type { EventStore } from '@tillgate/event-store';
import type {
  IssuerPort,
  IssuerReversal,
  ReversalAnswer,
  TerminalDirectory,
} from '../acquiring/acquiring.ports';
import { isSale, type PaymentState } from '../domain/payment.state';
import { cardInsertTables, readTables } from '../storage/card-insert.tables';
import type { PaymentStreams } from './payment-streams';

export interface ReversalWorkerOptions {
  /** The authorization deadline: an in-flight row older than this plus `inFlightGraceMs` is a crash. */
  issuerDeadlineMs: number;
  /** Margin for a live process between its issuer answer and its append (default 2 s). */
  inFlightGraceMs?: number;
  /** How long the issuer gets to acknowledge one 0400/0401 (default 5 s). */
  reversalDeadlineMs?: number;
  /** Backoff before the n-th repeat: min(cap, base * 2^(n-1)) (defaults 1 s and 60 s). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** How often the queue is polled (default 500 ms); 0 = never on its own (tests call runOnce). */
  pollIntervalMs?: number;
  batchSize?: number;
  clock?: () => Date;
  onError?: (err: unknown) => void;
}

/** Field 39 of the 0400/0401, by why the reversal was decided. */
const REVERSAL_REASON_CODES: Record<number, string> = {
  [cardInsertEventsV1.ReversalReason.REVERSAL_REASON_ISSUER_TIMEOUT]: '68', // response received too late
  [cardInsertEventsV1.ReversalReason.REVERSAL_REASON_LATE_APPROVAL]: '68',
  [cardInsertEventsV1.ReversalReason.REVERSAL_REASON_CARD_DECLINED]: '06', // error: the card refused (AAC)
  [cardInsertEventsV1.ReversalReason.REVERSAL_REASON_TERMINAL_REQUESTED]: '17', // customer cancellation
  [cardInsertEventsV1.ReversalReason.REVERSAL_REASON_VOID]: '17',
};

export function reversalBackoffMs(attempts: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers queued reversals: 0400 first, then 0401 repeats with capped
 * exponential backoff until the issuer acknowledges; then PaymentReversed
 * is appended and the queue row removed in one transaction. It also turns
 * in-flight payments older than the issuer deadline (the process died
 * between the issuer call and the append) into ReversalPending, so after a
 * crash a payment ends approved-and-recorded or reversed.
 *
 * Several processes may run one each on the same database: a reversal may
 * then be sent twice, which the issuer treats as a repeat (0401 exists for
 * that), and the decider records PaymentReversed once.
 */
export class ReversalWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly clock: () => Date;

  constructor(
    private readonly store: EventStore,
    private readonly streams: PaymentStreams,
    private readonly terminals: TerminalDirectory,
    private readonly issuer: IssuerPort,
    private readonly options: ReversalWorkerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Resumes the queue and recovers in-flight payments now, then keeps polling. */
  async start(): Promise<void> {
    await this.runOnce();
    const every = this.options.pollIntervalMs ?? 500;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.options.onError?.(err));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass: expired in-flight payments, then due reversals. Returns how many reversals were acknowledged. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    await this.recoverInFlight();
    const now = this.clock().getTime();
    const due = await readTables(this.store, (tx) =>
      cardInsertTables.dueReversals(tx, now, this.options.batchSize ?? 100),
    );
    let acknowledged = 0;
    for (const row of due) {
      try {
        if (await this.deliver(row.paymentId, row.attempts)) acknowledged++;
      } catch (err) {
        this.options.onError?.(err);
      }
    }
    return acknowledged;
  }

  async recoverInFlight(): Promise<number> {
    const grace = this.options.inFlightGraceMs ?? 2000;
    const before = this.clock().getTime() - this.options.issuerDeadlineMs - grace;
    const expired = await readTables(this.store, (tx) =>
      cardInsertTables.inFlightStartedBefore(tx, before, 100),
    );
    for (const paymentId of expired) {
      const executed = await this.streams.execute(paymentId, { type: 'ExpireInFlight' });
      // Answered meanwhile (or a row left behind): nothing to decide, only the row to drop.
      if (executed.events.length === 0 && executed.state.status !== 'pending')
        await this.store.transaction((tx) => cardInsertTables.deleteInFlight(tx, paymentId));
    }
    return expired.length;
  }

  private async deliver(paymentId: string, attempts: number): Promise<boolean> {
    const { state } = await this.streams.load(paymentId);
    if (!state.reversal || state.reversal.acknowledged) {
      await this.store.transaction((tx) => cardInsertTables.dequeueReversal(tx, paymentId));
      return false;
    }
    const reversal = await this.reversalOf(paymentId, state);
    const answer = await this.send(reversal, attempts > 0);
    if (answer.outcome === 'acknowledged') {
      await this.streams.execute(paymentId, {
        type: 'AcknowledgeReversal',
        responseCode: answer.responseCode,
        repeats: attempts,
      });
      return true;
    }
    const next = attempts + 1;
    const wait = reversalBackoffMs(
      next,
      this.options.backoffBaseMs ?? 1000,
      this.options.backoffCapMs ?? 60_000,
    );
    await this.store.transaction((tx) =>
      cardInsertTables.rescheduleReversal(tx, paymentId, next, this.clock().getTime() + wait),
    );
    return false;
  }

  private async send(reversal: IssuerReversal, repeat: boolean): Promise<ReversalAnswer> {
    const deadlineMs = this.options.reversalDeadlineMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ReversalAnswer>((resolve) => {
      timer = setTimeout(
        () => resolve({ outcome: 'no_answer', reason: 'reversal deadline passed' }),
        deadlineMs,
      );
    });
    try {
      return await Promise.race([
        this.issuer.reverse(reversal, repeat, deadlineMs).catch((err: unknown): ReversalAnswer => ({
          outcome: 'no_answer',
          reason: err instanceof Error ? err.message : 'issuer link failed',
        })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async reversalOf(paymentId: string, state: PaymentState): Promise<IssuerReversal> {
    const payment = state.payment;
    const reversal = state.reversal;
    if (!payment || !reversal) throw new Error(`payment ${paymentId} has no reversal to send`);
    const terminal = await this.terminals.find(payment.terminalId);
    if (!terminal)
      throw new Error(
        `terminal ${payment.terminalId} of payment ${paymentId} is not enrolled any more`,
      );
    return {
      paymentId,
      terminalId: payment.terminalId,
      cardAcceptorId: terminal.cardAcceptorId,
      originalMti: isSale(state) ? '0200' : '0100',
      originalStan: payment.stan,
      originalLocalTime: payment.localTime,
      rrn: payment.rrn,
      amountMinor: reversal.amountMinor,
      currency: payment.currency,
      reasonCode: REVERSAL_REASON_CODES[reversal.reason] ?? '68',
    };
  }
}
