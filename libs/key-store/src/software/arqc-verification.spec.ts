import { CRYPTOGRAM_VERSIONS, hexToBytes } from '@tillgate/crypto';
import type { CryptogramVersion, TransactionData } from '@tillgate/crypto';
import type { VerifyArqcRequest } from '../key-store';
import emv from '../test-data/emv-cvn.json';
import { aKeyStore } from '../testing/key-store.builder';

type CvnVector = (typeof emv.cvn_vectors)[number];

const PROFILES: Record<string, CryptogramVersion> = {
  'Visa CVN 10': CRYPTOGRAM_VERSIONS.visaCvn10,
  'Visa CVN 22': CRYPTOGRAM_VERSIONS.visaCvn22,
  'Mastercard CVN 16': CRYPTOGRAM_VERSIONS.mastercardCvn16,
  'Mastercard CVN 20': CRYPTOGRAM_VERSIONS.mastercardCvn20,
};

/**
 * The transaction as the issuer host receives it. Where a vector gives the
 * CVR alone, it is wrapped in the scheme's IAD layout (Visa format 0:
 * 06 DKI CVN CVR; M/Chip: DKI CVN CVR DAC counters) so the CVN is read
 * from 9F10 as in production.
 */
function requestOf(v: CvnVector): VerifyArqcRequest {
  const version = PROFILES[v.name]!;
  const i = v.inputs as unknown as Record<string, string | undefined>;
  const cvn = version.cvn.toString(16).padStart(2, '0');
  const iad =
    i['9F10'] ??
    (version.scheme === 'visa' ? `0601${cvn}${i.CVR}` : `01${cvn}${i.CVR}0000${'0'.repeat(16)}`);
  const tags = ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', '82', '9F36'] as const;
  const transaction = Object.fromEntries([
    ...tags.map((t) => [t, hexToBytes(i[t]!)]),
    ['9F10', hexToBytes(iad)],
  ]) as TransactionData;
  const arpc = v.expected.arpc as { method: number; arc?: string; csu?: string };
  return {
    issuerMasterKey: { id: `imk.${version.scheme}` },
    scheme: version.scheme,
    card: { pan: v.inputs.pan, psn: v.inputs.psn },
    transaction,
    arqc: hexToBytes(v.expected.arqc),
    response: arpc.method === 1 ? { arc: hexToBytes(arpc.arc!) } : { csu: hexToBytes(arpc.csu!) },
  };
}

// pyemv's CVN 22 example carries a format 0 IAD whose CVN byte is 12 (CVN 18: the same AC rules).
const NAME_IN_9F10: Record<string, string> = { 'Visa CVN 22': 'Visa CVN 18' };

const build = () =>
  aKeyStore()
    .withKey({
      id: 'imk.visa',
      kind: 'emv-issuer-master-key',
      algorithm: 'tdes',
      key: emv.cvn_vectors[0]!.inputs.issuer_master_keys.AC,
    })
    .withKey({
      id: 'imk.mastercard',
      kind: 'emv-issuer-master-key',
      algorithm: 'tdes',
      key: emv.cvn_vectors[0]!.inputs.issuer_master_keys.AC,
    })
    .withKey({
      id: 'bdk',
      kind: 'bdk',
      algorithm: 'tdes',
      key: emv.cvn_vectors[0]!.inputs.issuer_master_keys.AC,
    })
    .build();

describe('verify an ARQC and produce the ARPC', () => {
  it.each(emv.cvn_vectors)(
    '$name: the CVN is read from 9F10, the ARQC verifies and the ARPC is the published one',
    async (v) => {
      const { store, audit } = await build();
      const result = await store.verifyArqc(requestOf(v));
      expect(result.arpc.toString('hex').toUpperCase()).toBe(v.expected.arpc.expected_arpc);
      expect(result.cryptogramVersion).toBe(NAME_IN_9F10[v.name] ?? v.name);
      expect(audit.events).toEqual([
        expect.objectContaining({
          type: 'verify-arqc',
          keyVersion: 1,
          kcv: '08D7B4',
          outcome: 'success',
        }),
      ]);
    },
  );

  it('refuses an ARQC that does not verify (tampered amount) and gives no ARPC', async () => {
    const { store, audit } = await build();
    const request = requestOf(emv.cvn_vectors[1]!);
    const tampered = {
      ...request,
      transaction: { ...request.transaction, '9F02': hexToBytes('000000009999') },
    };
    await expect(store.verifyArqc(tampered)).rejects.toMatchObject({
      code: 'ARQC_VERIFICATION_FAILED',
      field: '9F26',
    });
    expect(audit.events).toEqual([
      expect.objectContaining({ outcome: 'failure', reason: 'ARQC_VERIFICATION_FAILED' }),
    ]);
  });

  it('refuses malformed card data with the tag at fault', async () => {
    const { store } = await build();
    const request = requestOf(emv.cvn_vectors[0]!);
    await expect(store.verifyArqc({ ...request, arqc: Buffer.alloc(4) })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: '9F26',
    });
    await expect(
      store.verifyArqc({
        ...request,
        transaction: { ...request.transaction, '9F10': hexToBytes('06010F03A06010') },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('derives card keys only from an issuer master key', async () => {
    const { store } = await build();
    await expect(
      store.verifyArqc({ ...requestOf(emv.cvn_vectors[0]!), issuerMasterKey: { id: 'bdk' } }),
    ).rejects.toMatchObject({
      code: 'KEY_USAGE_VIOLATION',
    });
  });
});
