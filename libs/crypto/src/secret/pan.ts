import { timingSafeEqual } from 'node:crypto';
import { isLuhnValid } from './luhn';
import { PanError } from './secret-errors';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** ISO/IEC 7812-1 §4.4 allows up to 19 digits; 12 is the shortest PAN in use (Maestro). */
export const PAN_MIN_LENGTH = 12;
export const PAN_MAX_LENGTH = 19;

/** PCI DSS 3.4.1: at most the first six and last four digits may be displayed. */
const SHOWN_LEADING = 6;
const SHOWN_TRAILING = 4;
/** Short PANs show fewer leading digits so that at least this many stay hidden. */
const MIN_HIDDEN = 5;

/**
 * A primary account number that has passed the Luhn check. Every way of
 * printing it (String(), template literals, JSON.stringify, util.inspect,
 * console.*) gives the masked form `476173******0010`; `reveal()` is the
 * only way to the digits.
 */
export class Pan {
  readonly #digits: string;

  private constructor(digits: string) {
    this.#digits = digits;
  }

  /**
   * Accepts 12 to 19 decimal digits with a valid Luhn check digit and
   * nothing else (no spaces or dashes: normalise at the edge, where the
   * field name is known). Throws `PanError`; its message never holds digits.
   */
  static parse(digits: string): Pan {
    if (typeof digits !== 'string' || !/^[0-9]*$/.test(digits)) {
      throw new PanError('INVALID_PAN', 'PAN must contain decimal digits only');
    }
    if (digits.length < PAN_MIN_LENGTH || digits.length > PAN_MAX_LENGTH) {
      throw new PanError(
        'INVALID_PAN',
        `PAN must have ${PAN_MIN_LENGTH} to ${PAN_MAX_LENGTH} digits, got ${digits.length}`,
      );
    }
    if (!isLuhnValid(digits)) {
      throw new PanError(
        'PAN_LUHN_MISMATCH',
        'PAN check digit does not match (Luhn, ISO/IEC 7812-1 Annex B)',
      );
    }
    return new Pan(digits);
  }

  static isValid(digits: string): boolean {
    try {
      Pan.parse(digits);
      return true;
    } catch {
      return false;
    }
  }

  /** The full digits. Only for cryptography (PIN blocks, key derivation) and the vault. */
  reveal(): string {
    return this.#digits;
  }

  get length(): number {
    return this.#digits.length;
  }

  /** Leading digits that may be shown (the first six, fewer for PANs under 15 digits). */
  get leading(): string {
    return this.#digits.slice(0, shownLeading(this.#digits.length));
  }

  get lastFour(): string {
    return this.#digits.slice(-SHOWN_TRAILING);
  }

  /** First six and last four digits, the rest as '*': 476173******0010. */
  get masked(): string {
    const lead = this.leading;
    return lead + '*'.repeat(this.#digits.length - lead.length - SHOWN_TRAILING) + this.lastFour;
  }

  /** Comparison without an early exit on the first differing digit. */
  equals(other: Pan): boolean {
    const a = Buffer.from(this.#digits, 'ascii');
    const b = Buffer.from(other.#digits, 'ascii');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return this.masked;
  }

  toJSON(): string {
    return this.masked;
  }

  [Symbol.toPrimitive](): string {
    return this.masked;
  }

  [INSPECT](): string {
    return `Pan(${this.masked})`;
  }
}

function shownLeading(length: number): number {
  return Math.max(0, Math.min(SHOWN_LEADING, length - SHOWN_TRAILING - MIN_HIDDEN));
}
