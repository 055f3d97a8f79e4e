/**
 * The verifier's deterministic gates, independent of anything the recipe claims:
 *   - empty: data.jsonl has no records;
 *   - format: lines that are not chat records (contracts.md "Training record");
 *   - contamination: user turns that cover a benchmark segment's n-grams.
 * `readDataset` streams data.jsonl (and its line-aligned data.meta.jsonl sidecar) once, so the
 * gates work on files far bigger than memory.
 */
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { chatRecordError, type ChatRecord } from "../data/chat.js";
import type { Contamination } from "./ngrams.js";

export interface DatasetLine {
  /** 1-based physical line in data.jsonl. */
  line: number;
  /** 0-based position among non-blank lines (the index into data.meta.jsonl). */
  ordinal: number;
  /** Set when the line is a valid chat record. */
  record?: ChatRecord;
  /** Why the line is not a chat record. */
  error?: string;
  /** From the sidecar, when there is one. */
  source?: string;
}

export interface ReadDatasetStats {
  /** Non-blank lines of data.jsonl. */
  lines: number;
  /** Sidecar used, if any. */
  metaPath?: string;
  /** Non-blank sidecar lines. */
  metaLines: number;
  /** Sidecar lines that were not JSON or named no source. */
  metaUnreadable: number;
}

/** data.jsonl -> data.meta.jsonl (any `x.jsonl` -> `x.meta.jsonl`). */
export function metaPathFor(dataPath: string): string {
  const dir = path.dirname(dataPath);
  const base = path.basename(dataPath).replace(/\.jsonl$/i, "");
  return path.join(dir, `${base}.meta.jsonl`);
}

function lines(file: string): AsyncIterator<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  return rl[Symbol.asyncIterator]();
}

/** A sidecar line names its source as {"source": id}, {"_source": id}, {"dataset_id": id} or a bare string. */
export function sourceOfMeta(line: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v === "string") return v || undefined;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of ["source", "_source", "dataset_id", "source_id"]) if (typeof o[k] === "string" && o[k]) return o[k] as string;
  }
  return undefined;
}

/** Parses one data.jsonl line: a chat record, or the reason it is not one. */
export function parseDatasetLine(text: string): { record?: ChatRecord; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  const err = chatRecordError(value);
  return err ? { error: err } : { record: value as ChatRecord };
}

/**
 * Streams data.jsonl. `metaPath`: the sidecar (default: data.meta.jsonl next to it, if present;
 * null: none). Blank lines are skipped; a leading BOM is accepted. Fill `stats` to learn line
 * counts and sidecar problems once the iteration ends.
 */
export async function* readDataset(dataPath: string, opts: { metaPath?: string | null; stats?: ReadDatasetStats } = {}): AsyncGenerator<DatasetLine> {
  const stats = opts.stats ?? { lines: 0, metaLines: 0, metaUnreadable: 0 };
  const metaPath = opts.metaPath === undefined ? (existsSync(metaPathFor(dataPath)) ? metaPathFor(dataPath) : undefined) : (opts.metaPath ?? undefined);
  if (metaPath) stats.metaPath = metaPath;
  const meta = metaPath ? lines(metaPath) : undefined;
  const nextMeta = async (): Promise<{ done: boolean; source?: string }> => {
    if (!meta) return { done: true };
    for (;;) {
      const r = await meta.next();
      if (r.done) return { done: true };
      if (!r.value.trim()) continue;
      stats.metaLines++;
      const source = sourceOfMeta(r.value);
      if (source === undefined) stats.metaUnreadable++;
      return { done: false, source };
    }
  };
  const data = lines(dataPath);
  let line = 0;
  try {
    for (;;) {
      const r = await data.next();
      if (r.done) break;
      line++;
      const text = line === 1 ? r.value.replace(/^\uFEFF/, "") : r.value;
      if (!text.trim()) continue;
      const ordinal = stats.lines++;
      const { source } = await nextMeta();
      yield { line, ordinal, ...parseDatasetLine(text), ...(source !== undefined ? { source } : {}) };
    }
    // Count sidecar lines beyond the data, so a misaligned sidecar can be reported.
    while (!(await nextMeta()).done) {}
  } finally {
    await data.return?.();
    await meta?.return?.();
  }
}

