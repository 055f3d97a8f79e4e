/**
 * Words for the planner's choices: a reason with concrete figures for every source, named after
 * the signals that weighed most in its decision, and the workflow prose of plan.md.
 */
import type { SourceProfile } from "../../src/data/types.js";
import type { LinearHead, SourceFeatureName } from "../../src/rl/policy-params.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { BernoulliDecision } from "./decisions.js";
import type { MappingLike, SourceAnalysis } from "./features.js";
import type { Plan } from "./plan.js";

export function pct(x: number): string {
  const v = x * 100;
  return `${v >= 10 || v === 0 ? Math.round(v) : v.toFixed(1)}%`;
}

export function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}

export function notesSuffix(m: MappingLike): string {
  const notes = m.notes.filter((n) => n.trim());
  return notes.length ? `: ${notes.join("; ")}` : "";
}

function ofExamples(k: number, q: SourceAnalysis["quality"]): string {
  return `${k}/${q.examples} sampled answers`;
}

/** Records the source can give, in words ("5216 rows", "1668 items from 278 rows"). */
function capacityPhrase(p: SourceProfile, a: SourceAnalysis): string {
  return a.capacity === p.rows ? `${p.rows} rows` : `${a.capacity} items from ${p.rows} rows`;
}

/**
 * One phrase per feature, with the figure behind it. `con` phrases a positive signal that fell
 * short (a reason against), `pro` one that counted for the source.
 */
function describeFeature(f: SourceFeatureName, p: SourceProfile, a: SourceAnalysis, ctx: ReasonContext, tone: "pro" | "con"): string {
  const q = a.quality;
  const only = tone === "con" ? "only " : "";
  switch (f) {
    case "relevance":
    case "relevance_rel": {
      const best = ctx.relevanceMax > 0 && p.relevance < ctx.relevanceMax ? ` (best candidate ${fmt(ctx.relevanceMax, 3)})` : tone === "pro" ? " (the most relevant candidate)" : " (no candidate scores higher)";
      return `relevance to the benchmark examples ${only}${fmt(p.relevance, 3)}${best}`;
    }
    case "schema":
      return `schema fit ${only}${fmt(a.features.schema)}`;
    case "answer_shape":
      return `${only}${ofExamples(q.shapedAnswers, q)} already have the benchmark's answer shape`;
    case "input_len_fit":
      return q.inputChars !== undefined
        ? `inputs average ${Math.round(q.inputChars)} chars${tone === "con" ? ` against about ${Math.round(ctx.benchmarkInputChars)} in the benchmark` : ` (fit ${fmt(a.features.input_len_fit)})`}`
        : "input length unknown";
    case "dup_rate":
      return `${pct(p.duplicateRate)} exact duplicates`;
    case "empty_answer_rate":
      return `${pct(a.features.empty_answer_rate)} of answers empty or missing`;
    case "echo_rate":
      return `${ofExamples(q.echoAnswers, q)} echo the input`;
    case "repetition_rate":
      return `${ofExamples(q.repetitiveAnswers, q)} loop on the same phrase`;
    case "template_leak_rate":
      return `${ofExamples(q.templateLeaks, q)} ramble into invented 'Input:/Output:' turns`;
    case "length_tail":
      return `long length tail (median ${Math.round(p.textLength.p50)}, p95 ${Math.round(p.textLength.p95)}, max ${Math.round(p.textLength.max)} chars)`;
    case "malformed_rate":
      return `${p.malformed} malformed rows`;
    case "benchmark_overlap":
      return `${pct(p.benchmarkOverlap ?? 0)} of records overlap benchmark items (decontamination drops them)`;
    case "size":
      return capacityPhrase(p, a);
    case "budget_cover":
      return `${only}${capacityPhrase(p, a)} for a ${ctx.budget}-record budget`;
    case "license_open":
      return `licence ${p.license ?? "unknown"}`;
  }
}

/** Per-feature contribution to the logit, and how far each falls short of its best value. */
function contributions(head: LinearHead, features: Record<SourceFeatureName, number>) {
  return (Object.keys(features) as SourceFeatureName[])
    .map((f) => {
      const w = head.weights[f] ?? 0;
      const v = features[f];
      return { f, w, v, gain: w * v, shortfall: w > 0 ? w * (1 - v) : -w * v };
    })
    .filter((c) => c.w !== 0);
}

export interface ReasonContext {
  relevanceMax: number;
  budget: number;
  benchmarkInputChars: number;
}

function topPhrases(items: { f: SourceFeatureName; w: number }[], p: SourceProfile, a: SourceAnalysis, ctx: ReasonContext, k: number, against: boolean): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const it of items) {
    // A positive-weight signal cited against a source fell short; a negative one is a defect either way.
    const phrase = describeFeature(it.f, p, a, ctx, against && it.w > 0 ? "con" : "pro");
    if (seen.has(phrase)) continue;
    seen.add(phrase);
    out.push(phrase);
    if (out.length >= k) break;
  }
  return out;
}

function probPhrase(d: BernoulliDecision): string {
  return d.greedy ? `logit ${fmt(d.logit)} at temperature 0` : `p=${fmt(d.p)}`;
}

