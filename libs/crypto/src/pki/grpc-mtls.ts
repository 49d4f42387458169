import { Secret } from '../secret/secret';
import { PkiError } from './pki-error';
import { CertificateInput, VerifiedTerminal } from './terminal-certificate-verifier';

// This lib is a pure domain layer and may not import @grpc/grpc-js (see the
// module boundaries in eslint.config.mjs). The gRPC layer passes the module in
// (`import * as grpc from '@grpc/grpc-js'`); these interfaces name the few
// members used, and grpc-js 1.14 satisfies them structurally.

/** Metadata key the interceptor sets to the verified terminal id (any value sent by the client is removed first). */
export const TERMINAL_ID_METADATA_KEY = 'x-tillgate-terminal-id';

export interface GrpcCredentialsModule<Credentials> {
  readonly ServerCredentials: {
    createSsl(
      rootCerts: Buffer | null,
      keyCertPairs: { private_key: Buffer; cert_chain: Buffer }[],
      checkClientCertificate?: boolean,
    ): Credentials;
  };
}

export interface GrpcServerCredentialsOptions {
  /** Issuing CA then root (PEM): the only anchors a terminal certificate may chain to. */
  readonly caChainPem: string;
  /** The gateway's server certificate, followed by any intermediate it needs (PEM). */
  readonly certPem: string;
  readonly keyPem: Secret<string> | Buffer;
}

/**
 * Mutual-TLS credentials for a grpc-js server:
 * `grpc.ServerCredentials.createSsl(caChain, [{ cert, key }], true)`.
 * What the handshake then guarantees (Node `requestCert` with the default
 * `rejectUnauthorized`): every connection presents a client certificate that
 * chains to `caChainPem`, with valid signatures and dates at the server's
 * clock. It does NOT check revocation (grpc-js 1.14 takes no CRL) nor that
 * the certificate is a terminal's (clientAuth, terminal id): add
 * `terminalAuthInterceptor` to the server for that.
 */
export function grpcServerCredentials<Credentials>(
  grpc: GrpcCredentialsModule<Credentials>,
  options: GrpcServerCredentialsOptions,
): Credentials {
  const key =
    options.keyPem instanceof Secret ? Buffer.from(options.keyPem.expose()) : options.keyPem;
  return grpc.ServerCredentials.createSsl(
    Buffer.from(options.caChainPem),
    [{ cert_chain: Buffer.from(options.certPem), private_key: key }],
    true,
  );
}

interface MetadataLike {
  remove(key: string): void;
  set(key: string, value: string): void;
}

/** The server call as an interceptor sees it (grpc-js `ServerInterceptingCallInterface`). */
export interface PeerCall {
  getAuthContext(): { readonly sslPeerCertificate?: { readonly raw?: Buffer } | undefined };
  sendStatus(status: { code: number; details: string }): void;
}

export interface GrpcInterceptorModule<InterceptingCall, Metadata extends MetadataLike> {
  readonly status: { readonly UNAUTHENTICATED: number };
  readonly ServerListenerBuilder: new () => {
    withOnReceiveMetadata(
      listener: (metadata: Metadata, next: (metadata: Metadata) => void) => void,
    ): {
      build(): unknown;
    };
  };
  readonly ResponderBuilder: new () => {
    withStart(start: (next: (listener: never) => void) => void): { build(): unknown };
  };
  readonly ServerInterceptingCall: new (call: never, responder: never) => InterceptingCall;
}

/**
 * A grpc-js server interceptor (`new grpc.Server({ interceptors: [...] })`)
 * that runs `check` (e.g. `terminalCertificateChecker(...)`) on the peer
 * certificate of every call before its handler sees it. A call without a
 * verified TLS client certificate, or whose certificate fails the check
 * (revoked, stale CRL, not a terminal certificate...), ends with
 * UNAUTHENTICATED and the handler never runs. On success the terminal id is
 * set in the call metadata under TERMINAL_ID_METADATA_KEY.
 */
export function terminalAuthInterceptor<InterceptingCall, Metadata extends MetadataLike>(
  grpc: GrpcInterceptorModule<InterceptingCall, Metadata>,
  check: (certificate: CertificateInput) => VerifiedTerminal,
  onRejected?: (error: Error) => void,
): (method: unknown, call: PeerCall) => InterceptingCall {
  return (_method, call) => {
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        let terminal: VerifiedTerminal;
        try {
          const peer = call.getAuthContext().sslPeerCertificate;
          if (!peer?.raw) {
            throw new PkiError(
              'PKI_CERT_UNTRUSTED',
              'no verified TLS client certificate on this connection',
              'certificate',
            );
          }
          terminal = check({ raw: peer.raw });
        } catch (error) {
          onRejected?.(error as Error);
          const code = error instanceof PkiError ? error.code : 'PKI_CERT_UNTRUSTED';
          call.sendStatus({
            code: grpc.status.UNAUTHENTICATED,
            details: `terminal certificate refused (${code})`,
          });
          return;
        }
        metadata.remove(TERMINAL_ID_METADATA_KEY);
        metadata.set(TERMINAL_ID_METADATA_KEY, terminal.terminalId);
        next(metadata);
      })
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener as never))
      .build();
    return new grpc.ServerInterceptingCall(call as never, responder as never);
  };
}
