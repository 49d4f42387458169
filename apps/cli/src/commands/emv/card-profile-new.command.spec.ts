import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateCardProfile,
  parseCardProfile,
  seededRandom,
  serializeCardProfile,
} from '@tillgate/emv';
import { runCaptured } from '../../testing/run-captured';

describe('tillgate emv card-profile new', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-card-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with --seed writes the card generateCardProfile gives for that seed, every time', async () => {
    const first = await runCaptured(['emv', 'card-profile', 'new', '--seed', 'cli-card']);
    const again = await runCaptured(['emv', 'card-profile', 'new', '--seed', 'cli-card']);
    expect(first.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(first.stdout).toBe(
      `${serializeCardProfile(generateCardProfile({ random: seededRandom('cli-card') }))}\n`,
    );
  });

  it('honours --pin, --expiry and --bin, and writes --out readable by the owner only', async () => {
    const out = join(dir, 'card.json');
    const { code, stdout } = await runCaptured([
      'emv',
      'card-profile',
      'new',
      '--seed',
      's',
      '--pin',
      '8642',
      '--expiry',
      '301130',
      '--bin',
      '541333',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote a test card profile to ${out}\n`);
    const card = parseCardProfile(readFileSync(out, 'utf8'));
    expect(card).toMatchObject({ pin: '8642', expiryDate: '301130' });
    expect(card.pan.startsWith('541333')).toBe(true);
    expect(statSync(out).mode & 0o077).toBe(0);

    const refused = await runCaptured(['emv', 'card-profile', 'new', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`tillgate: ${out} already exists (add --force to overwrite)\n`);
    expect((await runCaptured(['emv', 'card-profile', 'new', '--out', out, '--force'])).code).toBe(
      0,
    );
  });

  it.each([
    [['--pin', '12'], /PIN is 4-12 digits/],
    [['--expiry', '2030-11'], /dates are YYMMDD/],
    [['--bin', '4x'], /--bin must be 6 to 11 digits/],
  ])('bad option %j: one line on stderr, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await runCaptured([
      'emv',
      'card-profile',
      'new',
      '--seed',
      's',
      ...args,
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
