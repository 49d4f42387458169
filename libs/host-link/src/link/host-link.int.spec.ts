import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ACQUIRER_SPEC, pack } from '@tillgate/iso8583';
import { createLogger } from '@tillgate/platform';
import { aRequest } from '../testing/request.builder';
import { ScriptedHost, responseTo } from '../testing/scripted-host';
import { waitFor } from '../testing/wait-for';
import { HostLink, type HostLinkOptions, type LinkState } from './host-link';
import {
  HostDisconnected,
  HostTimeout,
  HostUnavailable,
  LinkClosed,
  NotARequest,
} from './host-link.errors';
import type { UnmatchedMessage } from './host-multiplexer';

// Every test runs the link against a real TCP server on 127.0.0.1.

const silent = createLogger({ level: 'silent' });
const open: { close(): Promise<void> }[] = [];

async function aHost(): Promise<ScriptedHost> {
  const host = await ScriptedHost.start();
  open.push(host);
  return host;
}

function aLink(port: number, options: Partial<HostLinkOptions> = {}) {
  const unmatched: UnmatchedMessage[] = [];
  const states: LinkState[] = [];
  const link = new HostLink({
    host: '127.0.0.1',
    port,
    logger: silent,
    keepAlive: false,
    requestTimeoutMs: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    onUnmatched: (u) => unmatched.push(u),
    onStateChange: (s) => states.push(s),
    ...options,
  });
  open.push(link);
  link.start();
  return { link, unmatched, states };
}

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

