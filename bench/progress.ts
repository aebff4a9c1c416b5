// Progress lines on stderr, throttled; rewritten in place on a terminal, one line each otherwise.

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return fmt.format(n);
}

export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 120 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export class Progress {
  private last = 0;
  private pending = false;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly label: string,
    private readonly everyMs = 2000,
  ) {}

  /** Shows `text` unless a line was shown less than `everyMs` ago (`force` shows it anyway). */
  update(text: string, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < this.everyMs) return;
    this.last = now;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K[${this.label}] ${text}`);
      this.pending = true;
    } else {
      process.stderr.write(`[${this.label}] ${text}\n`);
    }
  }

  /** A line that stays (ends any in-place progress line first). */
  log(text: string): void {
    this.end();
    process.stderr.write(`[${this.label}] ${text}\n`);
  }

  end(): void {
    if (this.pending) process.stderr.write('\n');
    this.pending = false;
  }
}
