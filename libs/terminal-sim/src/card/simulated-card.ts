import { randomBytes } from 'node:crypto';
import {
  CRYPTOGRAM_VERSIONS,
  TRANSACTION_TAG_LENGTHS,
  generateArqc,
  type CardKeys,
  type CryptogramVersion,
  type TransactionData,
} from '@tillgate/crypto';
import {
  constructed,
  decodeTlv,
  ddaDynamicData,
  encodeTlv,
  parseDol,
  primitive,
  signDynamicApplicationData,
  splitDolData,
  type CardProfile,
  type RandomSource,
  type Tag,
} from '@tillgate/emv';
import { ChipCardEmulator, type ArpcCheck } from '@tillgate/issuer-simulator';
import type { TestCard } from './test-cards';

/**
 * The chip of a test card, as the terminal talks to it: the answers to
 * SELECT, GET PROCESSING OPTIONS, READ RECORD, INTERNAL AUTHENTICATE,
 * EXTERNAL AUTHENTICATE and GENERATE AC, without the APDU framing. Its data
 * and keys come from the card profile; the cryptograms from
 * @tillgate/crypto, and the issuer authentication (ARPC) check from the
 * issuer simulator's ChipCardEmulator, so the card checks the ARPC exactly
 * as the tests of the issuer side do.
 */

/** Book 3 §5.4, Annex C: Cryptogram Information Data, b8-b7. */
export const CID = { AAC: 0x00, TC: 0x40, ARQC: 0x80 } as const;
export type CryptogramType = keyof typeof CID;

export interface DirectoryEntry {
  readonly aid: Uint8Array;
  readonly label: string;
  /** Application priority indicator (87), 1 highest. */
  readonly priority: number;
}

export interface GenerateAcResponse {
  readonly type: CryptogramType;
  /** 9F27 */
  readonly cid: number;
  /** 9F26 */
  readonly cryptogram: Buffer;
  /** 9F36 */
  readonly atc: Buffer;
  /** 9F10 */
  readonly issuerApplicationData: Buffer;
}

/** The card has no such file, record or application (SW 6A82 / 6A83). */
export class CardCommandError extends Error {
  override readonly name = 'CardCommandError';
}

export class SimulatedCard {
  readonly profile: CardProfile;
  readonly version: CryptogramVersion;
  private readonly atc: Buffer;
  private readonly keys: CardKeys;
  private firstAc?: { transaction: TransactionData; arqc: Buffer };
  private issuerAuthentication?: ArpcCheck;
  private readonly arpcChecker: ChipCardEmulator;

  /** `atc`: the application transaction counter of this transaction (the terminal's state keeps it). */
  constructor(
    card: TestCard,
    atc: number,
    private readonly random: RandomSource = (n) => new Uint8Array(randomBytes(n)),
  ) {
    this.profile = card.profile;
    this.version = CRYPTOGRAM_VERSIONS[card.cryptogramVersion];
    this.atc = Buffer.alloc(2);
    this.atc.writeUInt16BE(atc);
    this.keys = {
      issuerMasterKey: Buffer.from(card.profile.issuerMasterKeys.ac),
      card: { pan: card.profile.pan, psn: card.profile.panSequenceNumber },
    };
    // checkArpc uses only the card's keys and CVN; the zone PIN key is for
    // the emulator's own 0100 messages, which this card never builds.
    this.arpcChecker = new ChipCardEmulator(card.profile, {
      zonePinKey: Buffer.alloc(16),
      cryptogramVersion: card.cryptogramVersion,
    });
  }

  /** SELECT '1PAY.SYS.DDF01' then READ RECORD of its directory: one application. */
  selectPse(): readonly DirectoryEntry[] {
    return [{ aid: this.profile.aid, label: this.label(), priority: 1 }];
  }

  /** SELECT by AID; the FCI carries no PDOL (GET PROCESSING OPTIONS takes an empty 83). */
  selectApplication(aid: Uint8Array): { readonly label: string; readonly fci: Uint8Array } {
    if (!Buffer.from(aid).equals(Buffer.from(this.profile.aid))) {
      throw new CardCommandError('application not found (6A82)');
    }
    const fci = encodeTlv(
      constructed('6F', [
        primitive('84', this.profile.aid),
        constructed('A5', [
          primitive('50', Buffer.from(this.label(), 'ascii')),
          primitive('87', '01'),
        ]),
      ]),
    );
    return { label: this.label(), fci };
  }

  getProcessingOptions(): { readonly aip: Uint8Array; readonly afl: Uint8Array } {
    return { aip: this.profile.aip, afl: this.profile.afl };
  }

  readRecord(sfi: number, record: number): Uint8Array {
    const found = this.profile.records.find((r) => r.sfi === sfi && r.record === record);
    if (!found) throw new CardCommandError(`record ${record} of SFI ${sfi} not found (6A83)`);
    return found.data;
  }

  /** DDA (Book 2 §6.5.1): signs the terminal's DDOL data and a fresh ICC dynamic number. */
  internalAuthenticate(ddolData: Uint8Array): Uint8Array {
    return signDynamicApplicationData({
      iccKey: this.profile.icc.key,
      iccDynamicData: ddaDynamicData(this.random(8)),
      terminalDynamicData: ddolData,
    });
  }

  /** First GENERATE AC over the CDOL1 data. This card never approves offline: ARQC, or AAC if asked. */
  generateFirstAc(requested: CryptogramType, cdol1Data: Uint8Array): GenerateAcResponse {
    const type: CryptogramType = requested === 'AAC' ? 'AAC' : 'ARQC';
    const transaction = this.transaction(this.dolOf('8C'), cdol1Data, type, 'first');
    const cryptogram = generateArqc(this.version, this.keys, transaction);
    if (type === 'ARQC') this.firstAc = { transaction, arqc: cryptogram };
    return this.response(type, cryptogram, transaction);
  }

