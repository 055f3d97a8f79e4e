/**
 * What the LLM agents are shown, as prompt text: the task, the benchmark's contract, at most
 * `benchmark.examples` benchmark records (the one allowed use besides decontamination) and the
 * source profiles. Long strings are clipped so a prompt stays within a small model's context.
 */
import type { FieldProfile, SourceProfile } from "../data/types.js";
import type { TaskContract } from "../task/contract.js";
import type { LoadedTask } from "../task/spec.js";
import type { PromptVars } from "./prompts.js";

export interface TaskPromptInput {
  task: LoadedTask;
  profiles: SourceProfile[];
  contract: TaskContract;
  benchmarkExamples: Record<string, unknown>[];
  /** Record budget (default task.maxRecords). */
  maxRecords?: number;
}

export interface FormatLimits {
  /** Longest string leaf shown (characters). */
  maxString?: number;
  /** Example records per source. */
  examplesPerSource?: number;
  /** Fields listed per source. */
  fieldsPerSource?: number;
}

const DEFAULT_LIMITS: Required<FormatLimits> = { maxString: 300, examplesPerSource: 2, fieldsPerSource: 25 };

/** A copy of a JSON value with long strings clipped and long arrays shortened. */
export function clipValue(v: unknown, maxString: number, depth = 0): unknown {
  if (typeof v === "string") return v.length > maxString ? `${v.slice(0, maxString)}… [+${v.length - maxString} chars]` : v;
  if (Array.isArray(v)) {
    const head = v.slice(0, 8).map((x) => clipValue(x, maxString, depth + 1));
    return v.length > 8 ? [...head, `… [+${v.length - 8} items]`] : head;
  }
  if (v && typeof v === "object") {
    if (depth > 6) return "{…}";
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clipValue(x, maxString, depth + 1)]));
  }
  return v;
}

function pct(x: number | undefined): string {
  return x === undefined ? "?" : `${Math.round(x * 100)}%`;
}

function fieldLine(f: FieldProfile): string {
  const types = Object.entries(f.types)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([t]) => t)
    .join("|");
  const bits = [`${f.path}: ${types || "?"}`, `present ${pct(f.presence)}`];
  if (f.meanChars !== undefined) bits.push(`~${Math.round(f.meanChars)} chars`);
  if (f.topValues?.length && f.topValues.length <= 12) bits.push(`values ${f.topValues.map((t) => JSON.stringify(t.value)).join(", ")}`);
  if (f.meanItems !== undefined) bits.push(`~${f.meanItems.toFixed(1)} items`);
  return `  - ${bits.join("; ")}`;
}

/** One source as prompt text: facts, warnings, fields and a few example records. */
export function formatProfile(p: SourceProfile, limits: FormatLimits = {}): string {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const out = [`### source \`${p.id}\``];
  if (p.description) out.push(`description: ${p.description}`);
  out.push(`license: ${p.license ?? "unknown"}; rows: ${p.rows}; duplicate rate: ${pct(p.duplicateRate)}; topical similarity to the benchmark: ${p.relevance.toFixed(2)}`);
  if (p.benchmarkOverlap !== undefined && p.benchmarkOverlap > 0)
    out.push(`WARNING: ${pct(p.benchmarkOverlap)} of sampled records overlap benchmark items (contamination risk: decontaminate or drop it)`);
  if (p.malformed > 0) out.push(`note: ${p.malformed} malformed rows are skipped when read`);
  out.push("fields (dotted paths; [] = each array element):");
  for (const f of p.fields.slice(0, l.fieldsPerSource)) out.push(fieldLine(f));
  if (p.fields.length > l.fieldsPerSource) out.push(`  - … ${p.fields.length - l.fieldsPerSource} more fields`);
  p.examples.slice(0, l.examplesPerSource).forEach((ex, i) => out.push(`example ${i + 1}: ${JSON.stringify(clipValue(ex, l.maxString))}`));
  return out.join("\n");
}

export function formatProfiles(profiles: SourceProfile[], limits: FormatLimits = {}): string {
  return profiles.map((p) => formatProfile(p, limits)).join("\n\n");
}

/** The benchmark's I/O contract in words, for every agent. */
export function describeContract(c: TaskContract): string {
  const lines = [`- answer format: ${c.describe}`];
  lines.push(`- reasoning before the final answer: ${c.reasoning ? "yes" : "no"}`);
  if (c.hasOptions) lines.push("- the question lists answer options, which must appear in the user turn");
  if (c.hasContext) lines.push("- items carry context (passages, tables) that must be embedded in the user turn");
  if (c.inputFields.length) lines.push(`- benchmark input fields: ${c.inputFields.join(", ")}${c.answerField ? `; answer field: ${c.answerField}` : ""}`);
  lines.push(`- typical input length: ~${c.inputChars.p50} characters (95th percentile ${c.inputChars.p95})`);
  if (c.systemPrompt) lines.push(`- suggested system turn: ${JSON.stringify(c.systemPrompt)}`);
  return lines.join("\n");
}

export function formatBenchmarkExamples(examples: Record<string, unknown>[], maxString = 600): string {
  if (!examples.length) return "(none shown)";
  return examples.map((e, i) => `example ${i + 1}: ${JSON.stringify(clipValue(e, maxString))}`).join("\n");
}

/** The prompt variables every agent shares. */
export function taskPromptVars(input: TaskPromptInput, limits: FormatLimits = {}): PromptVars {
  const spec = input.task.spec;
  const b = spec.benchmark;
  return {
    task_id: spec.id,
    domain: spec.domain ?? "unspecified",
    instruction: spec.instruction,
    benchmark_name: b.name ?? b.id,
    benchmark_description: b.description ?? "(no description)",
    metric: b.metric ?? "(not stated)",
    contract: describeContract(input.contract),
    system_prompt: input.contract.systemPrompt,
    benchmark_examples: formatBenchmarkExamples(input.benchmarkExamples),
    sources: formatProfiles(input.profiles, limits),
    source_ids: input.profiles.map((p) => p.id).join(", "),
    max_records: input.maxRecords ?? input.task.maxRecords,
    commercial: spec.commercial ? "yes: use only sources whose licence permits commercial use" : "no restriction",
  };
}
