/**
 * The built-in planner: a small stochastic policy over source and operation choices.
 *
 * Hard rules first (user selection, licence for commercial use, benchmark leaks, schema
 * compatibility), then sampled decisions, each from a linear head of `PolicyParams`:
 *   include each compatible source?  ->  mixing logits  ->  operations  ->  thresholds
 * Decisions draw from per-decision seeded streams: one seed gives one plan, other seeds give
 * other plans, and temperature 0 takes the most likely choice everywhere. Every decision is
 * returned with its log-probability so GRPO can train the params later.
 */
import type { SourceProfile } from "../../src/data/types.js";
import { DEFAULT_PARAMS, headValue, type MixFeatureName, type PolicyParams, type SourceFeatureName } from "../../src/rl/policy-params.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask } from "../../src/task/spec.js";
import { mapSource as coderMapSource } from "../coder/field-mapping.js";
import { sampleBernoulli, sampleCategorical, sampleGaussian, type BernoulliDecision, type PlannerDecision } from "./decisions.js";
import { analyseSource, clamp01, licenseClass, type MappingLike, type SourceAnalysis } from "./features.js";
import { chosenReason, describeWorkflow, fmt, notChosenReason, notesSuffix, pct, type ReasonContext } from "./explain.js";
import type { Plan } from "./plan.js";
import { decisionRng } from "./random.js";

export type MapSourceFn = (profile: SourceProfile, contract: TaskContract) => MappingLike;

export interface PlanBuiltinOptions {
  task: LoadedTask;
  profiles: SourceProfile[];
  contract: TaskContract;
  seed: number;
  /** Overrides `params.temperature`; 0 is greedy. */
  temperature?: number;
  params?: PolicyParams;
  /** Schema compatibility of a source with the contract; the coder's field mapping by default. */
  mapSource?: MapSourceFn;
  /** User-restricted source ids: every other source is rejected. */
  only?: string[];
  /** Record budget; `task.maxRecords` by default. */
  maxRecords?: number;
}

/** What the planner concluded about one source (for reports and "why was X dropped?"). */
export interface SourceAssessment {
  id: string;
  status: "chosen" | "rejected";
  /** "gate" for hard rules, "policy" for sampled decisions, "budget" when rounding left no records. */
  by: "gate" | "policy" | "budget" | "chosen";
  reason: string;
  mapping?: MappingLike;
  analysis?: SourceAnalysis;
  /** Mixing share (0..1) among the chosen sources. */
  share?: number;
}

export interface PlanBuiltinResult {
  plan: Plan;
  decisions: PlannerDecision[];
  sources: SourceAssessment[];
}

const SHORT_ANSWER_KINDS = new Set(["label", "option_letter", "number"]);

