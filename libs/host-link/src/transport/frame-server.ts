import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { DEFAULT_MAX_FRAME_LENGTH } from '../framing/frame.codec';
import { FrameConnection, type FrameHandlers } from './frame-connection';
import { MIN_TLS_VERSION, type MutualTlsServerOptions } from './tls.options';

export interface FrameServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port (see {@link FrameServer.port}). */
  readonly port: number;
  readonly maxFrameLength?: number;
  /** When set, only clients with a certificate chaining to `tls.ca` get through the handshake. */
  readonly tls?: MutualTlsServerOptions;
  /** Called for every accepted connection; returns the handlers for its frames. */
  readonly onConnection: (connection: FrameConnection) => FrameHandlers;
  /** A TLS handshake that failed (no or untrusted client certificate...). */
  readonly onHandshakeError?: (error: Error) => void;
}

/** The server side of the length-prefixed framing: accepts connections and hands each one its frames. */
export class FrameServer {
  private readonly live = new Set<FrameConnection>();
  private readonly server: Server;
  private readonly maxFrameLength: number;
  private boundPort = 0;

  private constructor(private readonly options: FrameServerOptions) {
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    const accept = (socket: Socket): void => this.accept(socket);
    this.server = options.tls
      ? createTlsServer(
          {
            ca: options.tls.ca,
            cert: options.tls.cert,
            key: options.tls.key,
            requestCert: true,
            rejectUnauthorized: true,
            minVersion: MIN_TLS_VERSION,
          },
          accept,
        ).on('tlsClientError', (error: Error) => options.onHandshakeError?.(error))
      : createTcpServer(accept);
  }

  static async listen(options: FrameServerOptions): Promise<FrameServer> {
    const frameServer = new FrameServer(options);
    await frameServer.start();
    return frameServer;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** The bound port (the real one when listening on port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Connections currently open. */
  get connections(): readonly FrameConnection[] {
    return [...this.live];
  }

  /** Closes every open connection (the server keeps accepting new ones). Returns how many were closed. */
  dropConnections(): number {
    const open = [...this.live];
    for (const connection of open) connection.close();
    return open.length;
  }

  /** Stops accepting, closes every connection, resolves when the server is closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropConnections();
    await closed;
  }

  private async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
  }

  private accept(socket: Socket): void {
    const connection = new FrameConnection(socket, this.maxFrameLength);
    const handlers = this.options.onConnection(connection);
    this.live.add(connection);
    connection.attach({
      onFrame: (payload) => handlers.onFrame(payload),
      onClose: (reason) => {
        this.live.delete(connection);
        handlers.onClose(reason);
      },
    });
  }
}
