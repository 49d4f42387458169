import {
  decryptPinBlock,
  encryptPinBlock,
  hexToBytes,
  Pan,
  tdesDukpt,
  tdesEncryptCbc,
  tdesKsnWithCounter,
} from '@tillgate/crypto';
import type { DukptKsnGrant } from '../key-store';
import { InMemoryKsnCounterRepository } from '../ksn/in-memory-ksn-counter.repository';
import type { DukptChannel, DukptDeviceKey } from '../ksn/ksn-counter.repository';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const BDK = hexToBytes(tdes.common_inputs.bdk);
const DEVICE = hexToBytes(tdes.common_inputs.initial_ksn); // FFFF9876543210E00000
const OTHER_DEVICE = hexToBytes('FFFF9876543211E00000');
const ZPK = '89ABCDEF0123456776543210FEDCBA98';
const PAN = Pan.parse(tdes.common_inputs.pan);
const TRACK = Buffer.from(';4012345678909=2512101000000000?');
const bdk = { id: 'bdk' };

/** Counts the repository calls a grant is meant to spare. */
class CountingKsnCounters extends InMemoryKsnCounterRepository {
  calls = { find: 0, advance: 0 };

  override find(device: DukptDeviceKey) {
    this.calls.find++;
    return super.find(device);
  }

  override advance(device: DukptDeviceKey, counter: number, channels: readonly DukptChannel[]) {
    this.calls.advance++;
    return super.advance(device, counter, channels);
  }
}

/** What a terminal sends at `counter`: track data under its data key, a format 0 PIN block under its PIN key. */
function fromTerminal(counter: number, device = DEVICE) {
  const ksn = tdesKsnWithCounter(device, counter);
  const key = (usage: 'data-request' | 'pin') =>
    tdesDukpt.deriveWorkingKey({ bdk: BDK, ksn, usage });
  return {
    ksn,
    track: tdesEncryptCbc(key('data-request'), TRACK),
    pinBlock: encryptPinBlock({ format: 0, key: key('pin'), pin: '1234', pan: PAN.reveal() }),
  };
}

async function build() {
  const ksnCounters = new CountingKsnCounters();
  const built = await aKeyStore()
    .withKsnCounters(ksnCounters)
    .withKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk })
    .withKey({ id: 'zpk', kind: 'pin-encryption', algorithm: 'tdes', key: ZPK })
    .build();
  const { store } = built;
  const decrypt = (r: ReturnType<typeof fromTerminal>, grant?: DukptKsnGrant) =>
    store.decryptTrackData({ bdk, ksn: r.ksn, encryptedData: [r.track], grant });
  const translate = (r: ReturnType<typeof fromTerminal>, grant?: DukptKsnGrant, pan = PAN) =>
    store.translatePinBlock({
      pan,
      source: { bdk, ksn: r.ksn, pinBlock: r.pinBlock, format: 0, grant },
      destination: { key: { id: 'zpk' }, format: 0 },
    });
  return { ...built, ksnCounters, decrypt, translate };
}

