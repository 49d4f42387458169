import type { Socket } from 'node:net';
import { FrameDecoder, encodeFrame } from '../framing/frame.codec';
import { FrameError } from '../framing/frame.error';

/** Why a connection ended, as seen from this side. */
export type CloseReason =
  | { readonly kind: 'closed-locally' }
  | { readonly kind: 'closed-by-peer' }
  | { readonly kind: 'socket-error'; readonly error: Error }
  | { readonly kind: 'frame-error'; readonly error: FrameError };

export interface FrameHandlers {
  /** One complete payload. Called in arrival order. */
  onFrame(payload: Uint8Array): void;
  /** Called exactly once, after which no frame is delivered. */
  onClose(reason: CloseReason): void;
}

let connectionSequence = 0;

/**
 * One TCP (or TLS) socket speaking length-prefixed frames. A bad length
 * header destroys the socket: the frame boundaries are lost, so nothing
 * after it can be trusted.
 */
export class FrameConnection {
  /** Unique per process; the multiplexer uses it to fail the right pending requests. */
  readonly id = ++connectionSequence;
  private readonly decoder: FrameDecoder;
  private closeReason: CloseReason | undefined;
  private handlers: FrameHandlers | undefined;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    readonly maxFrameLength: number,
  ) {
    this.decoder = new FrameDecoder(maxFrameLength);
    socket.setNoDelay(true);
  }

  /** Starts delivering frames. Call once, synchronously after construction. */
  attach(handlers: FrameHandlers): void {
    if (this.handlers) throw new Error('FrameConnection.attach called twice');
    this.handlers = handlers;
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.noteClose({ kind: 'socket-error', error }));
    this.socket.on('end', () => this.noteClose({ kind: 'closed-by-peer' }));
    this.socket.on('close', () => this.finish());
  }

  get isOpen(): boolean {
    return this.closeReason === undefined && !this.socket.destroyed;
  }

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /**
   * Frames and writes one payload. Returns false if the connection is
   * already closing. Frames sent in the same tick leave together, in one
   * write system call, when the tick ends (see {@link corkUntilNextTick}).
   */
  send(payload: Uint8Array): boolean {
    const frame = encodeFrame(payload, this.maxFrameLength);
    if (!this.isOpen) return false;
    this.corkUntilNextTick();
    this.socket.write(frame);
    return true;
  }

  /** Closes the connection now; pending writes are discarded (frames already sent are written first). */
  close(): void {
    this.noteClose({ kind: 'closed-locally' });
    this.destroy();
  }

  /**
   * A write system call on a TCP socket costs more than the bytes of one
   * frame: the answers to the frames of one read, or the requests a caller
   * makes in one go, are buffered until the current tick ends and then
   * written at once (the batching `socket.cork()` is meant for). Nothing
   * waits for a timer, so no frame is delayed beyond the code that sent it.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => this.uncork());
  }

  /** Writes what this tick corked, then destroys the socket (which would discard it). */
  private destroy(): void {
    this.uncork();
    this.socket.destroy();
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  private receive(chunk: Buffer): void {
    if (this.closeReason) return;
    try {
      this.decoder.push(chunk, (frame) => {
        // A handler may close the connection; nothing after that is delivered.
        if (!this.closeReason) this.handlers?.onFrame(frame);
      });
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.noteClose({ kind: 'frame-error', error });
      // Answers to the good frames before it were sent in this tick: write them first.
      this.destroy();
    }
  }

  private noteClose(reason: CloseReason): void {
    this.closeReason ??= reason;
    if (reason.kind === 'closed-by-peer') this.destroy();
  }

  private finish(): void {
    const handlers = this.handlers;
    this.handlers = undefined;
    handlers?.onClose(this.closeReason ?? { kind: 'closed-by-peer' });
  }
}
