import vectors from './pinblock.json';

/** pinblock.json vectors vary in shape per format and direction; tests read them through this one type. */
export interface PinblockVector {
  readonly format: string;
  readonly direction: string;
  readonly source: string;
  readonly inputs: Partial<Record<string, string>>;
  readonly expected: Partial<Record<string, string>>;
}

export const pinblockVectors: readonly PinblockVector[] = vectors.vectors;

/** The ISO 9564 format number of a vector ("ISO 9564 format 4 (AES)" -> 4). */
export const formatOf = (vector: PinblockVector): number =>
  Number(/format (\d)/.exec(vector.format)![1]);

/** A field of inputs or expected whose name starts with `prefix` (some carry notes in their names). */
export const fieldOf = (vector: PinblockVector, prefix: string): string | undefined =>
  Object.entries({ ...vector.inputs, ...vector.expected }).find(([name]) =>
    name.startsWith(prefix),
  )?.[1];
