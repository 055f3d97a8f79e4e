/**
 * load_task's work: stage every source as JSONL, profile it, fingerprint the benchmark and infer
 * its I/O contract. Agents get the profiles and at most `benchmark.examples` benchmark records;
 * the full benchmark only feeds fingerprints and the verifier.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_BENCHMARK_EXAMPLES, type LoadedTask } from "../task/spec.js";
import type { TaskContract } from "../task/contract.js";
import type { SourceProfile } from "../data/types.js";
import { readRecords, sampleRecords } from "../data/readers.js";
import { profileSource } from "../data/profile.js";
import { stageSources, type StagedSource } from "../data/stage.js";
import { recordText } from "../data/text.js";
import { buildFingerprints, contaminationOf, type Fingerprints } from "../verify/ngrams.js";
import { inferContract } from "../task/infer-contract.js";
import { FileMemo } from "../data/file-memo.js";
import { cacheDir } from "./paths.js";
import { writeFileAtomic } from "./run-dir.js";

export interface PreparedTask {
  staged: StagedSource[];
  profiles: SourceProfile[];
  /** What the agents see: inferred from the examples and the spec text only. */
  contract: TaskContract;
  /** What the verifier grades against: refined with the whole benchmark (label sets). */
  verifierContract: TaskContract;
  benchmarkExamples: Record<string, unknown>[];
  benchmarkRows: number;
  fingerprintsPath: string;
  warnings: string[];
}

export interface PrepareOptions {
  ngram?: number;
  seed?: number;
  profileSample?: number;
  /** Records per source checked against the benchmark fingerprints. */
  overlapSample?: number;
  onProgress?: (message: string, done?: number, total?: number) => void;
  /** false skips source profiling (running a given script needs no plan). */
  profile?: boolean;
}

export async function loadBenchmark(task: LoadedTask): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const b = task.spec.benchmark;
  for await (const { record } of readRecords(b.path, { format: b.format, onMalformed: "skip" })) out.push(record);
  return out;
}

const benchmarks = new FileMemo<Promise<Record<string, unknown>[]>>(8);
const fingerprintFiles = new FileMemo<Fingerprints>(8);
const fingerprintDigests = new FileMemo<string>(16);

/**
 * The benchmark's records, read once per file version and process and shared by every caller
 * (the array is frozen: read only). One array for every rollout also lets the rule judge reuse
 * the models it builds from it.
 */
export function benchmarkRecords(task: LoadedTask): Promise<Record<string, unknown>[]> {
  const b = task.spec.benchmark;
  return benchmarks.get([b.path], b.format ?? "", async () => Object.freeze(await loadBenchmark(task)) as Record<string, unknown>[]);
}

/** A fingerprint file, parsed once per file version and process (the verifier of every rollout reads it). */
export function readFingerprintsFile(file: string): Fingerprints {
  return fingerprintFiles.get([file], "", () => JSON.parse(readFileSync(file, "utf8")) as Fingerprints);
}

/** Fingerprints are cached by benchmark content and n, so repeated cooks don't rebuild them. */
export function fingerprintsFor(benchmarkPath: string, records: unknown[], n: number): { file: string; fp: Fingerprints } {
  const digest = fingerprintDigests.get([benchmarkPath], `n=${n}`, () => createHash("sha256").update(readFileSync(benchmarkPath)).update(`n=${n};v3`).digest("hex").slice(0, 24));
  const file = path.join(cacheDir(), "fingerprints", `${digest}.json`);
  if (!existsSync(file)) {
    // built here: written for later runs, not parsed back
    const fp = buildFingerprints(records, { n });
    writeFileAtomic(file, JSON.stringify(fp));
    return { file, fp };
  }
  return { file, fp: readFingerprintsFile(file) };
}

export interface PreparedBenchmark {
  records: Record<string, unknown>[];
  examples: Record<string, unknown>[];
  contract: TaskContract;
  verifierContract: TaskContract;
  fingerprintsPath: string;
  fingerprints: Fingerprints;
}

/** Reads the benchmark once: examples for the agents, contracts, cached fingerprints. */
export async function prepareBenchmark(task: LoadedTask, ngram = 13): Promise<PreparedBenchmark> {
  const records = await benchmarkRecords(task);
  if (records.length === 0) throw new Error(`${task.spec.benchmark.path}: the benchmark file has no records`);
  const k = task.spec.benchmark.examples ?? DEFAULT_BENCHMARK_EXAMPLES;
  const examples = records.slice(0, k);
  const { file, fp } = fingerprintsFor(task.spec.benchmark.path, records, ngram);
  return {
    records,
    examples,
    contract: inferContract(examples, task.spec),
    verifierContract: inferContract(examples, task.spec, { moreRecords: records }),
    fingerprintsPath: file,
    fingerprints: fp,
  };
}

export async function prepareTask(task: LoadedTask, opts: PrepareOptions = {}): Promise<PreparedTask> {
  const progress = opts.onProgress ?? (() => {});
  const warnings = [...task.warnings];

  progress("reading the benchmark");
  const bench = await prepareBenchmark(task, opts.ngram ?? 13);

  progress("staging sources", 0, task.spec.sources.length);
  const staged = await stageSources(task, { onMalformed: "skip" });
  for (const s of staged) {
    if (s.malformed > 0) warnings.push(`source '${s.id}': ${s.malformed} malformed record(s) skipped (first at line ${s.malformedExamples[0]?.line ?? "?"})`);
    if (s.invalidUtf8Lines > 0) warnings.push(`source '${s.id}': ${s.invalidUtf8Lines} line(s) with invalid UTF-8 bytes (decoded with U+FFFD)`);
  }

  const benchmarkTexts = bench.examples.map(recordText);
  const profiles: SourceProfile[] = [];
  const sources = opts.profile === false ? [] : task.spec.sources;
  for (const [i, src] of sources.entries()) {
    progress(`profiling ${src.id}`, i, sources.length);
    const stagedSrc = staged.find((s) => s.id === src.id)!;
    const profile = await profileSource(
      { id: src.id, path: stagedSrc.jsonlPath, format: "jsonl", description: src.description, license: src.license },
      { benchmarkTexts, sampleSize: opts.profileSample, seed: opts.seed ?? 0 },
    );
    // report the original location, not the staged copy
    profile.path = src.path;
    const sample = await sampleRecords(stagedSrc.jsonlPath, opts.overlapSample ?? 300, 17);
    const hits = sample.filter((r) => contaminationOf(recordText(r.record), bench.fingerprints).contaminated).length;
    profile.benchmarkOverlap = sample.length ? hits / sample.length : 0;
    profiles.push(profile);
  }
  if (sources.length) progress("profiling done", sources.length, sources.length);

  return {
    staged,
    profiles,
    contract: bench.contract,
    verifierContract: bench.verifierContract,
    benchmarkExamples: bench.examples,
    benchmarkRows: bench.records.length,
    fingerprintsPath: bench.fingerprintsPath,
    warnings,
  };
}
