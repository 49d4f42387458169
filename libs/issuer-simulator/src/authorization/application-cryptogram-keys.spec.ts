import { CRYPTOGRAM_VERSIONS, deriveAcKeys, generateArpc, type CardKeys } from '@tillgate/crypto';
import { CardDatabase } from '../cards/card-database';
import type { CryptogramVersionName } from '../cards/card-account';
import { aCardProfile, anAccount, emulatorFor } from '../testing/simulator.harness';
import { acKeysFor } from './application-cryptogram-keys';
import { checkChipData } from './chip-data.verifier';
import { issuerAuthenticationData } from './issuer-authentication';
import type { TlvNode } from '@tillgate/emv';

// The simulator derives a card's ICC master key once and each transaction's
// session key once (for the ARQC and the ARPC); these must be exactly the
// keys and ARPCs @tillgate/crypto derives from the issuer master key.

const profile = aCardProfile('ac-keys-card');
const names = Object.keys(CRYPTOGRAM_VERSIONS) as CryptogramVersionName[];

describe.each(names)('%s', (name) => {
  const version = CRYPTOGRAM_VERSIONS[name];
  const account = anAccount(profile, { cryptogramVersion: name });
  const card = new CardDatabase([account]).find(profile.pan)!;
  const keys: CardKeys = {
    issuerMasterKey: Buffer.from(profile.issuerMasterKeys.ac),
    card: { pan: profile.pan, psn: profile.panSequenceNumber },
  };
  const issued = emulatorFor(account).authorization({ amount: 1_234, stan: 1 });

  it('derives the ICC master key and session key deriveAcKeys derives', () => {
    const expected = deriveAcKeys(version, keys, issued.transaction);
    expect(card.iccMasterKey).toEqual(expected.iccMasterKey);
    expect(acKeysFor(version, card.iccMasterKey, issued.transaction)).toEqual(expected);
  });

  it('verifies the card’s ARQC and makes the ARPC generateArpc makes, for approvals and declines', () => {
    const check = checkChipData(issued.request.fields[55] as TlvNode[], card, {
      amount: '000000001234',
      currency: '156',
    });
    if (check.outcome !== 'verified') throw new Error(`not verified: ${check.reason}`);
    for (const code of ['00', '51'] as const) {
      const tag91 = Buffer.from(issuerAuthenticationData(check, code));
      const response =
        version.arpc.method === 1
          ? { arc: Buffer.from(code, 'ascii') }
          : { csu: tag91.subarray(4, 8) };
      const arpc = generateArpc(version, keys, issued.transaction, issued.arqc, response);
      expect(tag91.subarray(0, arpc.length)).toEqual(arpc);
    }
  });
});
