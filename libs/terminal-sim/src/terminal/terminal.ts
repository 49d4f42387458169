import { randomBytes, randomUUID } from 'node:crypto';
import {
  requestMacInput,
  responseMacInput,
  type CardInsertOperation,
  type CardInsertRequests,
  type CardInsertResponses,
} from '@tillgate/card-insert';
import { cardInsertV1 } from '@tillgate/contracts';
import { parseKsn } from '@tillgate/crypto';
import { SimulatedCard } from '../card/simulated-card';
import type { TestCard } from '../card/test-cards';
import {
  dukptTransaction,
  padTrackData,
  type DukptTransaction,
  type InjectedKey,
} from '../dukpt/terminal-dukpt';
import {
  DEFAULT_KERNEL_CONFIG,
  completeOnline,
  runToFirstGenerateAc,
  type FirstAcResult,
  type KernelConfig,
  type SecondAcResult,
} from '../emv/emv-kernel';
import {
  advanceAtc,
  advanceKsnCounter,
  advanceStan,
  rememberPayment,
  rememberRequest,
  terminalRecord,
} from '../state/terminal-state';
import type { TerminalStateStore } from '../state/terminal-state.store';
import { REQUEST_CODECS, isCardInsertOperation, type CardInsertApi } from './card-insert-api';
import { currencyNumeric, type CurrencyCode } from './currency';

const { AuthorizationKind, CardDecision, DukptScheme, PaymentStatus } = cardInsertV1;

export interface TerminalOptions {
  readonly terminalId: string;
  /** The key loaded at key injection (see injectInitialKey). */
  readonly key: InjectedKey;
  readonly gateway: CardInsertApi;
  readonly state: TerminalStateStore;
  readonly kernel?: Partial<KernelConfig>;
  /** The terminal's local clock. */
  readonly clock?: () => Date;
  readonly random?: (length: number) => Buffer;
  readonly newRequestId?: () => string;
}

/** The gateway's answer did not carry a valid response MAC under the request's KSN. */
export class ResponseAuthenticationError extends Error {
  override readonly name = 'ResponseAuthenticationError';
  constructor(readonly operation: CardInsertOperation) {
    super(`${operation} response MAC does not verify: the answer is not trusted`);
  }
}

/** Nothing to retransmit, or a stored request the terminal cannot read. */
export class RetransmissionError extends Error {
  override readonly name = 'RetransmissionError';
}

export interface PaymentRequest {
  readonly kind: 'sale' | 'preauth';
  readonly card: TestCard;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  /** The PIN the cardholder types; the card's own when absent; null bypasses PIN entry. */
  readonly pin?: string | null;
}

export type PaymentOutcome =
  /** Approved online and the card accepted (TC). */
  | 'approved'
  /** The issuer declined (or the gateway gave another code). */
  | 'declined'
  /** The issuer approved but the card refused (AAC): the gateway reverses. */
  | 'card-declined'
  /** The card declined before going online (AAC in the first GENERATE AC). */
  | 'declined-offline';

export interface PaymentResult {
  readonly outcome: PaymentOutcome;
  readonly paymentId?: string;
  readonly responseCode?: string;
  readonly authCode?: string;
  readonly maskedPan?: string;
  readonly rrn?: string;
  readonly status?: cardInsertV1.PaymentStatus;
  readonly receipt: string;
  readonly emv: FirstAcResult;
  readonly secondAc?: SecondAcResult;
  readonly authorize?: cardInsertV1.AuthorizeResponse;
  readonly complete?: cardInsertV1.CompleteResponse;
}

export interface Exchange<K extends CardInsertOperation> {
  readonly request: CardInsertRequests[K];
  readonly response: CardInsertResponses[K];
}

type RequestBody<K extends CardInsertOperation> = Omit<
  CardInsertRequests[K],
  'header' | 'authentication'
>;

/**
 * A POS terminal with a secure card reader and PIN pad: it runs the EMV
 * flow with the inserted test card, protects the card data under DUKPT,
 * MACs every request and checks every response MAC, and remembers its
 * counters in the state store so that no KSN or STAN is used twice.
 */
export class Terminal {
  readonly terminalId: string;
  private readonly kernel: KernelConfig;
  private readonly clock: () => Date;
  private readonly random: (length: number) => Buffer;
  private readonly newRequestId: () => string;

  constructor(private readonly options: TerminalOptions) {
    this.terminalId = options.terminalId;
    this.kernel = { ...DEFAULT_KERNEL_CONFIG, caKeys: [], ...options.kernel };
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? randomBytes;
    this.newRequestId = options.newRequestId ?? randomUUID;
  }

