/**
 * report.json (contracts.md: required fields, then optional extras) and its human twin
 * report.html. `buildReport` turns a VerifierResult plus run facts into the report;
 * `writeReportFiles` validates it and writes both files atomically, report.json last.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { IsolationReport } from "../sandbox/types.js";
import type { TaskContract } from "../task/contract.js";
import { renderReportHtml, renderReportHtmlAsync } from "./report-html.js";
import { DEFAULT_PENALTIES, GRADES, type Penalties, type RunStatus, type VerifierResult } from "./types.js";

export const REPORT_VERSION = 1;

const count = z.number().int().nonnegative();
const GradesSchema = z.object(Object.fromEntries(GRADES.map((g) => [g, count])) as Record<(typeof GRADES)[number], typeof count>);

const LengthSummarySchema = z.object({
  count,
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
  max: z.number(),
  /** Bin i holds lengths in [edges[i], edges[i+1]). */
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(count) }),
});
export type LengthSummary = z.infer<typeof LengthSummarySchema>;

const SampleSchema = z.object({
  index: count,
  line: count.optional(),
  grade: z.enum(GRADES),
  score: z.number(),
  reason: z.string(),
  notes: z.array(z.string()).optional(),
  source: z.string().optional(),
  system: z.string().optional(),
  user: z.string(),
  assistant: z.string(),
  /** The texts above were shortened for the report. */
  truncated: z.boolean().optional(),
});

const AttemptSchema = z.object({
  n: z.number().int().positive(),
  ok: z.boolean(),
  failed_phase: z.string().optional(),
  error: z.string().optional(),
  fix: z.string().optional(),
  records: count.optional(),
  duration_ms: z.number().nonnegative().optional(),
});