  /** EXTERNAL AUTHENTICATE: the issuer authentication data (tag 91) checked against the ARQC. */
  externalAuthenticate(issuerAuthenticationData: Uint8Array): ArpcCheck {
    if (!this.firstAc) throw new CardCommandError('conditions of use not satisfied (6985)');
    const issued = { request: { mti: '0100', fields: {} }, ...this.firstAc };
    const response = { mti: '0110', fields: { 55: [primitive('91', issuerAuthenticationData)] } };
    this.issuerAuthentication = this.arpcChecker.checkArpc(issued, response);
    return this.issuerAuthentication;
  }

  /**
   * Second GENERATE AC over the CDOL2 data (Book 3 §9.3): a TC only when
   * the terminal asks for one, the issuer authenticated and approved; an
   * AAC otherwise (the card declines what its issuer did not vouch for).
   */
  generateSecondAc(requested: 'TC' | 'AAC', cdol2Data: Uint8Array): GenerateAcResponse {
    if (!this.firstAc) throw new CardCommandError('conditions of use not satisfied (6985)');
    const type: CryptogramType =
      requested === 'TC' && this.issuerApproved(this.issuerAuthentication) ? 'TC' : 'AAC';
    const transaction = this.transaction(this.dolOf('8D'), cdol2Data, type, 'second');
    return this.response(type, generateArqc(this.version, this.keys, transaction), transaction);
  }

  private issuerApproved(check: ArpcCheck | undefined): boolean {
    if (!check?.valid) return false;
    // Method 1: the ARC is the issuer's response code; method 2: CSU byte 2 b8 "issuer approves".
    if (check.method === 1) return check.arc === '00';
    return check.csu !== undefined && (parseInt(check.csu.slice(2, 4), 16) & 0x80) !== 0;
  }

  private response(
    type: CryptogramType,
    cryptogram: Buffer,
    transaction: TransactionData,
  ): GenerateAcResponse {
    return {
      type,
      cid: CID[type],
      cryptogram,
      atc: Buffer.from(this.atc),
      issuerApplicationData: transaction['9F10'],
    };
  }

  private dolOf(tag: '8C' | '8D'): Uint8Array {
    for (const record of this.profile.records) {
      for (const node of decodeTlv(record.data)) {
        if ('children' in node) {
          const found = node.children.find((c) => c.tag === tag);
          if (found && 'value' in found) return found.value;
        }
      }
    }
    throw new CardCommandError(`the card has no ${tag === '8C' ? 'CDOL1' : 'CDOL2'}`);
  }

  /** The AC input elements from the DOL data the terminal sent, plus the card's own (82, 9F36, 9F10). */
  private transaction(
    dol: Uint8Array,
    data: Uint8Array,
    type: CryptogramType,
    ac: 'first' | 'second',
  ): TransactionData {
    parseDol(dol);
    const values = splitDolData(dol, data);
    const terminalTag = (tag: Tag): Buffer => {
      const value = values.get(tag);
      const length = TRANSACTION_TAG_LENGTHS[tag as keyof typeof TRANSACTION_TAG_LENGTHS];
      if (!value || value.length !== length) {
        throw new CardCommandError(`the GENERATE AC data has no ${tag} of ${length} bytes (6700)`);
      }
      return Buffer.from(value);
    };
    return {
      '9F02': terminalTag('9F02'),
      '9F03': terminalTag('9F03'),
      '9F1A': terminalTag('9F1A'),
      '95': terminalTag('95'),
      '5F2A': terminalTag('5F2A'),
      '9A': terminalTag('9A'),
      '9C': terminalTag('9C'),
      '9F37': terminalTag('9F37'),
      '82': Buffer.from(this.profile.aip),
      '9F36': Buffer.from(this.atc),
      '9F10': issuerApplicationData(this.version, type, ac),
    };
  }

  private label(): string {
    return this.profile.pan.startsWith('4') ? 'TEST VISA' : 'TEST MASTERCARD';
  }
}

/**
 * Issuer application data (9F10) in the layout of the card's CVN (the same
 * layouts the issuer simulator's ChipCardEmulator sends), with the card
 * verification results saying which cryptogram the card returned: VIS CVR
 * byte 2 / M/Chip CVR byte 1, b8-b7 the second GENERATE AC's (00 AAC,
 * 01 TC, 10 not requested), b6-b5 the first's (00 AAC, 10 ARQC).
 */
export function issuerApplicationData(
  version: CryptogramVersion,
  type: CryptogramType,
  ac: 'first' | 'second',
): Buffer {
  const first = ac === 'first' ? (type === 'ARQC' ? 0b10 : 0b00) : 0b10;
  const second = ac === 'first' ? 0b10 : type === 'TC' ? 0b01 : 0b00;
  const acBits = ((second << 6) | (first << 4)).toString(16).padStart(2, '0');
  const cvn = version.cvn.toString(16).padStart(2, '0');
  if (version.scheme === 'visa') {
    return version.cvn === 0x22
      ? Buffer.concat([Buffer.from(`1F${cvn}01${acBits}00000000`, 'hex'), Buffer.alloc(24)])
      : Buffer.from(`0601${cvn}03${acBits}0000`, 'hex');
  }
  const counters = version.acData.includes('COUNTERS') ? '0000000000000000' : '';
  return Buffer.from(`01${cvn}${acBits}0000000000${counters}`, 'hex');
}
