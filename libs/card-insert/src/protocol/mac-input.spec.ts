import { cardInsertV1 } from '@tillgate/contracts';
import { requestMacInput, responseMacInput } from './mac-input';

const authorize = (): cardInsertV1.AuthorizeRequest => ({
  header: {
    terminalId: 'TERM0001',
    stan: 42,
    localTime: '2026-11-25T10:00:00',
    clientRequestId: 'req-1',
  },
  kind: cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_SALE,
  amount: { amountMinor: '1250', currency: 'EUR' },
  card: {
    iccData: Buffer.from('9f2608aabbccddeeff0011', 'hex'),
    encryptedTrack2: Buffer.from('0102030405060708', 'hex'),
    encryptedPinBlock: Buffer.alloc(0),
  },
  authentication: {
    scheme: cardInsertV1.DukptScheme.DUKPT_SCHEME_TDES,
    ksn: Buffer.from('ffff9876543210e00001', 'hex'),
    mac: Buffer.from('0011223344556677', 'hex'),
  },
});

describe('the canonical MAC input', () => {
  it('is the length-prefixed items after the magic, direction and operation', () => {
    const input = requestMacInput('Reverse', {
      header: { terminalId: 'T1', stan: 7, localTime: 'L', clientRequestId: 'c' },
      paymentId: 'p',
      authentication: { scheme: 1, ksn: Buffer.from([0xab]), mac: Buffer.from([1]) },
    });
    const item = (s: string | Buffer) => {
      const b = typeof s === 'string' ? Buffer.from(s) : s;
      return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
    };
    expect(input).toEqual(
      Buffer.concat([
        Buffer.from('TGMAC1'),
        ...['request', 'Reverse', 'T1', '7', 'L', 'c', 'p', '1'].map(item),
        item(Buffer.from([0xab])),
      ]),
    );
  });

  it('leaves the MAC out, so setting it does not change the input', () => {
    const request = authorize();
    const before = requestMacInput('Authorize', request);
    request.authentication!.mac = Buffer.from('ffffffffffffffff', 'hex');
    expect(requestMacInput('Authorize', request)).toEqual(before);
  });

  it('changes with every field a terminal could tamper with', () => {
    const base = requestMacInput('Authorize', authorize());
    const tamper: ((r: cardInsertV1.AuthorizeRequest) => void)[] = [
      (r) => (r.header!.terminalId = 'TERM0002'),
      (r) => (r.header!.stan = 43),
      (r) => (r.header!.localTime = '2026-11-25T10:00:01'),
      (r) => (r.header!.clientRequestId = 'req-2'),
      (r) => (r.kind = cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION),
      (r) => (r.amount!.amountMinor = '1251'),
      (r) => (r.amount!.currency = 'USD'),
      (r) => (r.card!.iccData = Buffer.from('9f2608aabbccddeeff0012', 'hex')),
      (r) => (r.card!.encryptedTrack2 = Buffer.from('0102030405060709', 'hex')),
      (r) => (r.card!.encryptedPinBlock = Buffer.from('01', 'hex')),
      (r) => (r.authentication!.scheme = cardInsertV1.DukptScheme.DUKPT_SCHEME_AES128),
      (r) => (r.authentication!.ksn = Buffer.from('ffff9876543210e00002', 'hex')),
    ];
    for (const change of tamper) {
      const request = authorize();
      change(request);
      expect(requestMacInput('Authorize', request)).not.toEqual(base);
    }
  });

  it('cannot be confused across fields: moving a byte between neighbours changes it', () => {
    const a = authorize();
    a.header!.terminalId = 'AB';
    a.header!.localTime = 'C';
    const b = authorize();
    b.header!.terminalId = 'A';
    b.header!.localTime = 'BC';
    expect(requestMacInput('Authorize', a)).not.toEqual(requestMacInput('Authorize', b));
  });

  it('differs between a request and a response, and between operations', () => {
    const reverse = { paymentId: 'p', status: 7, authentication: undefined };
    expect(responseMacInput('Reverse', reverse)).not.toEqual(
      requestMacInput('Reverse', { paymentId: 'p', header: undefined, authentication: undefined }),
    );
    expect(
      requestMacInput('Void', { paymentId: 'p', header: undefined, authentication: undefined }),
    ).not.toEqual(
      requestMacInput('Reverse', { paymentId: 'p', header: undefined, authentication: undefined }),
    );
  });

  it('refuses an item longer than its 2-byte length can say', () => {
    const request = authorize();
    request.card!.iccData = Buffer.alloc(0x10000);
    expect(() => requestMacInput('Authorize', request)).toThrow(RangeError);
  });
});
