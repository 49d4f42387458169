import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/cli-vectors.json';

const [format0Encode, format0Decode, format2, format4Decrypt, format4Fixed] =
  vectors.pin_blocks as unknown as Array<{
    inputs: Record<string, string>;
    expected: Record<string, string>;
  }>;
const a4 = vectors.dukpt_tdes.vectors[0]!;
const a4PinKey = Object.entries(a4.derived_not_in_source as Record<string, string>).find(([k]) =>
  k.startsWith('pin_'),
)![1];

describe('tillgate crypto pin', () => {
  it('encodes a format 0 block (ISO 9564-1)', async () => {
    const out = await runCaptured([
      'crypto',
      'pin',
      'encode',
      '--format',
      '0',
      '--pin',
      format0Encode!.inputs.pin!,
      '--pan',
      format0Encode!.inputs.pan!,
      '--json',
    ]);
    expect(out.json()).toEqual({ format: 0, pinBlock: format0Encode!.expected.clear_pin_block });
  });

  it('decodes a format 0 block under its PAN', async () => {
    const out = await runCaptured([
      'crypto',
      'pin',
      'decode',
      '--format',
      '0',
      '--block',
      format0Decode!.inputs.clear_pin_block!,
      '--pan',
      format0Decode!.inputs.pan!,
    ]);
    expect(out.stdout).toBe(`format  0\npin     ${format0Decode!.expected.pin}\n`);
  });

  it('encodes and decodes format 2, which has no PAN', async () => {
    const encoded = await runCaptured([
      'crypto',
      'pin',
      'encode',
      '--format',
      '2',
      '--pin',
      format2!.inputs.pin!,
      '--json',
    ]);
    expect(encoded.json().pinBlock).toBe(format2!.expected.clear_pin_block);
    const decoded = await runCaptured([
      'crypto',
      'pin',
      'decode',
      '--format',
      '2',
      '--block',
      format2!.expected.clear_pin_block!,
      '--json',
    ]);
    expect(decoded.json().pin).toBe(format2!.inputs.pin);
  });

  it('encrypts the X9.24-1 A.4 PIN block under the derived PIN key, and decrypts it', async () => {
    const { pin, pan } = vectors.dukpt_tdes.common_inputs;
    const encrypted = await runCaptured([
      'crypto',
      'pin',
      'encrypt',
      '--format',
      '0',
      '--key',
      a4PinKey,
      '--pin',
      pin,
      '--pan',
      pan,
      '--json',
    ]);
    expect(encrypted.json().pinBlock).toBe(a4.expected.encrypted_pin_block_iso0);
    const decrypted = await runCaptured([
      'crypto',
      'pin',
      'decrypt',
      '--format',
      '0',
      '--key',
      a4PinKey,
      '--block',
      a4.expected.encrypted_pin_block_iso0,
      '--pan',
      pan,
      '--json',
    ]);
    expect(decrypted.json()).toEqual({ format: 0, pin });
  });

  it('decrypts published format 4 (AES) blocks', async () => {
    const i = format4Decrypt!.inputs;
    const out = await runCaptured([
      'crypto',
      'pin',
      'decrypt',
      '--format',
      '4',
      '--key',
      i.key!,
      '--block',
      i.encrypted_pin_block!,
      '--pan',
      i.pan!,
      '--json',
    ]);
    expect(out.json().pin).toBe(format4Decrypt!.expected.pin);
    const f = format4Fixed!.inputs;
    const fixed = await runCaptured([
      'crypto',
      'pin',
      'decrypt',
      '--format',
      '4',
      '--key',
      f.key!,
      '--block',
      format4Fixed!.expected.encrypted_pin_block!,
      '--pan',
      f.pan!,
      '--json',
    ]);
    expect(fixed.json().pin).toBe(f.pin);
  });

  it.each([
    ['1', []],
    ['3', ['--pan', '4111111111111111']],
  ])('round-trips format %s, whose fill is random', async (format, pan) => {
    const key = '0123456789ABCDEFFEDCBA9876543210';
    const encrypted = await runCaptured([
      'crypto',
      'pin',
      'encrypt',
      '--format',
      format,
      '--key',
      key,
      '--pin',
      '482019',
      ...pan,
      '--json',
    ]);
    const decrypted = await runCaptured([
      'crypto',
      'pin',
      'decrypt',
      '--format',
      format,
      '--key',
      key,
      '--block',
      String(encrypted.json().pinBlock),
      ...pan,
      '--json',
    ]);
    expect(decrypted.json().pin).toBe('482019');
  });
});
