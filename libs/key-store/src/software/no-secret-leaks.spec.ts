import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import {
  bytesToHex,
  encryptPinBlock,
  hexToBytes,
  macIso9797Alg3,
  Pan,
  tdesDukpt,
  tdesKsnWithCounter,
} from '@tillgate/crypto';
import { InMemoryKeyBlockRepository } from '../keys/in-memory-key-block.repository';
import { loadMasterKey } from '../master-key/master-key.config';
import emv from '../test-data/emv-cvn.json';
import tdes from '../test-data/dukpt-tdes.json';
import { aKeyStore, componentsOf, TEST_MASTER_KEY_HEX } from '../testing/key-store.builder';

const BDK = tdes.common_inputs.bdk;
const ZPK = '89ABCDEF0123456776543210FEDCBA98';
const ZPK_AES = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';
const IMK = emv.cvn_vectors[0]!.inputs.issuer_master_keys.AC;
const TOKEN_KEY = '1F1E1D1C1B1A191817161514131211100F0E0D0C0B0A09080706050403020100';
const NEW_KEY = 'C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0';
const PIN = '59204637';
const PAN = '4761739001010010';
const OTHER_PAN = '4012888888881881';
const DEVICE = hexToBytes('FFFF9876543210E00000');
const OTHER_DEVICE = hexToBytes('FFFF9876543210A00000');

/** Everything a key-store operation might write somewhere: log lines, audit events, error messages. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const errors: unknown[] = [];
  return {
    // A plain JSON writer, not the platform logger: that one masks PAN-like
    // digit runs itself, which would hide a key store that logged a PAN.
    logger: {
      info: (fields: Record<string, unknown>, msg: string) =>
        void stream.write(JSON.stringify({ ...fields, msg })),
      warn: (fields: Record<string, unknown>, msg: string) =>
        void stream.write(JSON.stringify({ ...fields, msg })),
    },
    lines,
    errors,
    /** Runs an operation that may fail, keeping its error. */
    attempt: async (operation: () => Promise<unknown>) => {
      try {
        return await operation();
      } catch (error) {
        errors.push(error);
        return undefined;
      }
    },
  };
}

