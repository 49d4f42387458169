import { runCaptured } from '../../testing/run-captured';

const BDK = '0123456789ABCDEFFEDCBA9876543210';

/** Each bad invocation: one line on stderr naming the problem, nothing on stdout, exit code 2, no stack trace. */
const cases: Array<[string, string[], RegExp]> = [
  [
    'odd-length hex',
    ['crypto', 'kcv', '--key', '0123456789ABCDEFFEDCBA987654321'],
    /--key has an odd number of hex digits \(31\)/,
  ],
  [
    'a character that is not hex',
    ['crypto', 'kcv', '--key', '0123456789ABCDEFFEDCBA987654321G'],
    /--key must be hex digits only/,
  ],
  [
    'a key of the wrong length',
    ['crypto', 'kcv', '--key', '0123456789ABCDEF01', '--algorithm', 'tdes'],
    /--key must be 8 bytes .* or 16 bytes .* or 24 bytes/,
  ],
  [
    'an AES key length for TDES',
    [
      'crypto',
      'pin',
      'encrypt',
      '--format',
      '0',
      '--key',
      BDK + BDK,
      '--pin',
      '1234',
      '--pan',
      '4111111111111111',
    ],
    /--key must be 16 bytes/,
  ],
  [
    'an unknown algorithm',
    ['crypto', 'kcv', '--key', BDK, '--algorithm', 'des'],
    /argument 'des' is invalid/,
  ],
  [
    'a missing option',
    ['crypto', 'mac', '--algorithm', 'cmac', '--key', BDK],
    /required option '--data <hex>' not specified/,
  ],
  [
    'an unknown TDES DUKPT usage',
    ['crypto', 'dukpt', '--bdk', BDK, '--ksn', 'FFFF9876543210E00001', '--usage', 'mac-generation'],
    /not a TDES DUKPT usage/,
  ],
  [
    'an unknown AES DUKPT usage',
    [
      'crypto',
      'dukpt',
      '--bdk',
      BDK,
      '--ksn',
      '123456789012345600000001',
      '--usage',
      'mac-request',
    ],
    /not an AES DUKPT usage/,
  ],
  [
    'a key type with TDES DUKPT',
    ['crypto', 'dukpt', '--bdk', BDK, '--ksn', 'FFFF9876543210E00001', '--key-type', 'aes128'],
    /--key-type applies to AES DUKPT/,
  ],
  [
    'an unknown AES key type',
    ['crypto', 'dukpt', '--bdk', BDK, '--ksn', '123456789012345600000001', '--key-type', 'aes512'],
    /not an AES DUKPT key type/,
  ],
  [
    'a KSN of 11 bytes',
    ['crypto', 'dukpt', '--bdk', BDK, '--ksn', 'FFFF9876543210E0000100'],
    /--ksn must be 10 bytes .* or 12 bytes/,
  ],
  [
    'a KSN whose counter no device uses',
    ['crypto', 'dukpt', '--bdk', BDK, '--ksn', 'FFFF9876543210E00000'],
    /counter 0 denotes the initial key/,
  ],
  [
    'a stronger AES working key than the BDK',
    ['crypto', 'dukpt', '--bdk', BDK, '--ksn', '123456789012345600000001', '--key-type', 'aes256'],
    /cannot derive a stronger aes256 key/,
  ],
  [
    'a PIN block format outside the command',
    ['crypto', 'pin', 'encrypt', '--format', '2', '--key', BDK, '--pin', '1234'],
    /argument '2' is invalid/,
  ],
  [
    'a format that needs the PAN, without it',
    ['crypto', 'pin', 'encode', '--format', '0', '--pin', '1234'],
    /--pan is required for format 0/,
  ],
  [
    'a PIN of letters',
    ['crypto', 'pin', 'encode', '--format', '2', '--pin', '12a4'],
    /PIN must contain decimal digits only/,
  ],
  [
    'a PIN block under the wrong PAN',
    [
      'crypto',
      'pin',
      'decode',
      '--format',
      '0',
      '--block',
      '041274EDCBA9876F',
      '--pan',
      '4111111111111111',
    ],
    /does not decode under this PAN/,
  ],
  [
    'padding with CMAC',
    ['crypto', 'mac', '--algorithm', 'cmac', '--key', BDK, '--data', '00', '--padding', '2'],
    /--padding does not apply to CMAC/,
  ],
  [
    'a TR-31 header of another version',
    ['crypto', 'tr31', 'wrap', '--kbpk', BDK, '--header', 'X0000P0TE00E0000', '--key', BDK],
    /must start with a key block version/,
  ],
  [
    'an AES KBPK for a version B block',
    ['crypto', 'tr31', 'wrap', '--kbpk', BDK + BDK, '--header', 'B0000P0TE00E0000', '--key', BDK],
    /--kbpk must be 16 bytes .* or 24 bytes/,
  ],
  [
    'a truncated key block',
    ['crypto', 'tr31', 'unwrap', '--kbpk', BDK, '--block', 'B0080P0TE00E0000'],
    /length field says 80 characters/,
  ],
  [
    'an ARPC method 1 without ARC',
    ['crypto', 'emv', 'arpc', '--method', '1', '--key', BDK, '--arqc', '4B46013359B7A58B'],
    /--arc is required for method 1/,
  ],
  [
    'a session key with neither ATC nor R',
    ['crypto', 'emv', 'session-key', '--icc-key', BDK],
    /give --atc/,
  ],
  ['an unknown command', ['crypto', 'hsm'], /unknown command 'hsm'/],
];

describe('bad input: one clear line on stderr and exit code 2, never a stack trace', () => {
  it.each(cases)('%s', async (_what, argv, message) => {
    const out = await runCaptured(argv);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
