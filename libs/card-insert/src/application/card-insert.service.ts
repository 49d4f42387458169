import { randomUUID } from 'node:crypto';
import { cardInsertEventsV1, cardInsertV1 } from '@tillgate/contracts';
import {
  ExpectedVersionConflict,
  type EventStore,
  type AppendTransaction,
} from '@tillgate/event-store';
import {
  CardInsertRequestRefused,
  type CardDataOpener,
  type IssuerAnswer,
  type IssuerPort,
  type KsnAcceptance,
  authorizeKsnChannels,
  type OpenedCard,
  type TerminalAuthenticator,
  type TerminalDirectory,
  type TerminalProfile,
} from '../acquiring/acquiring.ports';
import { batchDecider, fromClosedBatchTotals, netAmountMinor } from '../domain/batch.decider';
import {
  batchEventCodec,
  batchStreamId,
  securityEventCodec,
  securityStreamId,
} from '../domain/card-insert-event.codec';
import type { IssuerOutcome } from '../domain/payment.commands';
import type { PaymentEvent } from '../domain/payment.events';
import { paymentDecider } from '../domain/payment.decider';
import { PaymentRefused } from '../domain/payment-refused';
import { authorizationOutcome, isSale, type PaymentState } from '../domain/payment.state';
import type {
  CardInsertOperation,
  CardInsertRequests,
  CardInsertResponses,
} from '../protocol/mac-input';
import { batchReceipt, paymentReceipt } from '../receipt/receipt';
import { cardInsertTables, readTables } from '../storage/card-insert.tables';
import { PaymentStreams } from './payment-streams';
import { toEventPanToken } from './event-pan-token';
import { derivedUuid, requestFingerprint, requestUuid, rrnFor } from './request-identity';
import { APPROVAL_CODES, declineReason } from './response-codes';
import { wireStatus } from './payment-status.mapping';
import { SingleFlight } from './single-flight';

export interface CardInsertServiceOptions {
  /**
   * How long the issuer gets for an authorization. Must be well below the
   * terminal's own timeout so the terminal always gets a definitive answer
   * (config enforces issuer + 1 s <= terminal).
   */
  issuerDeadlineMs: number;
  /** The gateway's merchant fee in basis points of what is captured (0 = none). */
  merchantFeeBasisPoints: number;
  clock?: () => Date;
  /** How often a retransmission polls a payment another process is authorizing. */
  pendingPollMs?: number;
  /**
   * How long an Authorize whose KSN was refused as a replay waits for a copy
   * in another process, which accepted the KSN first, to record the payment
   * (default 1 s); then it is a replay.
   */
  recordingGraceMs?: number;
}

export interface CardInsertPorts {
  terminals: TerminalDirectory;
  authenticator: TerminalAuthenticator;
  cards: CardDataOpener;
  issuer: IssuerPort;
}

type Unsigned<T> = Omit<T, 'authentication'>;
type SecurityKind = NonNullable<CardInsertRequestRefused['security']>;

const SECURITY_KINDS: Record<SecurityKind, cardInsertEventsV1.SecurityEventKind> = {
  mac_verification_failed:
    cardInsertEventsV1.SecurityEventKind.SECURITY_EVENT_KIND_MAC_VERIFICATION_FAILED,
  ksn_replayed: cardInsertEventsV1.SecurityEventKind.SECURITY_EVENT_KIND_KSN_REPLAYED,
  unknown_terminal: cardInsertEventsV1.SecurityEventKind.SECURITY_EVENT_KIND_UNKNOWN_TERMINAL,
  card_data_undecryptable:
    cardInsertEventsV1.SecurityEventKind.SECURITY_EVENT_KIND_CARD_DATA_UNDECRYPTABLE,
  arqc_invalid: cardInsertEventsV1.SecurityEventKind.SECURITY_EVENT_KIND_ARQC_INVALID,
};

const RESPONSE_CODECS = {
  Complete: cardInsertV1.CompleteResponse,
  Capture: cardInsertV1.CaptureResponse,
  Void: cardInsertV1.VoidResponse,
  Refund: cardInsertV1.RefundResponse,
  Reverse: cardInsertV1.ReverseResponse,
  CloseBatch: cardInsertV1.CloseBatchResponse,
} as const;
type LoggedOperation = keyof typeof RESPONSE_CODECS;

const REQUEST_CODECS = {
  Authorize: cardInsertV1.AuthorizeRequest,
  Complete: cardInsertV1.CompleteRequest,
  Capture: cardInsertV1.CaptureRequest,
  Void: cardInsertV1.VoidRequest,
  Refund: cardInsertV1.RefundRequest,
  Reverse: cardInsertV1.ReverseRequest,
  CloseBatch: cardInsertV1.CloseBatchRequest,
} as const;

