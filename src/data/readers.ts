/**
 * Streaming record readers for local files: format detection, reading, counting, sampling.
 * Nothing here loads a whole file: memory is bounded by the records of one 1 MiB read chunk
 * (one row group for Parquet), whatever the file size.
 *
 * Malformed records: `onMalformed: "fail"` (default) throws `MalformedRecordError` naming the
 * file and line; `"skip"` skips them and counts them in a `ReadStats` passed as `opts.stats`
 * (with the first few kept as examples), which callers copy into their reports.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { readCsvBatches } from "./csv.js";
import { countJsonlLines, readJsonlBatches } from "./jsonl.js";
import { readJsonBatches } from "./json-stream.js";
import { countParquetRows, readParquetBatches } from "./parquet.js";
import { flatten, newReadStats, type ReadItem, type ReadOptions } from "./records.js";
import { Reservoir, type Seed } from "./sample.js";
import type { SourceFormat } from "./types.js";

export { flatten, MalformedRecordError, newReadStats, type OnMalformed, type ReadItem, type ReadOptions } from "./records.js";
export { DICT_KEY_FIELD } from "./json-stream.js";

const BY_EXTENSION: Record<string, SourceFormat> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".jsonlines": "jsonl",
  ".csv": "csv",
  ".tsv": "csv",
  ".tab": "csv",
  ".parquet": "parquet",
  ".pq": "parquet",
};
const COMPRESSED = new Set([".gz", ".bz2", ".xz", ".zst", ".zip", ".7z"]);
const SNIFF_BYTES = 64 * 1024;

function readHead(file: string, n: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** JSONL or a JSON document, for a file starting with '{': JSONL when its first line is a whole object. */
function sniffBrace(head: Buffer, start: number): SourceFormat {
  const nl = head.indexOf(0x0a, start);
  if (nl < 0) return "json";
  try {
    const first = JSON.parse(head.toString("utf8", start, nl));
    if (typeof first !== "object" || first === null || Array.isArray(first)) return "json";
  } catch {
    return "json"; // a pretty-printed object spans lines
  }
  return "jsonl";
}

/** The format of bytes: Parquet magic, a JSON array, JSONL/JSON objects, else CSV. */
export function sniffFormat(head: Buffer): SourceFormat {
  if (head.length >= 4 && head.toString("latin1", 0, 4) === "PAR1") return "parquet";
  let i = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i >= head.length) return "jsonl"; // empty: any reader gives zero records
  if (head[i] === 0x5b) return "json";
  if (head[i] === 0x7b) return sniffBrace(head, i);
  return "csv";
}

/**
 * The format of a file: `override` if given, else its extension (.jsonl/.ndjson, .json,
 * .csv/.tsv, .parquet), else a sniff of its first bytes. `.json` is ambiguous in practice (many
 * are JSONL), so it is sniffed too.
 */
export function detectFormat(file: string, override?: SourceFormat): SourceFormat {
  if (override) return override;
  const ext = path.extname(file).toLowerCase();
  if (COMPRESSED.has(ext)) throw new Error(`${file}: compressed files are not read directly; decompress it first`);
  const byExt = BY_EXTENSION[ext];
  if (byExt) return byExt;
  const sniffed = sniffFormat(readHead(file, SNIFF_BYTES));
  // A .json file is JSON or JSON lines; anything else in it is for the JSON reader to report.
  if (ext === ".json" && sniffed !== "jsonl") return "json";
  return sniffed;
}

/**
 * Records of a local file in batches (one per read chunk or Parquet row group). Consumers that
 * handle many records (staging, sampling, counting) iterate batches: per-record async
 * iteration costs more than parsing a JSONL line.
 */
export async function* readBatches(file: string, opts: ReadOptions = {}): AsyncGenerator<ReadItem[]> {
  const readers = { jsonl: readJsonlBatches, json: readJsonBatches, csv: readCsvBatches, parquet: readParquetBatches } as const;
  yield* readers[detectFormat(file, opts.format)](file, opts);
}

/** Records of a local file, streamed, with the 1-based line (row) each starts on. */
export function readRecords(file: string, opts: ReadOptions = {}): AsyncGenerator<ReadItem> {
  return flatten(readBatches(file, opts));
}

/**
 * Records stored in a file, malformed ones included. JSONL: newline scan without parsing;
 * Parquet: the footer's row count; JSON and CSV: a streaming parse.
 */
export async function countRows(file: string, opts: Pick<ReadOptions, "format" | "signal" | "delimiter"> = {}): Promise<number> {
  if (statSync(file).size === 0) return 0;
  const format = detectFormat(file, opts.format);
  if (format === "jsonl") return countJsonlLines(file, opts.signal);
  if (format === "parquet") return countParquetRows(file);
  const stats = newReadStats();
  for await (const _ of readBatches(file, { ...opts, format, onMalformed: "skip", stats, maxMalformedExamples: 0 })) void _;
  return stats.rows + stats.malformed;
}

/**
 * k records drawn uniformly in one streaming pass (reservoir sampling), in file order. The same
 * seed gives the same sample. Malformed records are skipped unless `opts.onMalformed` is "fail".
 */
export async function sampleRecords(file: string, k: number, seed: Seed, opts: ReadOptions = {}): Promise<ReadItem[]> {
  const reservoir = new Reservoir<ReadItem>(k, seed);
  for await (const batch of readBatches(file, { onMalformed: "skip", ...opts })) reservoir.addAll(batch);
  return reservoir.items();
}
