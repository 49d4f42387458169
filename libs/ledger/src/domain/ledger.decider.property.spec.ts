import fc from 'fast-check';
import { anAccount } from '../testing/ledger.builders';
import { createAccounts, createTransfers, expireDue, ledgerDecider } from './ledger.decider';
import type { LedgerEvent } from './ledger.events';
import { LedgerProjection } from './ledger.projection';
import { foldLedger, initialLedgerState, type LedgerState } from './ledger.state';
import type {
  Account,
  AccountBalance,
  CreateTransferResult,
  TransferRequest,
} from './ledger.types';

/**
 * Random sequences of account openings, transfer batches (single, pending,
 * post full/partial, void, linked chains, reused ids), clock jumps that
 * expire reservations, and re-submissions of earlier batches. After every
 * step: debits == credits per currency, no account breaks its flags, the
 * decider's state == the read projection folded from the events alone, and
 * no transfer id is recorded twice; after each sequence, a fresh fold of
 * all its events == the state evolved step by step.
 */

const ACCOUNTS: Account[] = [
  anAccount('eur-float').ofType('partner_float').thatCannotGoNegative().build(),
  anAccount('eur-payable').ofType('merchant_payable').build(),
  anAccount('eur-scheme').ofType('scheme_receivable').withCreditsCappedByDebits().build(),
  anAccount('eur-fees').ofType('fee_revenue').build(),
  anAccount('usd-float').ofType('partner_float').inCurrency('USD').thatCannotGoNegative().build(),
  anAccount('usd-suspense').ofType('suspense').inCurrency('USD').build(),
];
const currencyOf = new Map(ACCOUNTS.map((a) => [a.id, a.currency]));
const transferId = fc.integer({ min: 0, max: 24 }).map((n) => `t${n}`);
/** Reservations draw ids from a small pool so posts and voids mostly find them. */
const reservationId = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 7 }).map((n) => `r${n}`) },
  { weight: 1, arbitrary: transferId },
);
const sameCurrencyPairs = ACCOUNTS.flatMap((d) =>
  ACCOUNTS.filter((c) => c.currency === d.currency).map((c): [string, string] => [d.id, c.id]),
);
const amount = fc.oneof(
  { weight: 20, arbitrary: fc.bigInt({ min: 1n, max: 500n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 2n ** 63n) },
);
/** Mostly well-formed legs in one currency; sometimes a wrong currency, a missing account or the same account twice. */
const legs = fc
  .oneof(
    { weight: 12, arbitrary: fc.constantFrom(...sameCurrencyPairs) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom(...ACCOUNTS.map((a) => a.id)),
        fc.constantFrom(...ACCOUNTS.map((a) => a.id)),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom('missing', 'eur-fees'),
        fc.constantFrom('missing', 'eur-payable'),
      ),
    },
  )
  .chain(([debitAccountId, creditAccountId]) =>
    fc.record({
      debitAccountId: fc.constant(debitAccountId),
      creditAccountId: fc.constant(creditAccountId),
      currency: fc.oneof(
        { weight: 12, arbitrary: fc.constant(currencyOf.get(debitAccountId) ?? 'EUR') },
        { weight: 1, arbitrary: fc.constantFrom('EUR', 'USD', 'GBP') },
      ),
    }),
  );
const isLinked = fc.oneof(
  { weight: 5, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

const request: fc.Arbitrary<TransferRequest> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        legs,
        fc.record({
          kind: fc.constant('single' as const),
          id: transferId,
          amount,
          code: fc.constantFrom('capture', 'refund'),
          linked: isLinked,
        }),
      )
      .map(([l, r]) => ({ ...l, ...r })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        legs,
        fc.record({
          kind: fc.constant('pending' as const),
          id: reservationId,
          amount,
          code: fc.constant('reserve'),
          timeoutSeconds: fc.constantFrom(0, 5, 30),
          linked: isLinked,
        }),
      )
      .map(([l, r]) => ({ ...l, ...r })),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('post_pending' as const),
      id: transferId,
      pendingId: reservationId,
      amount: fc.option(fc.bigInt({ min: 1n, max: 500n }), { nil: null }),
      linked: isLinked,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('void_pending' as const),
      id: transferId,
      pendingId: reservationId,
      linked: isLinked,
    }),
  },
);

