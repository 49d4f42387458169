/**
 * Track 2 equivalent data (EMV tag 57, ISO/IEC 7813 track 2 layout) as the
 * terminal encrypts it: BCD nibbles `PAN | D | YYMM | service code |
 * discretionary data`, padded with F nibbles to the cipher block (tag 57's
 * own filler, never a track 2 character). Parsed from the decrypted bytes
 * without ever putting a digit into an error: the caller turns a failure
 * into a refusal of `card.encrypted_track2`.
 */

export interface Track2 {
  readonly pan: string;
  /** YYMM. */
  readonly expiry: string;
  readonly serviceCode: string;
  /** As ASCII with the 'D' separator, e.g. `4761739001010119D28122011758928889`. */
  readonly text: string;
}

/** Why decrypted bytes are not track 2; safe to log (no card data). */
export type Track2Problem =
  'not BCD track 2 data' | 'no separator' | 'PAN length' | 'expiry' | 'service code' | 'too long';

export class Track2Malformed extends Error {
  override readonly name = 'Track2Malformed';
  constructor(readonly problem: Track2Problem) {
    super(`track 2 equivalent data is malformed: ${problem}`);
  }
}

/** ISO/IEC 7813: at most 37 characters between the sentinels (ISO 8583 field 35 is z..37). */
const MAX_TRACK2_CHARACTERS = 37;
const NIBBLES = /^[0-9D]+$/;

export function parseTrack2(decrypted: Buffer): Track2 {
  const nibbles = decrypted.toString('hex').toUpperCase().replace(/F+$/, '');
  if (nibbles.length === 0 || !NIBBLES.test(nibbles))
    throw new Track2Malformed('not BCD track 2 data');
  const separator = nibbles.indexOf('D');
  if (separator < 0 || nibbles.indexOf('D', separator + 1) >= 0)
    throw new Track2Malformed('no separator');
  if (nibbles.length > MAX_TRACK2_CHARACTERS) throw new Track2Malformed('too long');
  const pan = nibbles.slice(0, separator);
  if (pan.length < 12 || pan.length > 19) throw new Track2Malformed('PAN length');
  const rest = nibbles.slice(separator + 1);
  const expiry = rest.slice(0, 4);
  const month = Number(expiry.slice(2));
  if (expiry.length !== 4 || month < 1 || month > 12) throw new Track2Malformed('expiry');
  const serviceCode = rest.slice(4, 7);
  // ISO/IEC 7813 §10: the first digit of a service code is 1, 2, 5, 6 or 7 (0, 3, 4, 8, 9 are reserved).
  if (!/^[12567][0-9]{2}$/.test(serviceCode)) throw new Track2Malformed('service code');
  return { pan, expiry, serviceCode, text: nibbles };
}

/** The ISO 8583 field 35 form: the separator written '='. */
export function track2Field(text: string): string {
  return text.replace('D', '=');
}
