import { decodeTlv, primitive } from '@tillgate/emv';
import type { FieldValue, IsoMessage } from '../spec/field-spec.types';

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

// ARQC data as a terminal sends it in F55 (values made up; tags and lengths per EMV Book 3 Annex A).
const ICC_DATA = [
  primitive('9F26', 'C3A1B2D4E5F60718'),
  primitive('9F27', '80'),
  primitive('9F10', '06010A03A00000'),
  primitive('9F37', 'DEADBEEF'),
  primitive('9F36', '001C'),
  primitive('95', '0000048000'),
  primitive('9A', '250506'),
  primitive('9C', '00'),
  primitive('9F02', '000000001000'),
  primitive('5F2A', '0156'),
  primitive('82', '5900'),
  primitive('9F1A', '0156'),
  primitive('9F03', '000000000000'),
  primitive('9F33', 'E0F8C8'),
];

const BASE: Record<string, Record<number, FieldValue>> = {
  request: {
    2: '4761739001010119',
    3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
    4: '000000001000',
    7: '0506101530',
    11: '000123',
    12: '181530',
    13: '0506',
    14: '2512',
    22: { panEntryMode: '05', pinEntryCapability: '1' },
    23: '001',
    25: '00',
    35: '4761739001010119=25122011143801234',
    37: '512610000123',
    41: 'TERM0001',
    42: 'MERCHANT0000001',
    43: { name: 'TILLGATE TEST STORE      ', city: 'SHANGHAI     ', country: 'CN' },
    49: '156',
    52: bytes('0123456789ABCDEF'),
    53: '2600000000000000',
    55: ICC_DATA,
    64: bytes('1122334455667788'),
  },
  response: {
    3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
    4: '000000001000',
    7: '0506101531',
    11: '000123',
    37: '512610000123',
    38: 'A1B2C3',
    39: '00',
    41: 'TERM0001',
    42: 'MERCHANT0000001',
    49: '156',
    55: decodeTlv(bytes('910AFC436535D614F37300108A023030')),
  },
  reversal: {
    3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
    4: '000000001000',
    7: '0506101600',
    11: '000124',
    22: { panEntryMode: '05', pinEntryCapability: '1' },
    25: '00',
    35: '4761739001010119=25122011143801234',
    39: '68',
    41: 'TERM0001',
    42: 'MERCHANT0000001',
    49: '156',
    90: {
      originalMti: '0200',
      originalStan: '000123',
      originalTransmissionDateTime: '0506101530',
      originalAcquirerId: '00000123456',
      originalForwarderId: '00000000000',
    },
    95: {
      actualAmountTransaction: '000000000000',
      actualAmountSettlement: '000000000000',
      actualTransactionFee: 'C00000000',
      actualSettlementFee: 'D00000000',
    },
    128: bytes('8877665544332211'),
  },
  network: { 7: '0506100000', 11: '000001', 70: '301' },
};

const KIND: Record<string, keyof typeof BASE> = {
  '0100': 'request',
  '0200': 'request',
  '0110': 'response',
  '0210': 'response',
  '0400': 'reversal',
  '0401': 'reversal',
  '0420': 'reversal',
  '0421': 'reversal',
  '0800': 'network',
};

/** Fixture builder for messages that the acquirer spec accepts. */
export class AcquirerMessageBuilder {
  private fields: Record<number, FieldValue>;

  constructor(private readonly mti: string) {
    this.fields = { ...BASE[KIND[mti] ?? 'request'] };
  }

  with(field: number, value: FieldValue): this {
    this.fields = { ...this.fields, [field]: value };
    return this;
  }

  without(...fields: number[]): this {
    this.fields = Object.fromEntries(
      Object.entries(this.fields).filter(([n]) => !fields.includes(Number(n))),
    );
    return this;
  }

  build(): IsoMessage {
    return { mti: this.mti, fields: this.fields };
  }
}

export const anAcquirerMessage = (mti: string): AcquirerMessageBuilder =>
  new AcquirerMessageBuilder(mti);
