import type { IsoMessage } from '@tillgate/iso8583';
import { ManualClock } from '../clock/manual-clock';
import { aRequest } from '../testing/request.builder';
import { responseTo } from '../testing/scripted-host';
import { DuplicatePendingRequest, HostDisconnected, HostTimeout } from './host-link.errors';
import { HostMultiplexer, type UnmatchedMessage } from './host-multiplexer';
import { matchKeyOf, mtiClass } from './match-key';

function setUp() {
  const clock = new ManualClock(1_000_000);
  const unmatched: UnmatchedMessage[] = [];
  const mux = new HostMultiplexer({
    clock,
    onUnmatched: (u) => unmatched.push(u),
    lateWindowMs: 60_000,
  });
  return { clock, unmatched, mux };
}

const settle = async <T>(p: Promise<T>): Promise<T | Error> => p.catch((e: Error) => e);

describe('match key', () => {
  it('puts a response in its request class: 0110 with 0100/0101, 0430 with 0420/0421, not 0410', () => {
    expect(mtiClass('0100')).toBe(mtiClass('0110'));
    expect(mtiClass('0101')).toBe(mtiClass('0110'));
    expect(mtiClass('0420')).toBe(mtiClass('0430'));
    expect(mtiClass('0421')).toBe(mtiClass('0430'));
    expect(mtiClass('0400')).not.toBe(mtiClass('0430'));
    expect(mtiClass('0100')).not.toBe(mtiClass('0210'));
  });

  it('is MTI class + STAN + terminal id', () => {
    const request = aRequest().withStan(42).withTerminal('TERM0009').build();
    expect(matchKeyOf(request)).toBe('010|000042|TERM0009');
    expect(matchKeyOf(responseTo(request, '00'))).toBe(matchKeyOf(request));
  });
});

describe('HostMultiplexer', () => {
  it('gives each caller its own response, whatever the order they come back in', async () => {
    const { mux } = setUp();
    const requests = [1, 2, 3].flatMap((stan) =>
      ['TERM0001', 'TERM0002'].map((t) => aRequest().withStan(stan).withTerminal(t).build()),
    );
    const answers = requests.map((r) => mux.register(r, { timeoutMs: 1_000, connectionId: 1 }));
    for (const r of [...requests].reverse()) {
      expect(mux.deliver(responseTo(r, '00', { 38: `A${r.fields[11]}`.slice(0, 6) }))).toBe(
        'matched',
      );
    }
    const responses = await Promise.all(answers);
    responses.forEach((response, i) => {
      expect(response.fields[11]).toBe(requests[i].fields[11]);
      expect(response.fields[41]).toBe(requests[i].fields[41]);
    });
    expect(mux.pendingCount).toBe(0);
  });

  it('times out with HostTimeout, then reports the response as late to the handler', async () => {
    const { clock, mux, unmatched } = setUp();
    const request = aRequest().withStan(7).build();
    const answer = settle(mux.register(request, { timeoutMs: 5_000, connectionId: 1 }));
    clock.advance(4_999);
    expect(mux.pendingCount).toBe(1);
    clock.advance(1);
    const error = await answer;
    expect(error).toBeInstanceOf(HostTimeout);
    expect(error).toMatchObject({
      code: 'HOST_TIMEOUT',
      timeoutMs: 5_000,
      request: { stan: '000007' },
    });

    clock.advance(2_000);
    const late = responseTo(request, '00');
    expect(mux.deliver(late)).toBe('late');
    expect(unmatched).toEqual([
      {
        reason: 'late',
        message: late,
        request: { mti: '0100', stan: '000007', terminalId: 'TERM0001' },
        failedWith: 'timeout',
        ageMs: 7_000,
      },
    ]);
  });

  it('reports a response nobody asked for as unknown, and forgets late requests after the window', async () => {
    const { clock, mux, unmatched } = setUp();
    expect(mux.deliver(responseTo(aRequest().withStan(99).build(), '00'))).toBe('unknown');

    const request = aRequest().withStan(8).build();
    const answer = settle(mux.register(request, { timeoutMs: 10, connectionId: 1 }));
    clock.advance(10);
    expect(await answer).toBeInstanceOf(HostTimeout);
    clock.advance(60_001);
    expect(mux.deliver(responseTo(request, '00'))).toBe('unknown');
    expect(unmatched.map((u) => u.reason)).toEqual(['unknown', 'unknown']);
  });

  it('refuses a second request with the same key while the first waits', () => {
    const { mux } = setUp();
    const request = aRequest().withStan(5).build();
    void settle(mux.register(request, { timeoutMs: 1_000, connectionId: 1 }));
    expect(() => mux.register(request, { timeoutMs: 1_000, connectionId: 1 })).toThrow(
      DuplicatePendingRequest,
    );
    // Same STAN, other terminal or other class: distinct keys.
    void settle(
      mux.register(aRequest().withStan(5).withTerminal('TERM0002').build(), {
        timeoutMs: 1_000,
        connectionId: 1,
      }),
    );
    void settle(
      mux.register(aRequest().withStan(5).withMti('0200').build(), {
        timeoutMs: 1_000,
        connectionId: 1,
      }),
    );
    expect(mux.pendingCount).toBe(3);
  });

  it('a retransmission (0101) of a timed-out request takes its key: the response goes to it', async () => {
    const { clock, mux, unmatched } = setUp();
    const original = aRequest().withStan(11).build();
    const first = settle(mux.register(original, { timeoutMs: 100, connectionId: 1 }));
    clock.advance(100);
    expect(await first).toBeInstanceOf(HostTimeout);
    const repeat: IsoMessage = { ...original, mti: '0101' };
    const second = mux.register(repeat, { timeoutMs: 100, connectionId: 1 });
    expect(mux.deliver(responseTo(original, '00'))).toBe('matched');
    expect((await second).fields[39]).toBe('00');
    expect(unmatched).toEqual([]);
  });

  it('fails only the requests of the connection that dropped, with HostDisconnected', async () => {
    const { mux, unmatched } = setUp();
    const onOne = aRequest().withStan(1).build();
    const onTwo = aRequest().withStan(2).build();
    const a = settle(mux.register(onOne, { timeoutMs: 1_000, connectionId: 1 }));
    const b = mux.register(onTwo, { timeoutMs: 1_000, connectionId: 2 });
    expect(mux.failConnection(1, 'closed by the host')).toBe(1);
    expect(await a).toBeInstanceOf(HostDisconnected);
    expect(mux.deliver(responseTo(onTwo, '00'))).toBe('matched');
    await b;
    expect(mux.deliver(responseTo(onOne, '00'))).toBe('late');
    expect(unmatched[0]).toMatchObject({ reason: 'late', failedWith: 'disconnect' });
  });
});
