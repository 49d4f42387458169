import {
  FrameServer,
  networkManagementResponse,
  type FrameConnection,
  type MutualTlsServerOptions,
} from '@tillgate/host-link';
import { ACQUIRER_SPEC, Iso8583Error, pack, unpack, type IsoMessage } from '@tillgate/iso8583';
import { createLogger, type Logger } from '@tillgate/platform';
import { FaultPlan, type FaultAction } from '../faults/fault-plan';
import type { SimulatedIssuer } from '../issuer/simulated-issuer';
import { responseTo, text } from '../messages/message-fields';
import type { ResponseCode } from '../messages/response-code';

export interface IssuerHostOptions {
  readonly issuer: SimulatedIssuer;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Mutual TLS: only clients with a certificate of `tls.ca` connect. */
  readonly tls?: MutualTlsServerOptions;
  readonly maxFrameLength?: number;
  readonly logger?: Logger;
}

/**
 * The simulator on the wire: the server side of the host link's framing
 * (2-byte length, ACQUIRER_SPEC messages), the {@link SimulatedIssuer}
 * behind it, and a {@link FaultPlan} consulted for every request.
 */
export class IssuerHost {
  readonly faults = new FaultPlan();
  private readonly delayed = new Set<ReturnType<typeof setTimeout>>();
  private server: FrameServer | undefined;
  private readonly logger: Logger;

  private constructor(private readonly options: IssuerHostOptions) {
    this.logger = options.logger ?? createLogger({ name: 'issuer-simulator' });
  }

  static async start(options: IssuerHostOptions): Promise<IssuerHost> {
    const host = new IssuerHost(options);
    host.server = await FrameServer.listen({
      host: options.host,
      port: options.port,
      tls: options.tls,
      maxFrameLength: options.maxFrameLength,
      onConnection: (connection) => {
        host.logger.info({ remote: connection.remote }, 'connection accepted');
        return {
          onFrame: (payload) => host.receive(connection, payload),
          onClose: (reason) =>
            host.logger.info(
              { remote: connection.remote, reason: reason.kind },
              'connection closed',
            ),
        };
      },
      onHandshakeError: (error) =>
        host.logger.warn({ error: error.message }, 'TLS handshake refused'),
    });
    return host;
  }

  get port(): number {
    return this.listening.port;
  }

  get address(): string {
    return `${this.listening.host}:${this.listening.port}`;
  }

  get connectionCount(): number {
    return this.listening.connections.length;
  }

  /** Closes every client connection now (the host keeps listening). */
  dropConnections(): number {
    const dropped = this.listening.dropConnections();
    this.logger.info({ dropped }, 'connections dropped');
    return dropped;
  }

  /** Stops listening, closes connections, discards delayed answers. */
  async close(): Promise<void> {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    await this.listening.close();
  }

  private get listening(): FrameServer {
    if (!this.server) throw new Error('IssuerHost is not listening');
    return this.server;
  }

  private receive(connection: FrameConnection, payload: Uint8Array): void {
    let request: IsoMessage;
    try {
      request = unpack(payload, ACQUIRER_SPEC);
    } catch (error) {
      if (!(error instanceof Iso8583Error)) throw error;
      // Without a readable STAN there is nothing to answer to.
      this.logger.warn({ code: error.code, field: error.field }, 'unreadable message ignored');
      return;
    }
    const summary = { mti: request.mti, stan: text(request, 11), terminalId: text(request, 41) };
    const fault = this.faults.take(summary);
    if (fault) this.logger.info({ ...summary, fault }, 'fault injected');

    switch (fault?.kind) {
      case 'no-answer':
        return;
      case 'respond':
        this.send(connection, this.forcedResponse(request, fault.responseCode));
        return;
      case 'disconnect':
        if (fault.afterProcessing) this.process(request);
        connection.close();
        return;
    }
    const response = this.process(request);
    if (!response) return;
    this.deliver(connection, response, fault);
  }

  private process(request: IsoMessage): IsoMessage | undefined {
    try {
      return this.options.issuer.handle(request);
    } catch (error) {
      this.logger.error(
        { err: error, mti: request.mti, stan: text(request, 11) },
        'processing failed',
      );
      return this.forcedResponse(request, '96');
    }
  }

  private deliver(
    connection: FrameConnection,
    response: IsoMessage,
    fault: Exclude<FaultAction, { kind: 'no-answer' | 'respond' | 'disconnect' }> | undefined,
  ): void {
    if (fault?.kind === 'drop-response') return;
    if (fault?.kind === 'delay') {
      const timer = setTimeout(() => {
        this.delayed.delete(timer);
        this.send(connection, response);
      }, fault.ms);
      this.delayed.add(timer);
      return;
    }
    this.send(connection, response);
  }

  private forcedResponse(request: IsoMessage, responseCode: string): IsoMessage {
    return request.mti === '0800'
      ? networkManagementResponse(request, responseCode)
      : responseTo(request, responseCode as ResponseCode);
  }

  private send(connection: FrameConnection, response: IsoMessage): void {
    if (!connection.isOpen) return;
    try {
      connection.send(pack(response, ACQUIRER_SPEC));
    } catch (error) {
      this.logger.error({ err: error, mti: response.mti }, 'response could not be sent');
    }
  }
}
