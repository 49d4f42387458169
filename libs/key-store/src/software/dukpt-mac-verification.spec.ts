import { hexToBytes } from '@tillgate/crypto';
import aes from '../test-data/dukpt-aes.json';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const message = hexToBytes(tdes.common_inputs.mac_data_hex); // ASCII '4012345678909D987'
const tdesBdk = {
  id: 'bdk.tdes',
  kind: 'bdk',
  algorithm: 'tdes',
  key: tdes.common_inputs.bdk,
} as const;
const aesBdk = { id: 'bdk.aes', kind: 'bdk', algorithm: 'aes', key: aes.bdk } as const;

const storeWithBdks = () => aKeyStore().withKey(tdesBdk).withKey(aesBdk).build();

describe('derive-and-verify a DUKPT MAC', () => {
  it.each(tdes.vectors)(
    'TDES: verifies the X9.19 request MAC of X9.24-1 A.4 at KSN $ksn',
    async (v) => {
      const { store, audit } = await storeWithBdks();
      const ksn = hexToBytes(v.ksn);
      await expect(
        store.verifyDukptMac({
          bdk: { id: 'bdk.tdes' },
          ksn,
          message,
          mac: hexToBytes(v.expected.request_mac_x919_4bytes),
        }),
      ).resolves.toBeUndefined();
      expect(audit.events).toEqual([
        expect.objectContaining({
          type: 'verify-dukpt-mac',
          keyId: 'bdk.tdes',
          keyVersion: 1,
          kcv: '08D7B4',
          outcome: 'success',
        }),
      ]);
    },
  );

  it('TDES: accepts the full 8-byte MAC (moov-io/dukpt cross-check)', async () => {
    const { store } = await storeWithBdks();
    const v = tdes.vectors[0]!;
    await expect(
      store.verifyDukptMac({
        bdk: { id: 'bdk.tdes' },
        ksn: hexToBytes(v.ksn),
        message,
        mac: hexToBytes(v.cross_check_moov_io_dukpt!.request_mac_8bytes),
      }),
    ).resolves.toBeUndefined();
  });

  it.each(aes.mac_and_data_vectors.vectors)(
    'AES: verifies the AES-CMAC under the mac-generation key at KSN $ksn',
    async (v) => {
      const { store } = await storeWithBdks();
      const mac = hexToBytes(v.expected['cmac_request (AES-CMAC, AES-128 key usage 2000)']);
      await expect(
        store.verifyDukptMac({ bdk: { id: 'bdk.aes' }, ksn: hexToBytes(v.ksn), message, mac }),
      ).resolves.toBeUndefined();
      await expect(
        store.verifyDukptMac({
          bdk: { id: 'bdk.aes' },
          ksn: hexToBytes(v.ksn),
          message,
          mac: mac.subarray(0, 8),
        }),
      ).rejects.toMatchObject({ code: 'KSN_REPLAY' });
    },
  );

  it('refuses a MAC that does not verify, and audits the failure', async () => {
    const { store, audit } = await storeWithBdks();
    const v = tdes.vectors[1]!;
    const mac = hexToBytes(v.expected.request_mac_x919_4bytes);
    mac[0]! ^= 0x01;
    await expect(
      store.verifyDukptMac({ bdk: { id: 'bdk.tdes' }, ksn: hexToBytes(v.ksn), message, mac }),
    ).rejects.toMatchObject({
      code: 'MAC_VERIFICATION_FAILED',
      field: 'mac',
    });
    expect(audit.events).toEqual([
      expect.objectContaining({ outcome: 'failure', reason: 'MAC_VERIFICATION_FAILED' }),
    ]);
  });

  it('does not take the response variant for the request MAC', async () => {
    const { store } = await storeWithBdks();
    const v = tdes.vectors[0]!;
    await expect(
      store.verifyDukptMac({
        bdk: { id: 'bdk.tdes' },
        ksn: hexToBytes(v.ksn),
        message,
        mac: hexToBytes(v.expected.response_mac_x919_4bytes),
      }),
    ).rejects.toMatchObject({ code: 'MAC_VERIFICATION_FAILED' });
  });

  it.each([
    [
      'a 12-byte KSN for a TDES BDK',
      'bdk.tdes',
      aes.mac_and_data_vectors.vectors[0]!.ksn,
      'INVALID_KSN',
    ],
    ['a 10-byte KSN for an AES BDK', 'bdk.aes', tdes.vectors[0]!.ksn, 'INVALID_KSN'],
    ['a KSN with counter 0', 'bdk.tdes', 'FFFF9876543210E00000', 'INVALID_KSN'],
  ])('refuses %s', async (_what, id, ksn, code) => {
    const { store } = await storeWithBdks();
    await expect(
      store.verifyDukptMac({ bdk: { id }, ksn: hexToBytes(ksn), message, mac: Buffer.alloc(8) }),
    ).rejects.toMatchObject({
      code,
    });
  });

  it('refuses MACs too short to mean anything', async () => {
    const { store } = await storeWithBdks();
    await expect(
      store.verifyDukptMac({
        bdk: { id: 'bdk.tdes' },
        ksn: hexToBytes(tdes.vectors[0]!.ksn),
        message,
        mac: Buffer.alloc(3),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'mac' });
    await expect(
      store.verifyDukptMac({
        bdk: { id: 'bdk.aes' },
        ksn: hexToBytes(aes.mac_and_data_vectors.vectors[0]!.ksn),
        message,
        mac: Buffer.alloc(4),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'mac' });
  });
});