  get scheme(): InjectedKey['scheme'] {
    return this.options.key.scheme;
  }

  /** The payment id of the last payment this terminal made, for capture/void/refund without an id. */
  lastPaymentId(): string | undefined {
    return terminalRecord(this.options.state.read(), this.terminalId).lastPaymentId;
  }

  /** Sale or pre-authorization: the whole EMV flow, Authorize, second GENERATE AC, Complete. */
  async pay(payment: PaymentRequest): Promise<PaymentResult> {
    const card = this.insert(payment.card);
    const now = this.clock();
    const pin = payment.pin === undefined ? payment.card.profile.pin : payment.pin;
    const emv = runToFirstGenerateAc(card, this.withCardCa(payment.card), {
      amountMinor: payment.amountMinor,
      currencyNumeric: currencyNumeric(payment.currency),
      transactionType: '00',
      date: now,
      pinEntered: pin !== null,
      unpredictableNumber: this.random(4),
    });
    if (emv.ac.type !== 'ARQC') {
      return { outcome: 'declined-offline', receipt: '', emv };
    }
    const onlinePin = emv.cvm.outcome === 'performed' && emv.cvm.method === 'encipheredPinOnline';
    const authorize = await this.exchange('Authorize', (dukpt) => ({
      kind:
        payment.kind === 'sale'
          ? AuthorizationKind.AUTHORIZATION_KIND_SALE
          : AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION,
      amount: { amountMinor: payment.amountMinor.toString(), currency: payment.currency },
      card: {
        iccData: emv.iccData,
        encryptedTrack2: dukpt.encryptData(padTrackData(emv.track2, dukpt.scheme)),
        encryptedPinBlock:
          onlinePin && pin !== null ? dukpt.encryptPinBlock(pin, emv.pan) : new Uint8Array(0),
      },
    }));
    const answer = authorize.response;
    if (answer.paymentId) this.update((s) => rememberPayment(s, this.terminalId, answer.paymentId));
    const approved = answer.status === PaymentStatus.PAYMENT_STATUS_AUTHORIZED;
    const secondAc = completeOnline(card, emv, {
      responseCode: approved ? answer.responseCode || '00' : answer.responseCode || '05',
      issuerData: answer.issuerData,
    });
    const common = {
      paymentId: answer.paymentId,
      responseCode: answer.responseCode,
      authCode: answer.authCode,
      maskedPan: answer.maskedPan,
      rrn: answer.rrn,
      emv,
      secondAc,
      authorize: answer,
    };
    if (!approved) {
      return { ...common, outcome: 'declined', status: answer.status, receipt: receiptOf(answer) };
    }
    const complete = await this.exchange('Complete', () => ({
      paymentId: answer.paymentId,
      cardDecision:
        secondAc.decision === 'TC' ? CardDecision.CARD_DECISION_TC : CardDecision.CARD_DECISION_AAC,
      iccData: secondAc.iccData,
    }));
    return {
      ...common,
      outcome: secondAc.decision === 'TC' ? 'approved' : 'card-declined',
      status: complete.response.status,
      complete: complete.response,
      receipt: receiptOf(complete.response) || receiptOf(answer),
    };
  }

  capture(paymentId: string, amountMinor: bigint, currency: CurrencyCode) {
    return this.exchange('Capture', () => ({
      paymentId,
      amount: { amountMinor: amountMinor.toString(), currency },
    }));
  }

  void(paymentId: string) {
    return this.exchange('Void', () => ({ paymentId }));
  }

  refund(paymentId: string, amountMinor: bigint, currency: CurrencyCode) {
    return this.exchange('Refund', () => ({
      paymentId,
      amount: { amountMinor: amountMinor.toString(), currency },
    }));
  }

  reverse(paymentId: string) {
    return this.exchange('Reverse', () => ({ paymentId }));
  }

  closeBatch() {
    return this.exchange('CloseBatch', () => ({}));
  }

