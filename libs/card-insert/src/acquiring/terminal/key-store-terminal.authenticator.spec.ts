import { cardInsertV1 } from '@tillgate/contracts';
import { encodeTlv, primitive } from '@tillgate/emv';
import { CardInsertRequestRefused } from '../acquiring.ports';
import {
  anAcquiringKeyStore,
  aTerminalProfile,
  SecureTerminal,
  TEST_BDKS,
  type TerminalCard,
} from '../testing/secure-terminal.fixture';
import { KeyStoreTerminalAuthenticator } from './key-store-terminal.authenticator';

const card: TerminalCard = {
  track2: Buffer.from('4761739001010119D28122011758928889', 'hex'),
  pan: '4761739001010119',
  pin: '1234',
  iccData: Buffer.from(encodeTlv([primitive('9F26', '0102030405060708'), primitive('9F27', '80')])),
};

type Authorize = cardInsertV1.AuthorizeRequest;
const TAMPERINGS: [string, (r: Authorize) => Authorize][] = [
  ['the amount', (r) => ({ ...r, amount: { ...r.amount!, amountMinor: '1001' } })],
  ['the currency', (r) => ({ ...r, amount: { ...r.amount!, currency: 'EUR' } })],
  ['the STAN', (r) => ({ ...r, header: { ...r.header!, stan: r.header!.stan + 1 } })],
  ['the terminal id', (r) => ({ ...r, header: { ...r.header!, terminalId: 'TERM0009' } })],
  ['the local time', (r) => ({ ...r, header: { ...r.header!, localTime: '2026-11-25T14:30:01' } })],
  ['the client request id', (r) => ({ ...r, header: { ...r.header!, clientRequestId: 'other' } })],
  [
    'the kind',
    (r) => ({ ...r, kind: cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION }),
  ],
  ['the ICC data', (r) => ({ ...r, card: { ...r.card!, iccData: flip(r.card!.iccData) } })],
  [
    'the encrypted track 2',
    (r) => ({ ...r, card: { ...r.card!, encryptedTrack2: flip(r.card!.encryptedTrack2) } }),
  ],
  [
    'the PIN block',
    (r) => ({ ...r, card: { ...r.card!, encryptedPinBlock: flip(r.card!.encryptedPinBlock) } }),
  ],
  [
    'the MAC itself',
    (r) => ({ ...r, authentication: { ...r.authentication!, mac: flip(r.authentication!.mac) } }),
  ],
];

function flip(bytes: Uint8Array): Uint8Array {
  const copy = Buffer.from(bytes);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
}

