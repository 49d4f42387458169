import { bytesToHex, hexToBytes } from '@tillgate/crypto';
import macs from '../test-data/zone-mac.json';
import { aKeyStore } from '../testing/key-store.builder';

type MacVector = { inputs: Record<string, string>; expected_mac: string };
const [retailPad1, retailPad2, cmac256] = macs.vectors as unknown as MacVector[];
const retailKey = (v: MacVector) => v.inputs.key_left_K! + v.inputs["key_right_K'"]!;

describe('zone MAC keys: generate and verify a MAC', () => {
  it('TDES zone key: ISO 9797-1 algorithm 3 (retail MAC), padding methods 1 and 2', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'zak.1', kind: 'mac', algorithm: 'tdes', key: retailKey(retailPad1!) })
      .withKey({ id: 'zak.2', kind: 'mac', algorithm: 'tdes', key: retailKey(retailPad2!) })
      .build();
    const data = hexToBytes(retailPad1!.inputs.data_hex);
    expect(bytesToHex(await store.generateMac({ key: { id: 'zak.1' }, data }))).toBe(
      retailPad1!.expected_mac,
    );
    expect(bytesToHex(await store.generateMac({ key: { id: 'zak.2' }, data, padding: 2 }))).toBe(
      retailPad2!.expected_mac,
    );
    await expect(
      store.verifyMac({
        key: { id: 'zak.1' },
        data,
        mac: hexToBytes(retailPad1!.expected_mac).subarray(0, 4),
      }),
    ).resolves.toBeUndefined();
  });

  it('AES-256 zone key: CMAC (NIST SP 800-38B)', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'zak.aes', kind: 'mac', algorithm: 'aes', key: cmac256!.inputs.key })
      .build();
    const data = hexToBytes(cmac256!.inputs.message);
    expect(bytesToHex(await store.generateMac({ key: { id: 'zak.aes' }, data }))).toBe(
      cmac256!.expected_mac,
    );
    await expect(
      store.verifyMac({ key: { id: 'zak.aes' }, data, mac: hexToBytes(cmac256!.expected_mac) }),
    ).resolves.toBeUndefined();
  });

  it('refuses a wrong MAC and a MAC too short', async () => {
    const { store } = await aKeyStore()
      .withKey({ id: 'zak.aes', kind: 'mac', algorithm: 'aes', key: cmac256!.inputs.key })
      .build();
    const data = hexToBytes(cmac256!.inputs.message);
    const wrong = hexToBytes(cmac256!.expected_mac);
    wrong[15]! ^= 1;
    await expect(
      store.verifyMac({ key: { id: 'zak.aes' }, data, mac: wrong }),
    ).rejects.toMatchObject({ code: 'MAC_VERIFICATION_FAILED' });
    await expect(
      store.verifyMac({ key: { id: 'zak.aes' }, data, mac: wrong.subarray(0, 4) }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'mac',
    });
  });
});
