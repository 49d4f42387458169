import { HostDisconnected, HostLink, HostTimeout } from '@tillgate/host-link';
import { createLogger } from '@tillgate/platform';
import type { CardAccount } from '../cards/card-account';
import { ControlServer } from '../control/control.server';
import type { ChipCardEmulator } from '../testing/chip-card.emulator';
import {
  aCardProfile,
  anAccount,
  emulatorFor,
  startHarness,
  type Harness,
} from '../testing/simulator.harness';

// Faults are injected through the HTTP control channel, as a gateway test
// suite would, and observed through a real host link.

const account: CardAccount = anAccount(aCardProfile('fault-card'), { balance: 100_000 });
let h: Harness;
let control: ControlServer;
let card: ChipCardEmulator;
let stan = 900;

beforeAll(async () => {
  h = await startHarness([account], { requestTimeoutMs: 300 });
  control = await ControlServer.start({ host: h.host, issuer: h.issuer, port: 0 });
  card = emulatorFor(account);
});
afterEach(async () => {
  await call('DELETE', '/faults');
  h.unmatched.splice(0);
  await h.link.waitUntilReady(3_000);
});
afterAll(async () => {
  await control.close();
  await h.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${control.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

const available = () => h.issuer.cards.find(account.profile.pan)!.available;
const anAuthorization = (amount = 1_000) => card.authorization({ amount, stan: ++stan }).request;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('fault injection', () => {
  it('latency: the link times out with HostTimeout and the late answer reaches the late handler', async () => {
    expect(
      (
        await call('POST', '/faults', {
          match: { mti: '0100' },
          action: { kind: 'delay', ms: 600 },
        })
      ).status,
    ).toBe(201);
    const request = anAuthorization();
    await expect(h.link.request(request)).rejects.toBeInstanceOf(HostTimeout);
    await waitFor(() => h.unmatched.length === 1, 'the late response');
    expect(h.unmatched[0]).toMatchObject({
      reason: 'late',
      failedWith: 'timeout',
      message: { mti: '0110', fields: { 11: request.fields[11], 39: '00' } },
    });
    // The host did approve it: a gateway reverses what timed out.
    const reversal = await h.link.request(card.reversalOf(request, { stan: ++stan }));
    expect(reversal.fields[39]).toBe('00');
  });

  it('dropped response: processed but never answered; the reversal gives the money back', async () => {
    await call('POST', '/faults', { action: { kind: 'drop-response' } });
    const before = available();
    const request = anAuthorization(4_000);
    await expect(h.link.request(request)).rejects.toBeInstanceOf(HostTimeout);
    expect(available()).toBe(before - 4_000);
    expect((await h.link.request(card.reversalOf(request, { stan: ++stan }))).fields[39]).toBe(
      '00',
    );
    expect(available()).toBe(before);
  });

  it('no answer: the request is ignored, nothing moves, nothing arrives late', async () => {
    await call('POST', '/faults', { action: { kind: 'no-answer' } });
    const before = available();
    const request = anAuthorization();
    await expect(h.link.request(request)).rejects.toBeInstanceOf(HostTimeout);
    expect(available()).toBe(before);
    expect((await h.link.request(card.reversalOf(request, { stan: ++stan }))).fields[39]).toBe(
      '25',
    );
    expect(h.unmatched).toEqual([]);
  });

  it('disconnect: the waiting request fails with HostDisconnected and the link reconnects and signs on', async () => {
    await call('POST', '/faults', { match: { mti: '0100' }, action: { kind: 'disconnect' } });
    await expect(h.link.request(anAuthorization())).rejects.toBeInstanceOf(HostDisconnected);
    await h.link.waitUntilReady(3_000);
    expect((await h.link.request(anAuthorization())).fields[39]).toBe('00');
  });

  it('dropping every connection from the control channel makes the link reconnect', async () => {
    expect((await call('POST', '/connections/drop')).body).toEqual({ dropped: 1 });
    await waitFor(() => h.link.state !== 'ready', 'the link to notice');
    await h.link.waitUntilReady(3_000);
    expect((await h.link.echo()).fields[39]).toBe('00');
  });

  it('a forced response code (91 issuer inoperative) is answered without processing', async () => {
    await call('POST', '/faults', { action: { kind: 'respond', responseCode: '91' }, times: 2 });
    const before = available();
    expect((await h.link.request(anAuthorization())).fields[39]).toBe('91');
    expect((await h.link.request(anAuthorization())).fields[39]).toBe('91');
    expect((await h.link.request(anAuthorization())).fields[39]).toBe('00');
    expect(available()).toBe(before - 1_000);
  });

  it('unanswered echoes make a keep-alive link drop and reconnect', async () => {
    const states: string[] = [];
    const link = new HostLink({
      host: '127.0.0.1',
      port: h.host.port,
      keepAlive: { intervalMs: 50, timeoutMs: 100 },
      requestTimeoutMs: 500,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      logger: createLogger({ level: 'silent' }),
      onStateChange: (s) => states.push(s),
    });
    link.start();
    try {
      await link.waitUntilReady(2_000);
      await call('POST', '/faults', { match: { mti: '0800' }, action: { kind: 'no-answer' } });
      await waitFor(() => states.includes('reconnect-wait'), 'the link to give up on the echo');
      await link.waitUntilReady(2_000);
    } finally {
      await link.close();
    }
  });
});

describe('control channel', () => {
  it('lists, adds and clears fault rules, naming the field of a bad one', async () => {
    const bad = await call('POST', '/faults', { action: { kind: 'delay', ms: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: expect.stringMatching(/^action\.ms: /) });
    expect((await call('POST', '/faults', { action: { kind: 'explode' } })).status).toBe(400);

    await call('POST', '/faults', {
      match: { stan: '123456' },
      action: { kind: 'no-answer' },
      times: 'always',
    });
    expect((await call('GET', '/faults')).body).toEqual([
      {
        id: expect.any(Number),
        match: { stan: '123456' },
        action: { kind: 'no-answer' },
        remaining: 'always',
      },
    ]);
    expect((await call('DELETE', '/faults')).body).toEqual({ removed: 1 });
    expect((await call('GET', '/nowhere')).status).toBe(404);
  });

  it('serves the journal and card summaries with masked PANs only', async () => {
    const journal = await call('GET', '/journal');
    const cards = await call('GET', '/cards');
    expect(cards.body).toEqual([
      expect.objectContaining({ maskedPan: expect.stringMatching(/^\d{6}\*+\d{4}$/) }),
    ]);
    expect((journal.body as unknown[]).length).toBeGreaterThan(0);
    expect(JSON.stringify([journal.body, cards.body])).not.toContain(account.profile.pan);
    expect((await call('GET', '/health')).body).toEqual({ status: 'ok', connections: 1 });
  });
});