describe.each(['tdes', 'aes128'] as const)('KeyStoreTerminalAuthenticator, %s DUKPT', (scheme) => {
  const profile = aTerminalProfile(scheme);
  const terminal = new SecureTerminal(profile);
  const setup = async () => {
    const { store, audit } = await anAcquiringKeyStore();
    return { auth: new KeyStoreTerminalAuthenticator(store), audit };
  };

  it('verifies the MAC a terminal computed over the canonical request input', async () => {
    const { auth, audit } = await setup();
    await expect(
      auth.verifyMac(profile, 'Authorize', terminal.authorize({ counter: 3, card })),
    ).resolves.toBeUndefined();
    const voided = terminal.sign(
      'Void',
      {
        header: {
          terminalId: profile.terminalId,
          stan: 4,
          localTime: '2026-11-25T14:31:00',
          clientRequestId: 'v-4',
        },
        paymentId: 'pay-1',
        authentication: undefined,
      },
      4,
    );
    await expect(auth.verifyMac(profile, 'Void', voided)).resolves.toBeUndefined();
    expect(audit.events).toEqual([
      expect.objectContaining({
        type: 'verify-dukpt-mac',
        keyId: TEST_BDKS[scheme].id,
        outcome: 'success',
      }),
      expect.objectContaining({
        type: 'verify-dukpt-mac',
        keyId: TEST_BDKS[scheme].id,
        outcome: 'success',
      }),
    ]);
  });

  it.each(TAMPERINGS)(
    'refuses a request with %s changed after MACing: authentication.mac',
    async (_what, tamper) => {
      const { auth } = await setup();
      const refusal = await auth
        .verifyMac(profile, 'Authorize', tamper(terminal.authorize({ counter: 5, card })))
        .catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(CardInsertRequestRefused);
      expect(refusal).toMatchObject({
        code: 'MAC_VERIFICATION_FAILED',
        field: 'authentication.mac',
        grpcStatus: 'UNAUTHENTICATED',
        security: 'mac_verification_failed',
      });
    },
  );

  it('refuses a KSN changed after MACing (another key, so another MAC)', async () => {
    const { auth } = await setup();
    const request = terminal.authorize({ counter: 5, card });
    const moved = {
      ...request,
      authentication: { ...request.authentication!, ksn: terminal.ksn(6) },
    };
    await expect(auth.verifyMac(profile, 'Authorize', moved)).rejects.toMatchObject({
      field: 'authentication.mac',
    });
  });

  it('verifies a retransmission (same KSN) again, while acceptKsn refuses the KSN a second time', async () => {
    const { auth } = await setup();
    const request = terminal.authorize({ counter: 7, card });
    await auth.verifyMac(profile, 'Authorize', request);
    await auth.acceptKsn(profile, request.authentication!, ['mac', 'data', 'pin']);
    await expect(auth.verifyMac(profile, 'Authorize', request)).resolves.toBeUndefined();
    await expect(auth.acceptKsn(profile, request.authentication!, ['mac'])).rejects.toMatchObject({
      code: 'KSN_REPLAYED',
      field: 'authentication.ksn',
      security: 'ksn_replayed',
    });
    const older = terminal.authorize({ counter: 6, card });
    await expect(auth.verifyMac(profile, 'Authorize', older)).resolves.toBeUndefined();
    await expect(auth.acceptKsn(profile, older.authentication!, ['mac'])).rejects.toMatchObject({
      code: 'KSN_REPLAYED',
    });
    await expect(
      auth.acceptKsn(profile, terminal.authorize({ counter: 8, card }).authentication!, ['mac']),
    ).resolves.toMatchObject({ channels: ['mac'] });
  });

  it('accepts a KSN for all the channels asked or for none', async () => {
    const { auth } = await setup();
    const request = terminal.authorize({ counter: 10, card });
    await auth.acceptKsn(profile, request.authentication!, ['data']);
    // mac is still free at this counter, data is not: mac is not recorded either.
    await expect(
      auth.acceptKsn(profile, request.authentication!, ['mac', 'data']),
    ).rejects.toMatchObject({ code: 'KSN_REPLAYED' });
    await expect(auth.acceptKsn(profile, request.authentication!, ['mac'])).resolves.toMatchObject({
      channels: ['mac'],
    });
  });

  it('signs the response under the response MAC key of the request KSN, as the terminal verifies it', async () => {
    const { auth } = await setup();
    const request = terminal.authorize({ counter: 9, card });
    const response: cardInsertV1.AuthorizeResponse = {
      paymentId: 'pay-9',
      status: cardInsertV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      responseCode: '00',
      authCode: '000001',
      issuerData: Buffer.from('910a0102030405060708303071', 'hex'),
      maskedPan: '476173******0119',
      receipt: { text: 'APPROVED' },
      rrn: '000000000009',
      authentication: undefined,
    };
    const authentication = await auth.signResponse(
      profile,
      'Authorize',
      response,
      request.authentication!,
    );
    expect(authentication.scheme).toBe(request.authentication!.scheme);
    expect(Buffer.from(authentication.ksn)).toEqual(Buffer.from(request.authentication!.ksn));
    expect(authentication.mac).toHaveLength(8);
    const signed = { ...response, authentication };
    expect(terminal.verifyResponse('Authorize', signed, 9)).toBe(true);
    expect(terminal.verifyResponse('Authorize', { ...signed, responseCode: '05' }, 9)).toBe(false);
    // Not the request MAC key: the same bytes under the request direction would not verify.
    expect(terminal.verifyResponse('Authorize', signed, 10)).toBe(false);
  });

  it('refuses a scheme other than the enrolled one, a KSN of the wrong length and a short MAC', async () => {
    const { auth } = await setup();
    const request = terminal.authorize({ counter: 11, card });
    const other =
      scheme === 'tdes'
        ? cardInsertV1.DukptScheme.DUKPT_SCHEME_AES128
        : cardInsertV1.DukptScheme.DUKPT_SCHEME_TDES;
    await expect(
      auth.verifyMac(profile, 'Authorize', {
        ...request,
        authentication: { ...request.authentication!, scheme: other },
      }),
    ).rejects.toMatchObject({
      field: 'authentication.scheme',
      security: 'mac_verification_failed',
    });
    await expect(
      auth.verifyMac(profile, 'Authorize', {
        ...request,
        authentication: { ...request.authentication!, ksn: Buffer.alloc(11) },
      }),
    ).rejects.toMatchObject({ code: 'KSN_INVALID', field: 'authentication.ksn' });
    await expect(
      auth.verifyMac(profile, 'Authorize', {
        ...request,
        authentication: {
          ...request.authentication!,
          mac: Buffer.from(request.authentication!.mac).subarray(0, 4),
        },
      }),
    ).rejects.toMatchObject({ field: 'authentication.mac' });
    await expect(
      auth.verifyMac(profile, 'Authorize', { ...request, authentication: undefined }),
    ).rejects.toMatchObject({
      field: 'authentication',
    });
  });

  it("refuses another device's KSN when the terminal's initial key ID is enrolled", async () => {
    const { auth } = await setup();
    const request = terminal.authorize({ counter: 12, card });
    const enrolled = { ...profile, initialKeyId: TEST_BDKS[scheme].initialKeyId };
    await expect(auth.verifyMac(enrolled, 'Authorize', request)).resolves.toBeUndefined();
    const elsewhere = {
      ...profile,
      initialKeyId: scheme === 'tdes' ? 'FFFF9876543210A00000' : '1234567890123457',
    };
    await expect(auth.verifyMac(elsewhere, 'Authorize', request)).rejects.toMatchObject({
      code: 'KSN_OTHER_DEVICE',
      field: 'authentication.ksn',
    });
  });
});
