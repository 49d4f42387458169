import type { IsoMessage } from '../spec/field-spec.types';

/** Canonical text of a message: sorted keys, bytes as tagged hex (so a string never equals bytes). */
export function canonicalMessage(message: IsoMessage): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(
        Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return value;
  });
}

/** Fast deep equality for fuzz loops; jest's toEqual is then used only to print a failing diff. */
export function expectSameMessage(actual: IsoMessage, expected: IsoMessage): void {
  if (canonicalMessage(actual) !== canonicalMessage(expected)) expect(actual).toEqual(expected);
}
