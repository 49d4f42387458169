import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_STATE, advanceAtc, advanceKsnCounter, advanceStan } from './terminal-state';
import { FileTerminalStateStore, TerminalStateError } from './terminal-state.store';

describe('terminal state', () => {
  it('KSN counters skip values with too many one bits (TDES: 10), per terminal and scheme', () => {
    const state = {
      ...EMPTY_STATE,
      terminals: { TERM0001: { ksnCounters: { tdes: 0b1111111111 }, stan: 0 } },
    };
    const next = advanceKsnCounter(state, 'TERM0001', 'tdes');
    expect(next.counter).toBe(0b10000000000);
    expect(advanceKsnCounter(next.state, 'TERM0001', 'aes').counter).toBe(1);
    expect(advanceKsnCounter(next.state, 'TERM0002', 'tdes').counter).toBe(1);
  });

  it('STAN runs 1..999999 then starts again at 1; the card ATC counts up per card', () => {
    const at = { ...EMPTY_STATE, terminals: { T: { ksnCounters: {}, stan: 999_999 } } };
    expect(advanceStan(at, 'T').stan).toBe(1);
    expect(advanceStan(EMPTY_STATE, 'T').stan).toBe(1);
    const one = advanceAtc(EMPTY_STATE, 'card-a');
    expect([
      one.atc,
      advanceAtc(one.state, 'card-a').atc,
      advanceAtc(one.state, 'card-b').atc,
    ]).toEqual([1, 2, 1]);
  });

  it('the file store starts empty, round-trips, and names a broken file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'terminal-state-'));
    try {
      const store = new FileTerminalStateStore(join(dir, 'nested', 'state.json'));
      expect(store.read()).toEqual(EMPTY_STATE);
      const { state } = advanceStan(EMPTY_STATE, 'TERM0001');
      store.write(state);
      expect(store.read()).toEqual(state);
      writeFileSync(join(dir, 'bad.json'), '{"version": 2}');
      expect(() => new FileTerminalStateStore(join(dir, 'bad.json')).read()).toThrow(
        TerminalStateError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