export const ReportSchema = z.looseObject({
  // ---- required (contracts.md)
  task: z.string().min(1),
  status: z.enum(["ok", "empty", "format_error", "contaminated", "execution_error"]),
  reward: z.number(),
  records: count,
  attempts: count,
  policy: z.string(),
  sources_used: z.array(z.string()),
  verifier: z.looseObject({
    sampled: count,
    mean_score: z.number().min(0).max(1),
    grades: GradesSchema,
    judge: z.string().optional(),
    samples_requested: count.optional(),
    seed: z.union([z.number(), z.string()]).optional(),
  }),
  contamination: z.looseObject({
    ngram: z.number().int().positive(),
    contaminated_records: count,
    removed_records: count,
    rate: z.number().min(0).max(1).optional(),
    threshold: z.number().min(0).optional(),
    examples: z.array(z.object({ line: count, benchmark_index: z.number().int(), overlap: z.number() })).optional(),
  }),
  timings_ms: z.record(z.string(), z.number().nonnegative()),
  // ---- extras
  version: z.number().int().optional(),
  created_at: z.string().optional(),
  reason: z.string().optional(),
  valid_records: count.optional(),
  malformed: z
    .object({ count, rate: z.number().min(0).max(1), max_rate: z.number().min(0), examples: z.array(z.object({ line: count, error: z.string() })) })
    .optional(),
  duplicate_rate: z.number().min(0).max(1).optional(),
  duplicate_prompt_rate: z.number().min(0).max(1).optional(),
  source_mix: z.record(z.string(), count).optional(),
  lengths: z.object({ sampled: z.boolean(), user: LengthSummarySchema, assistant: LengthSummarySchema }).optional(),
  samples: z.array(SampleSchema).optional(),
  warnings: z.array(z.string()).optional(),
  isolation: z.looseObject({ kind: z.string(), mechanism: z.string(), warnings: z.array(z.string()) }).optional(),
  attempts_detail: z.array(AttemptSchema).optional(),
  contract: z.looseObject({ describe: z.string(), answer: z.string() }).optional(),
  penalties: z.record(z.string(), z.number()).optional(),
  judge_failures: z.array(z.object({ index: count, line: count, error: z.string() })).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
export type ReportSample = z.infer<typeof SampleSchema>;

/** One execution attempt, as the report shows it (map the interpreter's Attempt to this). */
export interface AttemptSummary {
  n: number;
  ok: boolean;
  failedPhase?: string;
  /** One line: the classified error. */
  error?: string;
  fix?: string;
  records?: number;
  durationMs?: number;
}

export interface ReportInput {
  task: string;
  /** The verifier's result; absent when there was nothing to verify (the recipe never ran to the end). */
  result?: VerifierResult;
  /** Overrides the result's status, e.g. "execution_error". */
  status?: RunStatus;
  reason?: string;
  /** Attempt count, or the attempts themselves. */
  attempts?: number | AttemptSummary[];
  policy?: string;
  /** Default: the sources of the source mix. */
  sourcesUsed?: string[];
  /** Records the recipe's own decontamination removed (the verifier cannot know). */
  removedRecords?: number;
  timings?: Record<string, number>;
  warnings?: string[];
  isolation?: IsolationReport;
  contract?: TaskContract;
  penalties?: Partial<Penalties>;
  /** n of the fingerprints when there is no result (default 13). */
  ngram?: number;
  /** Longest user/assistant text kept per sample (default 4000 chars). */
  maxSampleChars?: number;
  now?: Date;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** Summary and histogram of lengths: `bins` equal-width bins from 0 to the 99th percentile, the last one open. */
export function summarizeLengths(values: number[], bins = 20): LengthSummary {
  const s = [...values].sort((a, b) => a - b);
  const max = s.at(-1) ?? 0;
  const top = Math.max(1, quantile(s, 0.99));
  const width = Math.max(1, Math.ceil(top / bins));
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of s) counts[Math.min(bins - 1, Math.floor(v / width))]!++;
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return { count: s.length, mean: Math.round(mean), p50: quantile(s, 0.5), p95: quantile(s, 0.95), max, histogram: { edges, counts } };
}

function clip(text: string, max: number): { text: string; clipped: boolean } {
  return text.length > max ? { text: `${text.slice(0, max)}\n… [${text.length - max} more characters]`, clipped: true } : { text, clipped: false };
}

function attemptsOf(input: ReportInput): { n: number; detail?: Report["attempts_detail"] } {
  if (Array.isArray(input.attempts)) {
    const detail = input.attempts.map((a) => ({
      n: a.n,
      ok: a.ok,
      ...(a.failedPhase ? { failed_phase: a.failedPhase } : {}),
      ...(a.error ? { error: a.error } : {}),
      ...(a.fix ? { fix: a.fix } : {}),
      ...(a.records !== undefined ? { records: a.records } : {}),
      ...(a.durationMs !== undefined ? { duration_ms: a.durationMs } : {}),
    }));
    return { n: detail.length, detail };
  }
  return { n: input.attempts ?? (input.result ? 1 : 0) };
}

export function buildReport(input: ReportInput): Report {
  const r = input.result;
  const penalties = { ...DEFAULT_PENALTIES, ...r?.penalties, ...input.penalties };
  const status: RunStatus = input.status ?? r?.status ?? "execution_error";
  // The result's own reward when its status stands; a caller's override (execution_error) gets its penalty.
  const reward = r && status === r.status ? r.reward : penaltyFor(status, penalties, r);
  const { n: attempts, detail } = attemptsOf(input);
  const maxChars = input.maxSampleChars ?? 4000;
  const timings = { ...input.timings };
  if (r?.timingsMs && timings.verify === undefined) timings.verify = r.timingsMs.read + r.timingsMs.grade;
  const warnings = [...(r?.warnings ?? []), ...(input.warnings ?? [])];
  const reason = input.reason ?? r?.reason;
  const report: Report = {
    task: input.task,
    status,
    reward,
    records: r?.records ?? 0,
    attempts,
    policy: input.policy ?? "builtin",
    sources_used: input.sourcesUsed ?? Object.keys(r?.sourceMix ?? {}).sort(),
    verifier: {
      sampled: r?.sampled ?? 0,
      mean_score: r?.meanScore ?? 0,
      grades: r?.grades ?? (Object.fromEntries(GRADES.map((g) => [g, 0])) as Report["verifier"]["grades"]),
      ...(r ? { judge: r.judge } : {}),
      ...(r?.samplesRequested !== undefined ? { samples_requested: r.samplesRequested } : {}),
      ...(r?.seed !== undefined ? { seed: r.seed } : {}),
    },
    contamination: {
      ngram: r?.contamination.ngram ?? input.ngram ?? 13,
      contaminated_records: r?.contamination.contaminated_records ?? 0,
      removed_records: input.removedRecords ?? 0,
      ...(r ? { rate: r.contamination.rate, threshold: r.contamination.threshold, examples: r.contamination.examples } : {}),
    },
    timings_ms: timings,
    version: REPORT_VERSION,
    created_at: (input.now ?? new Date()).toISOString(),
    ...(reason ? { reason } : {}),
    penalties: { ...penalties },
  };
  if (r) {
    report.valid_records = r.validRecords ?? r.records;
    report.malformed = {
      count: r.formatGate?.invalid ?? r.formatErrors.length,
      rate: r.formatGate?.rate ?? 0,
      max_rate: r.formatGate?.maxInvalidRate ?? 0,
      examples: r.formatErrors,
    };
    report.duplicate_rate = r.duplicateRate;
    if (r.duplicatePromptRate !== undefined) report.duplicate_prompt_rate = r.duplicatePromptRate;
    report.source_mix = r.sourceMix;
    report.lengths = { sampled: r.lengthsSampled ?? false, user: summarizeLengths(r.lengths.user), assistant: summarizeLengths(r.lengths.assistant) };
    report.samples = r.samples.map((s) => {
      const user = clip(s.user, maxChars);
      const assistant = clip(s.assistant, maxChars);
      const system = s.system !== undefined ? clip(s.system, maxChars) : undefined;
      return {
        index: s.index,
        ...(s.line !== undefined ? { line: s.line } : {}),
        grade: s.grade,
        score: s.score,
        reason: s.reason,
        ...(s.notes?.length ? { notes: s.notes } : {}),
        ...(s.source !== undefined ? { source: s.source } : {}),
        ...(system ? { system: system.text } : {}),
        user: user.text,
        assistant: assistant.text,
        ...(user.clipped || assistant.clipped || system?.clipped ? { truncated: true } : {}),
      };
    });
    if (r.judgeFailures?.length) report.judge_failures = r.judgeFailures;
  }
  if (warnings.length) report.warnings = warnings;
  if (input.isolation) report.isolation = { ...input.isolation };
  if (detail) report.attempts_detail = detail;
  if (input.contract) report.contract = { describe: input.contract.describe, answer: input.contract.answer.kind, reasoning: input.contract.reasoning, has_options: input.contract.hasOptions, has_context: input.contract.hasContext };
  return ReportSchema.parse(report);
}

function penaltyFor(status: RunStatus, p: Penalties, r: VerifierResult | undefined): number {
  switch (status) {
    case "ok":
      return r?.meanScore ?? 0;
    case "empty":
      return p.empty;
    case "format_error":
      return p.format;
    case "contaminated":
      return p.contaminated;
    case "execution_error":
      return p.execution;
  }
}

function writeAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}`);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

function writeBoth(dir: string, valid: Report, page: string | null): { json: string; html: string | null } {
  mkdirSync(dir, { recursive: true });
  const html = page === null ? null : path.join(dir, "report.html");
  const json = path.join(dir, "report.json");
  if (html) writeAtomic(html, page!);
  writeAtomic(json, `${JSON.stringify(valid, null, 2)}\n`);
  return { json, html };
}

/** Validates the report and writes report.html, then report.json (so a report.json always has its page). */
export function writeReportFiles(dir: string, report: Report): { json: string; html: string } {
  const valid = ReportSchema.parse(report);
  return writeBoth(dir, valid, renderReportHtml(valid)) as { json: string; html: string };
}

/**
 * writeReportFiles with the page rendered on the report worker when it is in use
 * (`useReportWorker`); `html: false` writes report.json alone (a folder nobody will open).
 */
export async function writeReportFilesAsync(dir: string, report: Report, opts: { html?: boolean } = {}): Promise<{ json: string; html: string | null }> {
  const valid = ReportSchema.parse(report);
  return writeBoth(dir, valid, opts.html === false ? null : await renderReportHtmlAsync(valid));
}
