import { inspect } from 'node:util';
import { hexToBytes } from '@tillgate/crypto';
import aes from '../test-data/dukpt-aes.json';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const storeWithBdks = () =>
  aKeyStore()
    .withKey({ id: 'bdk.tdes', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk })
    .withKey({ id: 'bdk.aes', kind: 'bdk', algorithm: 'aes', key: aes.bdk })
    .build();

describe('decrypt DUKPT-encrypted track data into a Secret', () => {
  it.each(tdes.vectors)(
    'TDES: X9.24-1 A.4 request data at KSN $ksn (data-request key, CBC, IV 0)',
    async (v) => {
      const { store } = await storeWithBdks();
      const [clear] = await store.decryptTrackData({
        bdk: { id: 'bdk.tdes' },
        ksn: hexToBytes(v.ksn),
        encryptedData: [hexToBytes(v.expected.request_data_cbc_iv0)],
      });
      expect(clear!.expose().toString('hex').toUpperCase()).toBe(
        tdes.common_inputs.request_data_encryption_plaintext_hex,
      );
    },
  );

  it('TDES: an ID TECH reader swipe (Dukpt.NET vector), several fields under one KSN', async () => {
    const { store } = await storeWithBdks();
    const v = tdes.track_data[0]!;
    const ciphertext = hexToBytes(v.ciphertext);
    const fields = await store.decryptTrackData({
      bdk: { id: 'bdk.tdes' },
      ksn: hexToBytes(v.ksn),
      encryptedData: [ciphertext, ciphertext.subarray(0, 16)],
    });
    expect(
      fields[0]!.expose().toString('latin1').startsWith(v.expected_plaintext_ascii_prefix),
    ).toBe(true);
    expect(fields[1]!.expose().toString('latin1')).toBe(
      v.expected_plaintext_ascii_prefix.slice(0, 16),
    );
  });

  it.each(aes.mac_and_data_vectors.vectors)(
    'AES: data-encrypt key at KSN $ksn (moov-io/dukpt)',
    async (v) => {
      const { store } = await storeWithBdks();
      const [clear] = await store.decryptTrackData({
        bdk: { id: 'bdk.aes' },
        ksn: hexToBytes(v.ksn),
        encryptedData: [
          hexToBytes(v.expected['data_request (AES-CBC IV=0, AES-128 key usage 3000)']),
        ],
      });
      expect(clear!.expose().subarray(0, 17).toString('ascii')).toBe('4012345678909D987');
    },
  );

  it('returns Secrets that print as [REDACTED]', async () => {
    const { store } = await storeWithBdks();
    const v = tdes.track_data[0]!;
    const [clear] = await store.decryptTrackData({
      bdk: { id: 'bdk.tdes' },
      ksn: hexToBytes(v.ksn),
      encryptedData: [hexToBytes(v.ciphertext)],
    });
    expect([String(clear), JSON.stringify({ clear }), inspect(clear)].join(' ')).not.toContain(
      '4266841088889999',
    );
  });

  it('refuses a field that is not whole cipher blocks, and an empty request', async () => {
    const { store } = await storeWithBdks();
    const ksn = hexToBytes(tdes.vectors[0]!.ksn);
    await expect(
      store.decryptTrackData({ bdk: { id: 'bdk.tdes' }, ksn, encryptedData: [Buffer.alloc(12)] }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(
      store.decryptTrackData({ bdk: { id: 'bdk.tdes' }, ksn, encryptedData: [] }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'encryptedData',
    });
  });
});
