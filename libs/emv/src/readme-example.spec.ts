import {
  aTestCard,
  buildDolData,
  cardDataObjects,
  fromHex,
  parseDol,
  retrieveIssuerPublicKey,
  seededRandom,
  staticDataOf,
  TVR,
  verifySignedStaticApplicationData,
} from './index';

describe('the README example, through the public entry point', () => {
  it('authenticates a generated card and builds its CDOL1 data', () => {
    const card = aTestCard(seededRandom('demo')).withPin('1234').build();
    const data = cardDataObjects(card);
    const today = { year: 2025, month: 5, day: 6 };

    const issuerKey = retrieveIssuerPublicKey({
      caPublicKey: card.ca,
      certificate: data.get('90')!,
      remainder: data.get('92'),
      exponent: data.get('9F32')!,
      applicationPan: data.get('5A')!,
      today,
    });
    const sda = verifySignedStaticApplicationData({
      issuerPublicKey: issuerKey,
      signedStaticApplicationData: data.get('93')!,
      staticDataToBeAuthenticated: staticDataOf(card),
    });

    const terminal = new Map([
      ['9F02', fromHex('000000001000')],
      ['9F37', fromHex('DEADBEEF')],
      ['95', TVR.encode(['onlinePinEntered'])],
    ]);
    const cdol1Data = buildDolData(data.get('8C')!, [terminal, data]);

    expect(sda.dataAuthenticationCode).toEqual(card.dataAuthenticationCode);
    expect(cdol1Data).toHaveLength(parseDol(data.get('8C')!).reduce((n, e) => n + e.length, 0));
    expect(Buffer.from(cdol1Data.subarray(0, 6)).toString('hex')).toBe('000000001000');
  });
});
