import { maskPanLike } from '@tillgate/platform';
import { CardDataInEvent } from './event-store.errors';
import type { NewEvent } from './event.types';

/**
 * Checks an event before it is appended; throws an EventStoreError to refuse
 * it. The store runs one on every event (see EventStoreOptions.guard).
 */
export type EventGuard = (streamId: string, event: NewEvent) => void;

// ISO/IEC 7813 track 2 (`PAN=YYMM...`) and track 1 (`%B<PAN>^NAME^...`) as text.
const TRACK_DATA = /\d{12,19}=\d{4}|%?B\d{12,19}\^/;

function findCardData(text: string): 'pan' | 'track-data' | null {
  if (TRACK_DATA.test(text)) return 'track-data';
  // The same detector the log redaction uses: 13-19 digits passing the Luhn check.
  if (maskPanLike(text) !== text) return 'pan';
  return null;
}

/**
 * The default guard: refuses an event whose payload or metadata holds a
 * full PAN or track data in text form (protobuf string fields are plain
 * UTF-8 in the encoding, so a PAN in any string field is found). A numeric
 * identifier of 13-19 digits that happens to pass the Luhn check is refused
 * too: fail closed, carry such identifiers with a prefix. CVV and PIN cannot
 * be told apart from other short numbers; schemas must not have such fields.
 */
export const rejectCardData: EventGuard = (streamId, event) => {
  const texts: [string, string | undefined][] = [
    ['streamId', streamId],
    ['correlationId', event.correlationId],
    ['causationId', event.causationId],
    ['merchantId', event.merchantId],
    // latin1 maps each byte to one character, so digit runs inside the encoding stay digit runs.
    [
      'payload',
      Buffer.from(
        event.payload.buffer,
        event.payload.byteOffset,
        event.payload.byteLength,
      ).toString('latin1'),
    ],
  ];
  for (const [field, text] of texts) {
    const finding = text === undefined ? null : findCardData(text);
    if (finding) throw new CardDataInEvent(field, finding);
  }
};
