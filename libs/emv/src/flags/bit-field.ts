import { EmvDataError } from '../shared/emv-data.error';

/** One named bit: byte 1 is the leftmost, bit 8 the most significant (EMV's b8..b1). */
export interface BitDefinition<N extends string> {
  readonly name: N;
  readonly byte: number;
  readonly bit: number;
  readonly meaning: string;
}

export interface BitPosition {
  readonly byte: number;
  readonly bit: number;
}

/** A fixed-length bit string with named bits (TVR, TSI, AIP, terminal capabilities...). */
export class BitFieldLayout<N extends string> {
  constructor(
    readonly tag: string,
    readonly length: number,
    readonly bits: readonly BitDefinition<N>[],
  ) {}

  private check(bytes: Uint8Array): void {
    if (bytes.length !== this.length) {
      throw new EmvDataError(
        'INVALID_LENGTH',
        this.tag,
        `expected ${this.length} bytes, got ${bytes.length}`,
      );
    }
  }

  private static isSet(bytes: Uint8Array, { byte, bit }: BitPosition): boolean {
    return (bytes[byte - 1] & (1 << (bit - 1))) !== 0;
  }

  /** Every named bit as a boolean. */
  decode(bytes: Uint8Array): Record<N, boolean> {
    this.check(bytes);
    const flags = {} as Record<N, boolean>;
    for (const def of this.bits) flags[def.name] = BitFieldLayout.isSet(bytes, def);
    return flags;
  }

  /** Names of the bits that are set, in specification order. */
  setFlags(bytes: Uint8Array): N[] {
    this.check(bytes);
    return this.bits.filter((def) => BitFieldLayout.isSet(bytes, def)).map((def) => def.name);
  }

  /** Set bits that the specification leaves RFU: a newer card or kernel may use them. */
  rfuBits(bytes: Uint8Array): BitPosition[] {
    this.check(bytes);
    const named = new Set(this.bits.map((d) => `${d.byte}.${d.bit}`));
    const rfu: BitPosition[] = [];
    for (let byte = 1; byte <= this.length; byte++) {
      for (let bit = 8; bit >= 1; bit--) {
        if (!named.has(`${byte}.${bit}`) && BitFieldLayout.isSet(bytes, { byte, bit }))
          rfu.push({ byte, bit });
      }
    }
    return rfu;
  }

  encode(flags: Iterable<N> | Partial<Record<N, boolean>>): Uint8Array {
    const names: Iterable<N> =
      Symbol.iterator in flags
        ? (flags as Iterable<N>)
        : (Object.entries(flags) as [N, boolean][]).filter(([, on]) => on).map(([name]) => name);
    const bytes = new Uint8Array(this.length);
    for (const name of names) {
      const def = this.bits.find((d) => d.name === name);
      if (!def) throw new EmvDataError('INVALID_VALUE', this.tag, `no bit named "${name}"`);
      bytes[def.byte - 1] |= 1 << (def.bit - 1);
    }
    return bytes;
  }
}

export function bitsOf<N extends string>(
  rows: readonly [N, number, number, string][],
): BitDefinition<N>[] {
  return rows.map(([name, byte, bit, meaning]) => ({ name, byte, bit, meaning }));
}
