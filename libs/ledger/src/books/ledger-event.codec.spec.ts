import { createAccounts, createTransfers } from '../domain/ledger.decider';
import type { LedgerEvent } from '../domain/ledger.events';
import { foldLedger, initialLedgerState } from '../domain/ledger.state';
import { aPost, aReservation, aTransfer, anAccount } from '../testing/ledger.builders';
import { ledgerEventCodec } from './ledger-event.codec';

describe('ledger event codec', () => {
  it('round-trips every event type through its protobuf message', () => {
    const opened = createAccounts(initialLedgerState(), [
      anAccount('a')
        .ofType('partner_float')
        .withCreditsCappedByDebits()
        .withReference('p-1')
        .build(),
      anAccount('b').build(),
    ]);
    const state = foldLedger(opened.events);
    const moved = createTransfers(
      state,
      [
        aTransfer('t1', 'b', 'a', 2n ** 63n - 1n),
        aReservation('r1', 'a', 'b', 5n, 30),
        aReservation('r2', 'a', 'b', 5n, 1),
        aPost('p1', 'r1', 4n),
      ],
      1_000,
    );
    const expired = createTransfers(foldLedger(moved.events, state), [], 2_000);
    const events: LedgerEvent[] = [...opened.events, ...moved.events, ...expired.events];
    expect(events.map((e) => e.type)).toContain('PendingTransferExpired');

    const envelope = { eventId: 'e', occurredAt: new Date(0) };
    const stored = events.map((e) => ledgerEventCodec.encode(e, envelope));
    expect(stored.map((s) => s.type)).toContain('tillgate.ledger.v1.TransferRecorded');
    const decoded = stored.map((s, i) =>
      ledgerEventCodec.decode({
        ...s,
        position: BigInt(i + 1),
        streamId: 'ledger-books',
        streamVersion: i + 1,
        recordedAt: new Date(0),
        correlationId: null,
        causationId: null,
        merchantId: null,
      }),
    );
    expect(decoded).toEqual(events);
  });
});
