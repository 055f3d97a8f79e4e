/**
 * The evaluation journal: one JSON line per finished recipe, appended the moment it finishes,
 * keyed by (task, variant, seed). A re-run of an interrupted evaluation reads it and skips what
 * is there. A line torn by a kill is ignored (that recipe simply runs again).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RecipeRow } from "./types.js";

export function journalKey(task: string, variant: string, seed: number): string {
  return `${task}\u0000${variant}\u0000${seed}`;
}

export function rowKey(r: Pick<RecipeRow, "task" | "variant" | "seed">): string {
  return journalKey(r.task, r.variant, r.seed);
}

export class Journal {
  private readonly rows = new Map<string, RecipeRow>();
  /** Lines that could not be parsed (a torn last line after a kill). */
  readonly torn: number;
  private needsNewline = false;

  constructor(readonly file: string) {
    let torn = 0;
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      this.needsNewline = text.length > 0 && !text.endsWith("\n");
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try {
          const r = JSON.parse(line) as RecipeRow;
          if (typeof r.task === "string" && typeof r.variant === "string" && typeof r.seed === "number") this.rows.set(rowKey(r), r);
          else torn++;
        } catch {
          torn++;
        }
      }
    }
    this.torn = torn;
  }

  has(task: string, variant: string, seed: number): boolean {
    return this.rows.has(journalKey(task, variant, seed));
  }

  get(task: string, variant: string, seed: number): RecipeRow | undefined {
    return this.rows.get(journalKey(task, variant, seed));
  }

  /** Appends one finished recipe (a single write of one line: a kill tears at most this line). */
  add(row: RecipeRow): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    // a torn last line from a killed run must not swallow this one
    appendFileSync(this.file, (this.needsNewline ? "\n" : "") + JSON.stringify(row) + "\n");
    this.needsNewline = false;
    this.rows.set(rowKey(row), row);
  }

  all(): RecipeRow[] {
    return [...this.rows.values()];
  }

  get size(): number {
    return this.rows.size;
  }
}