type Step =
  | { type: 'open'; accounts: Account[] }
  | { type: 'transfers'; advanceMs: number; batch: TransferRequest[] }
  | { type: 'expire'; advanceMs: number }
  | { type: 'resubmit'; which: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .subarray([...ACCOUNTS, { ...ACCOUNTS[0], currency: 'GBP' }], { minLength: 1 })
      .map((accounts): Step => ({ type: 'open', accounts })),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('transfers' as const),
      advanceMs: fc.integer({ min: 0, max: 20_000 }),
      batch: fc.array(request, { minLength: 1, maxLength: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('expire' as const),
      advanceMs: fc.integer({ min: 0, max: 40_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('resubmit' as const), which: fc.nat() }) },
);

function checkInvariants(
  state: LedgerState,
  projection: LedgerProjection,
  recordedIds: Set<string>,
  newEvents: LedgerEvent[],
): void {
  const totals = new Map<string, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>();
  for (const { account, balance: b } of state.accounts.values()) {
    const t = totals.get(account.currency) ?? { dp: 0n, dpo: 0n, cp: 0n, cpo: 0n };
    totals.set(account.currency, {
      dp: t.dp + b.debitsPending,
      dpo: t.dpo + b.debitsPosted,
      cp: t.cp + b.creditsPending,
      cpo: t.cpo + b.creditsPosted,
    });
    if (account.flags.debitsMustNotExceedCredits)
      check(
        b.debitsPending + b.debitsPosted <= b.creditsPosted,
        `${account.id} debits exceed credits`,
      );
    if (account.flags.creditsMustNotExceedDebits)
      check(
        b.creditsPending + b.creditsPosted <= b.debitsPosted,
        `${account.id} credits exceed debits`,
      );
    check(
      Object.values(b).every((v) => v >= 0n),
      `${account.id} has a negative balance field`,
    );
  }
  for (const [cur, t] of totals) {
    check(t.dpo === t.cpo, `${cur}: posted debits ${t.dpo} != posted credits ${t.cpo}`);
    check(t.dp === t.cp, `${cur}: pending debits ${t.dp} != pending credits ${t.cp}`);
  }

  newEvents.forEach((e) => projection.apply(e));
  check(
    show(projection.allBalances()) === show(balancesOf(state)),
    'projection differs from the decider state',
  );

  for (const e of newEvents) {
    if (e.type !== 'TransferRecorded') continue;
    check(!recordedIds.has(e.data.transfer.id), `${e.data.transfer.id} recorded twice`);
    recordedIds.add(e.data.transfer.id);
  }
}

// Plain checks rather than expect() in the hot loop: fast-check runs them ~10^5 times.
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const balancesOf = (state: LedgerState) =>
  new Map([...state.accounts].map(([id, e]) => [id, e.balance]));
const show = (balances: Map<string, AccountBalance>) =>
  [...balances]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([id, b]) =>
        `${id}:${b.debitsPending},${b.debitsPosted},${b.creditsPending},${b.creditsPosted}`,
    )
    .join(';');

describe('ledger decider, property-based', () => {
  it('keeps the books balanced, within flags and equal to the fold of its events', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 40, size: 'medium' }),
        (randomSteps) => {
          const steps: Step[] = [{ type: 'open', accounts: ACCOUNTS }, ...randomSteps];
          let state = initialLedgerState();
          let now = 1_764_000_000_000;
          const history: LedgerEvent[] = [];
          const projection = new LedgerProjection();
          const recordedIds = new Set<string>();
          let fresh: LedgerEvent[] = [];
          const submitted: { batch: TransferRequest[]; results: CreateTransferResult[] }[] = [];
          const record = (events: LedgerEvent[]) => {
            // Each event through the pure `evolve` the event store will use.
            for (const e of events) state = ledgerDecider.evolve(state, e);
            history.push(...events);
            fresh = events;
          };

          for (const s of steps) {
            switch (s.type) {
              case 'open':
                record(createAccounts(state, s.accounts).events);
                break;
              case 'transfers': {
                now += s.advanceMs;
                const { events, results } = createTransfers(state, s.batch, now);
                check(results.length === s.batch.length, 'one result per item');
                submitted.push({ batch: s.batch, results });
                record(events);
                break;
              }
              case 'expire':
                now += s.advanceMs;
                record(expireDue(state, now));
                check(expireDue(state, now).length === 0, 'expiry is not idempotent');
                break;
              case 'resubmit': {
                if (submitted.length === 0) break;
                const earlier = submitted[s.which % submitted.length];
                const { events, results } = createTransfers(state, earlier.batch, now);
                earlier.results.forEach((r, i) =>
                  check(
                    r !== 'ok' || results[i] === 'exists',
                    `retry of ${earlier.batch[i].id} answered ${results[i]}`,
                  ),
                );
                record(events);
                break;
              }
              default: {
                const never: never = s;
                throw new Error(`unknown step ${JSON.stringify(never)}`);
              }
            }
            checkInvariants(state, projection, recordedIds, fresh);
            fresh = [];
          }
          const refolded = foldLedger(history);
          expect(balancesOf(refolded)).toEqual(balancesOf(state));
          expect(refolded.pendingStatus).toEqual(state.pendingStatus);
        },
      ),
      { seed: 20261125, numRuns: 2000 },
    );
  });
});
