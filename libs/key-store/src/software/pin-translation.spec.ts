import { decryptPinBlock, encryptPinBlock, hexToBytes, Pan, tdesDukpt } from '@tillgate/crypto';
import type { TranslatePinBlockRequest } from '../key-store';
import aes from '../test-data/dukpt-aes.json';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore } from '../testing/key-store.builder';

// Zone keys shared with the acquirer (test values).
const ZPK_TDES = '89ABCDEF0123456776543210FEDCBA98';
const ZPK_TDES3 = '0123456789ABCDEF89ABCDEF01234567FEDCBA9876543210';
const ZPK_AES = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';

const tdesPan = Pan.parse(tdes.common_inputs.pan); // 4012345678909
const tdesVector = tdes.vectors[0]!;
const aesVector = aes.pin_block_vectors[0]!;
const aesPan = Pan.parse(aesVector.iso9564_format4_pin_block.pan);

const build = () =>
  aKeyStore()
    .withKey({ id: 'bdk.tdes', kind: 'bdk', algorithm: 'tdes', key: tdes.common_inputs.bdk })
    .withKey({ id: 'bdk.aes', kind: 'bdk', algorithm: 'aes', key: aes.bdk })
    .withKey({ id: 'zpk.tdes', kind: 'pin-encryption', algorithm: 'tdes', key: ZPK_TDES })
    .withKey({ id: 'zpk.tdes3', kind: 'pin-encryption', algorithm: 'tdes', key: ZPK_TDES3 })
    .withKey({ id: 'zpk.aes', kind: 'pin-encryption', algorithm: 'aes', key: ZPK_AES })
    .withKey({ id: 'zmk', kind: 'mac', algorithm: 'tdes', key: ZPK_TDES })
    .build();

/** The X9.24-1 A.4 PIN block (PIN 1234, PAN 4012345678909) from the terminal with KSN FFFF9876543210E00001. */
function fromTdesTerminal(
  destination: TranslatePinBlockRequest['destination'],
): TranslatePinBlockRequest {
  return {
    pan: tdesPan,
    source: {
      bdk: { id: 'bdk.tdes' },
      ksn: hexToBytes(tdesVector.ksn),
      pinBlock: hexToBytes(tdesVector.expected.encrypted_pin_block_iso0),
      format: 0,
    },
    destination,
  };
}

/** The X9.24-3 format 4 PIN block (PIN 1234, PAN 4111111111111111) from the AES DUKPT terminal. */
function fromAesTerminal(
  destination: TranslatePinBlockRequest['destination'],
): TranslatePinBlockRequest {
  return {
    pan: aesPan,
    source: {
      bdk: { id: 'bdk.aes' },
      ksn: hexToBytes(aesVector.ksn),
      pinBlock: hexToBytes(aesVector.iso9564_format4_pin_block.expected_encrypted_pin_block),
      format: 4,
    },
    destination,
  };
}

describe('PIN translation from a terminal DUKPT key to a zone PIN key', () => {
  it('X9.24-1 A.4 format 0 block to format 0 under a TDES zone key: the expected block, and back to PIN 1234', async () => {
    const { store, audit } = await build();
    const out = await store.translatePinBlock(
      fromTdesTerminal({ key: { id: 'zpk.tdes' }, format: 0 }),
    );
    const zpk = hexToBytes(ZPK_TDES);
    expect(
      out.pinBlock.equals(
        encryptPinBlock({ format: 0, key: zpk, pin: '1234', pan: tdesPan.reveal() }),
      ),
    ).toBe(true);
    expect(
      decryptPinBlock({ format: 0, key: zpk, pinBlock: out.pinBlock, pan: tdesPan.reveal() }),
    ).toBe('1234');
    expect(out).toMatchObject({ format: 0, key: { id: 'zpk.tdes', version: 1 } });
    expect(audit.events).toEqual([
      expect.objectContaining({
        type: 'translate-pin-block',
        keyId: 'bdk.tdes',
        role: 'source',
        kcv: '08D7B4',
        outcome: 'success',
      }),
      expect.objectContaining({
        type: 'translate-pin-block',
        keyId: 'zpk.tdes',
        role: 'destination',
        outcome: 'success',
      }),
    ]);
  });

  it.each(tdes.vectors)(
    'every A.4 PIN block (KSN $ksn) translates to format 3 under a 3TDEA key and back',
    async (v) => {
      const { store } = await build();
      const out = await store.translatePinBlock({
        pan: tdesPan,
        source: {
          bdk: { id: 'bdk.tdes' },
          ksn: hexToBytes(v.ksn),
          pinBlock: hexToBytes(v.expected.encrypted_pin_block_iso0),
          format: 0,
        },
        destination: { key: { id: 'zpk.tdes3' }, format: 3 },
      });
      expect(
        decryptPinBlock({
          format: 3,
          key: hexToBytes(ZPK_TDES3),
          pinBlock: out.pinBlock,
          pan: tdesPan.reveal(),
        }),
      ).toBe('1234');
    },
  );

  it('TDES terminal to format 4 under an AES zone key (a stronger key)', async () => {
    const { store } = await build();
    const out = await store.translatePinBlock(
      fromTdesTerminal({ key: { id: 'zpk.aes' }, format: 4 }),
    );
    expect(out.pinBlock).toHaveLength(16);
    expect(
      decryptPinBlock({
        format: 4,
        key: hexToBytes(ZPK_AES),
        pinBlock: out.pinBlock,
        pan: tdesPan.reveal(),
      }),
    ).toBe('1234');
  });

  it.each(aes.pin_block_vectors)(
    'X9.24-3 format 4 block at KSN $ksn to format 4 under an AES zone key',
    async (v) => {
      const { store } = await build();
      const out = await store.translatePinBlock({
        pan: aesPan,
        source: {
          bdk: { id: 'bdk.aes' },
          ksn: hexToBytes(v.ksn),
          pinBlock: hexToBytes(v.iso9564_format4_pin_block.expected_encrypted_pin_block),
          format: 4,
        },
        destination: { key: { id: 'zpk.aes' }, format: 4 },
      });
      expect(
        decryptPinBlock({
          format: 4,
          key: hexToBytes(ZPK_AES),
          pinBlock: out.pinBlock,
          pan: aesPan.reveal(),
        }),
      ).toBe('1234');
    },
  );

  it('accepts a format 1 block from the terminal and binds it to the PAN on the way out', async () => {
    const { store } = await build();
    const ksn = hexToBytes('FFFF9876543210E00002');
    const pinKey = tdesDukpt.deriveWorkingKey({
      bdk: hexToBytes(tdes.common_inputs.bdk),
      ksn,
      usage: 'pin',
    });
    const pinBlock = encryptPinBlock({ format: 1, key: pinKey, pin: '987654' });
    const out = await store.translatePinBlock({
      pan: tdesPan,
      source: { bdk: { id: 'bdk.tdes' }, ksn, pinBlock, format: 1 },
      destination: { key: { id: 'zpk.tdes' }, format: 0 },
    });
    expect(
      decryptPinBlock({
        format: 0,
        key: hexToBytes(ZPK_TDES),
        pinBlock: out.pinBlock,
        pan: tdesPan.reveal(),
      }),
    ).toBe('987654');
  });
});

