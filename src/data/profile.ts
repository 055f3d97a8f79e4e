/**
 * Source profiles for the agents: what a source holds, how big and clean it is, and how close
 * it is to the benchmark, from one streaming pass (full counts) and a reservoir sample (all
 * statistics). Memory is O(sample), whatever the file size.
 */
import { DEFAULT_BENCHMARK_EXAMPLES } from "../task/spec.js";
import { SchemaInference, truncateString } from "./fields.js";
import { newReadStats, type ReadItem } from "./records.js";
import { cosineSimilarity } from "./relevance.js";
import { Reservoir, type Seed } from "./sample.js";
import { readResolvedBatches, resolveSource, type ResolveOptions, type SourceLocation } from "./source.js";
import { normalizeText, recordText, textHash } from "./text.js";
import type { LengthStats, SourceFormat, SourceProfile } from "./types.js";

export const DEFAULT_PROFILE_SAMPLE = 2000;
export const DEFAULT_PROFILE_EXAMPLES = 3;
/** Long strings in examples are cut here: enough to show the shape, cheap in a prompt. */
export const EXAMPLE_STRING_CHARS = 600;
const EXAMPLE_ARRAY_ITEMS = 20;

export interface ProfileInput extends SourceLocation {
  id: string;
  description?: string;
  license?: string;
}

export interface ProfileOptions {
  /** Texts the source is compared with (the benchmark examples the agents see, or a sample). */
  benchmarkTexts: string[];
  /** Records the statistics are computed on (default 2000). */
  sampleSize?: number;
  /** Example records in the profile (default 3). */
  examples?: number;
  seed?: Seed;
  signal?: AbortSignal;
  /** hf:// resolution (cache dir, endpoint, token). */
  hf?: ResolveOptions;
}

/** A value with long strings and arrays cut, for prompts and reports. */
export function truncateValue(v: unknown, maxChars = EXAMPLE_STRING_CHARS): unknown {
  if (typeof v === "string") return truncateString(v, maxChars);
  if (Array.isArray(v)) {
    const head = v.slice(0, EXAMPLE_ARRAY_ITEMS).map((x) => truncateValue(x, maxChars));
    return v.length > EXAMPLE_ARRAY_ITEMS ? [...head, `… [+${v.length - EXAMPLE_ARRAY_ITEMS} items]`] : head;
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = truncateValue(x, maxChars);
    return out;
  }
  return v;
}

export function lengthStats(values: number[]): LengthStats {
  if (values.length === 0) return { mean: 0, p50: 0, p95: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length), p50: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

/** Share of texts that repeat an earlier one after normalisation (0..1). */
export function duplicateRate(texts: string[]): number {
  if (texts.length === 0) return 0;
  const seen = new Set(texts.map((t) => textHash(normalizeText(t))));
  return (texts.length - seen.size) / texts.length;
}

export async function profileSource(src: ProfileInput, opts: ProfileOptions): Promise<SourceProfile> {
  const resolved = await resolveSource(src, opts.hf);
  const stats = newReadStats();
  const reservoir = new Reservoir<ReadItem>(opts.sampleSize ?? DEFAULT_PROFILE_SAMPLE, opts.seed ?? 0);
  for await (const { items } of readResolvedBatches(resolved, { onMalformed: "skip", stats, signal: opts.signal })) reservoir.addAll(items);
  const sample = reservoir.items();
  const schema = new SchemaInference();
  for (const { record } of sample) schema.add(record);
  const texts = sample.map(({ record }) => recordText(record));
  const profile: SourceProfile = {
    id: src.id,
    path: src.path,
    format: resolved.format,
    rows: stats.rows,
    bytes: stats.bytes,
    malformed: stats.malformed,
    malformedExamples: stats.malformedExamples,
    invalidUtf8Lines: stats.invalidUtf8Lines,
    topLevelFields: schema.topLevelFields(),
    fields: schema.profiles(),
    examples: sample.slice(0, opts.examples ?? DEFAULT_PROFILE_EXAMPLES).map(({ record }) => truncateValue(record) as Record<string, unknown>),
    textLength: lengthStats(texts.map((t) => t.length)),
    duplicateRate: Math.round(duplicateRate(texts) * 1e4) / 1e4,
    relevance: Math.round(cosineSimilarity(texts, opts.benchmarkTexts) * 1e4) / 1e4,
    sampleSize: sample.length,
  };
  if (src.description !== undefined) profile.description = src.description;
  if (src.license !== undefined) profile.license = src.license;
  return profile;
}

export interface BenchmarkProfile {
  path: string;
  format: SourceFormat;
  rows: number;
  malformed: number;
  topLevelFields: string[];
  /** The first k records, untouched: the only benchmark records agents may see. */
  examples: Record<string, unknown>[];
  /**
   * Texts of up to `maxTexts` records (a seeded sample), for statistics that never show text to
   * agents: relevance, the judge's task fit. Not for prompts.
   */
  texts: string[];
}

/**
 * The benchmark in one pass: its first `k` records (default `benchmark.examples`, 3) for the
 * agents and a sample of record texts for statistics.
 */
export async function profileBenchmark(
  loc: SourceLocation | string,
  k = DEFAULT_BENCHMARK_EXAMPLES,
  opts: { maxTexts?: number; seed?: Seed; signal?: AbortSignal; hf?: ResolveOptions } = {},
): Promise<BenchmarkProfile> {
  const where = typeof loc === "string" ? { path: loc } : loc;
  const resolved = await resolveSource(where, opts.hf);
  const stats = newReadStats();
  const examples: Record<string, unknown>[] = [];
  const fields = new Set<string>();
  const reservoir = new Reservoir<Record<string, unknown>>(opts.maxTexts ?? 1000, opts.seed ?? 0);
  for await (const { items } of readResolvedBatches(resolved, { onMalformed: "skip", stats, signal: opts.signal })) {
    for (const { record } of items) {
      if (examples.length < k) examples.push(record);
      for (const key of Object.keys(record)) fields.add(key);
      reservoir.add(record);
    }
  }
  const texts = reservoir.items().map(recordText);
  return { path: where.path, format: resolved.format, rows: stats.rows, malformed: stats.malformed, topLevelFields: [...fields], examples, texts };
}