export function planBuiltin(opts: PlanBuiltinOptions): PlanBuiltinResult {
  const params = opts.params ?? DEFAULT_PARAMS;
  const T = Math.max(0, opts.temperature ?? params.temperature);
  const budget = opts.maxRecords ?? opts.task.maxRecords;
  const mapSource = opts.mapSource ?? coderMapSource;
  const { contract, seed } = opts;
  const decisions: PlannerDecision[] = [];
  const assessments = new Map<string, SourceAssessment>();
  const specById = new Map(opts.task.spec.sources.map((s) => [s.id, s]));
  const only = opts.only ? new Set(opts.only) : undefined;

  // 1. Hard rules: no sampling, a reason for every rejection.
  const candidates: { profile: SourceProfile; mapping: MappingLike }[] = [];
  for (const given of opts.profiles) {
    // The spec's licence stands in when the profile did not carry it.
    const specLicense = specById.get(given.id)?.license;
    const profile = given.license || !specLicense ? given : { ...given, license: specLicense };
    const reject = (reason: string, mapping?: MappingLike) =>
      assessments.set(profile.id, { id: profile.id, status: "rejected", by: "gate", reason, mapping });
    if (only && !only.has(profile.id)) {
      reject(`not in the user's source selection (${[...only].join(", ")})`);
      continue;
    }
    if (profile.rows <= 0) {
      reject(`no readable records${profile.malformed ? ` (${profile.malformed} malformed lines)` : ""}`);
      continue;
    }
    if (opts.task.spec.commercial) {
      const lic = licenceVerdict(profile.license);
      if (lic) {
        reject(lic);
        continue;
      }
    }
    const overlap = profile.benchmarkOverlap ?? 0;
    if (overlap > params.gates.maxBenchmarkOverlap) {
      reject(
        `leaks the benchmark: ${pct(overlap)} of sampled records carry a benchmark item (limit ${pct(params.gates.maxBenchmarkOverlap)}); decontamination would remove them anyway`,
      );
      continue;
    }
    let mapping: MappingLike;
    try {
      mapping = mapSource(profile, contract);
    } catch (e) {
      reject(`field mapping failed: ${(e as Error).message}`);
      continue;
    }
    if (!mapping.ok) {
      reject(`schema does not fit the benchmark contract (${contract.describe})${notesSuffix(mapping)}`, mapping);
      continue;
    }
    if (mapping.score < params.gates.minSchemaScore) {
      reject(`schema fit too weak: score ${fmt(mapping.score)} below ${fmt(params.gates.minSchemaScore)}${notesSuffix(mapping)}`, mapping);
      continue;
    }
    candidates.push({ profile, mapping });
  }

  // 2. Features, with relevance judged against the other candidates.
  const rel = candidates.map((c) => c.profile.relevance);
  const ctx = { relevanceMax: Math.max(0, ...rel), relevanceMin: rel.length ? Math.min(...rel) : 0 };
  const analysed = candidates.map((c) => ({ ...c, analysis: analyseSource(c.profile, c.mapping, contract, { maxRecords: budget }, ctx) }));

  // 3. Which sources to keep. The source the policy prefers most is kept whenever the policy
  // wants it at all: sampling (and training's shared parameters) only decide about the others,
  // so a recipe never loses its best source to a 1-in-50 draw.
  const kept: typeof analysed = [];
  const includeDecisions = new Map<string, BernoulliDecision>();
  const anchorId = anchorSource(analysed, params);
  for (const c of analysed) {
    const t = c.profile.id === anchorId ? 0 : T;
    const d = sampleBernoulli(`include:${c.profile.id}`, "include", params, c.analysis.features, t, decisionRng(seed, `include:${c.profile.id}`));
    decisions.push(d);
    includeDecisions.set(c.profile.id, d);
    if (d.action) kept.push(c);
  }
  let fallbackId: string | undefined;
  if (!kept.length && analysed.length) {
    // Never leave a task without data when some source fits: pick one, by the same preferences.
    const d = sampleCategorical(
      "fallback_source",
      "include",
      params,
      analysed.map((c) => ({ id: c.profile.id, features: c.analysis.features })),
      T,
      decisionRng(seed, "fallback_source"),
    );
    decisions.push(d);
    fallbackId = d.action;
    kept.push(analysed.find((c) => c.profile.id === d.action)!);
  }

  // 4. Mixing shares and record allocation. Which sources are primary follows from the mean
  // preferences (features), so sampling noise moves proportions but never demotes an equal peer.
  const mixMeans = kept.map((c) => headValue(params.mix.score, c.analysis.features));
  // Shares depend only on differences of the logits: the decisions see features centred over the
  // kept sources, so GRPO never trains (or is thrown off by) a common level that changes nothing.
  const centred = centreFeatures(kept.map((c) => c.analysis.features));
  const mixLogits = kept.map((c, i) => {
    if (kept.length === 1) return 0;
    const d = sampleGaussian(`mix:${c.profile.id}`, "mix.score", "mix.std", params, centred[i]!, T, decisionRng(seed, `mix:${c.profile.id}`), undefined, true);
    decisions.push(d);
    return d.action;
  });
  const shares = softmax(mixLogits);
  const topMean = Math.max(...mixMeans);
  const primary = mixMeans.map((m) => m >= topMean + Math.log(params.mix.primaryRatio));
  const alloc = allocate(
    kept.map((c) => c.analysis.capacity),
    shares,
    budget,
    primary,
  );

  const reasonCtx: ReasonContext = { relevanceMax: ctx.relevanceMax, budget, benchmarkInputChars: contract.inputChars.p50 };
  const training: Plan["training_data"] = [];
  const chosen: { analysis: SourceAnalysis; share: number; records: number }[] = [];
  kept.forEach((c, i) => {
    const id = c.profile.id;
    const base = { id, mapping: c.mapping, analysis: c.analysis, share: shares[i]! };
    if (alloc[i]! <= 0) {
      assessments.set(id, {
        ...base,
        status: "rejected",
        by: "budget",
        reason: `selected, but its ${pct(shares[i]!)} share of the ${budget}-record budget rounds to no records`,
      });
      return;
    }
    const inc = includeDecisions.get(id)!;
    const why = chosenReason(c.profile, c.analysis, c.mapping, params.include, inc, fallbackId === id, shares[i]!, alloc[i]!, kept.length, reasonCtx);
    assessments.set(id, { ...base, status: "chosen", by: "chosen", reason: why });
    training.push({ dataset_id: id, split: specById.get(id)?.split ?? "train", sample_num: alloc[i]!, reason: why });
    chosen.push({ analysis: c.analysis, share: shares[i]!, records: alloc[i]! });
  });
  for (const c of analysed) {
    if (assessments.has(c.profile.id)) continue;
    const inc = includeDecisions.get(c.profile.id)!;
    assessments.set(c.profile.id, {
      id: c.profile.id,
      status: "rejected",
      by: "policy",
      reason: notChosenReason(c.profile, c.analysis, params.include, inc, reasonCtx),
      mapping: c.mapping,
      analysis: c.analysis,
    });
  }

  // 5. Operations and thresholds, given the mix that was chosen. Without data they change nothing,
  // so they are then taken greedily and not recorded (no decision without an effect to learn from).
  const mixFeatures = mixFeaturesOf(chosen, contract);
  const opT = training.length ? T : 0;
  const record = <D extends PlannerDecision>(d: D): D => {
    if (training.length) decisions.push(d);
    return d;
  };
  const op = (name: "dedup_exact" | "dedup_near" | "filter_outliers") =>
    record(sampleBernoulli(`op:${name}`, `operations.${name}`, params, mixFeatures, opT, decisionRng(seed, `op:${name}`))).action;
  const threshold = (name: "near_threshold" | "outlier_z" | "min_answer_chars_log2", shape: (x: number) => number) => {
    const g = params.thresholds[name];
    const clip = (x: number) => shape(Math.min(g.max, Math.max(g.min, x)));
    const rng = decisionRng(seed, `threshold:${name}`);
    return record(sampleGaussian(`threshold:${name}`, `thresholds.${name}.mean`, `thresholds.${name}.std`, params, mixFeatures, opT, rng, clip)).action;
  };
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const dedup_exact = op("dedup_exact");
  const dedup_near = op("dedup_near");
  // A threshold is only sampled when its operation is on: a decision with no effect would only add noise to training.
  const near_threshold = dedup_near ? threshold("near_threshold", round2) : round2(headValue(params.thresholds.near_threshold.mean, mixFeatures));
  const filter_outliers = op("filter_outliers");
  const outlier_z = filter_outliers ? threshold("outlier_z", round2) : round2(headValue(params.thresholds.outlier_z.mean, mixFeatures));
  const min_answer_chars = SHORT_ANSWER_KINDS.has(contract.answer.kind) ? 1 : threshold("min_answer_chars_log2", (x) => Math.max(1, Math.round(2 ** x)));

  const operations: Plan["operations"] = {
    dedup_exact,
    dedup_near,
    near_threshold,
    filter_outliers,
    outlier_z,
    // Benchmark items must never be trained on: not a choice.
    decontaminate: true,
    min_answer_chars,
  };

  const ordered = opts.profiles.map((p) => assessments.get(p.id)!).filter(Boolean);
  const rejected = ordered.filter((a) => a.status === "rejected").map((a) => ({ dataset_id: a.id, reason: a.reason }));
  const workflow = describeWorkflow(training, ordered, operations, contract);
  return { plan: { training_data: training, rejected, workflow, operations }, decisions, sources: ordered };
}

