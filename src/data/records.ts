/**
 * What every format reader shares: options, the yielded item, the malformed-record error and
 * the bookkeeping of `ReadStats`. Format modules (jsonl, json-stream, csv, parquet) build on it.
 */
import type { MalformedLine, ReadStats, SourceFormat } from "./types.js";

export type OnMalformed = "skip" | "fail";

export interface ReadOptions {
  /** Overrides detection by extension and sniffing. */
  format?: SourceFormat;
  /**
   * What a record that cannot be parsed does: "fail" (the default) throws
   * `MalformedRecordError`; "skip" counts it in `stats` and keeps the first few as examples.
   */
  onMalformed?: OnMalformed;
  /** Stop after this many records were yielded. */
  limit?: number;
  signal?: AbortSignal;
  /** Filled in while reading; complete once the iteration has ended. */
  stats?: ReadStats;
  /** Malformed examples kept in `stats` (default 5). */
  maxMalformedExamples?: number;
  /** A record (line, element, CSV row) larger than this is malformed (default 64 MiB): bounds memory. */
  maxRecordBytes?: number;
  /** CSV only: the field separator; by default tab for .tsv files and a sniff of the header otherwise. */
  delimiter?: string;
}

export interface ReadItem {
  record: Record<string, unknown>;
  /**
   * Where the record starts, 1-based: the physical line for JSONL, JSON and CSV (a CSV header is
   * line 1), the row number for Parquet.
   */
  line: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_MALFORMED_EXAMPLES = 5;
/** Read size: large enough to keep syscalls rare, small enough to keep memory flat. */
export const CHUNK_BYTES = 1024 * 1024;

export class MalformedRecordError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: malformed record: ${reason}`);
    this.name = "MalformedRecordError";
  }
}

export function newReadStats(): ReadStats {
  return { rows: 0, malformed: 0, malformedExamples: [], invalidUtf8Lines: 0, bytes: 0 };
}

/** Bookkeeping one reader does for one file; throws in "fail" mode. */
export class RecordSink {
  readonly stats: ReadStats;
  private readonly onMalformed: OnMalformed;
  private readonly maxExamples: number;
  readonly maxRecordBytes: number;

  constructor(
    readonly file: string,
    opts: ReadOptions,
  ) {
    this.stats = opts.stats ?? newReadStats();
    this.onMalformed = opts.onMalformed ?? "fail";
    this.maxExamples = opts.maxMalformedExamples ?? DEFAULT_MAX_MALFORMED_EXAMPLES;
    this.maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Reports a malformed record (or `count` of them, e.g. a corrupt Parquet row group). */
  malformed(line: number, reason: string, count = 1): void {
    if (this.onMalformed === "fail") throw new MalformedRecordError(this.file, line, reason);
    this.stats.malformed += count;
    if (this.stats.malformedExamples.length < this.maxExamples) {
      const ex: MalformedLine = { line, error: reason, file: this.file };
      this.stats.malformedExamples.push(ex);
    }
  }
}

/** A short, single-line description of a parse error. */
export function errorReason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes UTF-8 with U+FFFD for invalid bytes. The fast path is Buffer#toString; only text that
 * shows U+FFFD is re-checked, because the character may also be genuinely in the data.
 */
export function decodeUtf8(buf: Buffer): { text: string; invalid: boolean } {
  const text = buf.toString("utf8");
  if (!text.includes("\uFFFD")) return { text, invalid: false };
  try {
    fatalUtf8.decode(buf);
    return { text, invalid: false };
  } catch {
    return { text, invalid: true };
  }
}

/** JSON values a record may hold; anything else (arrays, scalars) is not a record. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function describeJsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}

/**
 * Yields the batch `fill` builds, if any. When `fill` throws (a malformed record in "fail"
 * mode), the records before it are yielded first and the error follows, so consumers see
 * every good record up to the failure.
 */
export function* settle(batch: ReadItem[], fill: () => void): Generator<ReadItem[]> {
  try {
    fill();
  } catch (e) {
    if (batch.length) yield batch;
    throw e;
  }
  if (batch.length) yield batch;
}

/** One item at a time from batches. */
export async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}
