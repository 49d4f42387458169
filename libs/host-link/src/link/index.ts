export { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
export { HostLink, type HostLinkOptions, type KeepAliveOptions, type LinkState } from './host-link';
export {
  DuplicatePendingRequest,
  HostDisconnected,
  HostLinkError,
  HostTimeout,
  HostUnavailable,
  LinkClosed,
  NotARequest,
  type HostLinkErrorCode,
} from './host-link.errors';
export {
  HostMultiplexer,
  type DeliveryOutcome,
  type HostMultiplexerOptions,
  type UnmatchedMessage,
} from './host-multiplexer';
export { identityOf, matchKeyOf, mtiClass, mtiRole, type RequestIdentity } from './match-key';
export {
  NETWORK_MANAGEMENT_CODE,
  networkManagementRequest,
  networkManagementResponse,
  stanCounter,
  transmissionDateTime,
  type NetworkManagementCode,
} from './network-management';
