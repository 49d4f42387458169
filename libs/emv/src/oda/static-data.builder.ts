import { concatBytes, copyBytes } from '../shared/bytes';
import { EmvDataError } from '../shared/emv-data.error';
import { readTag } from '../tlv/tlv-tag';
import { scanTlv } from '../tlv/tlv.codec';
import { TlvError } from '../tlv/tlv.error';
import { OdaError } from './oda.error';

/** One 4-byte entry of the Application File Locator (94). */
export interface AflEntry {
  readonly sfi: number;
  readonly firstRecord: number;
  readonly lastRecord: number;
  /** Number of records, from the first, that take part in offline data authentication. */
  readonly odaRecordCount: number;
}

/** EMV Book 3 §10.2: AFL entries, each checked as the terminal must before reading records. */
export function parseAfl(afl: Uint8Array): AflEntry[] {
  if (afl.length === 0 || afl.length % 4 !== 0) {
    throw new EmvDataError(
      'INVALID_LENGTH',
      '94',
      `AFL must be a non-empty multiple of 4 bytes, got ${afl.length}`,
    );
  }
  const entries: AflEntry[] = [];
  for (let i = 0; i < afl.length; i += 4) {
    const sfi = afl[i] >> 3;
    const [firstRecord, lastRecord, odaRecordCount] = [afl[i + 1], afl[i + 2], afl[i + 3]];
    if ((afl[i] & 0x07) !== 0 || sfi < 1 || sfi > 30) {
      throw new EmvDataError(
        'INVALID_VALUE',
        '94',
        `entry ${i / 4 + 1}: SFI byte ${afl[i]} is not SFI 1-30 shifted left 3`,
      );
    }
    if (
      firstRecord === 0 ||
      lastRecord < firstRecord ||
      odaRecordCount > lastRecord - firstRecord + 1
    ) {
      throw new EmvDataError(
        'INVALID_VALUE',
        '94',
        `entry ${i / 4 + 1}: records ${firstRecord}-${lastRecord} with ${odaRecordCount} for ODA`,
      );
    }
    entries.push({ sfi, firstRecord, lastRecord, odaRecordCount });
  }
  return entries;
}

/** The records the AFL marks for offline data authentication, in AFL order. */
export function odaRecordsOf(afl: Uint8Array): { sfi: number; record: number }[] {
  return parseAfl(afl).flatMap(({ sfi, firstRecord, odaRecordCount }) =>
    Array.from({ length: odaRecordCount }, (_, k) => ({ sfi, record: firstRecord + k })),
  );
}

/** A READ RECORD response data field as the card sent it. */
export interface ReadRecordResponse {
  readonly sfi: number;
  readonly record: number;
  readonly data: Uint8Array;
}

export interface StaticDataInput {
  /** Application File Locator (94). */
  readonly afl: Uint8Array;
  /** The records read; those the AFL marks for ODA must be among them. */
  readonly records: readonly ReadRecordResponse[];
  /** SDA Tag List (9F4A), if the card has one. */
  readonly sdaTagList?: Uint8Array;
  /** Application Interchange Profile (82), needed when the SDA Tag List names it. */
  readonly aip?: Uint8Array;
}

const BOOK3 = 'Book 3 §10.3';

function recordContent(record: ReadRecordResponse): Uint8Array {
  if (record.sfi > 10) return record.data;
  // SFI 1-10: the record must be one '70' template; its tag and length are left out.
  try {
    const spans = scanTlv(record.data, { padding: 'none' });
    if (spans.length === 1 && spans[0].tag === '70') {
      return record.data.subarray(spans[0].valueStart, spans[0].end);
    }
  } catch (error) {
    if (!(error instanceof TlvError)) throw error;
  }
  throw new OdaError(
    'STATIC_DATA_RECORD',
    BOOK3,
    `SFI ${record.sfi} record ${record.record} is not a single template '70'`,
  );
}

function sdaTagListTags(list: Uint8Array): string[] {
  const tags: string[] = [];
  try {
    for (let pos = 0; pos < list.length;) {
      const { tag, next } = readTag(list, pos, list.length);
      tags.push(tag);
      pos = next;
    }
  } catch (error) {
    if (!(error instanceof TlvError)) throw error;
    throw new OdaError('SDA_TAG_LIST', BOOK3, 'SDA Tag List (9F4A) is not a list of tags');
  }
  return tags;
}

/**
 * EMV Book 3 §10.3: the static data to be authenticated, input to the SDA
 * hash and to the ICC Public Key Certificate hash: the ODA records in AFL
 * order (SFI 1-10 without their '70' tag and length, SFI 11-30 whole), then
 * the AIP if the SDA Tag List asks for it (the only tag it may name).
 */
export function buildStaticDataToBeAuthenticated(input: StaticDataInput): Uint8Array {
  const parts = odaRecordsOf(input.afl).map(({ sfi, record }) => {
    const found = input.records.find((r) => r.sfi === sfi && r.record === record);
    if (!found) {
      throw new OdaError(
        'MISSING_DATA',
        BOOK3,
        `SFI ${sfi} record ${record} is marked for ODA but was not read`,
      );
    }
    return recordContent(found);
  });
  if (input.sdaTagList !== undefined) {
    const tags = sdaTagListTags(input.sdaTagList);
    if (tags.some((tag) => tag !== '82')) {
      throw new OdaError(
        'SDA_TAG_LIST',
        BOOK3,
        `SDA Tag List names ${tags.join(', ')}; only '82' is allowed`,
      );
    }
    if (tags.length > 0) {
      if (input.aip?.length !== 2) {
        throw new OdaError(
          'MISSING_DATA',
          BOOK3,
          'SDA Tag List names the AIP (82) but no 2-byte AIP was given',
        );
      }
      parts.push(input.aip);
    }
  }
  return copyBytes(concatBytes(...parts));
}