describe('HostLink over TCP', () => {
  it('signs on before it is ready', async () => {
    const host = await aHost();
    const { link, states } = aLink(host.port);
    await link.waitUntilReady();
    expect(host.messages('0800').map((m) => m.fields[70])).toEqual(['001']);
    expect(states).toEqual(['connecting', 'signing-on', 'ready']);
  });

  it('matches concurrent requests to out-of-order responses by MTI class, STAN and terminal id', async () => {
    const host = await aHost();
    const { link, unmatched } = aLink(host.port);
    await link.waitUntilReady();

    // Same STANs on two terminals, and an 0200 sharing STAN and terminal with an 0100.
    const requests = [
      ...[1, 2, 3, 4, 5, 6, 7, 8].flatMap((stan) =>
        ['TERM0001', 'TERM0002'].map((t) => aRequest().withStan(stan).withTerminal(t)),
      ),
      aRequest().withMti('0200').withStan(1).withTerminal('TERM0001'),
    ].map((r, i) => r.with(4, String(1_000 + i).padStart(12, '0')).build());
    const answers = requests.map((r) => link.request(r));
    const received = await host.takeRequests(requests.length);
    // Answer in a scrambled order (17 requests, stride 7 visits each once).
    for (const i of received.map((_, n) => (n * 7) % received.length)) {
      received[i].reply(responseTo(received[i].message, '00'));
    }
    const responses = await Promise.all(answers);
    responses.forEach((response, i) => {
      const request = requests[i];
      expect(response.mti).toBe(request.mti === '0200' ? '0210' : '0110');
      // The amount differs per request: the response was built from this very request.
      expect(response.fields).toMatchObject({
        4: request.fields[4],
        11: request.fields[11],
        41: request.fields[41],
      });
    });
    expect(unmatched).toEqual([]);
    expect(link.pendingRequests).toBe(0);
  });

  it('times out with HostTimeout; the late response reaches the unmatched handler, not another caller', async () => {
    const host = await aHost();
    const { link, unmatched } = aLink(host.port);
    await link.waitUntilReady();

    const slow = aRequest().withStan(100).build();
    const failed = link.request(slow, { timeoutMs: 100 }).catch((e: unknown) => e);
    const [pending] = await host.takeRequests(1);
    expect(await failed).toBeInstanceOf(HostTimeout);

    // A new request from the same terminal waits while the late answer arrives.
    const next = link.request(aRequest().withStan(101).build());
    const [nextReceived] = await host.takeRequests(1);
    pending.reply(responseTo(slow, '00'));
    await waitFor(() => unmatched.length === 1, 'the late response');
    expect(unmatched[0]).toMatchObject({
      reason: 'late',
      failedWith: 'timeout',
      request: { mti: '0100', stan: '000100', terminalId: 'TERM0001' },
      message: { mti: '0110', fields: { 11: '000100', 39: '00' } },
    });
    nextReceived.reply(responseTo(nextReceived.message, '51'));
    expect((await next).fields).toMatchObject({ 11: '000101', 39: '51' });
  });

  it('reports a response to nothing as unknown, and an undecodable frame as undecodable', async () => {
    const host = await aHost();
    const { link, unmatched } = aLink(host.port);
    await link.waitUntilReady();
    const [connection] = host.server.connections;
    connection.send(Buffer.from('0110 not a message'));
    connection.send(pack(responseTo(aRequest().withStan(555).build(), '00'), ACQUIRER_SPEC));
    await waitFor(() => unmatched.length === 2, 'two unmatched messages');
    expect(unmatched[0]).toMatchObject({
      reason: 'undecodable',
      error: { code: 'UNDEFINED_FIELD' },
    });
    expect(unmatched[1]).toMatchObject({
      reason: 'unknown',
      message: { fields: { 11: '000555' } },
    });
    expect(link.state).toBe('ready');
  });

  it('fails pending requests with HostDisconnected when the host drops, then reconnects and signs on again', async () => {
    const host = await aHost();
    const { link, states } = aLink(host.port);
    await link.waitUntilReady();
    const waiting = link.request(aRequest().withStan(200).build()).catch((e: unknown) => e);
    await host.takeRequests(1);
    host.server.dropConnections();

    const error = await waiting;
    expect(error).toBeInstanceOf(HostDisconnected);
    expect(error).toMatchObject({ code: 'HOST_DISCONNECTED', request: { stan: '000200' } });
    await waitFor(
      () => link.state === 'ready' && states.includes('reconnect-wait'),
      'reconnection',
    );
    expect(host.messages('0800').map((m) => m.fields[70])).toEqual(['001', '001']);

    const again = link.request(aRequest().withStan(201).build());
    const [received] = await host.takeRequests(1);
    received.reply(responseTo(received.message, '00'));
    expect((await again).fields[39]).toBe('00');
  });

  it('keeps retrying with backoff while the host is down, and connects when it comes back', async () => {
    const first = await ScriptedHost.start();
    const port = first.port;
    await first.close();

    const { link, states } = aLink(port, { reconnect: { initialDelayMs: 10, maxDelayMs: 40 } });
    await expect(link.request(aRequest().build())).rejects.toBeInstanceOf(HostUnavailable);
    await waitFor(
      () => states.filter((s) => s === 'reconnect-wait').length >= 3,
      'three failed attempts',
    );

    const host = await ScriptedHost.start({ port });
    open.push(host);
    await link.waitUntilReady(2_000);
    expect(host.messages('0800')).toHaveLength(1);
  });

  it('sends echoes when the line is idle and drops a connection whose echo goes unanswered', async () => {
    const host = await aHost();
    const { link, states } = aLink(host.port, { keepAlive: { intervalMs: 40, timeoutMs: 60 } });
    await link.waitUntilReady();
    await waitFor(
      () => host.messages('0800').filter((m) => m.fields[70] === '301').length >= 2,
      'two echoes',
    );
    expect(link.state).toBe('ready');

    host.answerNetworkManagement = false;
    await waitFor(
      () => states.includes('reconnect-wait'),
      'the link to give up on the silent host',
    );
    host.answerNetworkManagement = true;
    await link.waitUntilReady();
  });

  it('answers the host’s own echo with an 0810', async () => {
    const host = await aHost();
    const { link } = aLink(host.port);
    await link.waitUntilReady();
    // The scripted host records what the link sends back on the same connection.
    const echo = { mti: '0800', fields: { 7: '0506101530', 11: '777777', 70: '301' } };
    host.server.connections[0].send(pack(echo, ACQUIRER_SPEC));
    await waitFor(() => host.messages('0810').length === 1, 'the 0810');
    expect(host.messages('0810')[0].fields).toMatchObject({ 11: '777777', 39: '00', 70: '301' });
  });

  it('refuses to send while not ready, after close, and anything that is not a request', async () => {
    const host = await aHost();
    const { link } = aLink(host.port);
    await expect(link.request(aRequest().build())).rejects.toBeInstanceOf(HostUnavailable);
    await link.waitUntilReady();
    await expect(link.request(responseTo(aRequest().build(), '00'))).rejects.toBeInstanceOf(
      NotARequest,
    );
    await link.close();
    expect(link.state).toBe('closed');
    await expect(link.request(aRequest().build())).rejects.toBeInstanceOf(LinkClosed);
  });
});

describe('HostLink against a host that breaks the framing', () => {
  let server: Server;
  let sockets: Socket[];

  beforeEach(async () => {
    sockets = [];
    server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push({
      close: () =>
        new Promise<void>((resolve) => {
          sockets.forEach((s) => s.destroy());
          server.close(() => resolve());
        }),
    });
  });

  it('drops the connection on an oversize length header, fails what was waiting, and reconnects', async () => {
    const port = (server.address() as AddressInfo).port;
    const { link, states } = aLink(port, { signOn: false, maxFrameLength: 1024 });
    await link.waitUntilReady();
    const waiting = link.request(aRequest().build()).catch((e: unknown) => e);
    await waitFor(() => sockets.length === 1, 'the connection');
    sockets[0].write(Buffer.from([0x04, 0x01])); // announces 1025 bytes
    const error = await waiting;
    expect(error).toBeInstanceOf(HostDisconnected);
    expect((error as HostDisconnected).reason).toMatch(/framing error: frame of 1025 bytes/);
    await waitFor(() => sockets.length === 2 && link.state === 'ready', 'a new connection');
    expect(states).toContain('reconnect-wait');
  });
});
