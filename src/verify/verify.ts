/**
 * verifyDataset: the whole verifier as one library call, used by `datachef verify` and by the
 * recipe graph's verify node.
 *
 *   one streaming pass over data.jsonl -> format gate, empty gate, contamination gate,
 *       duplicate rate, source mix, lengths, a seeded reservoir of K records
 *   -> grade the K records with a Judge (concurrency-limited)
 *   -> reward: mean score when every gate passed, else the gate's penalty
 */
import { existsSync } from "node:fs";
import { assistantText, userText } from "../data/chat.js";
import { readRecords } from "../data/readers.js";
import { Reservoir, type Seed } from "../data/sample.js";
import { normalizeText, textHash } from "../data/text.js";
import type { TaskContract } from "../task/contract.js";
import { ContaminationGate, FormatGate, isEmptyDataset, readDataset, type DatasetLine, type ReadDatasetStats } from "./gates.js";
import { RuleJudge } from "./judge.js";
import { buildFingerprints, DEFAULT_NGRAM, DEFAULT_OVERLAP, memoContaminationOf, type Fingerprints } from "./ngrams.js";
import {
  DEFAULT_PENALTIES,
  GRADE_SCORES,
  GRADES,
  type Grade,
  type GradedSample,
  type Judge,
  type JudgeContext,
  type JudgeSample,
  type Penalties,
  type RunStatus,
  type VerifierResult,
} from "./types.js";

export interface VerifyOptions {
  dataPath: string;
  /** Source sidecar: default data.meta.jsonl next to dataPath when present; null for none. */
  metaPath?: string | null;
  contract: TaskContract;
  /** The benchmark's records (preferred when the caller already holds them)... */
  benchmarkRecords?: unknown[];
  /** ...or its file (JSONL, JSON, CSV, Parquet). */
  benchmarkPath?: string;
  /** Precomputed fingerprints (e.g. the cached benchmark_ngrams.json); built from the benchmark otherwise. */
  fingerprints?: Fingerprints;
  /** The task's instruction, for judges that prompt a model. */
  instruction?: string;
  /** Records graded (default 100). */
  samples?: number;
  seed?: Seed;
  /** n of the contamination n-grams (default 13); ignored when `fingerprints` are given. */
  ngram?: number;
  /** Share of a benchmark segment's n-grams a user turn must cover to be contaminated (default 0.5). */
  overlap?: number;
  /** Largest contaminated share that passes (default 0.001). */
  contaminationThreshold?: number;
  /** Largest share of non-chat lines that passes (default 0: any bad line fails the format gate). */
  maxInvalidRate?: number;
  penalties?: Partial<Penalties>;
  /** Default: the built-in rule judge. */
  judge?: Judge;
  /** Samples graded at once (default 4; matters for model judges). */
  concurrency?: number;
  /** Grade samples even when a gate failed, so the report still shows the data (default true). */
  gradeWhenGated?: boolean;
  /** Lengths kept for histograms; beyond this a uniform sample is kept (default 20000). */
  lengthsCap?: number;
  onProgress?: (message: string, done?: number, total?: number) => void;
  signal?: AbortSignal;
}

/** Shared, so repeated verifications against the same benchmark objects reuse the judge's models. */
const DEFAULT_JUDGE = new RuleJudge();

export class VerifyInputError extends Error {
  override name = "VerifyInputError";
}

async function loadBenchmark(opts: VerifyOptions): Promise<unknown[]> {
  if (opts.benchmarkRecords) return opts.benchmarkRecords;
  if (!opts.benchmarkPath) throw new VerifyInputError("verifyDataset needs benchmarkRecords or benchmarkPath");
  const out: unknown[] = [];
  for await (const { record } of readRecords(opts.benchmarkPath, { onMalformed: "skip", signal: opts.signal })) out.push(record);
  if (out.length === 0) throw new VerifyInputError(`${opts.benchmarkPath}: the benchmark has no records`);
  return out;
}

