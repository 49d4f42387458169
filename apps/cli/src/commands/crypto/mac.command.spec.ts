import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/cli-vectors.json';

const [alg1, alg3, cmac] = vectors.macs as unknown as Array<{
  inputs: Record<string, string | number>;
  expected_mac: string;
}>;

describe('tillgate crypto mac', () => {
  it('ISO 9797-1 algorithm 1, 2-key TDES, padding 1', async () => {
    const out = await runCaptured([
      'crypto',
      'mac',
      '--algorithm',
      'iso9797-1-1',
      '--key',
      String(alg1!.inputs.key),
      '--data',
      String(alg1!.inputs.data_hex),
      '--json',
    ]);
    expect(out.json()).toEqual({ algorithm: 'iso9797-1-1', mac: alg1!.expected_mac });
  });

  it('ISO 9797-1 algorithm 3 (retail MAC), truncated to 4 bytes', async () => {
    const key = `${alg3!.inputs.key_left_K}${alg3!.inputs["key_right_K'"]}`;
    const out = await runCaptured([
      'crypto',
      'mac',
      '--algorithm',
      'iso9797-1-3',
      '--key',
      key,
      '--data',
      String(alg3!.inputs.data_hex),
      '--padding',
      '1',
      '--length',
      '4',
    ]);
    expect(out.stdout).toBe(
      `algorithm  iso9797-1-3\nmac        ${alg3!.expected_mac.slice(0, 8)}\n`,
    );
  });

  it('AES-CMAC (RFC 4493)', async () => {
    const out = await runCaptured([
      'crypto',
      'mac',
      '--algorithm',
      'cmac',
      '--key',
      String(cmac!.inputs.key),
      '--data',
      String(cmac!.inputs.message),
      '--json',
    ]);
    expect(out.json().mac).toBe(cmac!.expected_mac);
  });
});
