import { DEFAULT_MAX_FRAME_LENGTH, FrameDecoder, encodeFrame } from './frame.codec';
import { FrameError } from './frame.error';

const bytes = (hex: string): Uint8Array =>
  new Uint8Array(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** The frames one push delivers. */
function framesOf(decoder: FrameDecoder, chunk: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  decoder.push(chunk, (f) => frames.push(f));
  return frames;
}

describe('encodeFrame', () => {
  it('prefixes the payload with its length as 2 bytes, big-endian, header not counted', () => {
    expect(hex(encodeFrame(bytes('30383030')))).toBe('000430383030');
    expect(hex(encodeFrame(new Uint8Array(0x0123)).subarray(0, 2))).toBe('0123');
  });

  it('refuses an empty payload and one over the limit', () => {
    expect(() => encodeFrame(new Uint8Array(0))).toThrow(FrameError);
    expect(() => encodeFrame(new Uint8Array(11), 10)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE', length: 11 }),
    );
    expect(() => encodeFrame(new Uint8Array(1), 0x10000)).toThrow(RangeError);
  });
});

describe('FrameDecoder', () => {
  it('returns nothing until a frame is complete, whatever the split', () => {
    const decoder = new FrameDecoder();
    expect(framesOf(decoder, bytes('00'))).toEqual([]);
    expect(framesOf(decoder, bytes('03 AA'))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(3);
    expect(framesOf(decoder, bytes('BB CC'))).toEqual([bytes('AABBCC')]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('splits coalesced frames and keeps the start of the next one', () => {
    const decoder = new FrameDecoder();
    expect(framesOf(decoder, bytes('0001 11 0002 2222 0003 33'))).toEqual([
      bytes('11'),
      bytes('2222'),
    ]);
    expect(framesOf(decoder, bytes('3333'))).toEqual([bytes('333333')]);
  });

  it('returns copies, not views of the received chunk', () => {
    const chunk = bytes('0002 ABCD');
    const [frame] = framesOf(new FrameDecoder(), chunk);
    chunk.fill(0);
    expect(frame).toEqual(bytes('ABCD'));
  });

  it('refuses a length over the limit as soon as the header is read, with its stream offset', () => {
    const decoder = new FrameDecoder(16);
    framesOf(decoder, bytes('0001 AA'));
    let error: unknown;
    try {
      framesOf(decoder, bytes('00 11'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE', length: 17, offset: 3 });
  });

  it('refuses a zero length', () => {
    expect(() => framesOf(new FrameDecoder(), bytes('0000'))).toThrow(
      expect.objectContaining({ code: 'EMPTY_FRAME', offset: 0 }),
    );
  });

  it('delivers the frames before a bad header, then throws', () => {
    const frames: Uint8Array[] = [];
    expect(() =>
      new FrameDecoder(4).push(bytes('0001 AA 0002 BBCC 0009'), (f) => frames.push(f)),
    ).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE', offset: 7 }));
    expect(frames).toEqual([bytes('AA'), bytes('BBCC')]);
  });

  it('stays failed after a bad header: the frame boundaries are lost', () => {
    const decoder = new FrameDecoder(4);
    expect(() => framesOf(decoder, bytes('FFFF'))).toThrow(FrameError);
    expect(decoder.failed).toBe(true);
    expect(() => framesOf(decoder, bytes('0001 AA'))).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
  });

  it('accepts a frame of exactly the limit', () => {
    const payload = new Uint8Array(DEFAULT_MAX_FRAME_LENGTH).fill(7);
    expect(framesOf(new FrameDecoder(), encodeFrame(payload))).toEqual([payload]);
  });
});