  /**
   * Sends the last request again exactly as it went (same STAN, client
   * request id, KSN and MAC), as a terminal does when it got no answer; the
   * gateway must answer with the original response.
   */
  async retransmit(): Promise<{ operation: CardInsertOperation } & Exchange<CardInsertOperation>> {
    const stored = terminalRecord(this.options.state.read(), this.terminalId).lastRequest;
    if (!stored) throw new RetransmissionError(`terminal ${this.terminalId} has sent nothing yet`);
    if (!isCardInsertOperation(stored.operation)) {
      throw new RetransmissionError(`stored request has an unknown operation ${stored.operation}`);
    }
    const operation = stored.operation;
    const request = REQUEST_CODECS[operation].decode(Buffer.from(stored.protobuf, 'base64'));
    const authentication = (request as { authentication?: cardInsertV1.MessageAuthentication })
      .authentication;
    if (!authentication) throw new RetransmissionError('stored request has no authentication');
    const ksn = parseKsn(Buffer.from(authentication.ksn));
    const dukpt = dukptTransaction(this.options.key, ksn.counter);
    const response = await this.send(operation, request, dukpt);
    return { operation, request, response } as {
      operation: CardInsertOperation;
    } & Exchange<CardInsertOperation>;
  }

  /**
   * One request: a new STAN, KSN and client request id (saved before the
   * request leaves), the MAC over the canonical MAC input, the call, and
   * the response MAC check.
   */
  private async exchange<K extends CardInsertOperation>(
    operation: K,
    body: (dukpt: DukptTransaction) => RequestBody<K>,
  ): Promise<Exchange<K>> {
    let stan = 0;
    let counter = 0;
    this.update((state) => {
      const s1 = advanceStan(state, this.terminalId);
      const s2 = advanceKsnCounter(s1.state, this.terminalId, this.scheme);
      stan = s1.stan;
      counter = s2.counter;
      return s2.state;
    });
    const dukpt = dukptTransaction(this.options.key, counter);
    const unsigned = {
      header: {
        terminalId: this.terminalId,
        stan,
        localTime: localTime(this.clock()),
        clientRequestId: this.newRequestId(),
      },
      ...body(dukpt),
      authentication: {
        scheme:
          dukpt.scheme === 'tdes' ? DukptScheme.DUKPT_SCHEME_TDES : DukptScheme.DUKPT_SCHEME_AES128,
        ksn: dukpt.ksn,
        mac: new Uint8Array(0),
      },
    } as unknown as CardInsertRequests[K];
    const request = {
      ...unsigned,
      authentication: {
        ...(unsigned as { authentication: cardInsertV1.MessageAuthentication }).authentication,
        mac: dukpt.requestMac(requestMacInput(operation, unsigned)),
      },
    } as CardInsertRequests[K];
    const protobuf = Buffer.from(REQUEST_CODECS[operation].encode(request).finish()).toString(
      'base64',
    );
    this.update((s) => rememberRequest(s, this.terminalId, { operation, protobuf }));
    const response = await this.send(operation, request, dukpt);
    return { request, response };
  }

  private async send<K extends CardInsertOperation>(
    operation: K,
    request: CardInsertRequests[K],
    dukpt: DukptTransaction,
  ): Promise<CardInsertResponses[K]> {
    const call = this.options.gateway[operation] as (
      r: CardInsertRequests[K],
    ) => Promise<CardInsertResponses[K]>;
    const response = await call.call(this.options.gateway, request);
    const authentication = (response as { authentication?: cardInsertV1.MessageAuthentication })
      .authentication;
    if (
      !authentication ||
      !Buffer.from(authentication.ksn).equals(dukpt.ksn) ||
      !dukpt.verifyResponseMac(responseMacInput(operation, response), authentication.mac)
    ) {
      throw new ResponseAuthenticationError(operation);
    }
    return response;
  }

  /** The card, with its ATC advanced and saved before it computes a cryptogram. */
  private insert(card: TestCard): SimulatedCard {
    let atc = 0;
    this.update((state) => {
      const next = advanceAtc(state, card.stateKey);
      atc = next.atc;
      return next.state;
    });
    return new SimulatedCard(card, atc, (n) => new Uint8Array(this.random(n)));
  }

  /**
   * The CA keys the terminal trusts for this card: its configured ones plus
   * the test CA that certified the test card (a certification kit ships the
   * test CA public keys with its cards).
   */
  private withCardCa(card: TestCard): KernelConfig {
    return { ...this.kernel, caKeys: [...this.kernel.caKeys, card.profile.ca] };
  }

  private update(change: Parameters<typeof applyChange>[1]): void {
    applyChange(this.options.state, change);
  }
}

function applyChange(
  store: TerminalStateStore,
  change: (state: ReturnType<TerminalStateStore['read']>) => ReturnType<TerminalStateStore['read']>,
): void {
  store.write(change(store.read()));
}

function receiptOf(response: { receipt?: cardInsertV1.Receipt }): string {
  return response.receipt?.text ?? '';
}

/** `YYYY-MM-DDThh:mm:ss` in the terminal's local time. */
export function localTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
