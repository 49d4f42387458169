// Byte helpers shared by every area of the lib. Public values are plain
// Uint8Array (never Buffer views), so a decoded value never aliases the input.

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function fromHex(hex: string): Uint8Array {
  if (!HEX.test(hex)) {
    throw new TypeError(`not an even-length hex string: "${hex.slice(0, 40)}"`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('hex')
    .toUpperCase();
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function copyBytes(source: Uint8Array, start = 0, end = source.length): Uint8Array {
  return new Uint8Array(source.subarray(start, end));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function filledBytes(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}

/** Big-endian unsigned integer of up to 6 bytes. */
export function readUint(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** Digits of a cn value (compressed numeric): trailing 'F' padding removed; undefined if malformed. */
export function cnDigits(bytes: Uint8Array): string | undefined {
  const match = /^([0-9]*)F*$/.exec(toHex(bytes));
  return match ? match[1] : undefined;
}
