import { randomUUID } from 'node:crypto';
import {
  requestMacInput,
  responseMacInput,
  type CardInsertOperation,
  type CardInsertRequests,
  type CardInsertResponses,
} from '@tillgate/card-insert';
import { cardInsertV1 } from '@tillgate/contracts';
import {
  CRYPTOGRAM_VERSIONS,
  Pan,
  TRANSACTION_TAG_LENGTHS,
  aesCmac,
  aesDukpt,
  decryptPinBlock,
  generateArpc,
  hexToBytes,
  macIso9797Alg3,
  parseKsn,
  tdesDukpt,
  verifyArqc,
  type TransactionData,
} from '@tillgate/crypto';
import { decodeTlv, encodeTlv, flattenTlv, primitive } from '@tillgate/emv';
import type { KeyStore } from '@tillgate/key-store';
import type { TestCard } from '../card/test-cards';
import { AES_RESPONSE_MAC_USAGE, MAC_LENGTH } from '../dukpt/terminal-dukpt';
import { TEST_TERMINAL_KEYS } from '../keys/test-terminal-keys';
import { REQUEST_CODECS, type CardInsertApi } from '../terminal/card-insert-api';
import { TEST_ZONE_PIN_KEYS } from './test-key-store';

const { PaymentStatus, DukptScheme, CardDecision } = cardInsertV1;