describe('refused PIN translations', () => {
  it.each([1, 2])(
    'never to format %i (no PAN binding: PCI PIN Security Requirement 3-3)',
    async (format) => {
      const { store, audit } = await build();
      const request = fromTdesTerminal({ key: { id: 'zpk.tdes' }, format: format as 0 });
      await expect(store.translatePinBlock(request)).rejects.toMatchObject({
        code: 'PIN_TRANSLATION_REFUSED',
        field: 'destination.format',
      });
      expect(audit.events.map((e) => [e.role, e.reason])).toEqual([
        ['source', 'PIN_TRANSLATION_REFUSED'],
        ['destination', 'PIN_TRANSLATION_REFUSED'],
      ]);
      // Refused before the KSN was consumed: the same block still translates properly.
      await expect(
        store.translatePinBlock({
          ...request,
          destination: { key: { id: 'zpk.tdes' }, format: 0 },
        }),
      ).resolves.toMatchObject({ format: 0, key: { id: 'zpk.tdes' } });
    },
  );

  it('never from format 2 (card reader only)', async () => {
    const { store } = await build();
    const request = fromTdesTerminal({ key: { id: 'zpk.tdes' }, format: 0 });
    await expect(
      store.translatePinBlock({ ...request, source: { ...request.source, format: 2 as 0 } }),
    ).rejects.toMatchObject({ code: 'PIN_TRANSLATION_REFUSED', field: 'source.format' });
  });

  it('never from an AES-protected format 4 block to a weaker TDES key', async () => {
    const { store } = await build();
    await expect(
      store.translatePinBlock(fromAesTerminal({ key: { id: 'zpk.tdes3' }, format: 0 })),
    ).rejects.toMatchObject({
      code: 'PIN_TRANSLATION_REFUSED',
      field: 'destination.key',
    });
  });

  it('checks the PAN: a block for another card fails', async () => {
    const { store } = await build();
    const request = {
      ...fromTdesTerminal({ key: { id: 'zpk.tdes' }, format: 0 }),
      pan: Pan.parse('4111111111111111'),
    };
    await expect(store.translatePinBlock(request)).rejects.toMatchObject({
      code: 'PIN_BLOCK_PAN_MISMATCH',
    });
  });

  it('checks the source format: a format 0 block announced as format 3 fails', async () => {
    const { store } = await build();
    const request = fromTdesTerminal({ key: { id: 'zpk.tdes' }, format: 0 });
    await expect(
      store.translatePinBlock({ ...request, source: { ...request.source, format: 3 } }),
    ).rejects.toMatchObject({
      code: 'PIN_BLOCK_INVALID',
    });
  });

  it('refuses a format that does not fit the key algorithm', async () => {
    const { store } = await build();
    await expect(
      store.translatePinBlock(fromTdesTerminal({ key: { id: 'zpk.tdes' }, format: 4 })),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'destination.format',
    });
  });

  it('encrypts only under the active zone key', async () => {
    const { store } = await build();
    await store.rotateKey({ id: 'zpk.tdes' });
    await expect(
      store.translatePinBlock(fromTdesTerminal({ key: { id: 'zpk.tdes', version: 1 }, format: 0 })),
    ).rejects.toMatchObject({ code: 'KEY_NOT_ACTIVE' });
  });

  it.each([
    ['a BDK as the zone key (a BDK only derives)', { id: 'bdk.tdes' }, { id: 'bdk.aes' }],
    ['a MAC key as the zone key', { id: 'bdk.tdes' }, { id: 'zmk' }],
    ['a zone PIN key as the BDK', { id: 'zpk.tdes' }, { id: 'zpk.tdes3' }],
  ])('refuses %s', async (_what, bdk, zpk) => {
    const { store } = await build();
    const request = fromTdesTerminal({ key: zpk, format: 0 });
    await expect(
      store.translatePinBlock({ ...request, source: { ...request.source, bdk } }),
    ).rejects.toMatchObject({
      code: 'KEY_USAGE_VIOLATION',
    });
  });
});
