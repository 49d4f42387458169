import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import {
  ACQUIRER_SPEC,
  Iso8583Error,
  pack,
  unpack,
  type IsoMessage,
  type MessageSpec,
} from '@tillgate/iso8583';
import { createLogger, type Logger } from '@tillgate/platform';
import { systemClock, type Clock, type TimerHandle } from '../clock/clock';
import { DEFAULT_MAX_FRAME_LENGTH } from '../framing/frame.codec';
import { FrameError } from '../framing/frame.error';
import { FrameConnection, type CloseReason } from '../transport/frame-connection';
import { MIN_TLS_VERSION, type MutualTlsClientOptions } from '../transport/tls.options';
import { DEFAULT_BACKOFF, backoffDelay, checkBackoffOptions, type BackoffOptions } from './backoff';
import { HostUnavailable, LinkClosed, NotARequest } from './host-link.errors';
import { HostMultiplexer, type UnmatchedMessage } from './host-multiplexer';
import { mtiRole } from './match-key';
import {
  NETWORK_MANAGEMENT_CODE,
  networkManagementRequest,
  networkManagementResponse,
  stanCounter,
  type NetworkManagementCode,
} from './network-management';

/**
 * - `connecting`: opening the TCP (and TLS) connection;
 * - `signing-on`: connected, waiting for the 0810 to the sign-on 0800;
 * - `ready`: requests are sent;
 * - `reconnect-wait`: the connection failed or dropped, waiting out the backoff;
 * - `closed`: `close()` was called; final.
 */
export type LinkState =
  'idle' | 'connecting' | 'signing-on' | 'ready' | 'reconnect-wait' | 'closed';

export interface KeepAliveOptions {
  /** An echo 0800 (F70 301) is sent when nothing was received for this long. */
  readonly intervalMs: number;
  /** An echo unanswered for this long (default: the request timeout) drops the connection. */
  readonly timeoutMs?: number;
}

export interface HostLinkOptions {
  readonly host: string;
  readonly port: number;
  /** Default ACQUIRER_SPEC. */
  readonly spec?: MessageSpec;
  /** Mutual TLS; plain TCP when absent. */
  readonly tls?: MutualTlsClientOptions;
  /** Default for `request`'s timeout. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Default {@link DEFAULT_MAX_FRAME_LENGTH}; larger frames from the host drop the connection. */
  readonly maxFrameLength?: number;
  readonly reconnect?: Partial<BackoffOptions>;
  /** Default `{ intervalMs: 30_000 }`; `false` turns echoes off. */
  readonly keepAlive?: KeepAliveOptions | false;
  /** Send a sign-on 0800 (F70 001) after every connect and wait for 0810 '00' before `ready`. Default true. */
  readonly signOn?: boolean;
  /** Late, unknown, unsolicited and undecodable messages (see {@link UnmatchedMessage}). */
  readonly onUnmatched?: (unmatched: UnmatchedMessage) => void;
  readonly onStateChange?: (state: LinkState) => void;
  /** How long a failed request's response is recognised as late. Default 10 min. */
  readonly lateWindowMs?: number;
  /** STANs for the link's own 0800s. Default a counter from 000001. */
  readonly nextStan?: () => string;
  readonly clock?: Clock;
  /** [0, 1), for backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** Default: a `host-link` logger at level warn. */
  readonly logger?: Logger;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_KEEP_ALIVE: KeepAliveOptions = { intervalMs: 30_000 };

function describeClose(reason: CloseReason): string {
  switch (reason.kind) {
    case 'closed-locally':
      return 'closed by the link';
    case 'closed-by-peer':
      return 'closed by the host';
    case 'socket-error':
      return `socket error: ${reason.error.message}`;
    case 'frame-error':
      return `framing error: ${reason.error.message}`;
  }
}

/**
 * The client side of the acquirer host link: one TCP (optionally mutual TLS)
 * connection carrying ISO 8583 messages in 2-byte length frames, with
 * request/response matching, per-request timeouts, sign-on, echo keep-alive
 * and reconnection with backoff.
 *
 * Requests are never queued or retried: while the link is not `ready`,
 * `request` fails fast with {@link HostUnavailable}, and the caller decides
 * (decline, stand-in, reverse later).
 */
export class HostLink {
  private currentState: LinkState = 'idle';
  private connection: FrameConnection | undefined;
  private attempt = 0;
  private reconnectTimer: TimerHandle | undefined;
  private keepAliveTimer: TimerHandle | undefined;
  private lastReceivedAt = 0;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private closedSignal: Promise<void> = Promise.resolve();

  private readonly spec: MessageSpec;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;
  private readonly keepAlive: KeepAliveOptions | false;
  private readonly requestTimeoutMs: number;
  private readonly maxFrameLength: number;
  private readonly nextStan: () => string;
  private readonly multiplexer: HostMultiplexer;

