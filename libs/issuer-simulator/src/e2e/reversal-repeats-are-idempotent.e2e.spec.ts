import { HostTimeout } from '@tillgate/host-link';
import type { CardAccount } from '../cards/card-account';
import type { ChipCardEmulator } from '../testing/chip-card.emulator';
import {
  aCardProfile,
  anAccount,
  emulatorFor,
  startHarness,
  type Harness,
} from '../testing/simulator.harness';

const account: CardAccount = anAccount(aCardProfile('reversal-repeat-card'), { balance: 10_000 });
let h: Harness;
let card: ChipCardEmulator;
let stan = 700;

beforeAll(async () => {
  h = await startHarness([account], { requestTimeoutMs: 300 });
  card = emulatorFor(account);
});
afterAll(async () => h.close());

const available = () => h.issuer.cards.find(account.profile.pan)!.available;
const journaledReversals = () => h.issuer.journal.entries().filter((e) => e.kind === 'reversal');

async function approve(amount: number) {
  const { request } = card.authorization({ amount, stan: ++stan, mti: '0200' });
  const response = await h.link.request(request);
  expect(response.fields[39]).toBe('00');
  return request;
}

describe('reversal repeats (0401) through the host link', () => {
  it('an 0401 after an 0400 that never arrived reverses, and a second 0401 changes nothing', async () => {
    const original = await approve(2_000);
    const before = journaledReversals().length;
    const reversal = card.reversalOf(original, { stan: ++stan });
    h.host.faults.add({ match: { mti: '0400' }, action: { kind: 'no-answer' } });
    await expect(h.link.request(reversal)).rejects.toBeInstanceOf(HostTimeout);
    expect(available()).toBe(8_000);

    const repeat = { ...reversal, mti: '0401' };
    const first = await h.link.request(repeat);
    expect(first.mti).toBe('0410');
    expect(first.fields[39]).toBe('00');
    expect(first.fields[90]).toMatchObject({
      originalMti: '0200',
      originalStan: original.fields[11],
    });
    expect(available()).toBe(10_000);

    const second = await h.link.request(repeat);
    expect(second.fields[39]).toBe('00');
    expect(available()).toBe(10_000);
    expect(journaledReversals()).toHaveLength(before + 1);
  });

  it('an 0401 after an 0400 whose answer was lost gets the same answer and reverses once', async () => {
    const original = await approve(1_500);
    const before = journaledReversals().length;
    const reversal = card.reversalOf(original, { stan: ++stan });
    h.host.faults.add({ match: { mti: '0400' }, action: { kind: 'drop-response' } });
    await expect(h.link.request(reversal)).rejects.toBeInstanceOf(HostTimeout);
    // The 0400 was processed: the money is back already.
    expect(available()).toBe(10_000);

    const repeat = await h.link.request({ ...reversal, mti: '0401' });
    expect(repeat.fields[39]).toBe('00');
    expect(available()).toBe(10_000);
    expect(journaledReversals()).toHaveLength(before + 1);
  });

  it('answers an 0401 for an original it never saw with 25, like an 0400', async () => {
    const { request: neverSent } = card.authorization({ amount: 100, stan: ++stan });
    const answer = await h.link.request(card.reversalOf(neverSent, { stan: ++stan, mti: '0401' }));
    expect(answer.mti).toBe('0410');
    expect(answer.fields[39]).toBe('25');
  });

  it('answers an 0421 advice repeat with an 0430', async () => {
    const original = await approve(500);
    const answer = await h.link.request(card.reversalOf(original, { stan: ++stan, mti: '0421' }));
    expect(answer.mti).toBe('0430');
    expect(answer.fields[39]).toBe('00');
    expect(available()).toBe(10_000);
  });
});
