import { fromHex, toHex } from '../shared/bytes';
import vectors from '../test-data/tlv.json';
import { buildStaticDataToBeAuthenticated, odaRecordsOf, parseAfl } from './static-data.builder';

describe('Application File Locator (Book 3 §10.2)', () => {
  it('parses the AFL of the shared GPO format 1 vector (80 0E 7800 || AFL)', () => {
    const gpo = vectors.vectors.find((v) => v.tlv_hex.startsWith('800E'))!;
    const afl = fromHex(gpo.expected_values_from_source['80']!.slice(4));
    expect(parseAfl(afl)).toEqual([
      { sfi: 1, firstRecord: 2, lastRecord: 2, odaRecordCount: 0 },
      { sfi: 2, firstRecord: 1, lastRecord: 4, odaRecordCount: 0 },
      { sfi: 3, firstRecord: 1, lastRecord: 2, odaRecordCount: 1 },
    ]);
    expect(odaRecordsOf(afl)).toEqual([{ sfi: 3, record: 1 }]);
  });

  it.each([
    ['an empty AFL', '', 'INVALID_LENGTH'],
    ['a length that is not a multiple of 4', '080101', 'INVALID_LENGTH'],
    ['SFI 0', '00010100', 'INVALID_VALUE'],
    ['SFI 31', 'F8010100', 'INVALID_VALUE'],
    ['low bits set in the SFI byte', '09010100', 'INVALID_VALUE'],
    ['first record 0', '08000100', 'INVALID_VALUE'],
    ['last record before first', '08030200', 'INVALID_VALUE'],
    ['more ODA records than records', '08010203', 'INVALID_VALUE'],
  ])('refuses %s', (_name, hex, code) => {
    expect(() => parseAfl(fromHex(hex))).toThrow(expect.objectContaining({ code, tag: '94' }));
  });
});

describe('static data to be authenticated (Book 3 §10.3)', () => {
  const record = vectors.vectors.find((v) => v.name.startsWith('READ RECORD SFI 2'))!;
  const recordBytes = fromHex(record.tlv_hex);

  it('takes SFI 1-10 records without their 70 tag and length', () => {
    const data = buildStaticDataToBeAuthenticated({
      afl: fromHex('10010101'),
      records: [{ sfi: 2, record: 1, data: recordBytes }],
    });
    expect(toHex(data)).toBe(record.tlv_hex.slice(4));
  });

  it('takes SFI 11-30 records whole, tag and length included', () => {
    const data = buildStaticDataToBeAuthenticated({
      afl: fromHex('58010101'),
      records: [{ sfi: 11, record: 1, data: recordBytes }],
    });
    expect(toHex(data)).toBe(record.tlv_hex);
  });

  it('appends the AIP when the SDA Tag List names it, after the records in AFL order', () => {
    const data = buildStaticDataToBeAuthenticated({
      afl: fromHex('1001010108010101'),
      records: [
        { sfi: 1, record: 1, data: fromHex('70045F340101') },
        { sfi: 2, record: 1, data: fromHex('70035A0111') },
      ],
      sdaTagList: fromHex('82'),
      aip: fromHex('7D00'),
    });
    expect(toHex(data)).toBe('5A0111' + '5F340101' + '7D00');
  });

  it.each([
    ['a record that is not template 70', '77035A0111', 'STATIC_DATA_RECORD'],
    ['a 70 template with bytes after it', '70035A011100', 'STATIC_DATA_RECORD'],
    ['a truncated record', '70055A0111', 'STATIC_DATA_RECORD'],
  ])('refuses %s for SFI 1-10', (_name, hex, code) => {
    expect(() =>
      buildStaticDataToBeAuthenticated({
        afl: fromHex('08010101'),
        records: [{ sfi: 1, record: 1, data: fromHex(hex) }],
      }),
    ).toThrow(expect.objectContaining({ code, check: 'Book 3 §10.3' }));
  });

  it('refuses an SDA Tag List naming anything but 82', () => {
    expect(() =>
      buildStaticDataToBeAuthenticated({
        afl: fromHex('08010101'),
        records: [{ sfi: 1, record: 1, data: fromHex('70035A0111') }],
        sdaTagList: fromHex('825A'),
        aip: fromHex('7D00'),
      }),
    ).toThrow(expect.objectContaining({ code: 'SDA_TAG_LIST' }));
  });

  it('refuses when a record marked for ODA was not read', () => {
    expect(() =>
      buildStaticDataToBeAuthenticated({ afl: fromHex('08010202'), records: [] }),
    ).toThrow(expect.objectContaining({ code: 'MISSING_DATA' }));
  });
});
