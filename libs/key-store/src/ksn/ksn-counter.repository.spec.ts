import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKsnCounterRepository } from './file-ksn-counter.repository';
import { InMemoryKsnCounterRepository } from './in-memory-ksn-counter.repository';
import {
  advanceKsnCounter,
  isKsnCounterAccepted,
  isKsnCounterAcceptedForAll,
  KsnCounterRepository,
} from './ksn-counter.repository';

const DEVICE = 'bdk@1:FFFF9876543210E00000';
const tempFile = () => join(mkdtempSync(join(tmpdir(), 'ksn-')), 'ksn-counters.json');

describe('KSN counter replay rule', () => {
  it('accepts the first counter of a device and any higher one', () => {
    expect(isKsnCounterAccepted(undefined, 1, 'mac')).toBe(true);
    expect(isKsnCounterAccepted({ counter: 5, channels: ['mac'] }, 6, 'mac')).toBe(true);
  });

  it('accepts the same counter once per channel: one transaction carries a MAC, a PIN block and data', () => {
    expect(isKsnCounterAccepted({ counter: 5, channels: ['mac'] }, 5, 'pin')).toBe(true);
    expect(isKsnCounterAccepted({ counter: 5, channels: ['mac', 'pin'] }, 5, 'pin')).toBe(false);
  });

  it('refuses a counter that goes backwards, whatever the channel', () => {
    expect(isKsnCounterAccepted({ counter: 5, channels: ['mac'] }, 4, 'pin')).toBe(false);
  });

  it('accepts several channels only when every one of them is accepted, each named once', () => {
    const state = { counter: 5, channels: ['mac' as const] };
    expect(isKsnCounterAcceptedForAll(state, 5, ['pin', 'data'])).toBe(true);
    expect(isKsnCounterAcceptedForAll(state, 5, ['pin', 'mac'])).toBe(false);
    expect(isKsnCounterAcceptedForAll(state, 6, ['mac', 'pin', 'data'])).toBe(true);
    expect(isKsnCounterAcceptedForAll(state, 6, ['pin', 'pin'])).toBe(false);
    expect(isKsnCounterAcceptedForAll(state, 6, [])).toBe(false);
  });

  it('adds channels at the same counter and starts over at a higher one', () => {
    const state = { counter: 5, channels: ['mac' as const] };
    expect(advanceKsnCounter(state, 5, ['pin', 'data'])).toEqual({
      counter: 5,
      channels: ['mac', 'pin', 'data'],
    });
    expect(advanceKsnCounter(state, 6, ['data'])).toEqual({ counter: 6, channels: ['data'] });
    expect(advanceKsnCounter(undefined, 1, ['mac'])).toEqual({ counter: 1, channels: ['mac'] });
  });
});

describe.each<[string, () => KsnCounterRepository]>([
  ['in memory', () => new InMemoryKsnCounterRepository()],
  ['JSON file', () => new FileKsnCounterRepository(tempFile())],
])('KsnCounterRepository contract: %s', (_name, create) => {
  it('advances only when the rule accepts, atomically', async () => {
    const repo = create();
    expect(await repo.advance(DEVICE, 3, ['mac'])).toBe(true);
    expect(await repo.advance(DEVICE, 3, ['pin'])).toBe(true);
    expect(await repo.advance(DEVICE, 3, ['pin'])).toBe(false);
    expect(await repo.advance(DEVICE, 2, ['data'])).toBe(false);
    expect(await repo.find(DEVICE)).toEqual({ counter: 3, channels: ['mac', 'pin'] });
    expect(await repo.find('other@1:00')).toBeUndefined();
  });

  it('records several channels in one step, or none of them', async () => {
    const repo = create();
    expect(await repo.advance(DEVICE, 4, ['mac'])).toBe(true);
    // 'mac' is spent at 4: the whole request is refused, 'data' and 'pin' stay open.
    expect(await repo.advance(DEVICE, 4, ['data', 'mac', 'pin'])).toBe(false);
    expect(await repo.find(DEVICE)).toEqual({ counter: 4, channels: ['mac'] });
    expect(await repo.advance(DEVICE, 4, ['data', 'pin'])).toBe(true);
    expect(await repo.find(DEVICE)).toEqual({ counter: 4, channels: ['mac', 'data', 'pin'] });
    expect(await repo.advance(DEVICE, 5, ['mac', 'pin', 'data'])).toBe(true);
    expect(await repo.find(DEVICE)).toEqual({ counter: 5, channels: ['mac', 'pin', 'data'] });
    expect(await repo.advance(DEVICE, 6, [])).toBe(false);
    expect(await repo.advance(DEVICE, 6, ['pin', 'pin'])).toBe(false);
    expect(await repo.find(DEVICE)).toEqual({ counter: 5, channels: ['mac', 'pin', 'data'] });
  });

  it('lets exactly one of two concurrent requests with the same counter through', async () => {
    const repo = create();
    const results = await Promise.all([
      repo.advance(DEVICE, 9, ['mac', 'pin']),
      repo.advance(DEVICE, 9, ['pin', 'data']),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('FileKsnCounterRepository', () => {
  it('remembers counters across a restart', async () => {
    const path = tempFile();
    await new FileKsnCounterRepository(path).advance(DEVICE, 7, ['pin']);
    expect(await new FileKsnCounterRepository(path).advance(DEVICE, 7, ['pin'])).toBe(false);
    expect(await new FileKsnCounterRepository(path).find(DEVICE)).toEqual({
      counter: 7,
      channels: ['pin'],
    });
  });

  it('refuses a malformed file', async () => {
    const path = tempFile();
    writeFileSync(
      path,
      JSON.stringify({
        format: 'tillgate-ksn-counters/1',
        devices: { [DEVICE]: { counter: -1, channels: [] } },
      }),
    );
    await expect(new FileKsnCounterRepository(path).find(DEVICE)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
  });
});