// Terminal ids go into stream ids (`security-<terminal_id>`): a closed alphabet.
const TERMINAL_ID = /^[A-Za-z0-9._:@-]{1,16}$/;
const LOCAL_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const CURRENCY = /^[A-Z]{3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AMOUNT = /^-?\d{1,19}$/;
const MAX_AMOUNT = 9_223_372_036_854_775_807n;

const refuse = (
  code: string,
  field: string,
  message: string,
  status: CardInsertRequestRefused['grpcStatus'] = 'INVALID_ARGUMENT',
) => new CardInsertRequestRefused(code, field, message, status);

/**
 * The card-insert flow, one method per RPC of CardInsertService. Every
 * terminal request goes: header -> terminal -> values -> MAC -> identity
 * (retransmission?) -> KSN -> work -> signed response. Refusals before the
 * work change nothing; the ones that are security events are recorded on
 * `security-<terminal_id>`.
 */
export class CardInsertService {
  private readonly streams: PaymentStreams;
  private readonly clock: () => Date;
  private readonly flights = new SingleFlight<unknown>();
  private readonly pendingPollMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly ports: CardInsertPorts,
    private readonly options: CardInsertServiceOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.streams = new PaymentStreams(store, this.clock);
    this.pendingPollMs = options.pendingPollMs ?? 25;
  }

  get paymentStreams(): PaymentStreams {
    return this.streams;
  }

  // ---------------------------------------------------------------- Authorize

  async authorize(request: cardInsertV1.AuthorizeRequest): Promise<cardInsertV1.AuthorizeResponse> {
    const header = validHeader(request.header);
    const terminal = await this.terminalFor(header, 'Authorize', request.authentication);
    if (
      request.kind !== cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_SALE &&
      request.kind !== cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION
    )
      throw refuse('KIND_UNSPECIFIED', 'kind', 'must be SALE or PRE_AUTHORIZATION');
    const amountMinor = validMoney(request.amount, terminal.currency);
    if (!request.card) throw refuse('CARD_MISSING', 'card', 'is required');
    if (request.card.iccData.length === 0)
      throw refuse('ICC_DATA_MISSING', 'card.icc_data', 'is required');
    const authentication = validAuthentication(request.authentication);
    await this.verifyMac(terminal, 'Authorize', request);

    const paymentId = requestUuid('payment', header);
    const fingerprint = fingerprintOf('Authorize', request);
    const unsigned = (await this.flights.run(paymentId, fingerprint, () =>
      this.authorizeOnce(terminal, request, { paymentId, fingerprint, amountMinor }),
    )) as Unsigned<cardInsertV1.AuthorizeResponse>;
    return this.signed(terminal, 'Authorize', unsigned, authentication);
  }

  private async authorizeOnce(
    terminal: TerminalProfile,
    request: cardInsertV1.AuthorizeRequest,
    ids: { paymentId: string; fingerprint: string; amountMinor: bigint },
  ): Promise<Unsigned<cardInsertV1.AuthorizeResponse>> {
    const header = request.header as cardInsertV1.TerminalRequestHeader;
    const authentication = request.authentication as cardInsertV1.MessageAuthentication;
    // A recorded payment answers a retransmission, and refuses another body
    // under the same identity, before the KSN or the card data are touched.
    const existing = await this.streams.load(ids.paymentId);
    if (existing.state.status !== 'absent')
      return this.retransmittedAuthorize(terminal, ids, existing.state);

    let acceptance: KsnAcceptance;
    try {
      acceptance = await this.ports.authenticator.acceptKsn(
        terminal,
        authentication,
        authorizeKsnChannels(request),
      );
    } catch (err) {
      // A copy in another process may have accepted this KSN an instant earlier:
      // once it records the payment, this is a retransmission, not a replay.
      if (err instanceof CardInsertRequestRefused && err.code === 'KSN_REPLAYED') {
        const recorded = await this.recordedPayment(ids.paymentId);
        if (recorded) return this.retransmittedAuthorize(terminal, ids, recorded);
      }
      if (err instanceof CardInsertRequestRefused && err.security)
        await this.recordSecurityEvent(terminal.terminalId, 'Authorize', err, authentication);
      throw err;
    }
    const card = await this.securely(terminal, 'Authorize', authentication, () =>
      this.ports.cards.open(terminal, request, acceptance),
    );
    const pre =
      request.kind === cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION;
    const rrn = rrnFor(ids.paymentId);
    const initiated: PaymentEvent = {
      type: 'PaymentInitiated',
      data: {
        paymentId: ids.paymentId,
        terminalId: terminal.terminalId,
        merchantId: terminal.merchantId,
        kind: pre
          ? cardInsertEventsV1.PaymentKind.PAYMENT_KIND_PRE_AUTHORIZATION
          : cardInsertEventsV1.PaymentKind.PAYMENT_KIND_SALE,
        amountMinor: ids.amountMinor.toString(),
        currency: terminal.currency,
        stan: header.stan,
        clientRequestId: header.clientRequestId,
        localTime: header.localTime,
        panToken: toEventPanToken(card.panToken),
        maskedPan: card.maskedPan,
        scheme: card.scheme,
        requestFingerprint: ids.fingerprint,
        rrn,
      },
    };
    // If another process recorded the payment meanwhile, the append at version 0 says so.
    const before = existing.state;
    const afterInitiated = paymentDecider.evolve(before, initiated);
    let known: { state: PaymentState; version: number };
    try {
      const version = await this.streams.record(
        ids.paymentId,
        0,
        before,
        [initiated],
        afterInitiated,
        {
          correlationId: ids.paymentId,
        },
      );
      known = { state: afterInitiated, version };
    } catch (err) {
      // Another process recorded this request first: answer what it answers.
      if (!(err instanceof ExpectedVersionConflict)) throw err;
      const now = await this.streams.load(ids.paymentId);
      return this.retransmittedAuthorize(terminal, ids, now.state);
    }

    const answer = await this.callIssuer(terminal, card, request, ids.amountMinor, rrn, pre);
    const executed = await this.streams.execute(
      ids.paymentId,
      { type: 'RecordIssuerAnswer', answer: outcomeOf(answer) },
      { correlationId: ids.paymentId, known },
    );
    return authorizeResponse(terminal, executed.state);
  }

  /** The issuer call, bounded by the issuer deadline whatever the adapter does; a throw is no answer. */
  private async callIssuer(
    terminal: TerminalProfile,
    card: OpenedCard,
    request: cardInsertV1.AuthorizeRequest,
    amountMinor: bigint,
    rrn: string,
    pre: boolean,
  ): Promise<IssuerAnswer> {
    const header = request.header as cardInsertV1.TerminalRequestHeader;
    const deadlineMs = this.options.issuerDeadlineMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<IssuerAnswer>((resolve) => {
      timer = setTimeout(
        () => resolve({ outcome: 'no_answer', reason: 'issuer deadline passed' }),
        deadlineMs,
      );
      // A deadline must not keep a stopping process alive.
      timer.unref();
    });
    try {
      return await Promise.race([
        this.ports.issuer
          .authorize(
            {
              kind: pre ? 'pre_authorization' : 'sale',
              terminal,
              card,
              amountMinor,
              currency: terminal.currency,
              stan: header.stan,
              localTime: header.localTime,
              rrn,
            },
            deadlineMs,
          )
          .catch((err: unknown): IssuerAnswer => ({
            outcome: 'no_answer',
            reason: err instanceof Error ? err.message : 'issuer link failed',
          })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The payment of an Authorize whose KSN was refused as a replay: recorded
   * by the original (this is a retransmission), or about to be by a copy in
   * another process that accepted the KSN an instant earlier and is opening
   * the card data or appending. Undefined when none appears within
   * `recordingGraceMs`: a replay.
   */
  private async recordedPayment(paymentId: string): Promise<PaymentState | undefined> {
    const giveUpAt = Date.now() + (this.options.recordingGraceMs ?? 1000);
    for (;;) {
      const { state } = await this.streams.load(paymentId);
      if (state.status !== 'absent') return state;
      if (Date.now() >= giveUpAt) return undefined;
      await sleep(this.pendingPollMs);
    }
  }

  /** A copy of a request already recorded: the same body gets the original outcome. */
  private async retransmittedAuthorize(
    terminal: TerminalProfile,
    ids: { paymentId: string; fingerprint: string },
    state: PaymentState,
  ): Promise<Unsigned<cardInsertV1.AuthorizeResponse>> {
    if (state.payment?.requestFingerprint !== ids.fingerprint)
      throw refuse(
        'REQUEST_ID_REUSED',
        'header.client_request_id',
        'this terminal, STAN and client request id were used for another request',
        'ALREADY_EXISTS',
      );
    let current = state;
    // Another process is asking the issuer: wait for its answer, at most
    // the issuer deadline plus a margin; after that it is presumed dead and
    // the payment is reversed like any in-flight payment of a crash.
    const giveUpAt = Date.now() + this.options.issuerDeadlineMs + 1000;
    while (current.status === 'pending' && Date.now() < giveUpAt) {
      await sleep(this.pendingPollMs);
      current = (await this.streams.load(ids.paymentId)).state;
    }
    if (current.status === 'pending')
      current = (await this.streams.execute(ids.paymentId, { type: 'ExpireInFlight' })).state;
    return authorizeResponse(terminal, current);
  }

  // ----------------------------------------------------------- the other RPCs

  async complete(request: cardInsertV1.CompleteRequest): Promise<cardInsertV1.CompleteResponse> {
    return this.terminalOperation('Complete', request, {
      validate: () => {
        validPaymentId(request.paymentId);
        if (
          request.cardDecision !== cardInsertV1.CardDecision.CARD_DECISION_TC &&
          request.cardDecision !== cardInsertV1.CardDecision.CARD_DECISION_AAC
        )
          throw refuse('CARD_DECISION_UNSPECIFIED', 'card_decision', 'must be TC or AAC');
      },
      work: async (terminal, requestId, extra) => {
        const owned = await this.ownedPayment(terminal, request.paymentId);
        const decision =
          request.cardDecision === cardInsertV1.CardDecision.CARD_DECISION_TC ? 'TC' : 'AAC';
        const executed = await this.streams.execute(
          request.paymentId,
          {
            type: 'CompletePayment',
            decision,
            captureId: derivedUuid(request.paymentId, 'sale-capture'),
            feeBasisPoints: this.options.merchantFeeBasisPoints,
          },
          {
            known: owned,
            correlationId: requestId,
            extra: extra((s) => completeResponse(terminal, s, request.header)),
          },
        );
        return completeResponse(terminal, executed.state, request.header);
      },
    });
  }

  async capture(request: cardInsertV1.CaptureRequest): Promise<cardInsertV1.CaptureResponse> {
    let amountMinor = 0n;
    return this.terminalOperation('Capture', request, {
      validate: (terminal) => {
        validPaymentId(request.paymentId);
        amountMinor = validMoney(request.amount, terminal.currency);
      },
      work: async (terminal, requestId, extra) => {
        const owned = await this.ownedPayment(terminal, request.paymentId);
        const respond = (s: PaymentState) => ({
          paymentId: request.paymentId,
          status: wireStatus(s.status),
          captured: { amountMinor: s.capturedMinor.toString(), currency: terminal.currency },
          receipt: { text: receiptFor(terminal, s, request.header, 'CAPTURE', s.capturedMinor) },
        });
        const executed = await this.streams.execute(
          request.paymentId,
          {
            type: 'CapturePayment',
            captureId: requestId,
            amountMinor,
            currency: terminal.currency,
            feeBasisPoints: this.options.merchantFeeBasisPoints,
          },
          { known: owned, correlationId: requestId, extra: extra(respond) },
        );
        return respond(executed.state);
      },
    });
  }

  async void(request: cardInsertV1.VoidRequest): Promise<cardInsertV1.VoidResponse> {
    return this.terminalOperation('Void', request, {
      validate: () => validPaymentId(request.paymentId),
      work: async (terminal, requestId, extra) => {
        const loaded = await this.ownedPayment(terminal, request.paymentId);
        // Only the open batch can be voided: once a capture was counted in a
        // closed batch, the money is settled and a refund is the way back.
        const captureVersion = loaded.events.findIndex((e) => e.type === 'PaymentCaptured') + 1;
        const counted = await readTables(this.store, (tx) =>
          cardInsertTables.countedVersionOf(tx, request.paymentId),
        );
        if (captureVersion > 0 && counted >= captureVersion)
          throw new PaymentRefused(
            'BATCH_ALREADY_CLOSED',
            'the payment was settled in a closed batch: refund it',
          );
        const respond = (s: PaymentState) => ({
          paymentId: request.paymentId,
          status: wireStatus(s.status),
          receipt: { text: receiptFor(terminal, s, request.header, 'VOID', s.authorizedMinor) },
        });
        const executed = await this.streams.execute(
          request.paymentId,
          { type: 'VoidPayment' },
          { known: loaded, correlationId: requestId, extra: extra(respond) },
        );
        return respond(executed.state);
      },
    });
  }

  async refund(request: cardInsertV1.RefundRequest): Promise<cardInsertV1.RefundResponse> {
    let amountMinor = 0n;
    return this.terminalOperation('Refund', request, {
      validate: (terminal) => {
        validPaymentId(request.paymentId);
        amountMinor = validMoney(request.amount, terminal.currency);
      },
      work: async (terminal, requestId, extra) => {
        const owned = await this.ownedPayment(terminal, request.paymentId);
        const respond = (s: PaymentState) => ({
          paymentId: request.paymentId,
          status: wireStatus(s.status),
          refundId: requestId,
          refunded: { amountMinor: amountMinor.toString(), currency: terminal.currency },
          refundable: {
            amountMinor: (s.capturedMinor - s.refundedMinor).toString(),
            currency: terminal.currency,
          },
          receipt: { text: receiptFor(terminal, s, request.header, 'REFUND', amountMinor) },
        });
        const executed = await this.streams.execute(
          request.paymentId,
          { type: 'RefundPayment', refundId: requestId, amountMinor, currency: terminal.currency },
          { known: owned, correlationId: requestId, extra: extra(respond) },
        );
        return respond(executed.state);
      },
    });
  }

  async reverse(request: cardInsertV1.ReverseRequest): Promise<cardInsertV1.ReverseResponse> {
    return this.terminalOperation('Reverse', request, {
      validate: () => validPaymentId(request.paymentId),
      work: async (terminal, requestId, extra) => {
        const owned = await this.ownedPayment(terminal, request.paymentId);
        const respond = (s: PaymentState) => ({
          paymentId: request.paymentId,
          status: wireStatus(s.status),
        });
        const executed = await this.streams.execute(
          request.paymentId,
          { type: 'ReversePayment' },
          { known: owned, correlationId: requestId, extra: extra(respond) },
        );
        return respond(executed.state);
      },
    });
  }

  async getPayment(
    request: cardInsertV1.GetPaymentRequest,
  ): Promise<cardInsertV1.GetPaymentResponse> {
    validPaymentId(request.paymentId);
    const { state } = await this.streams.load(request.paymentId);
    const payment = state.payment;
    if (!payment) throw refuse('PAYMENT_NOT_FOUND', 'payment_id', 'no such payment', 'NOT_FOUND');
    const outcome = authorizationOutcome(state);
    const money = (amount: bigint) => ({
      amountMinor: amount.toString(),
      currency: payment.currency,
    });
    return {
      paymentId: payment.paymentId,
      terminalId: payment.terminalId,
      merchantId: payment.merchantId,
      kind: isSale(state)
        ? cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_SALE
        : cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION,
      status: wireStatus(state.status),
      authorized: money(state.authorizedMinor),
      captured: money(state.capturedMinor),
      refunded: money(state.refundedMinor),
      maskedPan: payment.maskedPan,
      responseCode: outcome.kind === 'pending' ? '' : outcome.responseCode,
      authCode: outcome.kind === 'approved' ? outcome.authCode : '',
      rrn: payment.rrn,
    };
  }

  async closeBatch(
    request: cardInsertV1.CloseBatchRequest,
  ): Promise<cardInsertV1.CloseBatchResponse> {
    return this.terminalOperation('CloseBatch', request, {
      validate: () => undefined,
      work: async (terminal, requestId, extra) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await this.closeBatchOnce(terminal, request, requestId, extra);
          } catch (err) {
            if (!(err instanceof ExpectedVersionConflict) || attempt >= 5) throw err;
          }
        }
      },
    });
  }

  private async closeBatchOnce(
    terminal: TerminalProfile,
    request: cardInsertV1.CloseBatchRequest,
    requestId: string,
    extra: ExtraFor,
  ): Promise<Unsigned<cardInsertV1.CloseBatchResponse>> {
    const streamId = batchStreamId(terminal.terminalId);
    const stored = await this.store.readStream(streamId);
    const state = stored
      .map((e) => batchEventCodec.decode(e))
      .reduce(batchDecider.evolve, batchDecider.initialState());
    const version = stored.length ? stored[stored.length - 1].streamVersion : 0;
    const open = await readTables(this.store, (tx) =>
      cardInsertTables.uncountedTerminalPayments(tx, terminal.terminalId),
    );
    const payments = await Promise.all(
      open.map(async (row) => {
        const loaded = await this.streams.load(row.paymentId);
        return { row, loaded, events: loaded.events.slice(row.countedVersion) };
      }),
    );
    const [closed] = batchDecider.decide(
      {
        type: 'CloseBatch',
        terminalId: terminal.terminalId,
        merchantId: terminal.merchantId,
        payments: payments.map((p) => ({ paymentId: p.row.paymentId, events: p.events })),
      },
      state,
    );
    // The decider folded the events into the batch's totals (by currency): use those.
    const totals = closed.data.totals.map(fromClosedBatchTotals);
    const response: Unsigned<cardInsertV1.CloseBatchResponse> = {
      terminalId: terminal.terminalId,
      batchNumber: closed.data.batchNumber,
      totals: closed.data.totals.map((t, i) => ({
        ...t,
        netAmountMinor: netAmountMinor(totals[i]).toString(),
      })),
      receipt: {
        text: batchReceipt(
          { ...receiptHeader(terminal), localTime: request.header?.localTime ?? '' },
          closed.data.batchNumber,
          totals,
        ),
      },
    };
    const now = this.clock();
    await this.store.transaction(async (tx) => {
      await tx.append(streamId, version, [
        batchEventCodec.encode(closed, {
          eventId: randomUUID(),
          occurredAt: now,
          merchantId: terminal.merchantId,
          correlationId: requestId,
        }),
      ]);
      for (const p of payments)
        await cardInsertTables.markCounted(tx, p.row.paymentId, p.loaded.version);
      await extra(() => response)(tx);
    });
    return response;
  }

  // ----------------------------------------------------------------- plumbing

  /**
   * The common path of a terminal request other than Authorize: its identity
   * (terminal, STAN, client request id) is looked up in the answered
   * requests; a copy gets the stored answer re-signed, another body is
   * refused; a new one must advance the KSN, then runs `work`, whose writes
   * include the answered-request row (through `extra`) in the same
   * transaction as its events.
   */
  private async terminalOperation<K extends LoggedOperation>(
    operation: K,
    request: CardInsertRequests[K],
    steps: {
      validate: (terminal: TerminalProfile) => void;
      work: (
        terminal: TerminalProfile,
        requestId: string,
        extra: ExtraFor,
      ) => Promise<Unsigned<CardInsertResponses[K]>>;
    },
  ): Promise<CardInsertResponses[K]> {
    const header = validHeader(request.header);
    const terminal = await this.terminalFor(header, operation, request.authentication);
    steps.validate(terminal);
    const authentication = validAuthentication(request.authentication);
    await this.verifyMac(terminal, operation, request);
    const requestId = requestUuid('request', header);
    const fingerprint = fingerprintOf(operation, request);
    const codec = RESPONSE_CODECS[operation] as unknown as {
      encode(m: CardInsertResponses[K]): { finish(): Uint8Array };
      decode(b: Uint8Array): CardInsertResponses[K];
    };
    const answered = async (): Promise<Unsigned<CardInsertResponses[K]> | undefined> => {
      const row = await readTables(this.store, (tx) =>
        cardInsertTables.answeredRequest(tx, requestId),
      );
      if (!row) return undefined;
      if (row.operation !== operation || row.fingerprint !== fingerprint)
        throw refuse(
          'REQUEST_ID_REUSED',
          'header.client_request_id',
          'this terminal, STAN and client request id were used for another request',
          'ALREADY_EXISTS',
        );
      // Stored unsigned; `signed` adds this copy's authentication.
      return codec.decode(Buffer.from(row.response, 'base64'));
    };
    const extra: ExtraFor = (respond) => async (tx: AppendTransaction, after?: PaymentState) => {
      const response = respond(after as PaymentState) as CardInsertResponses[K];
      await cardInsertTables.insertAnsweredRequest(
        tx,
        {
          requestId,
          operation,
          fingerprint,
          response: Buffer.from(codec.encode(response).finish()).toString('base64'),
        },
        this.clock().getTime(),
      );
    };
    const unsigned = (await this.flights.run(requestId, fingerprint, async () => {
      const earlier = await answered();
      if (earlier) return earlier;
      await this.securely(terminal, operation, authentication, () =>
        this.ports.authenticator.acceptKsn(terminal, authentication, ['mac']),
      );
      try {
        return await steps.work(terminal, requestId, extra);
      } catch (err) {
        // A concurrent copy in another process answered first.
        const raced = await answered();
        if (raced) return raced;
        throw err;
      }
    })) as Unsigned<CardInsertResponses[K]>;
    return this.signed(terminal, operation, unsigned, authentication);
  }

  private async ownedPayment(terminal: TerminalProfile, paymentId: string) {
    const loaded = await this.streams.load(paymentId);
    // Another terminal's payment is reported as absent: ids are not secrets, payments are.
    if (loaded.state.payment?.terminalId !== terminal.terminalId)
      throw refuse(
        'PAYMENT_NOT_FOUND',
        'payment_id',
        'no such payment on this terminal',
        'NOT_FOUND',
      );
    return loaded;
  }

  private async terminalFor(
    header: cardInsertV1.TerminalRequestHeader,
    operation: CardInsertOperation,
    authentication: cardInsertV1.MessageAuthentication | undefined,
  ): Promise<TerminalProfile> {
    const terminal = await this.ports.terminals.find(header.terminalId);
    if (terminal) return terminal;
    const refused = new CardInsertRequestRefused(
      'UNKNOWN_TERMINAL',
      'header.terminal_id',
      'no such terminal',
      'NOT_FOUND',
      'unknown_terminal',
    );
    await this.recordSecurityEvent(header.terminalId, operation, refused, authentication);
    throw refused;
  }

  private async verifyMac<K extends CardInsertOperation>(
    terminal: TerminalProfile,
    operation: K,
    request: CardInsertRequests[K],
  ): Promise<void> {
    const authentication = (request as { authentication?: cardInsertV1.MessageAuthentication })
      .authentication;
    await this.securely(terminal, operation, authentication, () =>
      this.ports.authenticator.verifyMac(terminal, operation, request),
    );
  }

  /** Runs a check of a port; a refusal that is a security event is recorded before it is thrown on. */
  private async securely<T>(
    terminal: TerminalProfile,
    operation: CardInsertOperation,
    authentication: cardInsertV1.MessageAuthentication | undefined,
    check: () => Promise<T>,
  ): Promise<T> {
    try {
      return await check();
    } catch (err) {
      if (err instanceof CardInsertRequestRefused && err.security)
        await this.recordSecurityEvent(terminal.terminalId, operation, err, authentication);
      throw err;
    }
  }

  private async recordSecurityEvent(
    terminalId: string,
    operation: CardInsertOperation,
    refused: CardInsertRequestRefused,
    authentication: cardInsertV1.MessageAuthentication | undefined,
  ): Promise<void> {
    if (!refused.security) return;
    await this.store.append(securityStreamId(terminalId), 'any', [
      securityEventCodec.encode(
        {
          type: 'TerminalSecurityEvent',
          data: {
            terminalId,
            kind: SECURITY_KINDS[refused.security],
            field: refused.field,
            operation,
            ksn: Buffer.from(authentication?.ksn ?? []).toString('hex'),
          },
        },
        { eventId: randomUUID(), occurredAt: this.clock() },
      ),
    ]);
  }

  private async signed<K extends CardInsertOperation>(
    terminal: TerminalProfile,
    operation: K,
    unsigned: Unsigned<CardInsertResponses[K]>,
    authentication: cardInsertV1.MessageAuthentication,
  ): Promise<CardInsertResponses[K]> {
    // The authenticator puts the response's own scheme and KSN into what it MACs.
    const signature = await this.ports.authenticator.signResponse(
      terminal,
      operation,
      unsigned as CardInsertResponses[K],
      authentication,
    );
    return { ...unsigned, authentication: signature } as CardInsertResponses[K];
  }
}

type ExtraFor = (
  respond: (after: PaymentState) => unknown,
) => (tx: AppendTransaction, after?: PaymentState) => Promise<void>;

// --------------------------------------------------------------- validation

function validHeader(
  header: cardInsertV1.TerminalRequestHeader | undefined,
): cardInsertV1.TerminalRequestHeader {
  if (!header) throw refuse('HEADER_MISSING', 'header', 'is required');
  if (!TERMINAL_ID.test(header.terminalId))
    throw refuse(
      'TERMINAL_ID_INVALID',
      'header.terminal_id',
      'must be 1..16 letters, digits or . _ : @ -',
    );
  if (!Number.isInteger(header.stan) || header.stan < 1 || header.stan > 999_999)
    throw refuse('STAN_INVALID', 'header.stan', 'must be 1..999999');
  if (!LOCAL_TIME.test(header.localTime))
    throw refuse('LOCAL_TIME_INVALID', 'header.local_time', 'must be YYYY-MM-DDThh:mm:ss');
  const id = header.clientRequestId;
  if (id.length < 1 || id.length > 64 || !/^[\x21-\x7e]+$/.test(id))
    throw refuse(
      'CLIENT_REQUEST_ID_INVALID',
      'header.client_request_id',
      'must be 1..64 printable ASCII characters',
    );
  return header;
}

function validMoney(money: cardInsertV1.Money | undefined, terminalCurrency: string): bigint {
  if (!money) throw refuse('AMOUNT_MISSING', 'amount', 'is required');
  if (!AMOUNT.test(money.amountMinor))
    throw refuse('AMOUNT_INVALID', 'amount.amount_minor', 'must be an integer');
  const amount = BigInt(money.amountMinor);
  if (amount <= 0n) throw refuse('AMOUNT_NOT_POSITIVE', 'amount.amount_minor', 'must be above 0');
  if (amount > MAX_AMOUNT)
    throw refuse('AMOUNT_TOO_LARGE', 'amount.amount_minor', 'is too large', 'OUT_OF_RANGE');
  if (!CURRENCY.test(money.currency))
    throw refuse('CURRENCY_INVALID', 'amount.currency', 'must be ISO 4217 alphabetic');
  if (money.currency !== terminalCurrency)
    throw refuse(
      'CURRENCY_MISMATCH',
      'amount.currency',
      `the terminal accepts ${terminalCurrency} only`,
    );
  return amount;
}

function validAuthentication(
  authentication: cardInsertV1.MessageAuthentication | undefined,
): cardInsertV1.MessageAuthentication {
  if (!authentication)
    throw refuse('AUTHENTICATION_MISSING', 'authentication', 'is required', 'UNAUTHENTICATED');
  if (authentication.ksn.length === 0)
    throw refuse('KSN_MISSING', 'authentication.ksn', 'is required', 'UNAUTHENTICATED');
  if (authentication.mac.length === 0)
    throw refuse('MAC_MISSING', 'authentication.mac', 'is required', 'UNAUTHENTICATED');
  return authentication;
}

function validPaymentId(paymentId: string): void {
  if (!UUID.test(paymentId))
    throw refuse('PAYMENT_ID_INVALID', 'payment_id', 'must be a payment id (UUID)');
}

/** What an Authorize uses the terminal's DUKPT key for: its MAC, its track 2, and its PIN block if it has one. */
function fingerprintOf<K extends CardInsertOperation>(
  operation: K,
  request: CardInsertRequests[K],
): string {
  const codec = REQUEST_CODECS[operation] as unknown as {
    encode(m: CardInsertRequests[K]): { finish(): Uint8Array };
  };
  return requestFingerprint(codec.encode({ ...request, authentication: undefined }).finish());
}

// ------------------------------------------------------------------ answers

function outcomeOf(answer: IssuerAnswer): IssuerOutcome {
  if (answer.outcome === 'no_answer') return { outcome: 'no_answer' };
  if (APPROVAL_CODES.has(answer.responseCode))
    return {
      outcome: 'approved',
      responseCode: answer.responseCode,
      authCode: answer.authCode,
      rrn: answer.rrn,
      issuerData: answer.issuerData,
    };
  return {
    outcome: 'declined',
    responseCode: answer.responseCode,
    reason: declineReason(answer.responseCode),
  };
}

function receiptHeader(terminal: TerminalProfile) {
  return {
    merchantName: terminal.merchantName,
    merchantCity: terminal.merchantCity,
    terminalId: terminal.terminalId,
  };
}

function receiptFor(
  terminal: TerminalProfile,
  state: PaymentState,
  header: cardInsertV1.TerminalRequestHeader | undefined,
  title: string,
  amountMinor: bigint,
): string {
  const payment = state.payment as cardInsertEventsV1.PaymentInitiated;
  const outcome = authorizationOutcome(state);
  return paymentReceipt({
    ...receiptHeader(terminal),
    localTime: header?.localTime ?? payment.localTime,
    title,
    maskedPan: payment.maskedPan,
    scheme: payment.scheme,
    amountMinor,
    currency: payment.currency,
    authCode: outcome.kind === 'approved' ? outcome.authCode : '',
    responseCode: outcome.kind === 'pending' ? '' : outcome.responseCode,
    result:
      state.reversal && title !== 'VOID'
        ? 'REVERSED'
        : outcome.kind === 'approved'
          ? 'APPROVED'
          : 'DECLINED',
    rrn: payment.rrn,
    paymentId: payment.paymentId,
  });
}

function authorizeResponse(
  terminal: TerminalProfile,
  state: PaymentState,
): Unsigned<cardInsertV1.AuthorizeResponse> {
  const payment = state.payment as cardInsertEventsV1.PaymentInitiated;
  const outcome = authorizationOutcome(state);
  const approved = outcome.kind === 'approved';
  const title = isSale(state) ? 'SALE' : 'PRE-AUTHORIZATION';
  return {
    paymentId: payment.paymentId,
    status: approved
      ? cardInsertV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED
      : cardInsertV1.PaymentStatus.PAYMENT_STATUS_DECLINED,
    responseCode: outcome.kind === 'pending' ? '' : outcome.responseCode,
    authCode: approved ? outcome.authCode : '',
    issuerData: approved && state.authorization ? state.authorization.issuerData : new Uint8Array(),
    maskedPan: payment.maskedPan,
    receipt: {
      text: paymentReceipt({
        ...receiptHeader(terminal),
        localTime: payment.localTime,
        title,
        maskedPan: payment.maskedPan,
        scheme: payment.scheme,
        amountMinor: BigInt(payment.amountMinor),
        currency: payment.currency,
        authCode: approved ? outcome.authCode : '',
        responseCode: outcome.kind === 'pending' ? '' : outcome.responseCode,
        result: approved ? 'APPROVED' : 'DECLINED',
        rrn: payment.rrn,
        paymentId: payment.paymentId,
      }),
    },
    rrn: payment.rrn,
  };
}

function completeResponse(
  terminal: TerminalProfile,
  state: PaymentState,
  header: cardInsertV1.TerminalRequestHeader | undefined,
): Unsigned<cardInsertV1.CompleteResponse> {
  const payment = state.payment as cardInsertEventsV1.PaymentInitiated;
  return {
    paymentId: payment.paymentId,
    status: wireStatus(state.status),
    receipt: {
      text: receiptFor(
        terminal,
        state,
        header,
        isSale(state) ? 'SALE' : 'PRE-AUTHORIZATION',
        state.authorizedMinor,
      ),
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
