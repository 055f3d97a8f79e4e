/**
 * Benchmark fingerprints (`benchmark_ngrams.json`): hashed n-grams of every long string leaf of
 * the benchmark, so recipes and the verifier can detect contamination without ever seeing
 * benchmark text. The Python toolkit (`contamination_of`) applies the same rule; a cross-language
 * test keeps the two equal. Rules: docs/architecture.md, "Benchmark fingerprints".
 */
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { stringLeaves, textHash, tokens } from "../data/text.js";

export const FINGERPRINT_VERSION = 1;
export const DEFAULT_NGRAM = 13;
export const DEFAULT_OVERLAP = 0.5;
export const DEFAULT_MIN_SHARED = 8;
export const DEFAULT_MIN_SEGMENT_SHARE = 0.1;

export const FingerprintsSchema = z.object({
  version: z.literal(FINGERPRINT_VERSION),
  /** n-gram length in normalised tokens. */
  n: z.number().int().positive(),
  /** Default contamination threshold: share of one segment's n-grams a text must cover. */
  overlap: z.number().gt(0).lte(1),
  /** Number of benchmark records fingerprinted. */
  records: z.number().int().nonnegative(),
  /** Distinct, non-template n-grams per segment (a string leaf with at least n tokens). */
  segments: z.array(z.number().int().positive()),
  /** Benchmark record index of each segment. */
  segmentItem: z.array(z.number().int().nonnegative()),
  /** n-gram hash -> ids of the segments holding it. */
  index: z.record(z.string(), z.array(z.number().int().nonnegative())),
  /** Distinct template n-grams dropped (document frequency above the template threshold). */
  droppedTemplate: z.number().int().nonnegative(),
  /** The document-frequency threshold that was applied. */
  templateDf: z.number().nonnegative().optional(),
  /** Distinct non-template n-grams per benchmark record, over all its segments. */
  itemGrams: z.array(z.number().int().nonnegative()).optional(),
  /**
   * A covered segment is "a substantial part of its item" when it shares at least `minShared`
   * n-grams, or when it holds at least `minSegmentShare` of the item's n-grams. A short heading
   * above a long table then is no leak; a short question (reworded or not) is.
   */
  minShared: z.number().int().positive().optional(),
  minSegmentShare: z.number().min(0).max(1).optional(),
});
export type Fingerprints = z.infer<typeof FingerprintsSchema>;

export interface FingerprintOptions {
  n?: number;
  /** n-grams in more than this many benchmark records are template phrases (default max(3, 1%)). */
  templateDf?: number;
  overlap?: number;
  minShared?: number;
  minSegmentShare?: number;
}

export interface Contamination {
  contaminated: boolean;
  /** Benchmark record of the best-covered segment, -1 when no n-gram matched. */
  benchmarkIndex: number;
  /** Best coverage of one segment's n-grams, in [0, 1]. */
  overlap: number;
}

/** textHash of an n-gram string. */
export const ngramHash = textHash;

/** Distinct hashed n-grams of a text (normalised tokens joined by one space, then textHash). */
export function ngramHashes(text: string, n: number = DEFAULT_NGRAM): Set<string> {
  const toks = tokens(text);
  const out = new Set<string>();
  for (let i = 0; i + n <= toks.length; i++) out.add(ngramHash(toks.slice(i, i + n).join(" ")));
  return out;
}

export function defaultTemplateDf(records: number): number {
  return Math.max(3, 0.01 * records);
}

