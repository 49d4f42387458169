import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/cli-vectors.json';

const { common_inputs: tdes } = vectors.dukpt_tdes;

describe('tillgate crypto dukpt', () => {
  describe.each(vectors.dukpt_tdes.vectors)('TDES, X9.24-1 A.4 KSN $ksn', (v) => {
    const derived = v.derived_not_in_source as Record<string, string>;
    const find = (prefix: string) =>
      Object.entries(derived).find(([k]) => k.startsWith(prefix))![1];

    it.each([
      ['pin', 'pin_encryption_key'],
      ['mac-request', 'mac_request_key'],
      ['mac-response', 'mac_response_key'],
      ['data-request', 'data_request_key'],
      ['data-response', 'data_response_key'],
    ])('prints the IPEK, transaction key and the %s working key', async (usage, field) => {
      const out = await runCaptured([
        'crypto',
        'dukpt',
        '--bdk',
        tdes.bdk,
        '--ksn',
        v.ksn,
        '--usage',
        usage,
        '--json',
      ]);
      expect(out.code).toBe(0);
      expect(out.json()).toMatchObject({
        scheme: 'tdes',
        initialKey: tdes.expected_ipek,
        transactionKey: v.expected.transaction_key_base,
        usage,
        workingKey: find(field),
      });
    });
  });

  it('AES: the X9.24-3 initial key, transaction derivation key and working keys', async () => {
    const v = vectors.dukpt_aes.vectors[0]!;
    const out = await runCaptured([
      'crypto',
      'dukpt',
      '--bdk',
      v.bdk,
      '--ksn',
      v.ksn,
      '--usage',
      'mac-generation',
      '--json',
    ]);
    expect(out.json()).toMatchObject({
      scheme: 'aes',
      initialKeyId: vectors.dukpt_aes.initial_key.initial_key_id,
      initialKey: vectors.dukpt_aes.initial_key.expected_initial_key,
      transactionKey: v.expected.transaction_derivation_key,
      keyType: 'aes128',
      workingKey: v.working_keys[0]!.expected_key,
    });
  });

  it.each(vectors.dukpt_aes.working_keys.vectors)(
    'AES: pin, mac-generation and data-encrypt keys at KSN $ksn',
    async (v) => {
      const bdk = vectors.dukpt_aes.working_keys.bdk;
      for (const usage of ['pin', 'mac-generation', 'data-encrypt'] as const) {
        const out = await runCaptured([
          'crypto',
          'dukpt',
          '--bdk',
          bdk,
          '--ksn',
          v.ksn,
          '--usage',
          usage,
          '--key-type',
          'aes128',
          '--json',
        ]);
        expect(out.json().workingKey).toBe(v[usage]);
      }
    },
  );

  it('AES: a 2TDEA working key from an AES BDK', async () => {
    const v = vectors.dukpt_aes.vectors[0]!;
    const out = await runCaptured([
      'crypto',
      'dukpt',
      '--bdk',
      v.bdk,
      '--ksn',
      v.ksn,
      '--key-type',
      'tdes2',
      '--json',
    ]);
    expect(out.code).toBe(0);
    expect(String(out.json().workingKey)).toMatch(/^[0-9A-F]{32}$/);
  });
});
