import type { Iso8583Error, IsoMessage } from '@tillgate/iso8583';
import type { Clock, TimerHandle } from '../clock/clock';
import {
  DuplicatePendingRequest,
  HostDisconnected,
  HostTimeout,
  type HostLinkError,
} from './host-link.errors';
import { identityOf, matchKeyOf, type RequestIdentity } from './match-key';

/**
 * A message from the host that answers no waiting request. It is handed to
 * the link's `onUnmatched` handler and never to another caller:
 * - `late`: the response to a request that already failed (timed out, or its
 *   connection dropped). The host may have acted on it: reconcile or reverse.
 * - `unknown`: a response whose key was never sent, or was sent longer ago
 *   than the late window.
 * - `unsolicited`: a request, advice or notification from the host that the
 *   link does not answer itself (it answers 0800 network management).
 * - `undecodable`: a frame whose payload is not a valid message of the spec.
 *   The payload may hold card data: do not log it.
 */
export type UnmatchedMessage =
  | {
      readonly reason: 'late';
      readonly message: IsoMessage;
      readonly request: RequestIdentity;
      readonly failedWith: 'timeout' | 'disconnect';
      /** Milliseconds between sending the request and receiving this response. */
      readonly ageMs: number;
    }
  | { readonly reason: 'unknown'; readonly message: IsoMessage }
  | { readonly reason: 'unsolicited'; readonly message: IsoMessage }
  | { readonly reason: 'undecodable'; readonly payload: Uint8Array; readonly error: Iso8583Error };

export interface HostMultiplexerOptions {
  readonly clock: Clock;
  readonly onUnmatched: (unmatched: UnmatchedMessage) => void;
  /** How long a failed request is remembered, so its response is reported as late. Default 10 min. */
  readonly lateWindowMs?: number;
  /** At most this many failed requests are remembered (oldest forgotten first). Default 10,000. */
  readonly maxRemembered?: number;
}

interface Pending {
  readonly request: RequestIdentity;
  readonly connectionId: number;
  readonly sentAt: number;
  readonly timer: TimerHandle;
  readonly resolve: (response: IsoMessage) => void;
  readonly reject: (error: HostLinkError) => void;
}

interface Failed {
  readonly request: RequestIdentity;
  readonly sentAt: number;
  readonly failedAt: number;
  readonly failedWith: 'timeout' | 'disconnect';
}

export type DeliveryOutcome = 'matched' | 'late' | 'unknown';

/**
 * Matches responses to waiting requests by MTI class + STAN (11) + terminal
 * id (41). At most one request per key waits at a time, so a response can
 * only ever reach the caller that sent its request. No I/O: the link feeds
 * it decoded messages.
 */
export class HostMultiplexer {
  private readonly pending = new Map<string, Pending>();
  private readonly failed = new Map<string, Failed>();
  private readonly lateWindowMs: number;
  private readonly maxRemembered: number;

  constructor(private readonly options: HostMultiplexerOptions) {
    this.lateWindowMs = options.lateWindowMs ?? 10 * 60_000;
    this.maxRemembered = options.maxRemembered ?? 10_000;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Registers a request about to be written on connection `connectionId`.
   * Throws {@link DuplicatePendingRequest} synchronously if its key is
   * already waiting; otherwise returns the promise of its response, which
   * rejects with {@link HostTimeout} after `timeoutMs`.
   */
  register(
    request: IsoMessage,
    options: { readonly timeoutMs: number; readonly connectionId: number },
  ): Promise<IsoMessage> {
    const key = matchKeyOf(request);
    const identity = identityOf(request);
    if (this.pending.has(key)) throw new DuplicatePendingRequest(identity);
    // A retransmission (e.g. 0101 after a timed-out 0100) takes over the key.
    this.failed.delete(key);
    const { clock } = this.options;
    return new Promise<IsoMessage>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        this.fail(key, 'timeout', new HostTimeout(identity, options.timeoutMs));
      }, options.timeoutMs);
      this.pending.set(key, {
        request: identity,
        connectionId: options.connectionId,
        sentAt: clock.now(),
        timer,
        resolve,
        reject,
      });
    });
  }

  /** Hands a response to its waiting request, or to the unmatched handler. */
  deliver(response: IsoMessage): DeliveryOutcome {
    const key = matchKeyOf(response);
    const waiting = this.pending.get(key);
    if (waiting) {
      this.pending.delete(key);
      this.options.clock.clearTimeout(waiting.timer);
      waiting.resolve(response);
      return 'matched';
    }
    const now = this.options.clock.now();
    this.forgetExpired(now);
    const failed = this.failed.get(key);
    if (failed) {
      this.options.onUnmatched({
        reason: 'late',
        message: response,
        request: failed.request,
        failedWith: failed.failedWith,
        ageMs: now - failed.sentAt,
      });
      return 'late';
    }
    this.options.onUnmatched({ reason: 'unknown', message: response });
    return 'unknown';
  }

  /** Fails every request waiting on a connection that dropped, with {@link HostDisconnected}. */
  failConnection(connectionId: number, reason: string): number {
    let count = 0;
    for (const [key, entry] of [...this.pending]) {
      if (entry.connectionId !== connectionId) continue;
      this.fail(key, 'disconnect', new HostDisconnected(entry.request, reason));
      count++;
    }
    return count;
  }

  /** Fails every waiting request with the error `toError` makes (used on close). */
  failAll(toError: (request: RequestIdentity) => HostLinkError): void {
    for (const [key, entry] of [...this.pending]) {
      this.fail(key, 'disconnect', toError(entry.request));
    }
  }

  private fail(key: string, failedWith: Failed['failedWith'], error: HostLinkError): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    this.options.clock.clearTimeout(entry.timer);
    const now = this.options.clock.now();
    this.failed.delete(key); // keep insertion order = failure order
    this.failed.set(key, {
      request: entry.request,
      sentAt: entry.sentAt,
      failedAt: now,
      failedWith,
    });
    this.forgetExpired(now);
    entry.reject(error);
  }

  /** Failed requests are kept in insertion order, so the oldest come first. */
  private forgetExpired(now: number): void {
    for (const [key, entry] of this.failed) {
      if (this.failed.size <= this.maxRemembered && now - entry.failedAt <= this.lateWindowMs) {
        break;
      }
      this.failed.delete(key);
    }
  }
}
