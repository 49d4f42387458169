import fc from 'fast-check';
import { aesDukpt } from '../dukpt/aes-dukpt';
import { tdesDukpt } from '../dukpt/tdes-dukpt';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import aesDukptVectors from '../dukpt/test-data/dukpt_aes.json';
import tdesDukptVectors from '../dukpt/test-data/dukpt_tdes.json';
import { decryptPinBlock, EncryptPinInput, encryptPinBlock } from './pin-block-cipher';
import { PinblockVector, formatOf, pinblockVectors } from './test-data/pinblock-vectors';

const format4 = pinblockVectors.filter((v) => formatOf(v) === 4 && v.inputs.key);

describe('format 4 encipherment (pinblock.json)', () => {
  it.each(format4.map((v): [string, PinblockVector] => [`${v.direction}: ${v.source}`, v]))(
    '%s',
    (_, v) => {
      const key = hexToBytes(v.inputs.key!);
      const { pin, pan } = v.inputs;
      const fill = v.inputs.random_fill_8_bytes ?? v.inputs.plain_pin_field?.slice(16);
      const encrypted = v.expected.encrypted_pin_block ?? v.inputs.encrypted_pin_block!;
      if (pin && fill) {
        const pinBlock = encryptPinBlock({
          format: 4,
          key,
          pin,
          pan: pan!,
          random: () => hexToBytes(fill),
        });
        expect(bytesToHex(pinBlock)).toBe(encrypted);
      }
      expect(decryptPinBlock({ format: 4, key, pinBlock: hexToBytes(encrypted), pan: pan! })).toBe(
        v.expected.pin ?? pin,
      );
    },
  );
});

describe('format 4 under AES DUKPT PIN keys (dukpt_aes.json, X9.24-3:2017 supplement)', () => {
  const withPinBlocks = aesDukptVectors.vectors.flatMap((v) =>
    'iso9564_format4_pin_block' in v && v.iso9564_format4_pin_block
      ? [{ ...v, block: v.iso9564_format4_pin_block }]
      : [],
  );

  it.each(withPinBlocks.map((v): [string, (typeof withPinBlocks)[number]] => [v.ksn, v]))(
    'KSN %s',
    (_, v) => {
      const key = aesDukpt.deriveWorkingKey({
        bdk: hexToBytes(v.bdk),
        ksn: hexToBytes(v.ksn),
        usage: 'pin',
        keyType: 'aes128',
      });
      const random = () => hexToBytes(v.block.plain_pin_field.slice(16));
      const pinBlock = encryptPinBlock({
        format: 4,
        key,
        pin: v.block.pin,
        pan: v.block.pan,
        random,
      });
      expect(bytesToHex(pinBlock)).toBe(v.block.expected_encrypted_pin_block);
      expect(decryptPinBlock({ format: 4, key, pinBlock, pan: v.block.pan })).toBe(v.block.pin);
    },
  );
});

describe('format 0 under TDES DUKPT PIN keys (dukpt_tdes.json, X9.24-1:2009 A.4)', () => {
  const { common_inputs: common } = tdesDukptVectors;
  const bdk = hexToBytes(common.bdk);

  it.each(
    tdesDukptVectors.vectors.map((v): [string, (typeof tdesDukptVectors.vectors)[number]] => [
      v.ksn,
      v,
    ]),
  )('KSN %s', (_, v) => {
    const key = tdesDukpt.deriveWorkingKey({ bdk, ksn: hexToBytes(v.ksn), usage: 'pin' });
    const pinBlock = encryptPinBlock({ format: 0, key, pin: common.pin, pan: common.pan });
    expect(bytesToHex(pinBlock)).toBe(v.expected.encrypted_pin_block_iso0);
    expect(decryptPinBlock({ format: 0, key, pinBlock, pan: common.pan })).toBe(common.pin);
  });
});