/** A request the double refuses, as the gateway would with a gRPC status naming the field. */
export class GatewayDoubleRefusal extends Error {
  override readonly name = 'GatewayDoubleRefusal';
  constructor(
    readonly status: 'INVALID_ARGUMENT' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'ALREADY_EXISTS',
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GatewayDoubleOptions {
  readonly keyStore: KeyStore;
  /** The cards the double's issuer knows, with their PIN and keys. */
  readonly cards: readonly TestCard[];
  /** Answer every authorization with this code instead of deciding. */
  readonly forceResponseCode?: string;
  /** Flip a bit of the ARPC (the card must then refuse with an AAC). */
  readonly corruptArpc?: boolean;
  /** Flip a bit of every response MAC (the terminal must not trust the answer). */
  readonly corruptResponseMac?: boolean;
}

interface Payment {
  readonly id: string;
  amount: bigint;
  currency: string;
  status: cardInsertV1.PaymentStatus;
}

/**
 * TEST DOUBLE of the gateway's CardInsertService, for the terminal's tests:
 * it opens the terminal's request with the gateway's own primitives (a real
 * SoftwareKeyStore verifies the DUKPT MAC, decrypts track 2 and translates
 * the PIN block to a zone key), plays the issuer (PIN check, ARQC check,
 * ARPC) and MACs its answers under the response MAC key of the request's
 * KSN. It records what it saw so tests can inspect it.
 */
export class CardInsertGatewayDouble implements CardInsertApi {
  readonly payments = new Map<string, Payment>();
  readonly seen: {
    operation: CardInsertOperation;
    track2?: string;
    pin?: string;
    arqcValid?: boolean;
    cardDecision?: cardInsertV1.CardDecision;
    retransmission?: boolean;
    ksn: string;
  }[] = [];
  private readonly lastCounter = new Map<string, number>();

  private readonly answered = new Map<string, { body: string; response: unknown }>();

  constructor(private readonly options: GatewayDoubleOptions) {}

  Authorize(r: cardInsertV1.AuthorizeRequest): Promise<cardInsertV1.AuthorizeResponse> {
    return this.once('Authorize', r, () => this.authorizeOnce(r));
  }

  Complete(r: cardInsertV1.CompleteRequest): Promise<cardInsertV1.CompleteResponse> {
    return this.once('Complete', r, () => this.completeOnce(r));
  }

  Capture(r: cardInsertV1.CaptureRequest): Promise<cardInsertV1.CaptureResponse> {
    return this.once('Capture', r, () => this.captureOnce(r));
  }

  Void(r: cardInsertV1.VoidRequest): Promise<cardInsertV1.VoidResponse> {
    return this.once('Void', r, () => this.voidOnce(r));
  }

  Refund(r: cardInsertV1.RefundRequest): Promise<cardInsertV1.RefundResponse> {
    return this.once('Refund', r, () => this.refundOnce(r));
  }

  Reverse(r: cardInsertV1.ReverseRequest): Promise<cardInsertV1.ReverseResponse> {
    return this.once('Reverse', r, () => this.reverseOnce(r));
  }

  CloseBatch(r: cardInsertV1.CloseBatchRequest): Promise<cardInsertV1.CloseBatchResponse> {
    return this.once('CloseBatch', r, () => this.closeBatchOnce(r));
  }

  /**
   * Idempotency as the API specifies it: the same (terminal, STAN, client
   * request id) with the same body gets the original answer, untouched
   * (its MAC was verified when it first came); with another body, ALREADY_EXISTS.
   */
  private async once<K extends CardInsertOperation>(
    operation: K,
    request: CardInsertRequests[K],
    handle: () => Promise<CardInsertResponses[K]>,
  ): Promise<CardInsertResponses[K]> {
    const header = (request as { header?: cardInsertV1.TerminalRequestHeader }).header;
    const key = `${header?.terminalId}|${header?.stan}|${header?.clientRequestId}`;
    const body = Buffer.from(REQUEST_CODECS[operation].encode(request).finish()).toString('base64');
    const original = this.answered.get(key);
    if (original) {
      if (original.body !== body) {
        throw new GatewayDoubleRefusal(
          'ALREADY_EXISTS',
          'header.client_request_id',
          'another body',
        );
      }
      this.seen.push({ operation, retransmission: true, ksn: ksnHex(request) });
      return original.response as CardInsertResponses[K];
    }
    const response = await handle();
    this.answered.set(key, { body, response });
    return response;
  }

  private async authorizeOnce(
    r: cardInsertV1.AuthorizeRequest,
  ): Promise<cardInsertV1.AuthorizeResponse> {
    const bdk = await this.authenticate('Authorize', r);
    const ksn = Buffer.from(r.authentication!.ksn);
    const [clear] = await this.options.keyStore.decryptTrackData({
      bdk,
      ksn,
      encryptedData: [Buffer.from(r.card!.encryptedTrack2)],
    });
    const track2 = clear!.expose().toString('hex').toUpperCase().replace(/F+$/, '');
    const panDigits = track2.split('D')[0]!;
    const card = this.options.cards.find((c) => c.profile.pan === panDigits);
    if (!card) throw new GatewayDoubleRefusal('NOT_FOUND', 'card.encrypted_track2', 'unknown card');
    let pin: string | undefined;
    const zone =
      TEST_ZONE_PIN_KEYS[
        r.authentication!.scheme === DukptScheme.DUKPT_SCHEME_TDES ? 'tdes' : 'aes'
      ];
    if (r.card!.encryptedPinBlock.length) {
      const translated = await this.options.keyStore.translatePinBlock({
        pan: Pan.parse(panDigits),
        source: {
          bdk,
          ksn,
          pinBlock: Buffer.from(r.card!.encryptedPinBlock),
          format: r.authentication!.scheme === DukptScheme.DUKPT_SCHEME_TDES ? 0 : 4,
        },
        destination: { key: { id: zone.id }, format: zone.format },
      });
      pin = decryptPinBlock({
        format: zone.format,
        key: hexToBytes(zone.hex),
        pinBlock: translated.pinBlock,
        pan: panDigits,
      });
    }
    const { transaction, arqc } = transactionOf(r.card!.iccData);
    const version = CRYPTOGRAM_VERSIONS[card.cryptogramVersion];
    const keys = {
      issuerMasterKey: Buffer.from(card.profile.issuerMasterKeys.ac),
      card: { pan: card.profile.pan, psn: card.profile.panSequenceNumber },
    };
    const arqcValid = verifyArqc(version, keys, transaction, arqc);
    this.seen.push({ operation: 'Authorize', track2, pin, arqcValid, ksn: ksn.toString('hex') });
    const responseCode =
      this.options.forceResponseCode ??
      (!arqcValid ? '05' : pin !== undefined && pin !== card.profile.pin ? '55' : '00');
    const approved = responseCode === '00';
    let issuerData: Uint8Array = new Uint8Array(0);
    if (arqcValid) {
      const arpc =
        version.arpc.method === 1
          ? Buffer.concat([
              generateArpc(version, keys, transaction, arqc, {
                arc: Buffer.from(responseCode, 'ascii'),
              }),
              Buffer.from(responseCode, 'ascii'),
            ])
          : ((csu: Buffer) =>
              Buffer.concat([generateArpc(version, keys, transaction, arqc, { csu }), csu]))(
              Buffer.from(approved ? '00800000' : '00000000', 'hex'),
            );
      if (this.options.corruptArpc) arpc[0] ^= 0x01;
      issuerData = encodeTlv(primitive('91', arpc));
    }
    const id = randomUUID();
    this.payments.set(id, {
      id,
      amount: BigInt(r.amount!.amountMinor),
      currency: r.amount!.currency,
      status: approved
        ? PaymentStatus.PAYMENT_STATUS_AUTHORIZED
        : PaymentStatus.PAYMENT_STATUS_DECLINED,
    });
    const masked = Pan.parse(panDigits).masked;
    return this.sign('Authorize', r, {
      paymentId: id,
      status: this.payments.get(id)!.status,
      responseCode,
      authCode: approved ? 'A1B2C3' : '',
      issuerData,
      maskedPan: masked,
      receipt: {
        text: [
          'TILLGATE TEST MERCHANT',
          `CARD ${masked}`,
          `AMOUNT ${r.amount!.amountMinor} ${r.amount!.currency}`,
          approved ? 'APPROVED' : `DECLINED ${responseCode}`,
        ].join('\n'),
      },
      rrn: '000000000001',
      authentication: undefined,
    });
  }

  private async completeOnce(
    r: cardInsertV1.CompleteRequest,
  ): Promise<cardInsertV1.CompleteResponse> {
    await this.authenticate('Complete', r);
    const payment = this.payment(r.paymentId);
    payment.status =
      r.cardDecision === CardDecision.CARD_DECISION_TC
        ? PaymentStatus.PAYMENT_STATUS_CAPTURED
        : PaymentStatus.PAYMENT_STATUS_REVERSAL_PENDING;
    this.seen[this.seen.length - 1]!.cardDecision = r.cardDecision;
    return this.sign('Complete', r, {
      paymentId: payment.id,
      status: payment.status,
      receipt: {
        text:
          payment.status === PaymentStatus.PAYMENT_STATUS_CAPTURED
            ? 'TILLGATE TEST MERCHANT\nAPPROVED\nTHANK YOU'
            : 'TILLGATE TEST MERCHANT\nDECLINED BY CARD',
      },
      authentication: undefined,
    });
  }

  private async captureOnce(r: cardInsertV1.CaptureRequest): Promise<cardInsertV1.CaptureResponse> {
    await this.authenticate('Capture', r);
    const payment = this.payment(r.paymentId);
    payment.status = PaymentStatus.PAYMENT_STATUS_CAPTURED;
    return this.sign('Capture', r, {
      paymentId: payment.id,
      status: payment.status,
      captured: r.amount,
      receipt: { text: 'CAPTURED' },
      authentication: undefined,
    });
  }

  private async voidOnce(r: cardInsertV1.VoidRequest): Promise<cardInsertV1.VoidResponse> {
    await this.authenticate('Void', r);
    const payment = this.payment(r.paymentId);
    payment.status = PaymentStatus.PAYMENT_STATUS_VOIDED;
    return this.sign('Void', r, {
      paymentId: payment.id,
      status: payment.status,
      receipt: { text: 'VOIDED' },
      authentication: undefined,
    });
  }

  private async refundOnce(r: cardInsertV1.RefundRequest): Promise<cardInsertV1.RefundResponse> {
    await this.authenticate('Refund', r);
    const payment = this.payment(r.paymentId);
    const refunded = BigInt(r.amount!.amountMinor);
    payment.status =
      refunded < payment.amount
        ? PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED
        : PaymentStatus.PAYMENT_STATUS_REFUNDED;
    return this.sign('Refund', r, {
      paymentId: payment.id,
      status: payment.status,
      refundId: randomUUID(),
      refunded: r.amount,
      refundable: {
        amountMinor: (payment.amount - refunded).toString(),
        currency: payment.currency,
      },
      receipt: { text: 'REFUND' },
      authentication: undefined,
    });
  }

  private async reverseOnce(r: cardInsertV1.ReverseRequest): Promise<cardInsertV1.ReverseResponse> {
    await this.authenticate('Reverse', r);
    const payment = this.payment(r.paymentId);
    payment.status = PaymentStatus.PAYMENT_STATUS_REVERSAL_PENDING;
    return this.sign('Reverse', r, {
      paymentId: payment.id,
      status: payment.status,
      authentication: undefined,
    });
  }

  private async closeBatchOnce(
    r: cardInsertV1.CloseBatchRequest,
  ): Promise<cardInsertV1.CloseBatchResponse> {
    await this.authenticate('CloseBatch', r);
    const captured = [...this.payments.values()].filter(
      (p) => p.status === PaymentStatus.PAYMENT_STATUS_CAPTURED,
    );
    const sum = captured.reduce((total, p) => total + p.amount, 0n).toString();
    return this.sign('CloseBatch', r, {
      terminalId: r.header!.terminalId,
      batchNumber: 1,
      totals: [
        {
          currency: captured[0]?.currency ?? 'CNY',
          saleCount: captured.length,
          saleAmountMinor: sum,
          refundCount: 0,
          refundAmountMinor: '0',
          voidCount: 0,
          voidAmountMinor: '0',
          netAmountMinor: sum,
        },
      ],
      receipt: { text: `BATCH 1 CLOSED\nSALES ${captured.length}` },
      authentication: undefined,
    });
  }

  private payment(id: string): Payment {
    const payment = this.payments.get(id);
    if (!payment) throw new GatewayDoubleRefusal('NOT_FOUND', 'payment_id', 'unknown payment');
    return payment;
  }

  /** MAC check in the key store, then a KSN counter that must rise per terminal. */
  private async authenticate<K extends CardInsertOperation>(
    operation: K,
    request: CardInsertRequests[K],
  ): Promise<{ id: string }> {
    const { authentication, header } = request as {
      authentication?: cardInsertV1.MessageAuthentication;
      header?: cardInsertV1.TerminalRequestHeader;
    };
    if (!authentication || !header) {
      throw new GatewayDoubleRefusal('INVALID_ARGUMENT', 'authentication', 'missing');
    }
    const bdk = {
      id:
        authentication.scheme === DukptScheme.DUKPT_SCHEME_TDES
          ? TEST_TERMINAL_KEYS.tdes.keyId
          : TEST_TERMINAL_KEYS.aes.keyId,
    };
    try {
      await this.options.keyStore.verifyDukptMac({
        bdk,
        ksn: Buffer.from(authentication.ksn),
        message: requestMacInput(operation, request),
        mac: Buffer.from(authentication.mac),
      });
    } catch {
      throw new GatewayDoubleRefusal(
        'UNAUTHENTICATED',
        'authentication.mac',
        'MAC does not verify',
      );
    }
    const counter = parseKsn(Buffer.from(authentication.ksn)).counter;
    if (counter <= (this.lastCounter.get(header.terminalId) ?? 0)) {
      throw new GatewayDoubleRefusal('INVALID_ARGUMENT', 'authentication.ksn', 'KSN replayed');
    }
    this.lastCounter.set(header.terminalId, counter);
    if (operation !== 'Authorize') {
      this.seen.push({ operation, ksn: Buffer.from(authentication.ksn).toString('hex') });
    }
    return bdk;
  }

  private sign<K extends CardInsertOperation>(
    operation: K,
    request: CardInsertRequests[K],
    response: CardInsertResponses[K],
  ): CardInsertResponses[K] {
    const requestAuth = (request as { authentication: cardInsertV1.MessageAuthentication })
      .authentication;
    const unsigned = {
      ...response,
      authentication: { scheme: requestAuth.scheme, ksn: requestAuth.ksn, mac: new Uint8Array() },
    } as CardInsertResponses[K];
    const mac = responseMac(Buffer.from(requestAuth.ksn), responseMacInput(operation, unsigned));
    if (this.options.corruptResponseMac) mac[0] ^= 0x01;
    return { ...unsigned, authentication: { ...requestAuth, mac } } as CardInsertResponses[K];
  }
}

/** The gateway's response MAC, from the BDK (host side): X9.24-1 MAC-response variant or the AES usage. */
export function responseMac(ksn: Buffer, data: Buffer): Buffer {
  if (ksn.length === 10) {
    const key = tdesDukpt.deriveWorkingKey({
      bdk: hexToBytes(TEST_TERMINAL_KEYS.tdes.bdk),
      ksn,
      usage: 'mac-response',
    });
    return macIso9797Alg3(key, data, 1).subarray(0, MAC_LENGTH);
  }
  const key = aesDukpt.deriveWorkingKey({
    bdk: hexToBytes(TEST_TERMINAL_KEYS.aes.bdk),
    ksn,
    usage: AES_RESPONSE_MAC_USAGE,
    keyType: 'aes128',
  });
  return aesCmac(key, data).subarray(0, MAC_LENGTH);
}

/** The ARQC and its inputs from field 55 (the issuer's view). */
export function transactionOf(iccData: Uint8Array): { transaction: TransactionData; arqc: Buffer } {
  const tags = flattenTlv(decodeTlv(iccData));
  const get = (tag: string) => {
    const v = tags.get(tag);
    if (!v) throw new GatewayDoubleRefusal('INVALID_ARGUMENT', 'card.icc_data', `no ${tag}`);
    return Buffer.from(v);
  };
  const transaction = Object.fromEntries(
    [...Object.keys(TRANSACTION_TAG_LENGTHS), '9F10'].map((tag) => [tag, get(tag)]),
  ) as unknown as TransactionData;
  return { transaction, arqc: get('9F26') };
}

function ksnHex(request: unknown): string {
  const a = (request as { authentication?: cardInsertV1.MessageAuthentication }).authentication;
  return a ? Buffer.from(a.ksn).toString('hex') : '';
}
