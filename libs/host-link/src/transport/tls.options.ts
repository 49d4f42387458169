/** PEM text or bytes, as node:tls takes them. */
export type Pem = string | Buffer;

/**
 * Mutual TLS for the client side of the link: the host's certificate must
 * chain to `ca` (and match `servername`, default the host), and the link
 * presents `cert` / `key`. There is deliberately no switch to skip
 * verification.
 */
export interface MutualTlsClientOptions {
  readonly ca: Pem;
  readonly cert: Pem;
  readonly key: Pem;
  /** SNI and the name checked against the host certificate; default the host. */
  readonly servername?: string;
}

/** Mutual TLS for the server side: every client must present a certificate chaining to `ca`. */
export interface MutualTlsServerOptions {
  readonly ca: Pem;
  readonly cert: Pem;
  readonly key: Pem;
}

/** Oldest protocol version either side accepts. */
export const MIN_TLS_VERSION = 'TLSv1.2';
