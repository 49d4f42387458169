import { hexToBytes, macIso9797Alg3, tdesDukpt, tdesKsnWithCounter } from '@tillgate/crypto';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const BDK = hexToBytes(tdes.common_inputs.bdk);
const DEVICE = hexToBytes(tdes.common_inputs.initial_ksn);
const message = Buffer.from('a request the terminal may retransmit');

/** The request MAC a terminal sends at `counter`. */
function signed(counter: number) {
  const ksn = tdesKsnWithCounter(DEVICE, counter);
  const mac = macIso9797Alg3(
    tdesDukpt.deriveWorkingKey({ bdk: BDK, ksn, usage: 'mac-request' }),
    message,
    1,
  );
  return { bdk: { id: 'bdk' }, ksn, message, mac };
}

const build = () =>
  aKeyStore().withKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk });

describe("MAC verification and KSN acceptance as two steps (ksnCounter: 'unchanged' + acceptDukptKsn)", () => {
  it('verifies the same MAC and KSN as often as it is sent: a retransmission reuses its KSN', async () => {
    const { store, ksnCounters } = await build().build();
    const request = { ...signed(5), ksnCounter: 'unchanged' as const };
    await store.verifyDukptMac(request);
    await store.verifyDukptMac(request);
    expect(await ksnCounters.find('bdk@1:FFFF9876543210E00000')).toBeUndefined();
  });

  it('still refuses a MAC that does not verify', async () => {
    const { store } = await build().build();
    const forged = { ...signed(5), ksnCounter: 'unchanged' as const };
    forged.mac[7]! ^= 0x80;
    await expect(store.verifyDukptMac(forged)).rejects.toMatchObject({
      code: 'MAC_VERIFICATION_FAILED',
      field: 'mac',
    });
  });

  it('accepts a KSN once, refuses it and any lower counter afterwards, and audits each', async () => {
    const { store, audit } = await build().build();
    const { ksn } = signed(5);
    await store.verifyDukptMac({ ...signed(5), ksnCounter: 'unchanged' });
    await store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn });
    await expect(store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn })).rejects.toMatchObject({
      code: 'KSN_REPLAY',
      field: 'ksn',
    });
    await expect(
      store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn: signed(4).ksn }),
    ).rejects.toMatchObject({ code: 'KSN_REPLAY' });
    // The retransmission's MAC still verifies after its KSN was accepted.
    await expect(
      store.verifyDukptMac({ ...signed(5), ksnCounter: 'unchanged' }),
    ).resolves.toBeUndefined();
    await expect(
      store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn: signed(6).ksn }),
    ).resolves.toMatchObject({ counter: 6, channels: ['mac'] });
    expect(audit.events.map((e) => [e.type, e.reason ?? e.outcome])).toEqual([
      ['verify-dukpt-mac', 'success'],
      ['accept-dukpt-ksn', 'success'],
      ['accept-dukpt-ksn', 'KSN_REPLAY'],
      ['accept-dukpt-ksn', 'KSN_REPLAY'],
      ['verify-dukpt-mac', 'success'],
      ['accept-dukpt-ksn', 'success'],
    ]);
  });

  it('leaves the PIN and data channels of an accepted KSN open, once each, for the same transaction', async () => {
    const { store } = await build().build();
    const { ksn } = signed(9);
    await store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn });
    const decrypt = () =>
      store.decryptTrackData({ bdk: { id: 'bdk' }, ksn, encryptedData: [Buffer.alloc(16)] });
    await expect(decrypt()).resolves.toHaveLength(1);
    await expect(decrypt()).rejects.toMatchObject({ code: 'KSN_REPLAY' });
  });

  it('keeps the default: without ksnCounter, verification refuses a replay and records the counter', async () => {
    const { store } = await build().build();
    await store.verifyDukptMac(signed(3));
    await expect(store.verifyDukptMac(signed(3))).rejects.toMatchObject({ code: 'KSN_REPLAY' });
    await expect(
      store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn: signed(3).ksn }),
    ).rejects.toMatchObject({ code: 'KSN_REPLAY' });
  });

  it('refuses an unknown ksnCounter mode, and channels that are unknown, repeated or none', async () => {
    const { store } = await build().build();
    await expect(
      store.verifyDukptMac({ ...signed(3), ksnCounter: 'skip' as 'unchanged' }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'ksnCounter' });
    for (const channels of [['cvv' as 'mac'], ['mac', 'mac'], []] as const) {
      await expect(
        store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn: signed(3).ksn, channels }),
      ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'channels' });
    }
  });

  it('accepts all the channels named, or none of them', async () => {
    const { store, ksnCounters } = await build().build();
    const { ksn } = signed(4);
    await store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn });
    await expect(
      store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn, channels: ['data', 'mac'] }),
    ).rejects.toMatchObject({ code: 'KSN_REPLAY', field: 'ksn' });
    expect(await ksnCounters.find('bdk@1:FFFF9876543210E00000')).toEqual({
      counter: 4,
      channels: ['mac'],
    });
    await expect(
      store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn, channels: ['data', 'pin'] }),
    ).resolves.toMatchObject({ counter: 4, channels: ['data', 'pin'] });
  });
});
