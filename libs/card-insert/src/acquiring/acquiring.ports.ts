import type { cardInsertV1 } from '@tillgate/contracts';
import type { Pan, Secret } from '@tillgate/crypto';
import type { TlvNode } from '@tillgate/emv';
import type { KeyRef } from '@tillgate/key-store';
import type {
  CardInsertOperation,
  CardInsertRequests,
  CardInsertResponses,
} from '../protocol/mac-input';

/**
 * The ports between the card-insert service (the flow: idempotency, the
 * payment decider, events, reversals) and what it talks to: the terminal's
 * keys, the card data it decrypts, and the issuer host. Adapters live next
 * to this file; the service depends only on these interfaces.
 */

export type DukptSchemeName = 'tdes' | 'aes128';

/** An enrolled terminal, as the gateway knows it. */
export interface TerminalProfile {
  readonly terminalId: string;
  readonly merchantId: string;
  /** Printed on receipts. */
  readonly merchantName: string;
  readonly merchantCity: string;
  /** ISO 8583 field 42. */
  readonly cardAcceptorId: string;
  /** ISO 4217 alphabetic; a request in another currency is refused. */
  readonly currency: string;
  /** The BDK the terminal's initial key was derived from. */
  readonly bdk: KeyRef;
  readonly dukptScheme: DukptSchemeName;
  /**
   * Optional: the device's initial key ID as upper-case hex (TDES: the
   * initial KSN, 10 bytes with the counter bits cleared; AES: the 8-byte
   * initial key ID). When set, a KSN of another device is refused, so that
   * terminals sharing a BDK cannot speak for one another.
   */
  readonly initialKeyId?: string;
}

export interface TerminalDirectory {
  find(terminalId: string): Promise<TerminalProfile | undefined>;
}

/**
 * A request the gateway refuses, naming the offending request field
 * (`authentication.mac`, `card.icc_data`, `amount.currency`...). `security`
 * says which security event to record, when it is one.
 */
export class CardInsertRequestRefused extends Error {
  override readonly name = 'CardInsertRequestRefused';
  constructor(
    readonly code: string,
    readonly field: string,
    message: string,
    readonly grpcStatus:
      | 'INVALID_ARGUMENT'
      | 'UNAUTHENTICATED'
      | 'FAILED_PRECONDITION'
      | 'NOT_FOUND'
      | 'ALREADY_EXISTS'
      | 'OUT_OF_RANGE' = 'INVALID_ARGUMENT',
    readonly security?:
      | 'mac_verification_failed'
      | 'ksn_replayed'
      | 'unknown_terminal'
      | 'card_data_undecryptable'
      | 'arqc_invalid',
  ) {
    super(message);
  }
}

/**
 * The uses of a terminal's DUKPT key under one KSN: a terminal MACs a
 * request once, encrypts its card data once and its PIN block once.
 */
export type KsnChannel = 'mac' | 'data' | 'pin';

/** The channels an Authorize uses under its KSN: its MAC, its track 2 and, when it has one, its PIN block. */
export function authorizeKsnChannels(request: cardInsertV1.AuthorizeRequest): KsnChannel[] {
  return request.card?.encryptedPinBlock.length ? ['mac', 'data', 'pin'] : ['mac', 'data'];
}

/**
 * A request's KSN, accepted by the authenticator for some channels: what
 * the card data opener decrypts under, each channel once. The service
 * hands it over without looking inside; an adapter knows what its own
 * authenticator put in.
 */
export interface KsnAcceptance {
  readonly channels: readonly KsnChannel[];
}

/**
 * MAC verification, KSN monotonicity and the response MAC. The two checks
 * are separate because a retransmission carries the KSN of the original
 * request: the service verifies the MAC, and a new request's KSN must then
 * advance; a KSN refused as a replay is answered from what was recorded,
 * when it is a retransmission.
 */