/** A rejection reason when the licence does not clearly permit commercial use, else undefined. */
function licenceVerdict(license: string | undefined): string | undefined {
  const cls = licenseClass(license);
  if (cls === "noncommercial") return `licence ${license} does not permit commercial use, which this task requires`;
  if (cls === "unknown") return `licence ${license ? `'${license}' ` : ""}unknown; this task requires commercially usable data`;
  return undefined;
}

/** The source with the highest inclusion logit, when that logit is positive (first wins ties). */
export function anchorSource(sources: { profile: { id: string }; analysis: { features: Record<string, number> } }[], params: PolicyParams): string | undefined {
  let best: { id: string; logit: number } | undefined;
  for (const c of sources) {
    const logit = headValue(params.include, c.analysis.features);
    if (!best || logit > best.logit) best = { id: c.profile.id, logit };
  }
  return best && best.logit > 0 ? best.id : undefined;
}

/** Each feature minus its mean over the rows (features a row lacks count 0). */
export function centreFeatures(rows: Record<string, number>[]): Record<string, number>[] {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const mean = Object.fromEntries(names.map((k) => [k, rows.reduce((s, r) => s + (r[k] ?? 0), 0) / rows.length]));
  return rows.map((r) => Object.fromEntries(names.map((k) => [k, (r[k] ?? 0) - mean[k]!])));
}

