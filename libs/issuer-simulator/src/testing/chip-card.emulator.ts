import { randomBytes } from 'node:crypto';
import {
  CRYPTOGRAM_VERSIONS,
  constantTimeEqual,
  encryptPinBlock,
  generateArpc,
  generateArqc,
  type CardKeys,
  type CryptogramVersion,
  type TransactionData,
} from '@tillgate/crypto';
import {
  cardDataObjects,
  findValue,
  primitive,
  type CardProfile,
  type TlvNode,
} from '@tillgate/emv';
import { transmissionDateTime } from '@tillgate/host-link';
import type { FieldValue, IsoMessage } from '@tillgate/iso8583';
import { defaultCryptogramVersion, type CryptogramVersionName } from '../cards/card-account';
import type { IssuerPinBlockFormat } from '../authorization/pin.verifier';

export interface ChipTransaction {
  /** Default '0100'. */
  readonly mti?: '0100' | '0200';
  /** Minor units. */
  readonly amount: number;
  /** ISO 4217 numeric; default '156'. */
  readonly currency?: string;
  readonly stan: number;
  /** Default 'TERM0001'. */
  readonly terminalId?: string;
  /** Default now; sets fields 7, 12, 13 and tag 9A. */
  readonly at?: Date;
  /** The PIN the cardholder types; default the card's. `null`: no field 52. */
  readonly pin?: string | null;
  /** Flip a bit of the ARQC after computing it (a forged or damaged cryptogram). */
  readonly corruptArqc?: boolean;
  /** Default the card's expiry (YYMM); sent in field 14. */
  readonly presentedExpiry?: string;
}

/** What the card computed for one transaction, kept to check the issuer's ARPC. */
export interface IssuedCryptogram {
  readonly request: IsoMessage;
  readonly transaction: TransactionData;
  readonly arqc: Buffer;
}

export interface ArpcCheck {
  readonly present: boolean;
  readonly valid: boolean;
  readonly method?: 1 | 2;
  /** Method 1: the ARC the issuer bound into the ARPC (ASCII, e.g. '00'). */
  readonly arc?: string;
  /** Method 2: the card status update, hex. */
  readonly csu?: string;
}

/** Issuer application data (9F10) a card of this CVN sends, per scheme layout. */
function issuerApplicationData(version: CryptogramVersion): Buffer {
  const cvn = version.cvn.toString(16).padStart(2, '0');
  if (version.scheme === 'visa') {
    // VIS 1.6 Appendix F: format 0/1/3 (06 DKI CVN CVR), or format 2 (1F CVN DKI CVR...) for CVN 22.
    return version.cvn === 0x22
      ? Buffer.concat([Buffer.from(`1F${cvn}01A000000000`, 'hex'), Buffer.alloc(24)])
      : Buffer.from(`0601${cvn}03A00000`, 'hex');
  }
  // M/Chip: DKI CVN CVR(6) DAC(2) [counters(8)].
  const counters = version.acData.includes('COUNTERS') ? '0000000000000000' : '';
  return Buffer.from(`01${cvn}A000000000000000${counters}`, 'hex');
}

const bcd = (digits: string): Buffer => Buffer.from(digits, 'hex');
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * The card and terminal side of a chip transaction, for tests and
 * simulators: builds the 0100/0200 a gateway would send (track 2, field 55
 * with a real ARQC, a PIN block under the zone PIN key), reversals of it,
 * and checks the ARPC in the issuer's answer as the card would.
 * Test tooling: it holds the card's master key and PIN in clear.
 */
export class ChipCardEmulator {
  private atc: number;
  readonly version: CryptogramVersion;

  constructor(
    readonly profile: CardProfile,
    private readonly options: {
      /** TDES for formats 0 and 3; AES (format 4, a 16-byte field 52) for format 4. */
      readonly zonePinKey: Buffer;
      readonly pinBlockFormat?: IssuerPinBlockFormat;
      readonly cryptogramVersion?: CryptogramVersionName;
      readonly firstAtc?: number;
    },
  ) {
    this.version =
      CRYPTOGRAM_VERSIONS[options.cryptogramVersion ?? defaultCryptogramVersion(profile.pan)];
    this.atc = options.firstAtc ?? 1;
  }

  private get keys(): CardKeys {
    return {
      issuerMasterKey: Buffer.from(this.profile.issuerMasterKeys.ac),
      card: { pan: this.profile.pan, psn: this.profile.panSequenceNumber },
    };
  }