describe('no clear PIN, PAN or key reaches a log line, an audit event or an error message', () => {
  it('across every key-store operation, successful or failing', async () => {
    const out = capture();
    const bdk = hexToBytes(BDK);
    const randomSeen: string[] = [];
    const { store, audit, masterKey } = await aKeyStore()
      .withLogger(out.logger)
      .withRandom((n) => {
        const bytes = hexToBytes(NEW_KEY).subarray(0, n);
        randomSeen.push(bytesToHex(bytes));
        return Buffer.from(bytes);
      })
      .withKey({ id: 'zpk.aes', kind: 'pin-encryption', algorithm: 'aes', key: ZPK_AES })
      .withKey({ id: 'imk', kind: 'emv-issuer-master-key', algorithm: 'tdes', key: IMK })
      .withKey({ id: 'pan-token', kind: 'pan-token', algorithm: 'hmac-sha256', key: TOKEN_KEY })
      .build();

    // Administration, through components the custodians typed.
    const bdkParts = componentsOf('tdes', bdk);
    const zpkParts = componentsOf('tdes', hexToBytes(ZPK));
    await out.attempt(() =>
      store.importKey({ id: 'bdk', kind: 'bdk', algorithm: 'tdes', ...bdkParts }),
    );
    await out.attempt(() =>
      store.importKey({ id: 'zpk', kind: 'pin-encryption', algorithm: 'tdes', ...zpkParts }),
    );
    await out.attempt(() =>
      store.importKey({
        id: 'bad',
        kind: 'bdk',
        algorithm: 'tdes',
        components: [zpkParts.components[0]!, { ...zpkParts.components[1]!, kcv: Buffer.alloc(3) }],
        kcv: zpkParts.kcv,
      }),
    );
    await out.attempt(() =>
      store.importKey({
        id: 'bad',
        kind: 'bdk',
        algorithm: 'tdes',
        components: zpkParts.components,
        kcv: Buffer.alloc(3),
      }),
    );
    await out.attempt(() =>
      store.importKey({
        id: 'bad',
        kind: 'bdk',
        algorithm: 'tdes',
        components: [{ value: hexToBytes(ZPK), kcv: Buffer.alloc(3) }, zpkParts.components[1]!],
        kcv: zpkParts.kcv,
      }),
    );
    await out.attempt(() =>
      store.importKey({ id: 'zpk', kind: 'pin-encryption', algorithm: 'tdes', ...zpkParts }),
    );
    await out.attempt(() =>
      store.generateKey({ id: 'pan-vault', kind: 'pan-vault', algorithm: 'aes' }),
    );
    await out.attempt(() => store.rotateKey({ id: 'pan-vault' }));
    await out.attempt(() => store.retireKey({ id: 'pan-vault', version: 1 }));
    await out.attempt(() => store.listKeys());

    // A terminal transaction: MAC, PIN block, track data under one KSN.
    const ksn = tdesKsnWithCounter(DEVICE, 0x1ff800);
    const message = Buffer.from(`0200 ${PAN} 000000001000`);
    const macKey = tdesDukpt.deriveWorkingKey({ bdk, ksn, usage: 'mac-request' });
    const pinKey = tdesDukpt.deriveWorkingKey({ bdk, ksn, usage: 'pin' });
    const dataKey = tdesDukpt.deriveWorkingKey({ bdk, ksn, usage: 'data-request' });
    const mac = macIso9797Alg3(macKey, message, 1).subarray(0, 4);
    await out.attempt(() =>
      store.verifyDukptMac({ bdk: { id: 'bdk' }, ksn, message, mac: Buffer.alloc(4) }),
    );
    await out.attempt(() =>
      store.verifyDukptMac({ bdk: { id: 'bdk' }, ksn, message, mac, ksnCounter: 'unchanged' }),
    );
    await out.attempt(() => store.verifyDukptMac({ bdk: { id: 'bdk' }, ksn, message, mac }));
    await out.attempt(() => store.verifyDukptMac({ bdk: { id: 'bdk' }, ksn, message, mac }));
    await out.attempt(() => store.acceptDukptKsn({ bdk: { id: 'bdk' }, ksn }));
    await out.attempt(() => store.generateDukptResponseMac({ bdk: { id: 'bdk' }, ksn, message }));
    await out.attempt(() =>
      store.generateDukptResponseMac({ bdk: { id: 'zpk' }, ksn, message: Buffer.from(PAN) }),
    );
    const pinBlock = encryptPinBlock({ format: 0, key: pinKey, pin: PIN, pan: PAN });
    const translation = {
      pan: Pan.parse(PAN),
      source: { bdk: { id: 'bdk' }, ksn, pinBlock, format: 0 as const },
      destination: { key: { id: 'zpk' }, format: 0 as const },
    };
    await out.attempt(() =>
      store.translatePinBlock({
        ...translation,
        destination: { key: { id: 'zpk' }, format: 1 as 0 },
      }),
    );
    await out.attempt(() => store.translatePinBlock({ ...translation, pan: Pan.parse(OTHER_PAN) }));
    await out.attempt(() =>
      store.translatePinBlock({ ...translation, source: { ...translation.source, format: 3 } }),
    );
    await out.attempt(() =>
      store.translatePinBlock({ ...translation, destination: { key: { id: 'bdk' }, format: 0 } }),
    );
    const translated = await out.attempt(() => store.translatePinBlock(translation));
    await out.attempt(() => store.translatePinBlock(translation));
    const tracks = await out.attempt(() =>
      store.decryptTrackData({ bdk: { id: 'bdk' }, ksn, encryptedData: [Buffer.alloc(32)] }),
    );
    await out.attempt(() =>
      store.decryptTrackData({
        bdk: { id: 'bdk' },
        ksn: tdesKsnWithCounter(DEVICE, 0x1ff000),
        encryptedData: [Buffer.alloc(7)],
      }),
    );
    // Runtime errors may quote the values they were given (ERR_INVALID_ARG_TYPE does): the store withholds them.
    const explosive = {
      get length(): number {
        throw new TypeError(`cannot use ${PIN} with ${ZPK}`);
      },
    };
    await out.attempt(() =>
      store.decryptTrackData({
        bdk: { id: 'bdk' },
        ksn: tdesKsnWithCounter(OTHER_DEVICE, 1),
        encryptedData: [Buffer.alloc(8)],
        iv: explosive as never,
      }),
    );

    // Issuer side: ARQC, zone MAC, tokenization.
    const cvn10 = emv.cvn_vectors[0]!;
    const i = cvn10.inputs;
    const transaction = Object.fromEntries(
      (['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', '82', '9F36'] as const).map(
        (t) => [t, hexToBytes(i[t])],
      ),
    ) as Record<string, Buffer>;
    transaction['9F10'] = hexToBytes(`06010A${i.CVR}`);
    const arqcRequest = {
      issuerMasterKey: { id: 'imk' },
      scheme: 'visa' as const,
      card: { pan: PAN, psn: '00' },
      transaction: transaction as never,
      arqc: hexToBytes(cvn10.expected.arqc),
      response: { arc: hexToBytes('3030') },
    };
    await out.attempt(() => store.verifyArqc(arqcRequest));
    await out.attempt(() => store.verifyArqc({ ...arqcRequest, card: { pan: i.pan, psn: i.psn } }));
    await out.attempt(() => store.generateMac({ key: { id: 'zpk' }, data: message }));
    const token = await out.attempt(() =>
      store.tokenizePan({ key: { id: 'pan-token' }, pan: Pan.parse(PAN) }),
    );
    await out.attempt(() => store.tokenizePan({ key: { id: 'pan-token' }, pan: PAN as never }));
    const sealed = await out.attempt(() =>
      store.sealPan({
        key: { id: 'pan-vault' },
        pan: Pan.parse(PAN),
        token: (token as { token: never }).token,
      }),
    );
    await out.attempt(() =>
      store.openPan({
        key: { id: 'pan-vault' },
        token: (token as { token: never }).token,
        entry: (sealed as { entry: string }).entry,
      }),
    );
    await out.attempt(() =>
      store.openPan({
        key: { id: 'pan-vault' },
        token: (token as { token: never }).token,
        entry: 'v1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA',
      }),
    );

    // Key blocks under another master key.
    const tamperedStore = await aKeyStore()
      .withLogger(out.logger)
      .withMasterKey('00'.repeat(32))
      .withKeyBlocks(
        new InMemoryKeyBlockRepository(
          await (async () => {
            const { keyBlocks } = await aKeyStore()
              .withKey({ id: 'zpk', kind: 'pin-encryption', algorithm: 'tdes', key: ZPK })
              .build();
            return [...(await keyBlocks.list())];
          })(),
        ),
      )
      .build();
    await out.attempt(() => tamperedStore.store.generateMac({ key: { id: 'zpk' }, data: message }));

    // A master key that does not load.
    await out.attempt(() => loadMasterKey({ TILLGATE_MASTER_KEY: TEST_MASTER_KEY_HEX.slice(2) }));

    // A careless caller logging what the store returned.
    out.logger.info({ tracks, translated, token, sealed }, 'results');

    const corpus = [
      ...out.lines,
      JSON.stringify(audit.events),
      JSON.stringify(tamperedStore.audit.events),
      ...out.errors.map((e) => `${String(e)} ${inspect(e)} ${JSON.stringify(e)}`),
    ].join('\n');
    const upper = corpus.toUpperCase();

    const keys = {
      masterKey: TEST_MASTER_KEY_HEX,
      kbpkB: bytesToHex(masterKey.kbpk('B').expose()),
      kbpkD: bytesToHex(masterKey.kbpk('D').expose()),
      bdk: BDK,
      ipek: bytesToHex(tdesDukpt.deriveIpek(bdk, ksn)),
      macKey: bytesToHex(macKey),
      pinKey: bytesToHex(pinKey),
      dataKey: bytesToHex(dataKey),
      zpk: ZPK,
      zpkAes: ZPK_AES,
      imk: IMK,
      iccMasterKey: cvn10.derived_not_in_source.icc_mk_ac,
      tokenKey: TOKEN_KEY,
      generated: NEW_KEY,
      ...Object.fromEntries(
        [...bdkParts.components, ...zpkParts.components].map((c, n) => [
          `component${n}`,
          bytesToHex(c.value as Buffer),
        ]),
      ),
    };
    for (const [name, hex] of Object.entries(keys)) {
      expect({ [name]: upper.includes(hex.toUpperCase()) }).toEqual({ [name]: false });
    }
    for (const hex of randomSeen) expect(upper.includes(hex)).toBe(false);
    for (const digits of [PIN, PAN, OTHER_PAN, '4266841088889999']) {
      expect({ [digits]: corpus.includes(digits) }).toEqual({ [digits]: false });
    }

    // The capture is not empty: failures were logged and audited, and each error kept its code.
    expect(out.lines.some((l) => l.includes('"code":"KSN_REPLAY"'))).toBe(true);
    expect(out.lines.some((l) => l.includes('"code":"INTERNAL_ERROR"'))).toBe(true);
    expect(audit.events.some((e) => e.reason === 'PIN_TRANSLATION_REFUSED')).toBe(true);
    expect(out.errors.length).toBeGreaterThanOrEqual(15);
  });
});
