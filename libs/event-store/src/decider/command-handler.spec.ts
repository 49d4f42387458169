import type { DataSource } from 'typeorm';
import { EventStore } from '../store/event-store';
import { ExpectedVersionConflict } from '../store/event-store.errors';
import { openEventStoreDataSource } from '../testing/integration-env';
import { aStreamId } from '../testing/new-event.builder';
import { ProbeRefused, probeCodec, probeDecider, type ProbeEvent } from '../testing/probe.decider';
import { CommandHandler } from './command-handler';
import { fold } from './decider';

describe('the probe decider, given / when / then', () => {
  const given = (...events: ProbeEvent[]) => fold(probeDecider, events);
  const opened: ProbeEvent = {
    type: 'ProbeOpened',
    data: { probeId: 'p1', label: 'l', limit: '10' },
  };

  it('opens an absent probe', () => {
    expect(
      probeDecider.decide({ type: 'OpenProbe', probeId: 'p1', label: 'l', limit: 10 }, given()),
    ).toEqual([opened]);
  });

  it('increments up to the limit and refuses beyond it', () => {
    const state = given(opened, { type: 'ProbeIncremented', data: { by: '7', total: '7' } });
    expect(probeDecider.decide({ type: 'IncrementProbe', by: 3 }, state)).toEqual([
      { type: 'ProbeIncremented', data: { by: '3', total: '10' } },
    ]);
    expect(() => probeDecider.decide({ type: 'IncrementProbe', by: 4 }, state)).toThrow(
      new ProbeRefused('PROBE_LIMIT_EXCEEDED'),
    );
  });

  it('decides nothing when closing a probe that is not open', () => {
    expect(probeDecider.decide({ type: 'CloseProbe' }, given())).toEqual([]);
  });
});

describe('CommandHandler on SQLite in memory', () => {
  let dataSource: DataSource;
  let store: EventStore;
  let handler: CommandHandler<
    Parameters<typeof probeDecider.decide>[0],
    ProbeEvent,
    ReturnType<typeof probeDecider.initialState>
  >;
  const at = new Date('2025-11-25T12:00:00.000Z');

  beforeAll(async () => {
    dataSource = await openEventStoreDataSource('sqlite::memory:');
    store = new EventStore(dataSource);
    handler = new CommandHandler(store, probeDecider, probeCodec, { clock: () => at });
  });
  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
  });

  it('loads, decides and appends with the version it read; the stored events decode back', async () => {
    const stream = aStreamId();
    await handler.handle(
      stream,
      { type: 'OpenProbe', probeId: 'p', label: 'till 4', limit: 5 },
      { merchantId: 'merchant-1' },
    );
    const handled = await handler.handle(stream, { type: 'IncrementProbe', by: 2 });

    expect(handled.appended?.nextExpectedVersion).toBe(2);
    expect(handled.state).toEqual({ status: 'open', total: 2, limit: 5 });
    const stored = await store.readStream(stream);
    expect(stored.map((e) => e.type)).toEqual([
      'tillgate.probe.v1.ProbeOpened',
      'tillgate.probe.v1.ProbeIncremented',
    ]);
    expect(stored[0]).toMatchObject({ merchantId: 'merchant-1', occurredAt: at, schemaVersion: 1 });
    expect(stored.map((e) => probeCodec.decode(e))).toEqual([
      { type: 'ProbeOpened', data: { probeId: 'p', label: 'till 4', limit: '5' } },
      { type: 'ProbeIncremented', data: { by: '2', total: '2' } },
    ]);
  });

  it('passes domain errors through and appends nothing', async () => {
    const stream = aStreamId();
    await expect(handler.handle(stream, { type: 'IncrementProbe', by: 1 })).rejects.toThrow(
      new ProbeRefused('PROBE_NOT_OPEN'),
    );
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('appends nothing when the decider decides nothing', async () => {
    expect((await handler.handle(aStreamId(), { type: 'CloseProbe' })).appended).toBeNull();
  });

  it('reads and decides again when a concurrent writer appended first', async () => {
    const stream = aStreamId();
    await handler.handle(stream, { type: 'OpenProbe', probeId: 'p', label: 'l', limit: 5 });
    const append = store.append.bind(store);
    const spy = jest.spyOn(store, 'append').mockImplementationOnce(async (...args) => {
      // Another terminal's increment lands between our read and our append.
      await new CommandHandler(store, probeDecider, probeCodec).handle(stream, {
        type: 'IncrementProbe',
        by: 4,
      });
      return append(...args);
    });
    const handled = await handler.handle(stream, { type: 'IncrementProbe', by: 1 });
    spy.mockRestore();
    expect(handled.state).toEqual({ status: 'open', total: 5, limit: 5 });
    expect((await store.readStream(stream)).length).toBe(3);
  });

  it('gives up after maxAttempts conflicts with the last ExpectedVersionConflict', async () => {
    const stream = aStreamId();
    await handler.handle(stream, { type: 'OpenProbe', probeId: 'p', label: 'l', limit: 100 });
    const stubborn = new CommandHandler(store, probeDecider, probeCodec, { maxAttempts: 2 });
    const append = store.append.bind(store);
    const spy = jest.spyOn(store, 'append').mockImplementation(async (...args) => {
      await append(stream, 'any', [
        probeCodec.encode(
          { type: 'ProbeIncremented', data: { by: '1', total: '0' } },
          { eventId: crypto.randomUUID(), occurredAt: at },
        ),
      ]);
      return append(...args);
    });
    await expect(stubborn.handle(stream, { type: 'IncrementProbe', by: 1 })).rejects.toBeInstanceOf(
      ExpectedVersionConflict,
    );
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});