  /** An authorization (0100) or financial (0200) request; each call uses the next ATC. */
  authorization(tx: ChipTransaction): IssuedCryptogram {
    const at = tx.at ?? new Date();
    const currency = tx.currency ?? '156';
    const amount = String(tx.amount).padStart(12, '0');
    const date = `${two(at.getUTCFullYear() % 100)}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}`;
    const atc = Buffer.alloc(2);
    atc.writeUInt16BE(this.atc++);
    const transaction: TransactionData = {
      '9F02': bcd(amount),
      '9F03': bcd('000000000000'),
      '9F1A': bcd('0156'),
      '95': bcd('0000000000'),
      '5F2A': bcd(`0${currency}`),
      '9A': bcd(date),
      '9C': bcd('00'),
      '9F37': randomBytes(4),
      '82': Buffer.from(this.profile.aip),
      '9F36': atc,
      '9F10': issuerApplicationData(this.version),
    };
    const arqc = generateArqc(this.version, this.keys, transaction);
    if (tx.corruptArqc) arqc[7] ^= 0x01;
    const iccData: TlvNode[] = [
      primitive('9F26', arqc),
      primitive('9F27', '80'),
      ...Object.entries(transaction).map(([tag, value]) => primitive(tag, value)),
    ];
    const fields: Record<number, FieldValue> = {
      3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
      4: amount,
      7: transmissionDateTime(at),
      11: String(tx.stan).padStart(6, '0'),
      12: `${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`,
      13: date.slice(2),
      14: tx.presentedExpiry ?? this.profile.expiryDate.slice(0, 4),
      22: { panEntryMode: '05', pinEntryCapability: '1' },
      23: `0${this.profile.panSequenceNumber}`,
      25: '00',
      35: this.track2(),
      41: tx.terminalId ?? 'TERM0001',
      42: 'MERCHANT0000001',
      49: currency,
      55: iccData,
    };
    const pin = tx.pin === undefined ? this.profile.pin : tx.pin;
    if (pin !== null) {
      fields[52] = encryptPinBlock({
        format: this.options.pinBlockFormat ?? 0,
        key: this.options.zonePinKey,
        pin,
        pan: this.profile.pan,
      });
    }
    return { request: { mti: tx.mti ?? '0100', fields }, transaction, arqc };
  }

  /** An 0400 (or 0420, or their repeats 0401 and 0421) reversing `original`, with its own STAN. */
  reversalOf(
    original: IsoMessage,
    options: {
      readonly stan: number;
      readonly mti?: '0400' | '0401' | '0420' | '0421';
      readonly at?: Date;
      readonly amountThatStands?: number;
    },
  ): IsoMessage {
    const f = original.fields;
    const fields: Record<number, FieldValue> = {
      3: f[3],
      4: f[4],
      7: transmissionDateTime(options.at ?? new Date()),
      11: String(options.stan).padStart(6, '0'),
      22: f[22],
      25: f[25],
      35: f[35],
      41: f[41],
      42: f[42],
      49: f[49],
      90: {
        originalMti: original.mti,
        originalStan: f[11] as string,
        originalTransmissionDateTime: f[7] as string,
        originalAcquirerId: '00000000000',
        originalForwarderId: '00000000000',
      },
    };
    if (options.amountThatStands !== undefined) {
      const stands = String(options.amountThatStands).padStart(12, '0');
      fields[95] = {
        actualAmountTransaction: stands,
        actualAmountSettlement: stands,
        actualTransactionFee: 'C00000000',
        actualSettlementFee: 'C00000000',
      };
    }
    return { mti: options.mti ?? '0400', fields };
  }

  /** Checks tag 91 of the issuer's answer as the card would in the second GENERATE AC (Book 2 §8.2). */
  checkArpc(issued: IssuedCryptogram, response: IsoMessage): ArpcCheck {
    const iccData = response.fields[55];
    const data = Array.isArray(iccData) ? findValue(iccData as TlvNode[], '91') : undefined;
    if (!data) return { present: false, valid: false };
    const value = Buffer.from(data);
    const method = this.version.arpc.method;
    if (value.length !== (method === 1 ? 10 : 8)) return { present: true, valid: false, method };
    if (method === 1) {
      const arc = value.subarray(8, 10);
      const expected = generateArpc(this.version, this.keys, issued.transaction, issued.arqc, {
        arc,
      });
      return {
        present: true,
        method: 1,
        arc: arc.toString('latin1'),
        valid: constantTimeEqual(expected, value.subarray(0, 8)),
      };
    }
    const csu = value.subarray(4, 8);
    const expected = generateArpc(this.version, this.keys, issued.transaction, issued.arqc, {
      csu,
    });
    return {
      present: true,
      method: 2,
      csu: csu.toString('hex').toUpperCase(),
      valid: constantTimeEqual(expected, value.subarray(0, 4)),
    };
  }

  /** Track 2 equivalent data (tag 57) as field 35 text: separator D becomes '=', pad F dropped. */
  private track2(): string {
    const tag57 = cardDataObjects(this.profile).get('57');
    if (!tag57) throw new Error('card profile has no track 2 equivalent data (57)');
    return Buffer.from(tag57).toString('hex').toUpperCase().replace('D', '=').replace(/F$/, '');
  }
}
