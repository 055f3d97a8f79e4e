/**
 * Staging: every source converted once to JSONL (one JSON object per line, UTF-8), which is
 * what recipes read in the sandbox (`sources/<id>.jsonl`), whatever the original format.
 *
 * Conversions are cached under a key made of the source bytes' SHA-256, the format, the row
 * cap, the malformed-record policy and the converter version, so a repeated run converts
 * nothing and any change to the data or the rules converts again. Files are written to a
 * temporary name and renamed; the `.meta.json` beside the JSONL is renamed last and marks the
 * entry complete.
 *
 * The row cap keeps the first N records (a streaming, deterministic cut); `truncated` says
 * whether the source had more. Counts of malformed records cover the part that was read.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";
import type { LoadedTask } from "../task/spec.js";
import { newReadStats, type OnMalformed } from "./records.js";
import { readResolvedBatches, resolveSource, type ResolveOptions, type SourceLocation } from "./source.js";
import type { MalformedLine, SourceFormat } from "./types.js";

/** Bump when the conversion's output for the same input changes. */
export const STAGE_CONVERTER_VERSION = 1;

export interface StagedSource {
  id: string;
  /** Host path of the converted JSONL. */
  jsonlPath: string;
  /** Records written. */
  rows: number;
  malformed: number;
  malformedExamples: MalformedLine[];
  invalidUtf8Lines: number;
  /** The conversion was already in the cache. */
  cached: boolean;
  /** SHA-256 of the staged JSONL (what the recipe reads). */
  sha256: string;
  /** SHA-256 of the source file bytes (all shards, in order). */
  sourceSha256: string;
  format: SourceFormat;
  /** The row cap cut the source short. */
  truncated: boolean;
  maxRows: number;
}

export interface StageOptions {
  /** Default: `$DATACHEF_CACHE/staged`, else `<cwd>/.datachef/cache/staged`. */
  cacheDir?: string;
  /** Records kept per source (default: max(100,000, 20 × the task's max_records)). */
  maxRows?: number;
  /** Default "skip": malformed records are counted and reported; "fail" stops at the first. */
  onMalformed?: OnMalformed;
  signal?: AbortSignal;
  hf?: ResolveOptions;
  onProgress?: (id: string, done: number, total: number) => void;
}

export function defaultStageCacheDir(): string {
  const root = process.env.DATACHEF_CACHE ? path.resolve(process.env.DATACHEF_CACHE) : path.resolve(".datachef", "cache");
  return path.join(root, "staged");
}

export function defaultStageMaxRows(task: LoadedTask): number {
  return Math.max(100_000, 20 * task.maxRecords);
}

/** SHA-256 of the concatenated bytes of several files, streamed. */
export async function sha256Files(files: string[], signal?: AbortSignal): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) {
    for await (const chunk of createReadStream(f, { highWaterMark: 1024 * 1024, signal })) h.update(chunk as Buffer);
  }
  return h.digest("hex");
}

interface Meta {
  version: number;
  id: string;
  rows: number;
  malformed: number;
  malformedExamples: MalformedLine[];
  invalidUtf8Lines: number;
  sha256: string;
  sourceSha256: string;
  format: SourceFormat;
  truncated: boolean;
  maxRows: number;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Converts one source to JSONL (or finds it in the cache). */
export async function stageSource(
  src: SourceLocation & { id: string },
  opts: Omit<StageOptions, "onProgress" | "maxRows"> & { maxRows: number },
): Promise<StagedSource> {
  const cacheDir = path.resolve(opts.cacheDir ?? defaultStageCacheDir());
  const onMalformed = opts.onMalformed ?? "skip";
  const resolved = await resolveSource(src, opts.hf);
  const sourceSha256 = await sha256Files(resolved.files, opts.signal);
  const key = createHash("sha256")
    .update(JSON.stringify({ v: STAGE_CONVERTER_VERSION, sourceSha256, format: resolved.format, maxRows: opts.maxRows, onMalformed }))
    .digest("hex")
    .slice(0, 20);
  const base = path.join(cacheDir, `${src.id}.${key}`);
  const jsonlPath = `${base}.jsonl`;
  const metaPath = `${base}.meta.json`;
  if (existsSync(metaPath) && existsSync(jsonlPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, "utf8")) as Meta;
      if (meta.version === STAGE_CONVERTER_VERSION) return { ...fromMeta(meta), id: src.id, jsonlPath, cached: true };
    } catch {
      // unreadable meta: convert again
    }
  }

  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${jsonlPath}.tmp-${process.pid}-${Date.now()}`;
  const out = createWriteStream(tmp);
  let writeError: Error | null = null;
  out.on("error", (e) => (writeError = e)); // e.g. disk full; rethrown below, never unhandled
  const hash = createHash("sha256");
  const stats = newReadStats();
  let rows = 0;
  let truncated = false;
  try {
    let batch = "";
    const flush = async () => {
      if (writeError) throw writeError;
      if (!batch) return;
      hash.update(batch, "utf8");
      if (!out.write(batch)) await once(out, "drain");
      batch = "";
    };
    read: for await (const { items } of readResolvedBatches(resolved, { onMalformed, stats, signal: opts.signal, limit: opts.maxRows + 1 })) {
      for (const { record } of items) {
        if (rows >= opts.maxRows) {
          truncated = true;
          break read;
        }
        batch += JSON.stringify(record) + "\n";
        rows++;
      }
      if (batch.length >= 1 << 20) await flush();
    }
    await flush();
    out.end();
    await once(out, "finish");
  } catch (e) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
  const meta: Meta = {
    version: STAGE_CONVERTER_VERSION,
    id: src.id,
    rows,
    malformed: stats.malformed,
    malformedExamples: stats.malformedExamples,
    invalidUtf8Lines: stats.invalidUtf8Lines,
    sha256: hash.digest("hex"),
    sourceSha256,
    format: resolved.format,
    truncated,
    maxRows: opts.maxRows,
  };
  renameSync(tmp, jsonlPath);
  writeAtomic(metaPath, JSON.stringify(meta, null, 1));
  return { ...fromMeta(meta), id: src.id, jsonlPath, cached: false };
}

function fromMeta(m: Meta): Omit<StagedSource, "id" | "jsonlPath" | "cached"> {
  return {
    rows: m.rows,
    malformed: m.malformed,
    malformedExamples: m.malformedExamples,
    invalidUtf8Lines: m.invalidUtf8Lines,
    sha256: m.sha256,
    sourceSha256: m.sourceSha256,
    format: m.format,
    truncated: m.truncated,
    maxRows: m.maxRows,
  };
}

/** Stages every source of a task, in spec order. The benchmark is never staged. */
export async function stageSources(task: LoadedTask, opts: StageOptions = {}): Promise<StagedSource[]> {
  const maxRows = opts.maxRows ?? defaultStageMaxRows(task);
  const out: StagedSource[] = [];
  const sources = task.spec.sources;
  for (const [i, src] of sources.entries()) {
    opts.onProgress?.(src.id, i, sources.length);
    out.push(await stageSource(src, { ...opts, maxRows }));
  }
  opts.onProgress?.("", sources.length, sources.length);
  return out;
}
