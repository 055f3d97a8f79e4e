/**
 * A short progress display on stderr: one updating line on a terminal, plain lines otherwise
 * (so logs and CI output stay readable).
 */
import type { ProgressEvent } from "../recipe/progress.js";

export class ProgressDisplay {
  private lastLine = "";
  private readonly tty: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = !!out.isTTY && !process.env.CI;
  }

  private elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  private lastQuarter = new Map<string, number>();

  event(ev: ProgressEvent): void {
    const count = ev.total ? ` (${ev.done ?? 0}/${ev.total})` : "";
    if (!this.tty && ev.total) {
      // plain output: a counted step shows its start, each quarter and its end, not every tick
      const key = `${ev.node}:${ev.message}`;
      const quarter = Math.floor((4 * (ev.done ?? 0)) / ev.total);
      if (this.lastQuarter.get(key) === quarter) return;
      this.lastQuarter.set(key, quarter);
    }
    this.line(`[${this.elapsed()}] ${ev.node}: ${ev.message}${count}`);
  }

  /** A node finished. */
  step(node: string, detail = ""): void {
    this.line(`[${this.elapsed()}] ${node} done${detail ? `: ${detail}` : ""}`, true);
  }

  line(text: string, keep = false): void {
    if (this.quiet) return;
    if (this.tty) {
      const width = Math.max(20, (this.out.columns ?? 100) - 1);
      const shown = text.length > width ? text.slice(0, width - 1) + "…" : text;
      this.out.write(`\r\x1b[2K${shown}${keep ? "\n" : ""}`);
      this.lastLine = keep ? "" : shown;
    } else if (text !== this.lastLine) {
      this.out.write(text + "\n");
      this.lastLine = text;
    }
  }

  done(): void {
    if (this.tty && this.lastLine) this.out.write("\n");
    this.lastLine = "";
  }
}