export function chosenReason(
  p: SourceProfile,
  a: SourceAnalysis,
  m: MappingLike,
  head: LinearHead,
  d: BernoulliDecision,
  fallback: boolean,
  share: number,
  records: number,
  nChosen: number,
  ctx: ReasonContext,
): string {
  const cs = contributions(head, a.features);
  const strengths = topPhrases(cs.filter((c) => c.gain > 0.1).sort((x, y) => y.gain - x.gain), p, a, ctx, 3, false);
  const concerns = topPhrases(cs.filter((c) => c.w < 0 && c.gain < -0.3).sort((x, y) => x.gain - y.gain), p, a, ctx, 2, true);
  const parts = [
    fallback ? `kept as the best remaining fit although the policy did not select it (${probPhrase(d)})` : `selected (${probPhrase(d)})`,
    strengths.length ? strengths.join(", ") : undefined,
    m.answerTransform && m.answerTransform !== "none" && m.answerTransform !== "identity" ? `answers via ${m.answerTransform}` : undefined,
    concerns.length ? `watch: ${concerns.join(", ")}` : undefined,
    `${records} of ${a.capacity} ${a.capacity === p.rows ? "rows" : "items"}${nChosen > 1 ? `, ${pct(share)} mixing preference` : ""}`,
  ];
  return parts.filter(Boolean).join("; ");
}

const MINOR_FEATURES = new Set<SourceFeatureName>(["size", "budget_cover", "license_open"]);

export function notChosenReason(p: SourceProfile, a: SourceAnalysis, head: LinearHead, d: BernoulliDecision, ctx: ReasonContext): string {
  const cs = contributions(head, a.features).sort((x, y) => y.shortfall - x.shortfall);
  // Size and licence rarely decide alone: name them only when nothing weightier fell short.
  const major = cs.filter((c) => c.shortfall > 0.2 && !MINOR_FEATURES.has(c.f));
  const weak = topPhrases(major.length ? major : cs.filter((c) => c.shortfall > 0.2), p, a, ctx, 3, true);
  return `not selected (${probPhrase(d)}): ${weak.length ? weak.join(", ") : "weaker overall fit than the selected sources"}`;
}

// ---------------------------------------------------------------------------------------------
// Workflow prose.

function rolesPhrase(m: MappingLike | undefined): string {
  if (!m) return "";
  const parts = Object.entries(m.roles ?? {})
    .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && !v.length))
    .map(([role, v]) => `${role} ← ${Array.isArray(v) ? v.join(" + ") : typeof v === "string" ? v : JSON.stringify(v)}`);
  const extra = [m.explode ? `one record per item of ${m.explode}` : "", m.answerTransform ? `answer transform: ${m.answerTransform}` : ""].filter(Boolean);
  return [...parts, ...extra].join("; ");
}

export function describeWorkflow(
  training: Plan["training_data"],
  sources: { id: string; mapping?: MappingLike }[],
  ops: Plan["operations"],
  contract: TaskContract,
): string {
  if (!training.length) return "No source is compatible with the benchmark contract, so no training data can be produced. See the rejected sources below.";
  const byId = new Map(sources.map((s) => [s.id, s]));
  const steps: string[] = [];
  steps.push(`1. Load ${training.map((t) => `\`${t.dataset_id}\``).join(", ")} from the staged sources (sources/<id>.jsonl).`);
  const maps = training.map((t) => `   - \`${t.dataset_id}\`: ${rolesPhrase(byId.get(t.dataset_id)?.mapping) || "fields as profiled"}`);
  steps.push(`2. Map each source's fields to the benchmark's input/output contract:\n${maps.join("\n")}`);
  const extras = [contract.hasContext ? "the context passages" : "", contract.hasOptions ? "the lettered options" : ""].filter(Boolean);
  steps.push(
    `3. Format every record as a chat conversation: a system turn stating the task, the user turn with the question${extras.length ? ` plus ${extras.join(" and ")}` : ""}, and the assistant turn in the benchmark's answer format (${contract.describe})${contract.reasoning ? ", reasoning first" : ""}.`,
  );
  const filters = [`drop records whose answer is shorter than ${ops.min_answer_chars} character${ops.min_answer_chars === 1 ? "" : "s"}${ops.max_answer_chars ? ` or longer than ${ops.max_answer_chars}` : ""}`];
  if (ops.filter_outliers) filters.push(`drop length outliers (|z| of log length above ${ops.outlier_z} within their source)`);
  steps.push(`4. Filter: ${filters.join("; ")}.`);
  const dedup = [ops.dedup_exact ? "exact duplicates (hash of the normalised text)" : "", ops.dedup_near ? `near-duplicates (similarity at or above ${ops.near_threshold})` : ""].filter(Boolean);
  steps.push(dedup.length ? `5. Deduplicate: remove ${dedup.join(" and ")}.` : "5. No deduplication.");
  steps.push(
    `6. Decontaminate: ${ops.decontaminate ? "drop every record whose user turn shares long n-grams with a benchmark item (benchmark_ngrams.json)" : "skipped"}.`,
  );
  steps.push(
    `7. Sample up to ${training.map((t) => `${t.sample_num} from \`${t.dataset_id}\``).join(", ")} (seeded), shuffle, and write output/data.jsonl; check.py asserts the chat format and the answer format on the result.`,
  );
  return steps.join("\n");
}