  constructor(private readonly options: HostLinkOptions) {
    this.spec = options.spec ?? ACQUIRER_SPEC;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? createLogger({ name: 'host-link', level: 'warn' });
    this.backoff = checkBackoffOptions({ ...DEFAULT_BACKOFF, ...options.reconnect });
    this.keepAlive = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    this.nextStan = options.nextStan ?? stanCounter();
    this.multiplexer = new HostMultiplexer({
      clock: this.clock,
      lateWindowMs: options.lateWindowMs,
      onUnmatched: (unmatched) => this.reportUnmatched(unmatched),
    });
  }

  get state(): LinkState {
    return this.currentState;
  }

  /** Requests waiting for a response. */
  get pendingRequests(): number {
    return this.multiplexer.pendingCount;
  }

  /** Starts connecting (in the background). Idempotent. */
  start(): void {
    if (this.currentState !== 'idle') return;
    this.connect();
  }

  /** Resolves when the link is `ready`; rejects with {@link HostUnavailable} after `timeoutMs`, or {@link LinkClosed}. */
  waitUntilReady(timeoutMs = this.requestTimeoutMs): Promise<void> {
    if (this.currentState === 'ready') return Promise.resolve();
    if (this.currentState === 'closed') return Promise.reject(new LinkClosed());
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          this.clock.clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          this.clock.clearTimeout(timer);
          reject(error);
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(new HostUnavailable(this.currentState));
      }, timeoutMs);
      this.readyWaiters.push(waiter);
    });
  }

  /**
   * Sends a request (or advice) and resolves with the response carrying the
   * same MTI class, STAN and terminal id. Rejects with HostTimeout,
   * HostDisconnected, HostUnavailable, LinkClosed, DuplicatePendingRequest,
   * NotARequest, an Iso8583Error for a message the spec refuses, or a
   * FrameError for one too large to frame.
   */
  async request(message: IsoMessage, options: { timeoutMs?: number } = {}): Promise<IsoMessage> {
    if (this.currentState === 'closed') throw new LinkClosed();
    if (this.currentState !== 'ready' || !this.connection) {
      throw new HostUnavailable(this.currentState);
    }
    return this.exchange(this.connection, message, options.timeoutMs ?? this.requestTimeoutMs);
  }

  /** Sends an echo test (0800, F70 301) and resolves with the 0810. */
  echo(options: { timeoutMs?: number } = {}): Promise<IsoMessage> {
    return this.request(this.networkManagement(NETWORK_MANAGEMENT_CODE.echo), options);
  }

  /** Stops reconnecting and keep-alive, fails waiting requests with LinkClosed, closes the connection. */
  async close(): Promise<void> {
    if (this.currentState === 'closed') return this.closedSignal;
    this.setState('closed');
    this.clock.clearTimeout(this.reconnectTimer);
    this.clock.clearTimeout(this.keepAliveTimer);
    this.multiplexer.failAll((request) => new LinkClosed(request));
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new LinkClosed());
    this.connection?.close();
    await this.closedSignal;
  }

  // ----- connection lifecycle ------------------------------------------------

  private connect(): void {
    this.setState('connecting');
    const { host, port, tls } = this.options;
    const socket: Socket = tls
      ? connectTls({
          host,
          port,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          // RFC 6066 §3: SNI carries host names only; an IP is checked against the certificate's IP SANs.
          servername: tls.servername ?? (isIP(host) ? undefined : host),
          minVersion: MIN_TLS_VERSION,
        })
      : connectTcp({ host, port });
    const connection = new FrameConnection(socket, this.maxFrameLength);
    this.connection = connection;
    let markClosed: () => void = () => undefined;
    this.closedSignal = new Promise<void>((resolve) => (markClosed = resolve));

    const connectTimer = this.clock.setTimeout(() => {
      this.logger.warn({ host, port }, 'connect timed out');
      connection.close();
    }, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);

    connection.attach({
      onFrame: (payload) => this.receive(connection, payload),
      onClose: (reason) => {
        this.clock.clearTimeout(connectTimer);
        markClosed();
        this.connectionClosed(connection, reason);
      },
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      this.clock.clearTimeout(connectTimer);
      this.connected(connection);
    });
  }

  private connected(connection: FrameConnection): void {
    if (this.connection !== connection || this.currentState === 'closed') return;
    this.lastReceivedAt = this.clock.now();
    this.logger.info({ host: this.options.host, port: this.options.port }, 'connected');
    if (this.options.signOn === false) {
      this.becomeReady(connection);
      return;
    }
    this.setState('signing-on');
    this.exchange(
      connection,
      this.networkManagement(NETWORK_MANAGEMENT_CODE.signOn),
      this.requestTimeoutMs,
    )
      .then((response) => {
        if (response.fields[39] === '00') {
          this.becomeReady(connection);
        } else {
          this.logger.warn({ responseCode: response.fields[39] }, 'sign-on refused');
          connection.close();
        }
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'sign-on failed');
        connection.close();
      });
  }

  private becomeReady(connection: FrameConnection): void {
    if (this.connection !== connection || this.currentState === 'closed') return;
    this.attempt = 0;
    this.setState('ready');
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    this.scheduleKeepAlive(connection);
  }

  private connectionClosed(connection: FrameConnection, reason: CloseReason): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.clock.clearTimeout(this.keepAliveTimer);
    const description = describeClose(reason);
    const failed = this.multiplexer.failConnection(connection.id, description);
    if (this.currentState === 'closed') return;
    const level = reason.kind === 'frame-error' ? 'error' : 'warn';
    this.logger[level]({ reason: description, failedRequests: failed }, 'host connection lost');
    const delay = backoffDelay(this.attempt++, this.backoff, this.random);
    this.setState('reconnect-wait');
    this.reconnectTimer = this.clock.setTimeout(() => {
      if (this.currentState === 'reconnect-wait') this.connect();
    }, delay);
  }

  private scheduleKeepAlive(connection: FrameConnection): void {
    const keepAlive = this.keepAlive;
    if (!keepAlive) return;
    this.keepAliveTimer = this.clock.setTimeout(() => {
      if (this.connection !== connection || this.currentState !== 'ready') return;
      if (this.clock.now() - this.lastReceivedAt < keepAlive.intervalMs) {
        this.scheduleKeepAlive(connection);
        return;
      }
      this.exchange(
        connection,
        this.networkManagement(NETWORK_MANAGEMENT_CODE.echo),
        keepAlive.timeoutMs ?? this.requestTimeoutMs,
      ).then(
        () => this.scheduleKeepAlive(connection),
        (error: unknown) => {
          this.logger.warn({ err: error }, 'echo unanswered, dropping the connection');
          connection.close();
        },
      );
    }, keepAlive.intervalMs);
  }

  // ----- messages ------------------------------------------------------------

  /** Never throws synchronously: every refusal is a rejected promise. */
  private async exchange(
    connection: FrameConnection,
    message: IsoMessage,
    timeoutMs: number,
  ): Promise<IsoMessage> {
    if (mtiRole(message.mti) !== 'request') throw new NotARequest(message.mti);
    const payload = pack(message, this.spec);
    if (payload.length > this.maxFrameLength) {
      throw new FrameError(
        'PAYLOAD_TOO_LARGE',
        `message of ${payload.length} bytes exceeds the ${this.maxFrameLength}-byte frame limit`,
        payload.length,
      );
    }
    const response = this.multiplexer.register(message, { timeoutMs, connectionId: connection.id });
    // If the connection is already closing, its close handler fails the request as disconnected.
    connection.send(payload);
    return response;
  }

  private receive(connection: FrameConnection, payload: Uint8Array): void {
    this.lastReceivedAt = this.clock.now();
    let message: IsoMessage;
    try {
      message = unpack(payload, this.spec);
    } catch (error) {
      if (!(error instanceof Iso8583Error)) throw error;
      this.reportUnmatched({ reason: 'undecodable', payload, error });
      return;
    }
    switch (mtiRole(message.mti)) {
      case 'response':
        this.multiplexer.deliver(message);
        return;
      case 'request':
        if (message.mti === '0800') {
          this.answerNetworkManagement(connection, message);
          return;
        }
        this.reportUnmatched({ reason: 'unsolicited', message });
        return;
      case 'other':
        this.reportUnmatched({ reason: 'unsolicited', message });
        return;
    }
  }

  /** The host's own echo or sign-on: answered '00' while the connection is up. */
  private answerNetworkManagement(connection: FrameConnection, request: IsoMessage): void {
    try {
      connection.send(pack(networkManagementResponse(request, '00'), this.spec));
    } catch (error) {
      if (!(error instanceof Iso8583Error) && !(error instanceof FrameError)) throw error;
      this.reportUnmatched({ reason: 'unsolicited', message: request });
    }
  }

  private networkManagement(code: NetworkManagementCode): IsoMessage {
    return networkManagementRequest(code, this.nextStan(), new Date(this.clock.now()));
  }

  private reportUnmatched(unmatched: UnmatchedMessage): void {
    const handler = this.options.onUnmatched;
    const summary =
      unmatched.reason === 'undecodable'
        ? { reason: unmatched.reason, error: unmatched.error.message }
        : {
            reason: unmatched.reason,
            mti: unmatched.message.mti,
            stan: unmatched.message.fields[11],
            terminalId: unmatched.message.fields[41],
          };
    if (!handler) {
      this.logger.warn(summary, 'unmatched message from host');
      return;
    }
    try {
      handler(unmatched);
    } catch (error) {
      // A faulty handler must not break frame delivery for the other requests.
      this.logger.error({ err: error, ...summary }, 'onUnmatched handler threw');
    }
  }

  private setState(state: LinkState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.options.onStateChange?.(state);
  }
}
