import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaptured } from '../../testing/run-captured';

// The echo test 0800 of docs/iso8583.md ("Examples"): F7 0506100000, F11 000001, F70 301.
const ECHO_HEX =
  '30383030' +
  '8220000000000000' +
  '0400000000000000' +
  '30353036313030303030' +
  '303030303031' +
  '333031';
const ECHO_JSON = { mti: '0800', fields: { 7: '0506100000', 11: '000001', 70: '301' } };

const AUTHORIZATION = {
  mti: '0100',
  fields: {
    '2': '4761739001010119',
    '3': { transactionType: '00', fromAccount: '00', toAccount: '00' },
    '4': '000000001000',
    '7': '0506101530',
    '11': '000123',
    '12': '181530',
    '13': '0506',
    '22': { panEntryMode: '05', pinEntryCapability: '1' },
    '25': '00',
    '35': '4761739001010119=25122011143801234',
    '41': 'TERM0001',
    '42': 'MERCHANT0000001',
    '49': '156',
    '52': '0123456789ABCDEF',
    '55': '9F2701809F3602001C',
  },
};

describe('tillgate iso8583', () => {
  it('encodes the JSON form to the hex of docs/iso8583.md, and decodes it back', async () => {
    const encoded = await runCaptured(['iso8583', 'encode', JSON.stringify(ECHO_JSON)]);
    expect(encoded).toMatchObject({ code: 0, stderr: '', stdout: `${ECHO_HEX.toUpperCase()}\n` });
    const decoded = await runCaptured(['iso8583', 'decode', '--json', ECHO_HEX]);
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout)).toEqual(ECHO_JSON);
  });

  it('round-trips binary and TLV fields as upper-case hex, with --spec naming the acquirer spec', async () => {
    const { stdout: hex } = await runCaptured([
      'iso8583',
      'encode',
      '--spec',
      'acquirer',
      JSON.stringify(AUTHORIZATION),
    ]);
    const { stdout } = await runCaptured([
      'iso8583',
      'decode',
      '--spec',
      'tillgate-acquirer-1987',
      '--json',
      hex.trim(),
    ]);
    expect(JSON.parse(stdout)).toEqual(AUTHORIZATION);
  });

  it('reads the JSON from a file with @file, and frames with the host link header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tillgate-iso-'));
    try {
      const file = join(dir, 'echo.json');
      writeFileSync(file, JSON.stringify(ECHO_JSON));
      const { stdout } = await runCaptured(['iso8583', 'encode', '--framed', `@${file}`]);
      expect(stdout).toBe(`0027${ECHO_HEX.toUpperCase()}\n`);
      const decoded = await runCaptured(['iso8583', 'decode', '--framed', '--json', stdout.trim()]);
      expect(JSON.parse(decoded.stdout)).toEqual(ECHO_JSON);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints one line per field with names, masks the PAN and track 2, shows field 55 as a tree', async () => {
    const { stdout: hex } = await runCaptured(['iso8583', 'encode', JSON.stringify(AUTHORIZATION)]);
    const { code, stdout } = await runCaptured(['iso8583', 'decode', hex.trim()]);
    expect(code).toBe(0);
    expect(stdout).toContain('MTI 0100  Authorization request');
    expect(stdout).toMatch(/^ {2}2 Primary account number +476173\*{6}0119$/m);
    expect(stdout).toMatch(/^ 35 Track 2 data +476173\*{6}0119=2512201\*{10}$/m);
    expect(stdout).toMatch(
      /^ {2}3 Processing code +transactionType=00 fromAccount=00 toAccount=00$/m,
    );
    expect(stdout).toMatch(/^ 55 .+ \[9 bytes\]\n {6}9F27 Cryptogram Information Data \[1\] 80$/m);
    expect(stdout).not.toContain('4761739001010119');
  });

  it.each([
    [
      'decode',
      ['decode', '30383030'],
      /^tillgate: bitmap: bitmap needs 8 bytes, 0 left \(at byte 4\)$/m,
    ],
    ['decode', ['decode', '3038303'], /<hex> has an odd number of hex digits/],
    [
      'decode',
      ['decode', '--spec', 'visa-base1', ECHO_HEX],
      /--spec: unknown spec "visa-base1" \(known: acquirer, tillgate-acquirer-1987\)/,
    ],
    [
      'decode',
      ['decode', '--framed', `0099${ECHO_HEX}`],
      /--framed: the length header does not match/,
    ],
    ['encode', ['encode', '{"mti":"0800"'], /<json> is not valid JSON/],
    [
      'encode',
      ['encode', JSON.stringify({ ...ECHO_JSON, fields: { 7: '0506100000', 11: '000001' } })],
      /field 70: is mandatory in a 0800/,
    ],
    [
      'encode',
      ['encode', JSON.stringify({ mti: '0100', fields: { 52: 'XYZ' } })],
      /fields\.52: expected an even number of hex digits/,
    ],
    [
      'encode',
      ['encode', JSON.stringify({ mti: '0800', fields: { 300: '1' } })],
      /fields\.300: spec "tillgate-acquirer-1987" has no field 300/,
    ],
    [
      'encode',
      ['encode', JSON.stringify({ ...ECHO_JSON, fields: { ...ECHO_JSON.fields, 11: '1' } })],
      /field 11: .*6/,
    ],
  ])(
    'bad input (%s %#): one line on stderr, exit 2, no stack trace',
    async (_cmd, args, message) => {
      const { code, stdout, stderr } = await runCaptured(['iso8583', ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );
});