/** Runs `fn` over items with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

function emptyGrades(): Record<Grade, number> {
  return Object.fromEntries(GRADES.map((g) => [g, 0])) as Record<Grade, number>;
}

function toJudgeSample(item: DatasetLine, index: number): JudgeSample {
  const r = item.record!;
  const system = r.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n");
  return {
    index,
    line: item.line,
    messages: r.messages,
    user: userText(r),
    assistant: assistantText(r),
    ...(system ? { system } : {}),
    ...(item.source !== undefined ? { source: item.source } : {}),
  };
}

export async function verifyDataset(opts: VerifyOptions): Promise<VerifierResult> {
  const progress = opts.onProgress ?? (() => {});
  const penalties: Penalties = { ...DEFAULT_PENALTIES, ...opts.penalties };
  const k = opts.samples ?? 100;
  const seed = opts.seed ?? 0;
  const warnings: string[] = [];

  progress("loading the benchmark");
  const benchmark = await loadBenchmark(opts);
  const fp = opts.fingerprints ?? buildFingerprints(benchmark, { n: opts.ngram ?? DEFAULT_NGRAM });
  const overlap = opts.overlap ?? fp.overlap ?? DEFAULT_OVERLAP;

  // ---- one streaming pass: gates and statistics
  const t0 = Date.now();
  const formatGate = new FormatGate({ maxInvalidRate: opts.maxInvalidRate });
  const contamination = new ContaminationGate(memoContaminationOf(fp, overlap), { ngram: fp.n, threshold: opts.contaminationThreshold });
  const reservoir = new Reservoir<DatasetLine>(k, seed);
  const lengthCap = opts.lengthsCap ?? 20000;
  const lengths = new Reservoir<[number, number]>(lengthCap, `${seed}:lengths`);
  const seenPairs = new Set<string>();
  const seenPrompts = new Set<string>();
  let duplicates = 0;
  let duplicatePrompts = 0;
  const sourceMix: Record<string, number> = {};
  const stats: ReadDatasetStats = { lines: 0, metaLines: 0, metaUnreadable: 0 };
  let valid = 0;
  progress("reading the data");
  const exists = existsSync(opts.dataPath);
  if (!exists) warnings.push(`${opts.dataPath}: no such file; the recipe wrote no data`);
  if (exists) {
    for await (const item of readDataset(opts.dataPath, { metaPath: opts.metaPath, stats })) {
      opts.signal?.throwIfAborted();
      formatGate.add(item.line, item.error);
      if (!item.record) continue;
      valid++;
      const user = userText(item.record);
      const assistant = assistantText(item.record);
      contamination.add(item.line, user);
      const u = normalizeText(user);
      const pair = textHash(`${u}\u0000${normalizeText(assistant)}`);
      if (seenPairs.has(pair)) duplicates++;
      else seenPairs.add(pair);
      const prompt = textHash(u);
      if (seenPrompts.has(prompt)) duplicatePrompts++;
      else seenPrompts.add(prompt);
      if (item.source !== undefined) sourceMix[item.source] = (sourceMix[item.source] ?? 0) + 1;
      lengths.add([user.length, assistant.length]);
      reservoir.add(item);
      if (valid % 10000 === 0) progress(`read ${valid} records`);
    }
  }
  if (stats.metaPath && stats.metaLines !== stats.lines)
    warnings.push(`${stats.metaPath}: ${stats.metaLines} lines for ${stats.lines} records; the source mix may be misaligned`);
  if (stats.metaUnreadable) warnings.push(`${stats.metaPath}: ${stats.metaUnreadable} line(s) name no source`);
  const readMs = Date.now() - t0;

  const format = formatGate.result();
  const contam = contamination.result();
  let status: RunStatus = "ok";
  let reason: string | undefined;
  if (isEmptyDataset(stats.lines)) {
    status = "empty";
    reason = "the dataset has no records";
  } else if (!format.passed) {
    status = "format_error";
    const first = format.examples[0];
    reason = `${format.invalid} of ${format.lines} lines are not chat records${first ? ` (line ${first.line}: ${first.error})` : ""}`;
  } else if (!contam.passed) {
    status = "contaminated";
    reason = `${contam.contaminated_records} records (${(contam.rate * 100).toFixed(2)}%) share ${fp.n}-grams with the benchmark (threshold ${(contam.threshold * 100).toFixed(2)}%)`;
  }

  // ---- grading
  const t1 = Date.now();
  const judge = opts.judge ?? DEFAULT_JUDGE;
  const ctx: JudgeContext = { contract: opts.contract, benchmarkRecords: benchmark, ...(opts.instruction ? { instruction: opts.instruction } : {}) };
  const picked = status === "ok" || opts.gradeWhenGated !== false ? reservoir.items() : [];
  const judgeSamples = picked.map((item) => toJudgeSample(item, item.ordinal));
  const graded: GradedSample[] = [];
  const judgeFailures: { index: number; line: number; error: string }[] = [];
  let done = 0;
  if (judgeSamples.length) progress("grading samples", 0, judgeSamples.length);
  const verdicts = await mapLimit(judgeSamples, opts.concurrency ?? 4, async (s) => {
    opts.signal?.throwIfAborted();
    try {
      return await judge.grade(s, ctx);
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      judgeFailures.push({ index: s.index, line: s.line, error: (e as Error).message });
      return null;
    } finally {
      progress("grading samples", ++done, judgeSamples.length);
    }
  });
  const grades = emptyGrades();
  verdicts.forEach((v, i) => {
    if (!v) return;
    const s = judgeSamples[i]!;
    grades[v.grade]++;
    graded.push({
      index: s.index,
      line: s.line,
      grade: v.grade,
      score: GRADE_SCORES[v.grade],
      reason: v.reason,
      ...(v.notes?.length ? { notes: v.notes } : {}),
      user: s.user,
      assistant: s.assistant,
      ...(s.system ? { system: s.system } : {}),
      ...(s.source !== undefined ? { source: s.source } : {}),
    });
  });
  if (judgeFailures.length) warnings.push(`judge '${judge.name}' failed on ${judgeFailures.length} sample(s); they are left out of the mean`);
  // Rounded so 0.76 is reported as 0.76, not 0.7599999999999995.
  const meanScore = graded.length ? Math.round((graded.reduce((s, g) => s + g.score, 0) / graded.length) * 1e6) / 1e6 : 0;
  if (status === "ok" && graded.length === 0) {
    // Every sample failed to grade: no evidence either way, so no positive reward.
    warnings.push("no sample could be graded; reward set to 0");
  }
  const reward =
    status === "ok" ? meanScore : status === "empty" ? penalties.empty : status === "format_error" ? penalties.format : penalties.contaminated;

  const kept = lengths.items();
  return {
    status,
    reward,
    records: stats.lines,
    judge: judge.name,
    sampled: graded.length,
    meanScore,
    grades,
    samples: graded,
    formatErrors: format.examples,
    contamination: { ngram: contam.ngram, contaminated_records: contam.contaminated_records, rate: contam.rate, threshold: contam.threshold, examples: contam.examples },
    duplicateRate: valid ? duplicates / valid : 0,
    sourceMix,
    lengths: { user: kept.map((x) => x[0]), assistant: kept.map((x) => x[1]) },
    validRecords: valid,
    ...(reason ? { reason } : {}),
    formatGate: { invalid: format.invalid, rate: format.rate, maxInvalidRate: format.maxInvalidRate, passed: format.passed },
    duplicatePromptRate: valid ? duplicatePrompts / valid : 0,
    lengthsSampled: valid > lengthCap,
    ...(judgeFailures.length ? { judgeFailures } : {}),
    penalties,
    seed,
    samplesRequested: k,
    warnings,
    timingsMs: { read: readMs, grade: Date.now() - t1 },
  };
}
