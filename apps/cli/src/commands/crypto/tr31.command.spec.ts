import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/cli-vectors.json';

describe('tillgate crypto tr31', () => {
  it.each(vectors.tr31)('unwraps the version $version block: header, key and KCV', async (v) => {
    const out = await runCaptured([
      'crypto',
      'tr31',
      'unwrap',
      '--kbpk',
      v.kbpk,
      '--block',
      v.key_block,
      '--json',
    ]);
    expect(out.code).toBe(0);
    const result = out.json() as { header: Record<string, unknown>; key: string; kcv: string };
    expect(result.key).toBe(v.expected_key);
    expect(result.kcv).toBe(v.expected_kcv);
    expect(result.header).toMatchObject({
      version: v.version,
      keyUsage: v.header.slice(5, 7),
      algorithm: v.header[7],
      modeOfUse: v.header[8],
      exportability: v.header[11],
    });
  });

  it.each([
    [
      'version D with optional blocks that need padding',
      'D0000P0AE00E0200KS1800604B120F9292800000LB08ZPK1',
    ],
    ['version B without optional blocks', 'B0000M3TC00E0000'],
  ])('wraps under a %s header, and unwraps back', async (_what, header) => {
    const kbpk =
      header[0] === 'D'
        ? '88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6'
        : 'DD7515F2BFC17F85CE48F3CA25CB21F6';
    const key =
      header[7] === 'A' ? '000102030405060708090A0B0C0D0E0F' : '3F419E1CB7079442AA37474C2EFBF8B8';
    const wrapped = await runCaptured([
      'crypto',
      'tr31',
      'wrap',
      '--kbpk',
      kbpk,
      '--header',
      header,
      '--key',
      key,
      '--json',
    ]);
    expect(wrapped.code).toBe(0);
    const keyBlock = String(wrapped.json().keyBlock);
    expect(keyBlock.slice(5, 12)).toBe(header.slice(5, 12));
    const unwrapped = await runCaptured([
      'crypto',
      'tr31',
      'unwrap',
      '--kbpk',
      kbpk,
      '--block',
      keyBlock,
      '--json',
    ]);
    expect(unwrapped.json().key).toBe(key);
    const blocks = (
      unwrapped.json().header as { optionalBlocks: { id: string }[] }
    ).optionalBlocks.map((b) => b.id);
    expect(blocks.filter((id) => id !== 'PB')).toEqual(header.length > 16 ? ['KS', 'LB'] : []);
  });

  it('refuses a block whose MAC does not verify, in one line with exit code 2', async () => {
    const v = vectors.tr31[2]!;
    const tampered = v.key_block.slice(0, -1) + (v.key_block.endsWith('0') ? '1' : '0');
    const out = await runCaptured([
      'crypto',
      'tr31',
      'unwrap',
      '--kbpk',
      v.kbpk,
      '--block',
      tampered,
    ]);
    expect(out).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'tillgate: key block MAC does not verify (wrong KBPK, or the block was altered)\n',
    });
  });
});