export function buildFingerprints(benchmarkRecords: unknown[], opts: FingerprintOptions = {}): Fingerprints {
  const n = opts.n ?? DEFAULT_NGRAM;
  const overlap = opts.overlap ?? DEFAULT_OVERLAP;
  const templateDf = opts.templateDf ?? defaultTemplateDf(benchmarkRecords.length);
  if (!Number.isInteger(n) || n < 1) throw new Error(`buildFingerprints: n must be a positive integer, got ${n}`);

  // Pass 1: segments and per-record document frequency of every n-gram.
  const raw: { item: number; grams: Set<string> }[] = [];
  const df = new Map<string, number>();
  benchmarkRecords.forEach((rec, item) => {
    const inRecord = new Set<string>();
    for (const leaf of stringLeaves(rec)) {
      const grams = ngramHashes(leaf, n);
      if (grams.size === 0) continue;
      raw.push({ item, grams });
      for (const g of grams) inRecord.add(g);
    }
    for (const g of inRecord) df.set(g, (df.get(g) ?? 0) + 1);
  });

  // Pass 2: drop template n-grams, index what is left.
  const dropped = new Set<string>();
  const segments: number[] = [];
  const segmentItem: number[] = [];
  // keys are 16 hex chars, so a plain object cannot collide with prototype properties
  const index: Record<string, number[]> = {};
  const itemSets = benchmarkRecords.map(() => new Set<string>());
  for (const { item, grams } of raw) {
    const kept: string[] = [];
    for (const g of grams) {
      if ((df.get(g) ?? 0) > templateDf) dropped.add(g);
      else kept.push(g);
    }
    if (kept.length === 0) continue;
    const seg = segments.length;
    segments.push(kept.length);
    segmentItem.push(item);
    for (const g of kept) {
      (index[g] ??= []).push(seg);
      itemSets[item]!.add(g);
    }
  }
  return {
    version: FINGERPRINT_VERSION,
    n,
    overlap,
    records: benchmarkRecords.length,
    segments,
    segmentItem,
    index,
    droppedTemplate: dropped.size,
    templateDf,
    itemGrams: itemSets.map((g) => g.size),
    minShared: opts.minShared ?? DEFAULT_MIN_SHARED,
    minSegmentShare: opts.minSegmentShare ?? DEFAULT_MIN_SEGMENT_SHARE,
  };
}

/** Whether `shared` n-grams of segment `seg` are a substantial part of its benchmark item. */
export function substantial(fp: Fingerprints, seg: number, shared: number): boolean {
  const itemGrams = fp.itemGrams?.[fp.segmentItem[seg]!];
  if (itemGrams === undefined) return true; // older files: coverage alone decides
  return shared >= (fp.minShared ?? DEFAULT_MIN_SHARED) || fp.segments[seg]! >= (fp.minSegmentShare ?? DEFAULT_MIN_SEGMENT_SHARE) * itemGrams;
}

/**
 * Best coverage of one benchmark segment's n-grams by the text. Contaminated when some segment is
 * covered at >= overlap by enough shared n-grams to be a substantial part of its item.
 */
export function contaminationOf(text: string, fp: Fingerprints, overlap: number = fp.overlap): Contamination {
  const counts = new Map<number, number>();
  for (const g of ngramHashes(text, fp.n)) {
    const segs = fp.index[g];
    if (!segs) continue;
    for (const s of segs) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let bestSeg = -1;
  let best = 0;
  let contaminated = false;
  for (const [s, c] of counts) {
    const cov = c / fp.segments[s]!;
    const qualifies = cov >= overlap && substantial(fp, s, c);
    // a qualifying segment outranks any non-qualifying one; then higher coverage, then lower id
    if ((qualifies && !contaminated) || (qualifies === contaminated && (cov > best || (cov === best && s < bestSeg)))) {
      best = cov;
      bestSeg = s;
      contaminated = qualifies;
    }
  }
  if (bestSeg < 0) return { contaminated: false, benchmarkIndex: -1, overlap: 0 };
  return { contaminated, benchmarkIndex: fp.segmentItem[bestSeg]!, overlap: best };
}

const memos = new WeakMap<Fingerprints, Map<number, { results: Map<string, Contamination>; chars: number }>>();
/** Characters of checked text a memo holds per (fingerprints, overlap); beyond, the oldest go. */
export const CONTAMINATION_MEMO_CHARS = 16_000_000;

/**
 * contaminationOf with a memo of the texts already checked against these fingerprints: the G
 * rollouts of a task draw their records from the same sources, so most user turns recur. The memo
 * lives as long as the fingerprints object (one per task and process, see readFingerprintsFile).
 */
export function memoContaminationOf(fp: Fingerprints, overlap: number = fp.overlap, maxChars = CONTAMINATION_MEMO_CHARS): (text: string) => Contamination {
  let byOverlap = memos.get(fp);
  if (!byOverlap) memos.set(fp, (byOverlap = new Map()));
  let memo = byOverlap.get(overlap);
  if (!memo) byOverlap.set(overlap, (memo = { results: new Map(), chars: 0 }));
  const m = memo;
  return (text) => {
    let c = m.results.get(text);
    if (c) return c;
    c = contaminationOf(text, fp, overlap);
    m.results.set(text, c);
    m.chars += text.length;
    for (const old of m.results.keys()) {
      if (m.chars <= maxChars) break;
      m.results.delete(old);
      m.chars -= old.length;
    }
    return c;
  };
}

export function saveFingerprints(fp: Fingerprints, path: string): void {
  writeFileSync(path, JSON.stringify(fp));
}

export function loadFingerprints(path: string): Fingerprints {
  const parsed = FingerprintsSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new Error(`${path} is not a benchmark fingerprint file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
