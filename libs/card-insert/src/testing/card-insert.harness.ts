import { EventStore } from '@tillgate/event-store';
import type { DataSource } from 'typeorm';
import {
  CardInsertService,
  type CardInsertServiceOptions,
} from '../application/card-insert.service';
import { ReversalWorker, type ReversalWorkerOptions } from '../application/reversal.worker';
import { paymentEventCodec, paymentStreamId } from '../domain/card-insert-event.codec';
import type { PaymentEvent } from '../domain/payment.events';
import {
  FakeCardDataOpener,
  FakeIssuer,
  FakeTerminalAuthenticator,
  FakeTerminalDirectory,
  aTerminal,
} from './card-insert.fakes';

export interface Harness {
  dataSource: DataSource;
  store: EventStore;
  issuer: FakeIssuer;
  terminals: FakeTerminalDirectory;
  authenticator: FakeTerminalAuthenticator;
  service: CardInsertService;
  worker: ReversalWorker;
  paymentEvents(paymentId: string): Promise<PaymentEvent['type'][]>;
  close(): Promise<void>;
}

/** The service and its reversal worker on `dataSource`, with the port fakes. */
export function cardInsertHarness(
  dataSource: DataSource,
  options: {
    service?: Partial<CardInsertServiceOptions>;
    worker?: Partial<ReversalWorkerOptions>;
    issuer?: FakeIssuer;
    clock?: () => Date;
  } = {},
): Harness {
  const store = new EventStore(dataSource);
  const issuer = options.issuer ?? new FakeIssuer();
  const terminals = new FakeTerminalDirectory(
    aTerminal(),
    aTerminal({ terminalId: 'TERM0002', currency: 'SEK' }),
  );
  const authenticator = new FakeTerminalAuthenticator();
  const service = new CardInsertService(
    store,
    { terminals, authenticator, cards: new FakeCardDataOpener(), issuer },
    {
      issuerDeadlineMs: 300,
      merchantFeeBasisPoints: 0,
      clock: options.clock,
      pendingPollMs: 5,
      recordingGraceMs: 300,
      ...options.service,
    },
  );
  const worker = new ReversalWorker(store, service.paymentStreams, terminals, issuer, {
    issuerDeadlineMs: 300,
    inFlightGraceMs: 100,
    backoffBaseMs: 10,
    backoffCapMs: 40,
    pollIntervalMs: 0,
    clock: options.clock,
    ...options.worker,
  });
  return {
    dataSource,
    store,
    issuer,
    terminals,
    authenticator,
    service,
    worker,
    async paymentEvents(paymentId) {
      return (await store.readStream(paymentStreamId(paymentId))).map(
        (e) => paymentEventCodec.decode(e).type,
      );
    },
    async close() {
      await worker.stop();
      await store.close();
    },
  };
}
