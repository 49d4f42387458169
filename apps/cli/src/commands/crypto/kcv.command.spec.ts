import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/cli-vectors.json';

describe('tillgate crypto kcv', () => {
  it.each(vectors.kcv)('$key_type: $expected_kcv', async (v) => {
    const algorithm = v.key_type.startsWith('AES') ? 'aes' : 'tdes';
    const length = String(v.expected_kcv.length / 2);
    const out = await runCaptured([
      'crypto',
      'kcv',
      '--key',
      v.key.toLowerCase(),
      '--algorithm',
      algorithm,
      '--length',
      length,
      '--json',
    ]);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.json()).toMatchObject({ algorithm, kcv: v.expected_kcv });
  });

  it('prints aligned text by default: a 3-byte TDES KCV and whether the key has odd parity', async () => {
    const out = await runCaptured(['crypto', 'kcv', '--key', '0123456789ABCDEFFEDCBA9876543210']);
    expect(out.stdout).toBe('algorithm  tdes\nkcv        08D7B4\noddParity  true\n');
  });

  it('gives AES keys a 5-byte CMAC KCV by default', async () => {
    const out = await runCaptured([
      'crypto',
      'kcv',
      '--key',
      vectors.kcv[2]!.key,
      '--algorithm',
      'aes',
      '--json',
    ]);
    expect(out.json().kcv).toBe(vectors.kcv[2]!.expected_kcv);
  });
});
