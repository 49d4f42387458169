import { createLogger } from '@tillgate/platform';
import { TestPki } from '../testing/mutual-tls.fixture';
import { ScriptedHost } from '../testing/scripted-host';
import { waitFor } from '../testing/wait-for';
import { HostLink } from './host-link';
import { HostUnavailable } from './host-link.errors';

const silent = createLogger({ level: 'silent' });
const acquirer = TestPki.create('Tillgate Test Acquirer');
const stranger = TestPki.create('Somebody Else');

describe('HostLink with mutual TLS', () => {
  let host: ScriptedHost;
  const links: HostLink[] = [];

  beforeAll(async () => {
    host = await ScriptedHost.start({ tls: acquirer.host() });
  });

  afterEach(async () => {
    for (const link of links.splice(0)) await link.close();
  });

  afterAll(async () => {
    await host.close();
  });

  function aLink(identity: { ca: string; cert: string; key: string }): HostLink {
    const link = new HostLink({
      host: '127.0.0.1',
      port: host.port,
      tls: identity,
      logger: silent,
      keepAlive: false,
      requestTimeoutMs: 1_000,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    links.push(link);
    link.start();
    return link;
  }

  it('signs on and echoes over TLS when both sides present certificates of the trusted CA', async () => {
    const link = aLink(acquirer.client('GATEWAY1'));
    await link.waitUntilReady(3_000);
    const echo = await link.echo();
    expect(echo.mti).toBe('0810');
    expect(echo.fields[39]).toBe('00');
  });

  it('never becomes ready with a client certificate the host does not trust', async () => {
    const before = host.received.length;
    const untrusted = { ...stranger.client('GATEWAY1'), ca: acquirer.host().ca };
    const link = aLink(untrusted);
    await expect(link.waitUntilReady(500)).rejects.toBeInstanceOf(HostUnavailable);
    expect(host.received.length).toBe(before);
  });

  it('refuses a host whose certificate does not chain to the CA it trusts', async () => {
    const distrustful = { ...acquirer.client('GATEWAY1'), ca: stranger.host().ca };
    const link = aLink(distrustful);
    await expect(link.waitUntilReady(500)).rejects.toBeInstanceOf(HostUnavailable);
    await waitFor(() => link.state === 'reconnect-wait' || link.state === 'connecting', 'retrying');
  });
});
