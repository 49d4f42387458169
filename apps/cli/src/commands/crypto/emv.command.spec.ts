import { runCaptured } from '../../testing/run-captured';
import vectors from './test-data/cli-vectors.json';

const [optionA, method2, optionB] = vectors.emv;
const keysOf = (v: (typeof vectors.emv)[number]) =>
  v.derived_not_in_source as Record<string, string>;
const iccKey = (v: (typeof vectors.emv)[number]) => keysOf(v)['icc_master_key (odd parity)']!;
const sessionKey = (v: (typeof vectors.emv)[number]) => keysOf(v)['session_key (odd parity)']!;

describe('tillgate crypto emv', () => {
  it.each([optionA!, optionB!])('icc-key: $name', async (v) => {
    const option = v.inputs.master_key_derivation.endsWith('B') ? 'B' : 'A';
    const out = await runCaptured([
      'crypto',
      'emv',
      'icc-key',
      '--imk',
      v.inputs.issuer_master_key,
      '--pan',
      v.inputs.pan,
      '--psn',
      v.inputs.psn ?? '00',
      '--option',
      option,
      '--json',
    ]);
    expect(out.json()).toMatchObject({ option, iccMasterKey: iccKey(v) });
    expect(String(out.json().kcv).startsWith(v.expected.icc_mk_kcv!)).toBe(true);
  });

  it('session-key from the ICC master key and R', async () => {
    const out = await runCaptured([
      'crypto',
      'emv',
      'session-key',
      '--icc-key',
      iccKey(optionA!),
      '--diversifier',
      optionA!.inputs['R (diversification value)'],
      '--json',
    ]);
    expect(out.json().sessionKey).toBe(sessionKey(optionA!));
  });

  it('session-key from the ATC: R = ATC || 000000000000', async () => {
    const viaAtc = await runCaptured([
      'crypto',
      'emv',
      'session-key',
      '--icc-key',
      iccKey(optionA!),
      '--atc',
      '001C',
      '--json',
    ]);
    const viaR = await runCaptured([
      'crypto',
      'emv',
      'session-key',
      '--icc-key',
      iccKey(optionA!),
      '--diversifier',
      '001C000000000000',
      '--json',
    ]);
    expect(viaAtc.json().sessionKey).toBe(viaR.json().sessionKey);
  });

  it('arqc over the AC input with EMV padding', async () => {
    const out = await runCaptured([
      'crypto',
      'emv',
      'arqc',
      '--session-key',
      sessionKey(optionA!),
      '--data',
      optionA!.inputs.ac_input_data,
      '--json',
    ]);
    expect(out.json().arqc).toBe(optionA!.expected.arqc);
  });

  it('arpc method 1 (ICC master key, ARC) and method 2 (session key, CSU)', async () => {
    const m1 = await runCaptured([
      'crypto',
      'emv',
      'arpc',
      '--method',
      '1',
      '--key',
      iccKey(optionA!),
      '--arqc',
      optionA!.expected.arqc,
      '--arc',
      optionA!.arpc.arc!,
      '--json',
    ]);
    expect(m1.json()).toEqual({ method: 1, arpc: optionA!.arpc.expected_arpc });
    const m2 = await runCaptured([
      'crypto',
      'emv',
      'arpc',
      '--method',
      '2',
      '--key',
      sessionKey(method2!),
      '--arqc',
      method2!.expected.arqc,
      '--csu',
      method2!.arpc.csu!,
      '--json',
    ]);
    expect(m2.json()).toEqual({ method: 2, arpc: method2!.arpc.expected_arpc });
  });
});
