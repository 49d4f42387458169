import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encryptPinBlock,
  hexToBytes,
  macIso9797Alg3,
  Pan,
  tdesDukpt,
  tdesKsnWithCounter,
} from '@tillgate/crypto';
import { FileKsnCounterRepository } from '../ksn/file-ksn-counter.repository';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const BDK = hexToBytes(tdes.common_inputs.bdk);
const message = Buffer.from('0200 authorisation request');
const pan = Pan.parse(tdes.common_inputs.pan);
const DEVICE_A = hexToBytes('FFFF9876543210E00000');
const DEVICE_B = hexToBytes('FFFF9876543210A00000');

/** What a terminal sends: the KSN for a counter and the request MAC under its DUKPT key. */
function terminalMessage(device: Buffer, counter: number) {
  const ksn = tdesKsnWithCounter(device, counter);
  const mac = macIso9797Alg3(
    tdesDukpt.deriveWorkingKey({ bdk: BDK, ksn, usage: 'mac-request' }),
    message,
    1,
  ).subarray(0, 4);
  return { bdk: { id: 'bdk' }, ksn, message, mac };
}

function pinBlockAt(ksn: Buffer) {
  return encryptPinBlock({
    format: 0,
    key: tdesDukpt.deriveWorkingKey({ bdk: BDK, ksn, usage: 'pin' }),
    pin: '1234',
    pan: pan.reveal(),
  });
}

const build = () =>
  aKeyStore()
    .withKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk })
    .withKey({
      id: 'zpk',
      kind: 'pin-encryption',
      algorithm: 'tdes',
      key: '89ABCDEF0123456776543210FEDCBA98',
    });

describe('KSN counter replay protection at the key-store API', () => {
  it('refuses a KSN counter seen before, and one that goes backwards', async () => {
    const { store, audit } = await build().build();
    await store.verifyDukptMac(terminalMessage(DEVICE_A, 5));
    await expect(store.verifyDukptMac(terminalMessage(DEVICE_A, 5))).rejects.toMatchObject({
      code: 'KSN_REPLAY',
      field: 'ksn',
    });
    await expect(store.verifyDukptMac(terminalMessage(DEVICE_A, 4))).rejects.toMatchObject({
      code: 'KSN_REPLAY',
    });
    await expect(store.verifyDukptMac(terminalMessage(DEVICE_A, 6))).resolves.toBeUndefined();
    expect(audit.events.map((e) => e.reason ?? e.outcome)).toEqual([
      'success',
      'KSN_REPLAY',
      'KSN_REPLAY',
      'success',
    ]);
  });

  it('accepts the MAC, the PIN block and the data of one transaction under one KSN, each once', async () => {
    const { store } = await build().build();
    const request = terminalMessage(DEVICE_A, 9);
    await store.verifyDukptMac(request);
    const translation = {
      pan,
      source: {
        bdk: { id: 'bdk' },
        ksn: request.ksn,
        pinBlock: pinBlockAt(request.ksn),
        format: 0 as const,
      },
      destination: { key: { id: 'zpk' }, format: 0 as const },
    };
    await store.translatePinBlock(translation);
    await store.decryptTrackData({
      bdk: { id: 'bdk' },
      ksn: request.ksn,
      encryptedData: [Buffer.alloc(16)],
    });
    await expect(store.translatePinBlock(translation)).rejects.toMatchObject({
      code: 'KSN_REPLAY',
    });
  });

  it('does not let a request that fails move the counter (a forged MAC at a high counter blocks nothing)', async () => {
    const { store } = await build().build();
    const forged = { ...terminalMessage(DEVICE_A, 0x1ff800), mac: Buffer.from('00000000', 'hex') };
    await expect(store.verifyDukptMac(forged)).rejects.toMatchObject({
      code: 'MAC_VERIFICATION_FAILED',
    });
    await expect(store.verifyDukptMac(terminalMessage(DEVICE_A, 3))).resolves.toBeUndefined();
  });

  it('keeps one counter per device and per BDK version', async () => {
    const { store } = await build().build();
    await store.verifyDukptMac(terminalMessage(DEVICE_A, 7));
    await expect(store.verifyDukptMac(terminalMessage(DEVICE_B, 1))).resolves.toBeUndefined();
    await store.rotateKey({ id: 'bdk' });
    // The terminal still holds a key from version 1, which stays usable for verification.
    await expect(
      store.verifyDukptMac({ ...terminalMessage(DEVICE_A, 8), bdk: { id: 'bdk', version: 1 } }),
    ).resolves.toBeUndefined();
    await expect(
      store.verifyDukptMac({ ...terminalMessage(DEVICE_A, 8), bdk: { id: 'bdk', version: 1 } }),
    ).rejects.toMatchObject({
      code: 'KSN_REPLAY',
    });
  });

  it('remembers counters across a restart when they are kept in a file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ksn-')), 'ksn-counters.json');
    const first = await build().withKsnCounters(new FileKsnCounterRepository(path)).build();
    await first.store.verifyDukptMac(terminalMessage(DEVICE_A, 12));
    const restarted = await build().withKsnCounters(new FileKsnCounterRepository(path)).build();
    // A rebuilt store imports the BDK again as version 1, so the device key is the same.
    await expect(
      restarted.store.verifyDukptMac(terminalMessage(DEVICE_A, 12)),
    ).rejects.toMatchObject({ code: 'KSN_REPLAY' });
    await expect(
      restarted.store.verifyDukptMac(terminalMessage(DEVICE_A, 13)),
    ).resolves.toBeUndefined();
  });
});