// ---- format gate -------------------------------------------------------------------------

export interface FormatGateOptions {
  /** Largest share of invalid lines that still passes (default 0: any invalid line fails). */
  maxInvalidRate?: number;
  /** Invalid lines kept as examples (default 5). */
  maxExamples?: number;
}

export interface FormatGateResult {
  passed: boolean;
  lines: number;
  invalid: number;
  rate: number;
  maxInvalidRate: number;
  examples: { line: number; error: string }[];
}

export class FormatGate {
  private lines = 0;
  private invalid = 0;
  private readonly examples: { line: number; error: string }[] = [];
  private readonly maxInvalidRate: number;
  private readonly maxExamples: number;

  constructor(opts: FormatGateOptions = {}) {
    this.maxInvalidRate = opts.maxInvalidRate ?? 0;
    this.maxExamples = opts.maxExamples ?? 5;
  }

  add(line: number, error: string | null | undefined): void {
    this.lines++;
    if (!error) return;
    this.invalid++;
    if (this.examples.length < this.maxExamples) this.examples.push({ line, error });
  }

  result(): FormatGateResult {
    const rate = this.lines ? this.invalid / this.lines : 0;
    // Nothing valid at all never passes, whatever the tolerance.
    const passed = this.invalid < this.lines ? rate <= this.maxInvalidRate : this.lines === 0;
    return { passed, lines: this.lines, invalid: this.invalid, rate, maxInvalidRate: this.maxInvalidRate, examples: [...this.examples] };
  }
}

// ---- empty gate --------------------------------------------------------------------------

/** The empty gate: a dataset without a single record. */
export function isEmptyDataset(lines: number): boolean {
  return lines === 0;
}

// ---- contamination gate ------------------------------------------------------------------

/** Contamination of one text; `contaminationOf(text, fingerprints)` of ngrams.ts fits. */
export type ContaminationCheck = (text: string) => Contamination;

export interface ContaminationGateOptions {
  /** n of the fingerprints, for the report. */
  ngram: number;
  /** Largest contaminated share that still passes (default 0.001). */
  threshold?: number;
  /** Contaminated records kept as examples (default 5). */
  maxExamples?: number;
}

export interface ContaminationGateResult {
  passed: boolean;
  ngram: number;
  checked: number;
  contaminated_records: number;
  rate: number;
  threshold: number;
  examples: { line: number; benchmark_index: number; overlap: number }[];
}

export const DEFAULT_CONTAMINATION_THRESHOLD = 0.001;

export class ContaminationGate {
  private checked = 0;
  private contaminated = 0;
  private readonly examples: ContaminationGateResult["examples"] = [];
  private readonly threshold: number;
  private readonly maxExamples: number;

  constructor(
    private readonly check: ContaminationCheck,
    private readonly opts: ContaminationGateOptions,
  ) {
    this.threshold = opts.threshold ?? DEFAULT_CONTAMINATION_THRESHOLD;
    this.maxExamples = opts.maxExamples ?? 5;
  }

  /** Checks one record's user turns; returns whether it is contaminated. */
  add(line: number, userText: string): boolean {
    this.checked++;
    const c = this.check(userText);
    if (!c.contaminated) return false;
    this.contaminated++;
    if (this.examples.length < this.maxExamples) this.examples.push({ line, benchmark_index: c.benchmarkIndex, overlap: +c.overlap.toFixed(4) });
    return true;
  }

  result(): ContaminationGateResult {
    const rate = this.checked ? this.contaminated / this.checked : 0;
    return {
      passed: rate <= this.threshold,
      ngram: this.opts.ngram,
      checked: this.checked,
      contaminated_records: this.contaminated,
      rate,
      threshold: this.threshold,
      examples: [...this.examples],
    };
  }
}