export interface TerminalAuthenticator {
  /**
   * Verifies the request's DUKPT MAC over `requestMacInput` under the KSN it
   * carries. Throws `CardInsertRequestRefused` (field `authentication.mac`,
   * `authentication.ksn` or `authentication.scheme`).
   */
  verifyMac<K extends CardInsertOperation>(
    terminal: TerminalProfile,
    operation: K,
    request: CardInsertRequests[K],
  ): Promise<void>;
  /**
   * Requires the KSN's transaction counter to advance for this terminal on
   * every one of `channels` (`mac` always among them), and records it for
   * all of them at once, or for none. Throws `CardInsertRequestRefused`
   * (`authentication.ksn`; code `KSN_REPLAYED`, security `ksn_replayed`
   * for a replay).
   */
  acceptKsn(
    terminal: TerminalProfile,
    authentication: cardInsertV1.MessageAuthentication,
    channels: readonly KsnChannel[],
  ): Promise<KsnAcceptance>;
  /** The response's `authentication`: the same KSN and scheme, MAC under the response MAC key. */
  signResponse<K extends CardInsertOperation>(
    terminal: TerminalProfile,
    operation: K,
    response: CardInsertResponses[K],
    requestAuthentication: cardInsertV1.MessageAuthentication,
  ): Promise<cardInsertV1.MessageAuthentication>;
}

/** The card as the gateway holds it for one request: in memory only. */
export interface OpenedCard {
  readonly pan: Pan;
  /** Track 2 equivalent data, for ISO 8583 field 35. */
  readonly track2: Secret<Buffer>;
  /** YYMM. */
  readonly expiry: string;
  readonly panSequenceNumber?: string;
  /** Keyed hash for lookups (hex) and the masked form for display. */
  readonly panToken: string;
  readonly maskedPan: string;
  /** 'visa', 'mastercard', ... from the BIN. */
  readonly scheme: string;
  /** The PIN block translated to the acquirer zone PIN key (field 52), if one was sent. */
  readonly zonePinBlock?: Secret<Buffer>;
  /** Parsed ICC data (field 55 as the terminal sent it, validated TLV: parsed once, here). */
  readonly iccData: readonly TlvNode[];
}

export interface CardDataOpener {
  /**
   * Validates the ICC data TLV, decrypts track 2 under the DUKPT data key,
   * translates the PIN block to the zone PIN key inside the key store,
   * both under the KSN `ksn` accepted (for `data`, and `pin` when the
   * request has a PIN block).
   * Throws `CardInsertRequestRefused` (field `card.icc_data`,
   * `card.encrypted_track2`, `card.encrypted_pin_block`).
   */
  open(
    terminal: TerminalProfile,
    request: cardInsertV1.AuthorizeRequest,
    ksn: KsnAcceptance,
  ): Promise<OpenedCard>;
}

export interface IssuerAuthorization {
  readonly kind: 'sale' | 'pre_authorization';
  readonly terminal: TerminalProfile;
  readonly card: OpenedCard;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly stan: number;
  /** Terminal local time, `YYYY-MM-DDThh:mm:ss`. */
  readonly localTime: string;
  /** Field 37, 12 characters, unique per payment. */
  readonly rrn: string;
}

export type IssuerAnswer =
  | {
      readonly outcome: 'answered';
      readonly responseCode: string;
      readonly authCode: string;
      readonly rrn: string;
      /** Field 55 of the response: 91 (ARPC) and scripts 71/72, TLV. */
      readonly issuerData: Buffer;
    }
  /** Timeout, dropped connection or link down: the issuer may or may not have approved. */
  | { readonly outcome: 'no_answer'; readonly reason: string };

/** Everything a reversal needs, stored durably (no card data: the RRN/STAN identify the original). */
export interface IssuerReversal {
  readonly paymentId: string;
  readonly terminalId: string;
  readonly cardAcceptorId: string;
  readonly originalMti: '0100' | '0200';
  readonly originalStan: number;
  readonly originalLocalTime: string;
  readonly rrn: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Field 39 of the reversal: why it is sent ('68' timeout, '17' customer cancellation...). */
  readonly reasonCode: string;
}

export type ReversalAnswer =
  | { readonly outcome: 'acknowledged'; readonly responseCode: string }
  | { readonly outcome: 'no_answer'; readonly reason: string };

export interface IssuerPort {
  /** Sends 0100 (pre-authorization) or 0200 (sale) and waits at most `deadlineMs`. */
  authorize(request: IssuerAuthorization, deadlineMs: number): Promise<IssuerAnswer>;
  /** Sends 0400, or 0401 when `repeat`, and waits at most `deadlineMs`. */
  reverse(reversal: IssuerReversal, repeat: boolean, deadlineMs: number): Promise<ReversalAnswer>;
}
