import type { RequestIdentity } from './match-key';

export type HostLinkErrorCode =
  /** No response within the request's timeout. The request may still have reached the host. */
  | 'HOST_TIMEOUT'
  /** The connection dropped while the request was waiting. The request may still have reached the host. */
  | 'HOST_DISCONNECTED'
  /** The link is not connected and signed on; the request was not sent. */
  | 'HOST_UNAVAILABLE'
  /** The link was closed by its owner; the request was not sent, or its answer will not be waited for. */
  | 'LINK_CLOSED'
  /** A request with the same MTI class, STAN and terminal id is already waiting; a response could not be told apart. */
  | 'DUPLICATE_PENDING_REQUEST'
  /** `request` was given a response or notification MTI. */
  | 'NOT_A_REQUEST';

/**
 * Errors of the host link. For HOST_TIMEOUT and HOST_DISCONNECTED the outcome
 * at the host is unknown: the caller must reverse (0400/0420) before it
 * treats the transaction as not done.
 */
export abstract class HostLinkError extends Error {
  abstract readonly code: HostLinkErrorCode;
}

const describe = (r: RequestIdentity): string =>
  `${r.mti} STAN ${r.stan}${r.terminalId ? ` terminal ${r.terminalId}` : ''}`;

export class HostTimeout extends HostLinkError {
  override readonly name = 'HostTimeout';
  readonly code = 'HOST_TIMEOUT';

  constructor(
    readonly request: RequestIdentity,
    readonly timeoutMs: number,
  ) {
    super(`no response to ${describe(request)} within ${timeoutMs} ms`);
  }
}

export class HostDisconnected extends HostLinkError {
  override readonly name = 'HostDisconnected';
  readonly code = 'HOST_DISCONNECTED';

  constructor(
    readonly request: RequestIdentity,
    readonly reason: string,
  ) {
    super(`connection lost while ${describe(request)} was waiting: ${reason}`);
  }
}

export class HostUnavailable extends HostLinkError {
  override readonly name = 'HostUnavailable';
  readonly code = 'HOST_UNAVAILABLE';

  constructor(readonly state: string) {
    super(`host link is not ready (state: ${state})`);
  }
}

export class LinkClosed extends HostLinkError {
  override readonly name = 'LinkClosed';
  readonly code = 'LINK_CLOSED';

  constructor(readonly request?: RequestIdentity) {
    super(
      request ? `host link closed while ${describe(request)} was waiting` : 'host link is closed',
    );
  }
}

export class DuplicatePendingRequest extends HostLinkError {
  override readonly name = 'DuplicatePendingRequest';
  readonly code = 'DUPLICATE_PENDING_REQUEST';

  constructor(readonly request: RequestIdentity) {
    super(`${describe(request)} is already waiting for a response`);
  }
}

export class NotARequest extends HostLinkError {
  override readonly name = 'NotARequest';
  readonly code = 'NOT_A_REQUEST';

  constructor(readonly mti: string) {
    super(`MTI ${mti} is not a request or advice (function digit 0 or 2)`);
  }
}
