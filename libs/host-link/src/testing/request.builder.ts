import type { FieldValue, IsoMessage } from '@tillgate/iso8583';

/** Fixture builder for an ACQUIRER_SPEC request (0100 by default) without card data. */
export class RequestBuilder {
  private mti = '0100';
  private fields: Record<number, FieldValue> = {
    3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
    4: '000000001000',
    7: '0506101530',
    11: '000001',
    12: '181530',
    13: '0506',
    22: { panEntryMode: '05', pinEntryCapability: '1' },
    25: '00',
    41: 'TERM0001',
    42: 'MERCHANT0000001',
    49: '156',
  };

  withMti(mti: string): this {
    this.mti = mti;
    return this;
  }

  withStan(stan: number | string): this {
    return this.with(11, typeof stan === 'number' ? String(stan).padStart(6, '0') : stan);
  }

  withTerminal(terminalId: string): this {
    return this.with(41, terminalId);
  }

  with(field: number, value: FieldValue): this {
    this.fields = { ...this.fields, [field]: value };
    return this;
  }

  build(): IsoMessage {
    return { mti: this.mti, fields: this.fields };
  }
}

export const aRequest = (): RequestBuilder => new RequestBuilder();
