import {
  aesCmac,
  aesDukpt,
  aesKsnWithCounter,
  hexToBytes,
  macIso9797Alg3,
  tdesDukpt,
  tdesKsnWithCounter,
} from '@tillgate/crypto';
import aes from '../test-data/dukpt-aes.json';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

const message = hexToBytes(tdes.common_inputs.mac_data_hex); // ASCII '4012345678909D987'
const storeWithBdks = () =>
  aKeyStore()
    .withKey({ id: 'bdk.tdes', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk })
    .withKey({ id: 'bdk.aes', kind: 'bdk', algorithm: 'aes', key: aes.bdk })
    .withKey({
      id: 'zpk',
      kind: 'pin-encryption',
      algorithm: 'tdes',
      key: '89ABCDEF0123456776543210FEDCBA98',
    })
    .build();

describe('generate a DUKPT response MAC', () => {
  it.each(tdes.vectors)(
    'TDES: gives the X9.19 response MAC of X9.24-1 A.4 (MAC-response variant) at KSN $ksn',
    async (v) => {
      const { store, audit } = await storeWithBdks();
      const mac = await store.generateDukptResponseMac({
        bdk: { id: 'bdk.tdes' },
        ksn: hexToBytes(v.ksn),
        message,
      });
      expect(mac).toHaveLength(8);
      expect(mac.subarray(0, 4).toString('hex').toUpperCase()).toBe(
        v.expected.response_mac_x919_4bytes,
      );
      expect(audit.events).toEqual([
        expect.objectContaining({
          type: 'generate-dukpt-response-mac',
          keyId: 'bdk.tdes',
          keyVersion: 1,
          kcv: '08D7B4',
          outcome: 'success',
        }),
      ]);
    },
  );

  it('TDES: gives the full 8-byte response MAC (moov-io/dukpt cross-check)', async () => {
    const { store } = await storeWithBdks();
    const v = tdes.vectors[0]!;
    const mac = await store.generateDukptResponseMac({
      bdk: { id: 'bdk.tdes' },
      ksn: hexToBytes(v.ksn),
      message,
    });
    expect(mac.toString('hex').toUpperCase()).toBe(
      v.cross_check_moov_io_dukpt!.response_mac_8bytes,
    );
  });

  it.each(aes.mac_and_data_vectors.vectors)(
    'AES: gives the AES-CMAC under the mac-verification (2001) key at KSN $ksn',
    async (v) => {
      const { store } = await storeWithBdks();
      const mac = await store.generateDukptResponseMac({
        bdk: { id: 'bdk.aes' },
        ksn: hexToBytes(v.ksn),
        message,
      });
      expect(mac.toString('hex').toUpperCase()).toBe(
        v.expected['cmac_response (AES-CMAC, AES-128 key usage 2001)'],
      );
    },
  );

  it('verifies on the terminal side, which holds only its initial key (round trip, both schemes)', async () => {
    const { store } = await storeWithBdks();
    const ipek = tdesDukpt.deriveIpek(
      hexToBytes(tdes.common_inputs.bdk),
      hexToBytes(tdes.common_inputs.initial_ksn),
    );
    const tdesKsn = tdesKsnWithCounter(hexToBytes(tdes.common_inputs.initial_ksn), 77);
    const terminalTdes = macIso9797Alg3(
      tdesDukpt.workingKey(tdesDukpt.deriveTransactionKey(ipek, tdesKsn), 'mac-response'),
      message,
      1,
    );
    await expect(
      store.generateDukptResponseMac({ bdk: { id: 'bdk.tdes' }, ksn: tdesKsn, message }),
    ).resolves.toEqual(terminalTdes);

    const initialKey = aesDukpt.deriveInitialKey(
      hexToBytes(aes.bdk),
      hexToBytes(aes.initial_key_id),
    );
    const aesKsn = aesKsnWithCounter(hexToBytes(aes.initial_key_id), 77);
    const terminalAes = aesCmac(
      aesDukpt.workingKey(aesDukpt.deriveTransactionKey(initialKey, aesKsn), {
        ksn: aesKsn,
        usage: 'mac-verification',
        keyType: 'aes128',
      }),
      message,
    );
    await expect(
      store.generateDukptResponseMac({ bdk: { id: 'bdk.aes' }, ksn: aesKsn, message }),
    ).resolves.toEqual(terminalAes);
  });

  it('never gives the request MAC: a host cannot forge what a terminal sends', async () => {
    const { store } = await storeWithBdks();
    const v = tdes.vectors[0]!;
    const mac = await store.generateDukptResponseMac({
      bdk: { id: 'bdk.tdes' },
      ksn: hexToBytes(v.ksn),
      message,
    });
    expect(mac.subarray(0, 4).toString('hex').toUpperCase()).not.toBe(
      v.expected.request_mac_x919_4bytes,
    );
  });

  it('neither checks nor moves the KSN counter: a retransmission is answered under its original KSN', async () => {
    const { store } = await storeWithBdks();
    const ksn = hexToBytes(tdes.vectors[0]!.ksn);
    const first = await store.generateDukptResponseMac({ bdk: { id: 'bdk.tdes' }, ksn, message });
    await expect(
      store.generateDukptResponseMac({ bdk: { id: 'bdk.tdes' }, ksn, message }),
    ).resolves.toEqual(first);
    await expect(store.acceptDukptKsn({ bdk: { id: 'bdk.tdes' }, ksn })).resolves.toMatchObject({
      counter: 1,
    });
  });

  it('refuses a key that is not a BDK, and a KSN of the wrong scheme, auditing the refusal', async () => {
    const { store, audit } = await storeWithBdks();
    await expect(
      store.generateDukptResponseMac({
        bdk: { id: 'zpk' },
        ksn: hexToBytes(tdes.vectors[0]!.ksn),
        message,
      }),
    ).rejects.toMatchObject({ code: 'KEY_USAGE_VIOLATION' });
    await expect(
      store.generateDukptResponseMac({
        bdk: { id: 'bdk.aes' },
        ksn: hexToBytes(tdes.vectors[0]!.ksn),
        message,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_KSN', field: 'ksn' });
    expect(audit.events.map((e) => [e.type, e.outcome, e.reason])).toEqual([
      ['generate-dukpt-response-mac', 'failure', 'KEY_USAGE_VIOLATION'],
      ['generate-dukpt-response-mac', 'failure', 'INVALID_KSN'],
    ]);
  });
});
