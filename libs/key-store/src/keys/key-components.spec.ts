import { adjustOddParity, bytesToHex, hexToBytes, xor } from '@tillgate/crypto';
import { KeyStoreError } from '../key-store-error';
import { componentsOf } from '../testing/key-store.builder';
import { combineKeyComponents } from './key-components';
import { keyCheckValue } from './key-kind';

const TDES_KEY = hexToBytes('0123456789ABCDEFFEDCBA9876543210'); // X9.24-1 A.4 BDK, KCV 08D7B4
const AES_KEY = hexToBytes('FEDCBA9876543210F1F1F1F1F1F1F1F1');

function refusal(run: () => unknown): KeyStoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof KeyStoreError) return error;
    throw error;
  }
  throw new Error('expected a KeyStoreError');
}

describe('forming a key from clear components (split knowledge)', () => {
  it('XORs two TDES components and checks both KCVs and the combined KCV', () => {
    const { components, kcv } = componentsOf('tdes', TDES_KEY);
    const key = combineKeyComponents('tdes', [16, 24], components, kcv);
    expect(bytesToHex(key)).toBe('0123456789ABCDEFFEDCBA9876543210');
    expect(bytesToHex(kcv)).toBe('08D7B4');
  });

  it('XORs three AES components', () => {
    const a = hexToBytes('00112233445566778899AABBCCDDEEFF');
    const b = hexToBytes('0F1E2D3C4B5A69788796A5B4C3D2E1F0');
    const c = xor(xor(AES_KEY, a), b);
    const components = [a, b, c].map((value) => ({ value, kcv: keyCheckValue('aes', value) }));
    const key = combineKeyComponents('aes', [16], components, keyCheckValue('aes', AES_KEY));
    expect(key.equals(AES_KEY)).toBe(true);
  });

  it('compares as many KCV bytes as were entered, at least three', () => {
    const { components } = componentsOf('tdes', TDES_KEY);
    expect(() =>
      combineKeyComponents('tdes', [16], components, hexToBytes('08D7B4FB')),
    ).not.toThrow();
    expect(
      refusal(() => combineKeyComponents('tdes', [16], components, hexToBytes('08D7'))),
    ).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'kcv',
    });
  });

  it('names the component whose KCV does not match', () => {
    const { components, kcv } = componentsOf('tdes', TDES_KEY);
    const wrong = [components[0]!, { ...components[1]!, kcv: hexToBytes('000000') }];
    expect(refusal(() => combineKeyComponents('tdes', [16], wrong, kcv))).toMatchObject({
      code: 'COMPONENT_KCV_MISMATCH',
      field: 'components[1]',
    });
  });

  it('refuses a combined key that does not match its KCV', () => {
    const { components } = componentsOf('aes', AES_KEY);
    expect(
      refusal(() => combineKeyComponents('aes', [16], components, hexToBytes('0000000000'))),
    ).toMatchObject({
      code: 'COMBINED_KCV_MISMATCH',
      field: 'kcv',
    });
  });

  it('refuses a TDES component without odd parity before comparing KCVs (a typing error)', () => {
    const { components, kcv } = componentsOf('tdes', TDES_KEY);
    const typo = Buffer.from(components[0]!.value as Buffer);
    typo[3]! ^= 0x10;
    const error = refusal(() =>
      combineKeyComponents(
        'tdes',
        [16],
        [{ value: typo, kcv: components[0]!.kcv }, components[1]!],
        kcv,
      ),
    );
    expect(error).toMatchObject({ code: 'INVALID_COMPONENTS', field: 'components[0]' });
  });

  it.each([
    ['one component', 1],
    ['four components', 4],
  ])('refuses %s', (_label, count) => {
    const component = {
      value: adjustOddParity(hexToBytes('0123456789ABCDEF0123456789ABCDEF')),
      kcv: hexToBytes('000000'),
    };
    expect(
      refusal(() =>
        combineKeyComponents('tdes', [16], Array(count).fill(component), hexToBytes('000000')),
      ).code,
    ).toBe('INVALID_COMPONENTS');
  });

  it('refuses components of a length the key kind does not allow, or of different lengths', () => {
    const short = {
      value: hexToBytes('0123456789ABCDEF'),
      kcv: keyCheckValue('tdes', hexToBytes('0123456789ABCDEF')),
    };
    const { components, kcv } = componentsOf('tdes', TDES_KEY);
    expect(
      refusal(() => combineKeyComponents('tdes', [16], [short, components[1]!], kcv)),
    ).toMatchObject({
      code: 'INVALID_COMPONENTS',
      field: 'components[0]',
    });
    const long = componentsOf('tdes', Buffer.concat([TDES_KEY, TDES_KEY.subarray(0, 8)]))
      .components[0]!;
    expect(
      refusal(() => combineKeyComponents('tdes', [16, 24], [components[0]!, long], kcv)).code,
    ).toBe('INVALID_COMPONENTS');
  });

  it('refuses the same component entered twice (the XOR is degenerate)', () => {
    const { components } = componentsOf('tdes', TDES_KEY);
    const twice = [components[0]!, components[0]!];
    const zeroKeyKcv = keyCheckValue('tdes', adjustOddParity(Buffer.alloc(16)));
    expect(refusal(() => combineKeyComponents('tdes', [16], twice, zeroKeyKcv)).code).toBe(
      'INVALID_COMPONENTS',
    );
    const aes = componentsOf('aes', AES_KEY).components[0]!;
    expect(
      refusal(() =>
        combineKeyComponents('aes', [16], [aes, aes], keyCheckValue('aes', Buffer.alloc(16))),
      ).code,
    ).toBe('INVALID_COMPONENTS');
  });

  it('refuses a TDES key whose halves are equal (single DES in disguise)', () => {
    const singleDes = hexToBytes('0123456789ABCDEF0123456789ABCDEF');
    const { components, kcv } = componentsOf('tdes', singleDes);
    expect(refusal(() => combineKeyComponents('tdes', [16], components, kcv)).code).toBe(
      'INVALID_COMPONENTS',
    );
  });
});
