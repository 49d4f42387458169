import { ACQUIRER_SPEC, pack, unpack, type IsoMessage } from '@tillgate/iso8583';
import { FrameConnection } from '../transport/frame-connection';
import { FrameServer } from '../transport/frame-server';
import type { MutualTlsServerOptions } from '../transport/tls.options';
import { networkManagementResponse } from '../link/network-management';

export interface ReceivedRequest {
  readonly message: IsoMessage;
  readonly connection: FrameConnection;
  /** Sends the response on the connection the request came in on. */
  reply(response: IsoMessage): void;
}

/**
 * A host for tests, over real TCP: it answers 0800 sign-on and echo with
 * 0810 '00' (unless told not to) and hands every other request to the test,
 * which replies when and how it wants.
 */
export class ScriptedHost {
  readonly received: IsoMessage[] = [];
  answerNetworkManagement = true;
  onRequest: (request: ReceivedRequest) => void = () => undefined;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly queue: ReceivedRequest[] = [];

  private listening: FrameServer | undefined;

  get server(): FrameServer {
    if (!this.listening) throw new Error('ScriptedHost is not listening');
    return this.listening;
  }

  static async start(
    options: { port?: number; tls?: MutualTlsServerOptions } = {},
  ): Promise<ScriptedHost> {
    const host = new ScriptedHost();
    host.listening = await FrameServer.listen({
      port: options.port ?? 0,
      tls: options.tls,
      onConnection: (connection) => ({
        onFrame: (payload) => host.receive(connection, payload),
        onClose: () => undefined,
      }),
    });
    return host;
  }

  get port(): number {
    return this.server.port;
  }

  /** Messages received with this MTI. */
  messages(mti: string): IsoMessage[] {
    return this.received.filter((m) => m.mti === mti);
  }

  /** Resolves once `count` requests other than 0800 are queued; returns and clears them. */
  async takeRequests(count: number): Promise<ReceivedRequest[]> {
    if (this.queue.length < count) {
      await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    }
    return this.queue.splice(0, count);
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  private receive(connection: FrameConnection, payload: Uint8Array): void {
    const message = unpack(payload, ACQUIRER_SPEC);
    this.received.push(message);
    const reply = (response: IsoMessage): void => {
      connection.send(pack(response, ACQUIRER_SPEC));
    };
    if (message.mti === '0800') {
      if (this.answerNetworkManagement) reply(networkManagementResponse(message, '00'));
      return;
    }
    const request = { message, connection, reply };
    this.onRequest(request);
    this.queue.push(request);
    for (const waiter of [...this.waiters]) {
      if (this.queue.length >= waiter.count) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve();
      }
    }
  }
}

/** The response a host would give: the request's echo fields plus 39 (and 38 when approved). */
export function responseTo(
  request: IsoMessage,
  responseCode: string,
  extra: Record<number, string> = {},
): IsoMessage {
  const echo = [3, 4, 7, 11, 41, 42, 49, 90];
  const fields: Record<number, IsoMessage['fields'][number]> = {};
  for (const n of echo) if (request.fields[n] !== undefined) fields[n] = request.fields[n];
  const mti = `${request.mti.slice(0, 2)}${Number(request.mti[2]) + 1}0`;
  return { mti, fields: { ...fields, 39: responseCode, ...extra } };
}
