export { FrameConnection, type CloseReason, type FrameHandlers } from './frame-connection';
export { FrameServer, type FrameServerOptions } from './frame-server';
export {
  MIN_TLS_VERSION,
  type MutualTlsClientOptions,
  type MutualTlsServerOptions,
  type Pem,
} from './tls.options';
