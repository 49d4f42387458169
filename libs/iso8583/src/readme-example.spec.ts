import { primitive } from '@tillgate/emv';
import { ACQUIRER_SPEC, Iso8583Error, pack, unpack, type IsoMessage } from './index';

describe('the README example, through the public entry point', () => {
  const message: IsoMessage = {
    mti: '0200',
    fields: {
      3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
      4: '000000001000',
      7: '0506101530',
      11: '000123',
      12: '181530',
      13: '0506',
      22: { panEntryMode: '05', pinEntryCapability: '1' },
      25: '00',
      35: '4761739001010119=25122011143801234',
      41: 'TERM0001',
      42: 'MERCHANT0000001',
      49: '156',
      55: [primitive('9F27', '80'), primitive('9F36', '001C')],
    },
  };

  it('packs and unpacks a 0200 with EMV data', () => {
    expect(unpack(pack(message, ACQUIRER_SPEC), ACQUIRER_SPEC)).toEqual(message);
  });

  it('names the field of a malformed message', () => {
    const bytes = pack(
      { ...message, fields: { ...message.fields, 2: '4761739001010119' } },
      ACQUIRER_SPEC,
    );
    bytes[12] = 0x32; // PAN length prefix '16' becomes '26': over the maximum of 19
    expect(() => unpack(bytes, ACQUIRER_SPEC)).toThrow(Iso8583Error);
    expect(() => unpack(bytes, ACQUIRER_SPEC)).toThrow(
      expect.objectContaining({ code: 'LENGTH_OVER_MAX', field: 2 }),
    );
  });
});
