import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/tlv-decode.json';

describe('tillgate emv tlv decode', () => {
  it.each(vectors.vectors.map((v) => [v.name, v] as const))('--json: %s', async (_name, vector) => {
    const { code, stdout, stderr } = await runCaptured([
      'emv',
      'tlv',
      'decode',
      '--json',
      vector.hex,
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual(vector.tree);
  });

  it('prints an indented tree with tag names, text values as text and track 2 masked', async () => {
    const { code, stdout } = await runCaptured(['emv', 'tlv', 'decode', vectors.vectors[0].hex]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        '70 READ RECORD Response Message Template [45]',
        '  9F39 Point-of-Service (POS) Entry Mode [1] 05',
        '  50 Application Label [12] 564953412025435245444954 "VISA %CREDIT"',
        '  57 Track 2 Equivalent Data [16] 401234****9095D2512201********* (masked)',
        '  82 Application Interchange Profile [2] 5900',
        '  9F15 Merchant Category Code [2] 5999',
        '',
      ].join('\n'),
    );
  });

  it('keeps a template’s value bytes as received and names unknown tags null', async () => {
    // E1 is a proprietary template; DF7F is unknown; the template uses a non-minimal length form (81 04).
    const { stdout } = await runCaptured(['emv', 'tlv', 'decode', '--json', 'E18104 DF7F0101']);
    expect(JSON.parse(stdout)).toEqual([
      {
        tag: 'E1',
        name: 'Proprietary template',
        length: 4,
        value: 'DF7F0101',
        children: [{ tag: 'DF7F', name: null, length: 1, value: '01' }],
      },
    ]);
  });

  it.each([
    ['odd-length hex', '9F020', /<hex> has an odd number of hex digits \(5\)/],
    ['not hex', '9F02ZZ', /<hex> must be hex digits only/],
    ['a value running past the end', '702D9F3901', /not valid BER-TLV: .* \(at byte 2\)/],
    ['indefinite length', '7080', /not valid BER-TLV: .*indefinite/i],
  ])('bad input (%s): one line on stderr, exit 2', async (_what, hex, message) => {
    const { code, stdout, stderr } = await runCaptured(['emv', 'tlv', 'decode', hex]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('tillgate emv usage errors', () => {
  it.each([
    [['emv', 'tlv', 'decode'], "error: missing required argument 'hex'\n"],
    [['emv', 'frobnicate'], "error: unknown command 'frobnicate'\n"],
  ])('%j: commander’s one line on stderr, exit 2', async (argv, message) => {
    expect(await runCaptured(argv)).toMatchObject({ code: 2, stdout: '', stderr: message });
  });
});
