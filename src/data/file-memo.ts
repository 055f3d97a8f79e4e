/**
 * In-process memo of values derived from files (a parsed benchmark, its fingerprints), so the G
 * rollouts of a task read and parse them once. Keys hold each file's resolved path, size, mtime
 * and inode: an edited or replaced file is read again. Bounded: the least recently used entry is
 * dropped first.
 */
import { statSync } from "node:fs";
import path from "node:path";

/** What identifies a file's current content without reading it. */
export function fileStamp(file: string): string {
  const st = statSync(file);
  return `${path.resolve(file)}|${st.size}|${st.mtimeMs}|${st.ino}`;
}

/** fileStamp without the path: the same file after a rename (a run folder being published). */
export function inodeStamp(file: string): string {
  const st = statSync(file);
  return `${st.dev}:${st.ino}|${st.size}|${st.mtimeMs}`;
}

export class FileMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    readonly maxEntries = 8,
    private readonly stamp: (file: string) => string = fileStamp,
  ) {}

  /** The value built from `files` (and `extra`), built again when one of the files changed. */
  get(files: readonly string[], extra: string, build: () => V): V {
    const key = JSON.stringify([files.map(this.stamp), extra]);
    if (this.entries.has(key)) {
      const hit = this.entries.get(key) as V;
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = build();
    this.entries.set(key, value);
    // a failed load is not remembered
    if (value instanceof Promise) value.catch(() => this.entries.get(key) === value && this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
