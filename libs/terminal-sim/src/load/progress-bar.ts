/** A one-line progress bar redrawn in place with '\r' (on a TTY; otherwise a line every 10 %). */
export class ProgressBar {
  private lastDrawn = -1;
  private lastDecile = -1;

  constructor(
    private readonly write: (text: string) => void,
    private readonly total: number,
    private readonly options: { readonly tty: boolean; readonly width?: number } = { tty: true },
  ) {}

  update(done: number, failed: number, elapsedMs: number): void {
    const fraction = this.total === 0 ? 1 : done / this.total;
    const width = this.options.width ?? 30;
    const filled = Math.round(fraction * width);
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}` +
      ` ${(fraction * 100).toFixed(0).padStart(3)}%  ${rate.toFixed(0)}/s  failed ${failed}`;
    if (this.options.tty) {
      // Redraw at most once per whole percent, to keep stderr cheap at high rates.
      const percent = Math.floor(fraction * 100);
      if (percent === this.lastDrawn && done !== this.total) return;
      this.lastDrawn = percent;
      this.write(`\r${line}`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.write(`${line}\n`);
    }
  }

  finish(): void {
    if (this.options.tty) this.write('\n');
  }
}