function softmax(xs: number[]): number[] {
  if (!xs.length) return [];
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/**
 * Records per source: shares of the budget, capped by each source's rows, with the budget a
 * capped source leaves spread over the others (water-filling). Sources whose share is below
 * `primary` (a flag per source, or a ratio of the top share) are auxiliary: they never exceed
 * their share relative to the primary sources' records, so a small preferred source is not
 * drowned by a large auxiliary one.
 */
export function allocate(rows: number[], shares: number[], budget: number, primary: boolean[] | number = 0.5): number[] {
  const n = rows.length;
  const x = new Array<number>(n).fill(0);
  if (!n || budget <= 0) return x;
  const active = new Set(rows.map((_, i) => i).filter((i) => rows[i]! > 0));
  let remaining = budget;
  while (active.size && remaining > 1e-9) {
    const total = [...active].reduce((s, i) => s + shares[i]!, 0);
    let capped = false;
    for (const i of [...active]) {
      const want = (remaining * shares[i]!) / total;
      if (x[i]! + want >= rows[i]!) {
        remaining -= rows[i]! - x[i]!;
        x[i] = rows[i]!;
        active.delete(i);
        capped = true;
      }
    }
    if (!capped) {
      for (const i of active) x[i]! += (remaining * shares[i]!) / total;
      remaining = 0;
    }
  }
  const top = Math.max(...shares);
  const isPrimary = Array.isArray(primary) ? primary : shares.map((s) => s >= primary * top);
  const primaryShare = shares.reduce((s, w, i) => s + (isPrimary[i] ? w : 0), 0);
  const primaryRecords = x.reduce((s, v, i) => s + (isPrimary[i] ? v : 0), 0);
  if (primaryShare > 0) for (let i = 0; i < n; i++) if (!isPrimary[i]) x[i] = Math.min(x[i]!, (shares[i]! / primaryShare) * primaryRecords);
  // Integers by largest remainder, never above capacity or budget.
  const out = x.map((v) => Math.floor(v + 1e-9));
  let left = Math.min(budget, Math.round(x.reduce((a, b) => a + b, 0))) - out.reduce((a, b) => a + b, 0);
  const order = x.map((v, i) => [v - Math.floor(v + 1e-9), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [frac, i] of order) {
    if (left <= 0) break;
    if (frac > 0 && out[i]! < rows[i]!) {
      out[i]!++;
      left--;
    }
  }
  return out;
}

function mixFeaturesOf(chosen: { analysis: SourceAnalysis; records: number }[], contract: TaskContract): Record<MixFeatureName, number> {
  const total = chosen.reduce((s, c) => s + c.records, 0) || 1;
  const avg = (f: SourceFeatureName) => chosen.reduce((s, c) => s + (c.records / total) * c.analysis.features[f], 0);
  return {
    dup_rate: avg("dup_rate"),
    echo_rate: avg("echo_rate"),
    repetition_rate: avg("repetition_rate"),
    template_leak_rate: avg("template_leak_rate"),
    length_tail: avg("length_tail"),
    multi_source: clamp01((chosen.length - 1) / 3),
    reasoning: contract.reasoning ? 1 : 0,
    short_answer: SHORT_ANSWER_KINDS.has(contract.answer.kind) ? 1 : 0,
    code_answer: contract.answer.kind === "code" ? 1 : 0,
  };
}
