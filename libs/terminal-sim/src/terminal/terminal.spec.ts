import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestMacInput } from '@tillgate/card-insert';
import { cardInsertV1 } from '@tillgate/contracts';
import {
  CRYPTOGRAM_VERSIONS,
  Pan,
  decryptPinBlock,
  hexToBytes,
  parseKsn,
  verifyArqc,
} from '@tillgate/crypto';
import { cardDataObjects, decodeTlv, flattenTlv } from '@tillgate/emv';
import { loadTestCard } from '../card/test-cards';
import { injectInitialKey } from '../dukpt/terminal-dukpt';
import { TEST_TERMINAL_KEYS, type DukptSchemeName } from '../keys/test-terminal-keys';
import {
  FileTerminalStateStore,
  InMemoryTerminalStateStore,
  type TerminalStateStore,
} from '../state/terminal-state.store';
import {
  CardInsertGatewayDouble,
  transactionOf,
  type GatewayDoubleOptions,
} from '../testing/card-insert-gateway.double';
import { TEST_ZONE_PIN_KEYS, testKeyStore } from '../testing/test-key-store';
import type { CardInsertApi } from './card-insert-api';
import { ResponseAuthenticationError, Terminal } from './terminal';

const card = loadTestCard('tillgate-demo-card-1');
const tag57Hex = Buffer.from(cardDataObjects(card.profile).get('57')!)
  .toString('hex')
  .toUpperCase()
  .replace(/F$/, '');

type Sent = { operation: string; request: unknown }[];

/** The gateway double, with every request the terminal sent recorded as it arrived. */
async function gatewayFor(options: Partial<GatewayDoubleOptions> = {}) {
  const double = new CardInsertGatewayDouble({
    keyStore: await testKeyStore(),
    cards: [card],
    ...options,
  });
  const sent: Sent = [];
  const api = Object.fromEntries(
    (['Authorize', 'Complete', 'Capture', 'Void', 'Refund', 'Reverse', 'CloseBatch'] as const).map(
      (op) => [
        op,
        (request: never) => {
          sent.push({ operation: op, request });
          return (double[op] as (r: never) => Promise<unknown>).call(double, request);
        },
      ],
    ),
  ) as unknown as CardInsertApi;
  return { double, api, sent };
}

function terminalWith(
  scheme: DukptSchemeName,
  gateway: CardInsertApi,
  state: TerminalStateStore = new InMemoryTerminalStateStore(),
) {
  return new Terminal({
    terminalId: 'TERM0001',
    key: injectInitialKey(TEST_TERMINAL_KEYS[scheme]),
    gateway,
    state,
    clock: () => new Date(2026, 10, 25, 14, 30, 0),
  });
}

const sale = { kind: 'sale', card, amountMinor: 1250n, currency: 'CNY' } as const;

