/**
 * Checks on generated fixtures, shared by the demo tests and usable by evaluations: read any
 * supported file back, and measure benchmark overlap with the same n-gram rules as the
 * contamination gate (docs/architecture.md: segments of >= n tokens, template n-grams that occur
 * in more than max(3, 1%) of benchmark records dropped, contaminated at >= `overlap` coverage).
 */
import { readFile } from "node:fs/promises";
import { parquetReadObjects } from "hyparquet";
import { stringLeaves, textHash, tokens } from "../data/text.js";
import { parseCsvObjects } from "./writers.js";

export type Rec = Record<string, unknown>;

/** Rows of a JSONL, JSON array, CSV or Parquet file, chosen by extension; throws on bad rows. */
export async function readRows(file: string): Promise<Rec[]> {
  if (file.endsWith(".parquet")) {
    const buf = await readFile(file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    return (await parquetReadObjects({ file: ab })) as Rec[];
  }
  const text = await readFile(file, "utf8");
  if (file.endsWith(".jsonl")) {
    return text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
      try {
        return JSON.parse(l) as Rec;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: ${(e as Error).message}`);
      }
    });
  }
  if (file.endsWith(".json")) {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) throw new Error(`${file}: not a JSON array`);
    return v as Rec[];
  }
  if (file.endsWith(".csv")) return parseCsvObjects(text);
  throw new Error(`${file}: unknown format`);
}

function ngramHashes(text: string, n: number): string[] {
  const t = tokens(text);
  const out: string[] = [];
  for (let i = 0; i + n <= t.length; i++) out.push(textHash(t.slice(i, i + n).join(" ")));
  return out;
}

export interface BenchmarkFingerprint {
  n: number;
  /** Every n-gram of every benchmark segment, template ones included. */
  all: Set<string>;
  /** Per segment, its n-grams after dropping template n-grams. */
  segments: Set<string>[];
  /** n-gram -> indexes of segments holding it (kept n-grams only). */
  index: Map<string, number[]>;
}

export function benchmarkFingerprint(records: readonly unknown[], n = 13): BenchmarkFingerprint {
  const perRecord = records.map((r) => stringLeaves(r).map((s) => ngramHashes(s, n)).filter((g) => g.length > 0));
  const recordsWith = new Map<string, number>();
  for (const segs of perRecord) for (const g of new Set(segs.flat())) recordsWith.set(g, (recordsWith.get(g) ?? 0) + 1);
  const limit = Math.max(3, 0.01 * records.length);
  const all = new Set(recordsWith.keys());
  const segments: Set<string>[] = [];
  const index = new Map<string, number[]>();
  for (const segs of perRecord) {
    for (const g of segs) {
      const kept = new Set(g.filter((h) => recordsWith.get(h)! <= limit));
      if (kept.size === 0) continue;
      const id = segments.push(kept) - 1;
      for (const h of kept) {
        const ids = index.get(h);
        if (ids) ids.push(id);
        else index.set(h, [id]);
      }
    }
  }
  return { n, all, segments, index };
}

/** True when the text shares at least one n-gram (template or not) with the benchmark. */
export function sharesNgram(text: string, fp: BenchmarkFingerprint): boolean {
  return ngramHashes(text, fp.n).some((h) => fp.all.has(h));
}

function coverageOf(hashes: readonly string[], fp: BenchmarkFingerprint): number {
  const hits = new Map<number, number>();
  for (const h of new Set(hashes)) for (const id of fp.index.get(h) ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  let best = 0;
  for (const [id, k] of hits) best = Math.max(best, k / fp.segments[id]!.size);
  return best;
}

/** Highest share of a benchmark segment's kept n-grams that the text contains (0..1). */
export function maxCoverage(text: string, fp: BenchmarkFingerprint): number {
  return coverageOf(ngramHashes(text, fp.n), fp);
}

/** Shares of rows that share an n-gram, and that would be flagged as contaminated. */
export function overlapStats(rows: readonly unknown[], fp: BenchmarkFingerprint, overlap = 0.5): { sharing: number; contaminated: number } {
  let sharing = 0, contaminated = 0;
  for (const r of rows) {
    const hashes = ngramHashes(stringLeaves(r).join("\n"), fp.n);
    if (hashes.some((h) => fp.all.has(h))) sharing++;
    if (coverageOf(hashes, fp) >= overlap) contaminated++;
  }
  const n = Math.max(1, rows.length);
  return { sharing: sharing / n, contaminated: contaminated / n };
}
