import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adjustOddParity, bytesToHex, hexToBytes, kcv, xor } from '@tillgate/crypto';
import { runCaptured } from '../testing/run-captured';

const MASTER_KEY = '6B1A0D3E4F57C2891E3D5A7B9C0F2E4D6A8B1C3D5E7F90A2B4C6D8E0F1A3B5C7';
const env = { TILLGATE_MASTER_KEY: MASTER_KEY };
const BDK = hexToBytes('0123456789ABCDEFFEDCBA9876543210'); // KCV 08D7B4

/** Two custodians' components of the X9.24-1 test BDK, odd parity, each with its KCV. */
const first = adjustOddParity(hexToBytes('1F2E3D4C5B6A79880F1E2D3C4B5A6978'));
const second = adjustOddParity(xor(BDK, first));
const component = (c: Buffer) => `${bytesToHex(c)}:${bytesToHex(kcv(c, 'tdes'))}`;

function aStore() {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-keys-'));
  return { store: join(dir, 'keys.json'), audit: join(dir, 'keys.audit.jsonl') };
}

describe('tillgate keys', () => {
  it('imports from components, lists with KCVs, rotates and retires, never printing key material', async () => {
    const { store, audit } = aStore();
    const imported = await runCaptured(
      [
        'keys',
        'import',
        '--store',
        store,
        '--id',
        'bdk.pos',
        '--usage',
        'bdk',
        '--algorithm',
        'tdes',
        '--component',
        component(first),
        '--component',
        component(second),
        '--kcv',
        '08D7B4',
        '--json',
      ],
      env,
    );
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.json()).toEqual({
      id: 'bdk.pos',
      version: 1,
      usage: 'bdk (B0)',
      algorithm: 'tdes-128',
      kcv: '08D7B4',
      status: 'active',
      integrity: 'verified',
    });

    expect(
      (
        await runCaptured(
          [
            'keys',
            'generate',
            '--store',
            store,
            '--id',
            'zpk',
            '--usage',
            'pin-encryption',
            '--algorithm',
            'aes',
          ],
          env,
        )
      ).code,
    ).toBe(0);
    expect((await runCaptured(['keys', 'rotate', '--store', store, '--id', 'zpk'], env)).code).toBe(
      0,
    );
    expect(
      (
        await runCaptured(
          ['keys', 'retire', '--store', store, '--id', 'zpk', '--version', '1'],
          env,
        )
      ).code,
    ).toBe(0);

    const list = await runCaptured(['keys', 'list', '--store', store], env);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+VERSION\s+USAGE\s+ALGORITHM\s+KCV\s+STATUS\s+INTEGRITY$/);
    expect(lines[1]).toMatch(/^bdk\.pos\s+1\s+bdk \(B0\)\s+tdes-128\s+08D7B4\s+active\s+verified$/);
    expect(lines[2]).toMatch(
      /^zpk\s+1\s+pin-encryption \(P0\)\s+aes-256\s+[0-9A-F]{10}\s+retired\s+verified$/,
    );
    expect(lines[3]).toMatch(
      /^zpk\s+2\s+pin-encryption \(P0\)\s+aes-256\s+[0-9A-F]{10}\s+active\s+verified$/,
    );

    const everything = [
      imported.stdout,
      list.stdout,
      readFileSync(store, 'utf8'),
      readFileSync(audit, 'utf8'),
    ]
      .join('\n')
      .toUpperCase();
    for (const secret of [bytesToHex(BDK), bytesToHex(first), bytesToHex(second), MASTER_KEY])
      expect(everything).not.toContain(secret);
    expect(
      readFileSync(audit, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual([
      'import-key',
      'generate-key',
      'rotate-key',
      'retire-key',
      'list-keys',
      'list-keys',
      'list-keys',
    ]);
  });

  it.each([
    [
      'a component that does not match its KCV',
      [component(first), `${bytesToHex(second)}:000000`],
      '08D7B4',
      /COMPONENT_KCV_MISMATCH: component 2 does not match/,
    ],
    [
      'a combined key that does not match its KCV',
      [component(first), component(second)],
      '000000',
      /COMBINED_KCV_MISMATCH/,
    ],
    [
      'a component without odd parity',
      [
        component(first),
        `${bytesToHex(xor(BDK, first))}:${bytesToHex(kcv(xor(BDK, first), 'tdes'))}`,
      ],
      '08D7B4',
      /does not have odd parity/,
    ],
    ['a single component', [component(first)], '08D7B4', /--component must be given 2 or 3 times/],
    [
      'a component without its KCV',
      [component(first), bytesToHex(second)],
      '08D7B4',
      /--component 2 must be HEX:KCV/,
    ],
  ])('refuses %s with exit code 2', async (_what, components, combined, message) => {
    const { store } = aStore();
    const out = await runCaptured(
      [
        'keys',
        'import',
        '--store',
        store,
        '--id',
        'bdk',
        '--usage',
        'bdk',
        '--algorithm',
        'tdes',
        ...components.flatMap((c) => ['--component', c]),
        '--kcv',
        combined,
      ],
      env,
    );
    expect(out).toMatchObject({ code: 2, stdout: '' });
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('rotates to a version formed from components, keeping the usage and algorithm', async () => {
    const { store } = aStore();
    await runCaptured(
      [
        'keys',
        'generate',
        '--store',
        store,
        '--id',
        'bdk',
        '--usage',
        'bdk',
        '--algorithm',
        'tdes',
      ],
      env,
    );
    const rotated = await runCaptured(
      [
        'keys',
        'rotate',
        '--store',
        store,
        '--id',
        'bdk',
        '--component',
        component(first),
        '--component',
        component(second),
        '--kcv',
        '08D7B4',
        '--json',
      ],
      env,
    );
    expect(rotated.json()).toMatchObject({
      id: 'bdk',
      version: 2,
      usage: 'bdk (B0)',
      kcv: '08D7B4',
      status: 'active',
    });
    const half = await runCaptured(
      ['keys', 'rotate', '--store', store, '--id', 'bdk', '--kcv', '08D7B4'],
      env,
    );
    expect(half).toMatchObject({
      code: 2,
      stderr: 'tillgate: --component and --kcv go together\n',
    });
  });

  it('needs the master key, and never echoes a malformed one', async () => {
    const { store } = aStore();
    const missing = await runCaptured(['keys', 'list', '--store', store], {});
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('TILLGATE_MASTER_KEY: required'),
    });
    const malformed = await runCaptured(['keys', 'list', '--store', store], {
      TILLGATE_MASTER_KEY: MASTER_KEY.slice(1),
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).not.toContain(MASTER_KEY.slice(1));
  });

  it('refuses an unknown usage and an existing id', async () => {
    const { store } = aStore();
    expect(
      (
        await runCaptured(
          [
            'keys',
            'generate',
            '--store',
            store,
            '--id',
            'k',
            '--usage',
            'pin',
            '--algorithm',
            'aes',
          ],
          env,
        )
      ).code,
    ).toBe(2);
    await runCaptured(
      ['keys', 'generate', '--store', store, '--id', 'k', '--usage', 'mac', '--algorithm', 'aes'],
      env,
    );
    const again = await runCaptured(
      ['keys', 'generate', '--store', store, '--id', 'k', '--usage', 'mac', '--algorithm', 'aes'],
      env,
    );
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('KEY_ALREADY_EXISTS') });
  });

  it('shows a tampered key block as FAILED, and every block as FAILED under another master key', async () => {
    const { store } = aStore();
    await runCaptured(
      ['keys', 'generate', '--store', store, '--id', 'zmk', '--usage', 'mac', '--algorithm', 'aes'],
      env,
    );
    await runCaptured(
      [
        'keys',
        'generate',
        '--store',
        store,
        '--id',
        'zpk',
        '--usage',
        'pin-encryption',
        '--algorithm',
        'tdes',
      ],
      env,
    );
    const file = JSON.parse(readFileSync(store, 'utf8'));
    const block: string = file.keys[0].keyBlock;
    file.keys[0].keyBlock = block.slice(0, -1) + (block.endsWith('0') ? '1' : '0');
    writeFileSync(store, JSON.stringify(file));
    const list = await runCaptured(['keys', 'list', '--store', store, '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: 'zmk', integrity: 'FAILED KEY_BLOCK_TAMPERED' }),
      expect.objectContaining({ id: 'zpk', integrity: 'verified' }),
    ]);
    const other = await runCaptured(['keys', 'list', '--store', store, '--json'], {
      TILLGATE_MASTER_KEY: '00'.repeat(32),
    });
    expect(JSON.parse(other.stdout).map((k: { integrity: string }) => k.integrity)).toEqual([
      'FAILED MASTER_KEY_MISMATCH',
      'FAILED MASTER_KEY_MISMATCH',
    ]);
  });

  it('exits 1 on a store file that is not a key store', async () => {
    const { store } = aStore();
    writeFileSync(store, '{"format":"something else"}');
    const out = await runCaptured(['keys', 'list', '--store', store], env);
    expect(out).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^tillgate: STORE_CORRUPT: .* is not a tillgate-key-store\/1 file\n$/,
      ),
    });
  });
});