describe.each(['tdes', 'aes'] as const)('terminal with %s DUKPT', (scheme) => {
  const format = scheme === 'tdes' ? 0 : 4;
  const zone = TEST_ZONE_PIN_KEYS[scheme];
  const bdk = { id: TEST_TERMINAL_KEYS[scheme].keyId };

  it('sends an Authorize the gateway key store opens: MAC verifies, track 2 decrypts to the card, the PIN translates to the zone key', async () => {
    const { api, sent } = await gatewayFor();
    await terminalWith(scheme, api).pay(sale);
    const request = sent[0]!.request as cardInsertV1.AuthorizeRequest;
    const ksn = Buffer.from(request.authentication!.ksn);
    expect(ksn).toHaveLength(scheme === 'tdes' ? 10 : 12);
    expect(request.authentication!.mac).toHaveLength(8);
    expect(request.authentication!.scheme).toBe(
      scheme === 'tdes'
        ? cardInsertV1.DukptScheme.DUKPT_SCHEME_TDES
        : cardInsertV1.DukptScheme.DUKPT_SCHEME_AES128,
    );

    // A fresh store: what the gateway has, and no memory of the double's checks.
    const store = await testKeyStore();
    await expect(
      store.verifyDukptMac({
        bdk,
        ksn,
        message: requestMacInput('Authorize', request),
        mac: Buffer.from(request.authentication!.mac),
      }),
    ).resolves.toBeUndefined();
    const [track2] = await store.decryptTrackData({
      bdk,
      ksn,
      encryptedData: [Buffer.from(request.card!.encryptedTrack2)],
    });
    expect(track2!.expose().toString('hex').toUpperCase().replace(/F+$/, '')).toBe(tag57Hex);
    const translated = await store.translatePinBlock({
      pan: Pan.parse(card.profile.pan),
      source: { bdk, ksn, pinBlock: Buffer.from(request.card!.encryptedPinBlock), format },
      destination: { key: { id: zone.id }, format: zone.format },
    });
    expect(
      decryptPinBlock({
        format: zone.format,
        key: hexToBytes(zone.hex),
        pinBlock: translated.pinBlock,
        pan: card.profile.pan,
      }),
    ).toBe(card.profile.pin);
    // Neither the PAN nor track 2 travels in clear.
    const wire = Buffer.from(cardInsertV1.AuthorizeRequest.encode(request).finish()).toString(
      'hex',
    );
    expect(wire.toUpperCase()).not.toContain(tag57Hex);
    expect(wire.toUpperCase()).not.toContain(card.profile.pan);
  });

  it('refuses nothing that was not MACed: a changed amount no longer verifies', async () => {
    const { api, sent } = await gatewayFor();
    await terminalWith(scheme, api).pay(sale);
    const request = sent[0]!.request as cardInsertV1.AuthorizeRequest;
    const tampered = { ...request, amount: { amountMinor: '125', currency: 'CNY' } };
    const store = await testKeyStore();
    await expect(
      store.verifyDukptMac({
        bdk,
        ksn: Buffer.from(request.authentication!.ksn),
        message: requestMacInput('Authorize', tampered),
        mac: Buffer.from(request.authentication!.mac),
      }),
    ).rejects.toMatchObject({ code: 'MAC_VERIFICATION_FAILED' });
  });

  it('carries ICC data that parses and holds a valid ARQC over the amount, currency and TVR', async () => {
    const { api, sent } = await gatewayFor();
    const result = await terminalWith(scheme, api).pay(sale);
    const request = sent[0]!.request as cardInsertV1.AuthorizeRequest;
    const tags = flattenTlv(decodeTlv(request.card!.iccData));
    for (const tag of [
      '9F26',
      '9F27',
      '9F10',
      '9F37',
      '9F36',
      '95',
      '9A',
      '9C',
      '9F02',
      '5F2A',
      '82',
      '9F1A',
      '84',
      '5F34',
      '9F33',
      '9F34',
      '9F35',
    ]) {
      expect([tag, tags.has(tag)]).toEqual([tag, true]);
    }
    expect(Buffer.from(tags.get('9F27')!).toString('hex')).toBe('80');
    expect(Buffer.from(tags.get('9F02')!).toString('hex')).toBe('000000001250');
    expect(Buffer.from(tags.get('5F2A')!).toString('hex')).toBe('0156');
    expect(Buffer.from(tags.get('9F34')!).toString('hex')).toBe('420300'); // online PIN, result unknown
    const { transaction, arqc } = transactionOf(request.card!.iccData);
    const keys = {
      issuerMasterKey: Buffer.from(card.profile.issuerMasterKeys.ac),
      card: { pan: card.profile.pan, psn: card.profile.panSequenceNumber },
    };
    expect(verifyArqc(CRYPTOGRAM_VERSIONS[card.cryptogramVersion], keys, transaction, arqc)).toBe(
      true,
    );
    arqc[0] ^= 1;
    expect(verifyArqc(CRYPTOGRAM_VERSIONS[card.cryptogramVersion], keys, transaction, arqc)).toBe(
      false,
    );
    // DDA with the test CA passed: no ODA failure bit, TVR only "online PIN entered" and "floor limit exceeded".
    expect(result.emv.oda).toEqual({ method: 'dda', ok: true });
    expect([...result.emv.tvrFlags].sort()).toEqual(['floorLimitExceeded', 'onlinePinEntered']);
  });

  it('a good ARPC: the card gives a TC in the second GENERATE AC and Complete reports it', async () => {
    const { api, double, sent } = await gatewayFor();
    const result = await terminalWith(scheme, api).pay(sale);
    expect(result.outcome).toBe('approved');
    expect(result.secondAc).toMatchObject({
      decision: 'TC',
      issuerAuthentication: { present: true, valid: true },
    });
    expect(sent.map((s) => s.operation)).toEqual(['Authorize', 'Complete']);
    expect(double.seen.at(-1)).toMatchObject({
      operation: 'Complete',
      cardDecision: cardInsertV1.CardDecision.CARD_DECISION_TC,
    });
    const completeTags = flattenTlv(
      decodeTlv((sent[1]!.request as cardInsertV1.CompleteRequest).iccData),
    );
    expect(Buffer.from(completeTags.get('9F27')!).toString('hex')).toBe('40');
    expect(result.receipt).toContain('APPROVED');
  });

  it('a bad ARPC: the card refuses with an AAC, TVR says issuer authentication failed', async () => {
    const { api, double } = await gatewayFor({ corruptArpc: true });
    const result = await terminalWith(scheme, api).pay(sale);
    expect(result.outcome).toBe('card-declined');
    expect(result.secondAc).toMatchObject({
      decision: 'AAC',
      issuerAuthentication: { present: true, valid: false },
    });
    expect(Buffer.from(result.secondAc!.tvr)[4]! & 0x40).toBe(0x40);
    expect(double.seen.at(-1)).toMatchObject({
      cardDecision: cardInsertV1.CardDecision.CARD_DECISION_AAC,
    });
  });

  it('a wrong PIN: the issuer declines 55, the card gives an AAC, no Complete is sent', async () => {
    const { api, sent } = await gatewayFor();
    const wrong = card.profile.pin === '0000' ? '1111' : '0000';
    const result = await terminalWith(scheme, api).pay({ ...sale, pin: wrong });
    expect(result).toMatchObject({ outcome: 'declined', responseCode: '55' });
    expect(result.secondAc!.decision).toBe('AAC');
    expect(sent.map((s) => s.operation)).toEqual(['Authorize']);
  });

  it('does not trust an answer whose response MAC does not verify', async () => {
    const { api } = await gatewayFor({ corruptResponseMac: true });
    await expect(terminalWith(scheme, api).pay(sale)).rejects.toBeInstanceOf(
      ResponseAuthenticationError,
    );
  });

  it('advances the KSN counter and STAN per request and persists them across runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'terminal-sim-'));
    try {
      const file = join(dir, 'state.json');
      const { api, sent } = await gatewayFor();
      await terminalWith(scheme, api, new FileTerminalStateStore(file)).pay(sale);
      // A second CLI run: a new terminal object on the same state file.
      await terminalWith(scheme, api, new FileTerminalStateStore(file)).pay(sale);
      const auth = (r: unknown) =>
        (r as { authentication: cardInsertV1.MessageAuthentication }).authentication;
      const header = (r: unknown) => (r as { header: cardInsertV1.TerminalRequestHeader }).header;
      expect(sent.map((s) => parseKsn(Buffer.from(auth(s.request).ksn)).counter)).toEqual([
        1, 2, 3, 4,
      ]);
      expect(sent.map((s) => header(s.request).stan)).toEqual([1, 2, 3, 4]);
      expect(new Set(sent.map((s) => header(s.request).clientRequestId)).size).toBe(4);
      const state = new FileTerminalStateStore(file).read();
      expect(state.terminals['TERM0001']!.ksnCounters[scheme]).toBe(4);
      expect(state.cards[card.stateKey]).toEqual({ atc: 2 });
      expect(JSON.stringify(state)).not.toContain(card.profile.pan);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MACs capture, void, refund, reverse and batch close under fresh KSNs the key store verifies', async () => {
    const { api, sent, double } = await gatewayFor();
    const terminal = terminalWith(scheme, api);
    const paid = await terminal.pay({ ...sale, kind: 'preauth' });
    const id = paid.paymentId!;
    await terminal.capture(id, 1000n, 'CNY');
    await terminal.refund(id, 500n, 'CNY');
    await terminal.void(id);
    await terminal.reverse(id);
    const batch = await terminal.closeBatch();
    expect(batch.response.batchNumber).toBe(1);
    expect(double.seen.map((s) => s.operation)).toEqual([
      'Authorize',
      'Complete',
      'Capture',
      'Refund',
      'Void',
      'Reverse',
      'CloseBatch',
    ]);
    const store = await testKeyStore();
    for (const { operation, request } of sent) {
      const a = (request as { authentication: cardInsertV1.MessageAuthentication }).authentication;
      await expect(
        store.verifyDukptMac({
          bdk,
          ksn: Buffer.from(a.ksn),
          message: requestMacInput(operation as 'Void', request as cardInsertV1.VoidRequest),
          mac: Buffer.from(a.mac),
        }),
      ).resolves.toBeUndefined();
    }
  });

  it('retransmits the last request unchanged: same bytes, same KSN and MAC, and accepts the original answer', async () => {
    const { api, sent, double } = await gatewayFor();
    const terminal = terminalWith(scheme, api);
    const paid = await terminal.pay(sale);
    const voided = await terminal.void(paid.paymentId!);
    const again = await terminal.retransmit();
    expect(again.operation).toBe('Void');
    expect(again.response).toEqual(voided.response);
    expect(double.seen.at(-1)).toMatchObject({ operation: 'Void', retransmission: true });
    const encode = (r: unknown) =>
      Buffer.from(cardInsertV1.VoidRequest.encode(r as cardInsertV1.VoidRequest).finish());
    expect(sent.at(-1)!.operation).toBe('Void');
    expect(encode(sent.at(-1)!.request).equals(encode(sent.at(-2)!.request))).toBe(true);
  });
});

describe('terminal configured without offline data authentication (load generation)', () => {
  it('skips ODA, says so in the TVR, and still sends a valid ARQC the issuer side accepts', async () => {
    const { api, double } = await gatewayFor();
    const terminal = new Terminal({
      terminalId: 'TERM0001',
      key: injectInitialKey(TEST_TERMINAL_KEYS.tdes),
      gateway: api,
      state: new InMemoryTerminalStateStore(),
      kernel: { offlineDataAuthentication: false },
    });
    const result = await terminal.pay(sale);
    expect(result.outcome).toBe('approved');
    expect(result.emv.oda).toMatchObject({ method: 'none', ok: false });
    expect(result.emv.tvrFlags.has('offlineDataAuthenticationNotPerformed')).toBe(true);
    expect(double.seen[0]).toMatchObject({ arqcValid: true });
  });
});
