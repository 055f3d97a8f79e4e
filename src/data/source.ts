/**
 * A task source as local files: a local path as is, an hf:// reference via the hub cache. An
 * hf:// split may be several Parquet shards; they read as one stream.
 */
import { existsSync, statSync } from "node:fs";
import { isHfRef } from "../task/spec.js";
import { resolveHfFiles, type HfOptions } from "./hf.js";
import { detectFormat, readBatches } from "./readers.js";
import { newReadStats, type ReadItem, type ReadOptions } from "./records.js";
import type { SourceFormat } from "./types.js";

/** What a spec says about where a source is (SourceSpec and BenchmarkSpec both fit). */
export interface SourceLocation {
  id?: string;
  path: string;
  format?: SourceFormat;
  config?: string;
  split?: string;
}

export interface ResolvedSource {
  /** The path as the spec gave it (possibly hf://). */
  ref: string;
  files: string[];
  format: SourceFormat;
  /** hf:// only: served from the cache without network access. */
  cached?: boolean;
}

export type ResolveOptions = Omit<HfOptions, "config" | "split">;

export async function resolveSource(src: SourceLocation, opts: ResolveOptions = {}): Promise<ResolvedSource> {
  const label = src.id ? `source '${src.id}'` : src.path;
  if (isHfRef(src.path)) {
    const hf = await resolveHfFiles(src.path, { ...opts, config: src.config, split: src.split });
    return { ref: src.path, files: hf.files, format: src.format ?? detectFormat(hf.files[0]!), cached: hf.cached };
  }
  if (!existsSync(src.path)) throw new Error(`${label}: file not found: ${src.path}`);
  if (statSync(src.path).isDirectory()) throw new Error(`${label}: ${src.path} is a folder; point at a file`);
  return { ref: src.path, files: [src.path], format: detectFormat(src.path, src.format) };
}

/** Batches of records of all files of a resolved source, in order, with the file they came from. */
export async function* readResolvedBatches(resolved: ResolvedSource, opts: ReadOptions = {}): AsyncGenerator<{ file: string; items: ReadItem[] }> {
  const stats = opts.stats ?? newReadStats();
  let left = opts.limit ?? Infinity;
  for (const file of resolved.files) {
    if (left <= 0) return;
    for await (const items of readBatches(file, { ...opts, format: resolved.format, stats, limit: left })) {
      left -= items.length;
      yield { file, items };
    }
  }
}

/** Records of all files of a resolved source in order; `file` says which one each came from. */
export async function* readResolved(resolved: ResolvedSource, opts: ReadOptions = {}): AsyncGenerator<ReadItem & { file: string }> {
  for await (const { file, items } of readResolvedBatches(resolved, opts)) for (const item of items) yield { ...item, file };
}

export function totalBytes(resolved: ResolvedSource): number {
  return resolved.files.reduce((n, f) => n + statSync(f).size, 0);
}
