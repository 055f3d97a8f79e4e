/**
 * Parquet via hyparquet, one row group at a time (a row group is Parquet's unit of decoding, so
 * memory is bounded by the largest one, never the file). Values become plain JSON:
 * - nested lists and structs stay nested arrays and objects;
 * - BigInt becomes a number when it is a safe integer, otherwise its decimal string;
 * - missing values (undefined) become null; dates become ISO strings;
 * - binary columns not marked as text become base64 strings.
 * All codecs (ZSTD, GZIP, Brotli, LZ4) via hyparquet-compressors.
 */
import { stat } from "node:fs/promises";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { RecordSink, type ReadItem, type ReadOptions } from "./records.js";

/** A Parquet value as plain JSON. */
export function toJsonValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (typeof v) {
    case "bigint":
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    case "number":
      return Number.isFinite(v) ? v : String(v);
    case "string":
    case "boolean":
      return v;
    case "object":
      break;
    default:
      return String(v);
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJsonValue(x);
  return out;
}

async function openParquet(file: string): Promise<{ buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>; metadata: FileMetaData }> {
  const buffer = await asyncBufferFromFile(file);
  try {
    return { buffer, metadata: await parquetMetadataAsync(buffer) };
  } catch (e) {
    throw new Error(`${file}: not a readable Parquet file (${(e as Error).message})`);
  }
}

/** Rows from the footer alone, without reading any data page. */
export async function countParquetRows(file: string): Promise<number> {
  if ((await stat(file)).size === 0) return 0;
  return Number((await openParquet(file)).metadata.num_rows);
}

/** Parquet records, a batch per row group (see `readBatches` in readers.ts). */
export async function* readParquetBatches(file: string, opts: ReadOptions = {}): AsyncGenerator<ReadItem[]> {
  const sink = new RecordSink(file, opts);
  const { stats } = sink;
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return;
  const size = (await stat(file)).size;
  if (size === 0) return; // an empty file holds no rows, like an empty JSONL file
  const { buffer, metadata } = await openParquet(file);
  stats.bytes += size;
  let rowStart = 0;
  let yielded = 0;
  for (const group of metadata.row_groups) {
    opts.signal?.throwIfAborted();
    const n = Number(group.num_rows);
    const rowEnd = Math.min(rowStart + n, rowStart + (limit - yielded));
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors });
    } catch (e) {
      // A corrupt row group: its rows are reported as one malformed range.
      sink.malformed(rowStart + 1, `row group of rows ${rowStart + 1}-${rowStart + n}: ${(e as Error).message}`, n);
      rowStart += n;
      continue;
    }
    const batch: ReadItem[] = rows.map((row, k) => ({ record: toJsonValue(row) as Record<string, unknown>, line: rowStart + k + 1 }));
    stats.rows += batch.length;
    yielded += batch.length;
    if (batch.length) yield batch;
    if (yielded >= limit) return;
    rowStart += n;
  }
}