describe('PIN block encipherment: failures', () => {
  const tdesKey = hexToBytes('0123456789ABCDEFFEDCBA9876543210');
  const aesKey = hexToBytes('00112233445566778899AABBCCDDEEFF');
  const pan = '4012345678909';

  it('fails a format 0 block decrypted with another PAN', () => {
    const pinBlock = encryptPinBlock({ format: 0, key: tdesKey, pin: '1234', pan });
    expect(() =>
      decryptPinBlock({ format: 0, key: tdesKey, pinBlock, pan: '4012345678917' }),
    ).toThrow(expect.objectContaining({ code: 'PIN_BLOCK_PAN_MISMATCH' }));
  });

  it('fails a format 4 block decrypted with another PAN or key', () => {
    const pinBlock = encryptPinBlock({ format: 4, key: aesKey, pin: '1234', pan });
    expect(() =>
      decryptPinBlock({ format: 4, key: aesKey, pinBlock, pan: '4012345678917' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PIN_BLOCK' }));
    expect(() => decryptPinBlock({ format: 4, key: Buffer.alloc(16), pinBlock, pan })).toThrow(
      expect.objectContaining({ code: 'INVALID_PIN_BLOCK' }),
    );
  });

  it('refuses single DES and AES-sized keys for TDES formats', () => {
    for (const key of [Buffer.alloc(8), Buffer.alloc(32)]) {
      expect(() => encryptPinBlock({ format: 0, key, pin: '1234', pan })).toThrow(
        expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }),
      );
    }
  });

  it('refuses a TDES key for format 4', () => {
    expect(() =>
      encryptPinBlock({ format: 4, key: Buffer.alloc(24), pin: '1234', pan }),
    ).not.toThrow();
    expect(() => encryptPinBlock({ format: 4, key: Buffer.alloc(8), pin: '1234', pan })).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }),
    );
  });

  it('does not encipher format 2, which is for ICC offline PIN only', () => {
    expect(() =>
      encryptPinBlock({ format: 2, key: tdesKey, pin: '1234' } as unknown as EncryptPinInput),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_PIN_BLOCK_FORMAT' }));
  });

  it('rejects encrypted blocks of the wrong size', () => {
    expect(() => decryptPinBlock({ format: 1, key: tdesKey, pinBlock: Buffer.alloc(16) })).toThrow(
      expect.objectContaining({ code: 'INVALID_PIN_BLOCK' }),
    );
    expect(() =>
      decryptPinBlock({ format: 4, key: aesKey, pinBlock: Buffer.alloc(8), pan }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PIN_BLOCK' }));
  });
});

describe('PIN block encipherment round trips (property)', () => {
  const pin = fc.stringMatching(/^[0-9]{4,12}$/);
  const pan = fc.stringMatching(/^[0-9]{1,19}$/);
  const key = (lengths: number[]) =>
    fc
      .constantFrom(...lengths)
      .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }).map((k) => Buffer.from(k)));

  it('decrypt(encrypt(pin)) = pin for formats 0, 1, 3 (TDES) and 4 (AES)', () => {
    fc.assert(
      fc.property(pin, pan, key([16, 24]), key([16, 24, 32]), (p, a, tdesKey, aesKey) => {
        for (const format of [0, 3] as const) {
          const pinBlock = encryptPinBlock({ format, key: tdesKey, pin: p, pan: a });
          expect(decryptPinBlock({ format, key: tdesKey, pinBlock, pan: a })).toBe(p);
        }
        const format1 = encryptPinBlock({ format: 1, key: tdesKey, pin: p });
        expect(decryptPinBlock({ format: 1, key: tdesKey, pinBlock: format1 })).toBe(p);
        const format4 = encryptPinBlock({ format: 4, key: aesKey, pin: p, pan: a });
        expect(decryptPinBlock({ format: 4, key: aesKey, pinBlock: format4, pan: a })).toBe(p);
      }),
      { seed: 20240607, numRuns: 150 },
    );
  });
});