describe('KSN acceptance grants: one acceptance for every channel of a request', () => {
  it('accepts the KSN once for mac, data and pin; decryption and translation then use no counter look-up', async () => {
    const { store, ksnCounters, decrypt, translate, audit } = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({
      bdk,
      ksn: request.ksn,
      channels: ['mac', 'data', 'pin'],
    });
    expect(grant).toMatchObject({ counter: 7, channels: ['mac', 'data', 'pin'] });
    expect(ksnCounters.calls).toEqual({ find: 0, advance: 1 });

    const [track] = await decrypt(request, grant);
    expect(track!.expose().equals(TRACK)).toBe(true);
    const out = await translate(request, grant);
    expect(
      decryptPinBlock({
        format: 0,
        key: hexToBytes(ZPK),
        pinBlock: out.pinBlock,
        pan: PAN.reveal(),
      }),
    ).toBe('1234');

    expect(ksnCounters.calls).toEqual({ find: 0, advance: 1 });
    expect(await ksnCounters.find('bdk@1:FFFF9876543210E00000')).toEqual({
      counter: 7,
      channels: ['mac', 'data', 'pin'],
    });
    expect(audit.events.map((e) => [e.type, e.outcome])).toEqual([
      ['accept-dukpt-ksn', 'success'],
      ['decrypt-track-data', 'success'],
      ['translate-pin-block', 'success'],
      ['translate-pin-block', 'success'],
    ]);
  });

  it('lets each channel of a grant be used once', async () => {
    const { store, decrypt, translate } = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['data', 'pin'] });
    await decrypt(request, grant);
    await translate(request, grant);
    await expect(decrypt(request, grant)).rejects.toMatchObject({
      code: 'KSN_REPLAY',
      field: 'grant',
    });
    await expect(translate(request, grant)).rejects.toMatchObject({
      code: 'KSN_REPLAY',
      field: 'source.grant',
    });
  });

  it('lets exactly one of two concurrent uses of a channel through', async () => {
    const { store, decrypt } = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['data'] });
    const results = await Promise.allSettled([decrypt(request, grant), decrypt(request, grant)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('spends a channel even when the operation then fails: one KSN, one decryption attempt', async () => {
    const { store, translate } = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['pin'] });
    await expect(translate(request, grant, Pan.parse('4111111111111111'))).rejects.toMatchObject({
      code: 'PIN_BLOCK_PAN_MISMATCH',
    });
    await expect(translate(request, grant)).rejects.toMatchObject({ code: 'KSN_REPLAY' });
  });

  it('refuses a grant for another device, counter or channel, without spending it', async () => {
    const { store, decrypt, translate } = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['mac', 'data'] });
    await expect(decrypt(fromTerminal(7, OTHER_DEVICE), grant)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'grant',
    });
    await expect(decrypt(fromTerminal(8), grant)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'grant',
    });
    await expect(translate(request, grant)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'source.grant',
    });
    await expect(decrypt(request, grant)).resolves.toHaveLength(1);
  });

  it('refuses a grant for another version of the BDK', async () => {
    const { store } = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['data'] });
    await store.rotateKey({ id: 'bdk' });
    await expect(
      store.decryptTrackData({
        bdk: { id: 'bdk', version: 2 },
        ksn: request.ksn,
        encryptedData: [request.track],
        grant,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'grant' });
    await expect(
      store.decryptTrackData({
        bdk: { id: 'bdk', version: 1 },
        ksn: request.ksn,
        encryptedData: [request.track],
        grant,
      }),
    ).resolves.toHaveLength(1);
  });

  it('refuses a forged grant and one issued by another key store', async () => {
    const { store, decrypt } = await build();
    const other = await build();
    const request = fromTerminal(7);
    const grant = await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['data'] });
    const foreign = await other.store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['data'] });
    const forged = { ...grant } as DukptKsnGrant;
    await expect(decrypt(request, foreign)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'grant',
    });
    await expect(decrypt(request, forged)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'grant',
    });
    await expect(decrypt(request, null as unknown as DukptKsnGrant)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'grant',
    });
    // The grant cannot be altered into another counter or channel either.
    expect(Object.isFrozen(grant) && Object.isFrozen(grant.channels)).toBe(true);
    await expect(decrypt(request, grant)).resolves.toHaveLength(1);
  });

  it('refuses the KSN through acceptDukptKsn, and without a grant, once a grant was issued for it', async () => {
    const { store, decrypt, translate } = await build();
    const request = fromTerminal(7);
    await store.acceptDukptKsn({ bdk, ksn: request.ksn, channels: ['mac', 'data', 'pin'] });
    for (const channels of [['mac'], ['data'], ['pin']] as const) {
      await expect(store.acceptDukptKsn({ bdk, ksn: request.ksn, channels })).rejects.toMatchObject(
        {
          code: 'KSN_REPLAY',
          field: 'ksn',
        },
      );
    }
    await expect(decrypt(request)).rejects.toMatchObject({ code: 'KSN_REPLAY', field: 'ksn' });
    await expect(translate(request)).rejects.toMatchObject({ code: 'KSN_REPLAY', field: 'ksn' });
  });

  it('leaves operations without a grant as they were: the counter is checked and recorded per call', async () => {
    const { ksnCounters, decrypt } = await build();
    const request = fromTerminal(7);
    await decrypt(request);
    expect(ksnCounters.calls).toEqual({ find: 1, advance: 1 });
    await expect(decrypt(request)).rejects.toMatchObject({ code: 'KSN_REPLAY', field: 'ksn' });
  });
});
