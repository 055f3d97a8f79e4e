/**
 * Parameters of the built-in planner policy: the numbers GRPO trains.
 *
 * Every stochastic planner decision is a small linear head over named features:
 * - Bernoulli choices (include a source, switch an operation on) use `sigmoid(head / T)`;
 * - mixing preferences are Gaussian logits around `head`, turned into shares by a softmax;
 * - thresholds are Gaussians whose mean is a head and whose std is a parameter.
 * Weights are keyed by feature name, so a params file stays readable, and a feature the file does
 * not name simply weighs 0. The file is plain JSON with a version, so trained params survive
 * code changes that add features.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const POLICY_PARAMS_VERSION = 1;

/**
 * Per-source features (agents/planner/features.ts computes them). All lie in 0..1, so weights are
 * comparable: a weight is "how many logits this signal is worth at full strength".
 */
export const SOURCE_FEATURES = [
  "relevance", // raw similarity to the benchmark examples
  "relevance_rel", // relevance relative to the other candidates (1 = the most relevant)
  "schema", // schema compatibility score of the field mapping
  "answer_shape", // answers already look like the benchmark's (reasoned, code, short label...)
  "input_len_fit", // input length close to the benchmark's typical input
  "dup_rate", // exact duplicates in the profiled sample
  "empty_answer_rate", // answers missing, blank or placeholders
  "echo_rate", // answers that mostly repeat the input
  "repetition_rate", // answers that loop on the same phrase
  "template_leak_rate", // answers that ramble into invented "Input:/Output:" turns
  "length_tail", // heavy tail of record lengths (p95 and max far above the median)
  "malformed_rate", // unparseable rows
  "benchmark_overlap", // share of records carrying benchmark items
  "size", // log-scaled row count
  "budget_cover", // rows / record budget, capped at 1
  "license_open", // 1 permissive, 0.5 unknown, 0 non-commercial
] as const;
export type SourceFeatureName = (typeof SOURCE_FEATURES)[number];

/** Task-level features of the chosen mix (share-weighted), for operations and thresholds. */
export const MIX_FEATURES = [
  "dup_rate",
  "echo_rate",
  "repetition_rate",
  "template_leak_rate",
  "length_tail",
  "multi_source", // 0 for one source, 1 for four or more
  "reasoning", // the benchmark expects reasoning before the answer
  "short_answer", // label, option letter or bare number
  "code_answer",
] as const;
export type MixFeatureName = (typeof MIX_FEATURES)[number];

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const LinearHeadSchema = z.object({
  bias: finite,
  weights: z.record(z.string(), finite),
});
export type LinearHead = z.infer<typeof LinearHeadSchema>;

export const GaussianHeadSchema = z
  .object({
    mean: LinearHeadSchema,
    std: finite.refine((v) => v > 0, "std must be > 0"),
    /** The sampled value is clipped into [min, max]; the log-probability is of the unclipped sample. */
    min: finite,
    max: finite,
  })
  .refine((g) => g.min < g.max, "min must be below max");
export type GaussianHead = z.infer<typeof GaussianHeadSchema>;

export const PolicyParamsSchema = z.object({
  version: z.literal(POLICY_PARAMS_VERSION),
  /** Default sampling temperature; 0 is greedy. A planner call may override it. */
  temperature: finite.refine((t) => t >= 0, "temperature must be >= 0"),
  /** Logit of keeping a compatible source (per-source features). */
  include: LinearHeadSchema,
  /** Mixing preference among the kept sources: Gaussian logits, softmax into shares. */
  mix: z.object({
    score: LinearHeadSchema,
    std: finite.refine((v) => v > 0, "std must be > 0"),
    /**
     * Sources whose mean preference is at least this fraction of the top one (in share terms) are
     * primary and may fill the budget; the others keep their share relative to the primaries, so a
     * large auxiliary source does not swamp a small preferred one.
     */
    primaryRatio: finite.refine((v) => v > 0 && v <= 1, "must be in (0, 1]"),
  }),
  /** Operation switches (mix features). Decontamination is not here: it is always on. */
  operations: z.object({
    dedup_exact: LinearHeadSchema,
    dedup_near: LinearHeadSchema,
    filter_outliers: LinearHeadSchema,
  }),
  thresholds: z.object({
    /** Similarity above which two records count as near-duplicates (0..1). */
    near_threshold: GaussianHeadSchema,
    /** |z| of log length beyond which a record is a length outlier. */
    outlier_z: GaussianHeadSchema,
    /** log2 of the minimum assistant answer length in characters (long-answer tasks only). */
    min_answer_chars_log2: GaussianHeadSchema,
  }),
  /** Hard rules, not sampled: a source beyond them is rejected whatever its other signals. */
  gates: z.object({
    /** Reject a source when this share of its records carries benchmark items (it leaks the benchmark). */
    maxBenchmarkOverlap: finite.refine((v) => v >= 0 && v <= 1, "must be in 0..1"),
    /** Reject a mapping whose schema score is below this, even when the mapper calls it ok. */
    minSchemaScore: finite.refine((v) => v >= 0 && v <= 1, "must be in 0..1"),
  }),
  meta: z
    .object({
      note: z.string().optional(),
      /** GRPO steps these params went through (0 or absent: hand-set defaults). */
      steps: z.number().int().min(0).optional(),
      updatedAt: z.string().optional(),
    })
    .optional(),
});
export type PolicyParams = z.infer<typeof PolicyParamsSchema>;

/**
 * Hand-set defaults, reasoned from what makes training data useful for a benchmark (not fitted to
 * any task):
 * - relevance and schema fit dominate inclusion; at full strength they outweigh the negative bias,
 *   so an in-domain, compatible source is kept almost surely while a merely compatible
 *   off-domain one is a coin flip at best;
 * - clear quality defects (empty, echoing, looping, template-leaking answers) each cost about as
 *   much as full relevance is worth, because one bad source can sink the verifier's mean score;
 * - mixing favours the same signals, so auxiliary sources stay a small share of the mix;
 * - near-dedup and outlier filtering are genuine coin flips on clean single-source mixes and
 *   become likely when duplicates, multiple sources or long tails call for them;
 * - thresholds start at conventional values (Jaccard 0.85, |z| 3) with modest spread.
 */
export const DEFAULT_PARAMS: PolicyParams = {
  version: POLICY_PARAMS_VERSION,
  temperature: 1,
  include: {
    bias: -4.5,
    weights: {
      relevance: 2,
      relevance_rel: 4.5,
      schema: 1.5,
      answer_shape: 0.75,
      input_len_fit: 1,
      dup_rate: -3,
      empty_answer_rate: -4,
      echo_rate: -3,
      repetition_rate: -3,
      template_leak_rate: -3,
      length_tail: -1,
      malformed_rate: -3,
      benchmark_overlap: -3,
      size: 0,
      budget_cover: 0.5,
      license_open: 0.25,
    },
  },
  mix: {
    score: {
      bias: 0,
      weights: {
        relevance_rel: 3,
        schema: 2,
        answer_shape: 1.5,
        input_len_fit: 0.5,
        dup_rate: -2,
        empty_answer_rate: -3,
        echo_rate: -2,
        repetition_rate: -2,
        template_leak_rate: -2,
        length_tail: -0.5,
      },
    },
    std: 0.5,
    primaryRatio: 0.5,
  },
  operations: {
    dedup_exact: { bias: 3, weights: { dup_rate: 5 } },
    dedup_near: { bias: -0.5, weights: { dup_rate: 8, multi_source: 1, code_answer: -0.5 } },
    filter_outliers: { bias: -0.3, weights: { length_tail: 2, repetition_rate: 2, template_leak_rate: 2, short_answer: -0.5 } },
  },
  thresholds: {
    near_threshold: { mean: { bias: 0.85, weights: {} }, std: 0.04, min: 0.6, max: 0.98 },
    outlier_z: { mean: { bias: 3, weights: { length_tail: -0.5 } }, std: 0.4, min: 1.5, max: 6 },
    // 2^3 = 8 characters, 2^5 = 32 when the benchmark expects reasoning.
    min_answer_chars_log2: { mean: { bias: 3, weights: { reasoning: 2, code_answer: 1 } }, std: 0.75, min: 0, max: 10 },
  },
  gates: { maxBenchmarkOverlap: 0.3, minSchemaScore: 0.2 },
  meta: { note: "hand-set defaults", steps: 0 },
};

/** A deep copy of the defaults, safe to mutate (e.g. by a trainer). */
export function defaultParams(): PolicyParams {
  return structuredClone(DEFAULT_PARAMS);
}

export class PolicyParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyParamsError";
  }
}

/** Validates an already-parsed object; errors name the field. */
export function parsePolicyParams(raw: unknown, where = "<params>"): PolicyParams {
  if (raw && typeof raw === "object" && "version" in raw && (raw as { version: unknown }).version !== POLICY_PARAMS_VERSION)
    throw new PolicyParamsError(
      `${where}: policy params version ${JSON.stringify((raw as { version: unknown }).version)} is not supported (expected ${POLICY_PARAMS_VERSION})`,
    );
  const r = PolicyParamsSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new PolicyParamsError(`${where}: invalid policy params: ${issues.join("; ")}`);
  }
  return r.data;
}

export function loadPolicyParams(file: string): PolicyParams {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PolicyParamsError(`${file}: cannot read policy params (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PolicyParamsError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parsePolicyParams(raw, file);
}

/** Writes validated params as pretty JSON; write-then-rename so a crash never leaves half a file. */
export function savePolicyParams(file: string, params: PolicyParams): void {
  const valid = parsePolicyParams(params, file);
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(valid, null, 2) + "\n", "utf8");
  renameSync(tmp, file);
}

/** bias + Σ weight·feature; features the head does not weigh count 0. */
export function headValue(head: LinearHead, features: Record<string, number>): number {
  let v = head.bias;
  for (const [name, w] of Object.entries(head.weights)) v += w * (features[name] ?? 0);
  return v;
}

/** Smallest std an update may leave, so a Gaussian head never collapses to a point. */
export const MIN_STD = 1e-3;

/**
 * params + scale·delta, for a gradient keyed by dotted path as `decisionLogProbGrad` returns it
 * (`include.weights.relevance`, `mix.std`, ...). Weights of features the params did not name yet
 * are created; stds stay at least MIN_STD. Returns a new object and leaves `params` untouched.
 */
export function applyParamUpdate(params: PolicyParams, delta: Record<string, number>, scale = 1): PolicyParams {
  const out = structuredClone(params);
  for (const [key, g] of Object.entries(delta)) {
    if (!Number.isFinite(g)) throw new PolicyParamsError(`update for '${key}' is not finite (${g})`);
    const steps = key.split(".");
    const last = steps.pop()!;
    let cur: Record<string, unknown> = out as unknown as Record<string, unknown>;
    for (const step of steps) {
      const next = cur[step];
      if (!next || typeof next !== "object") throw new PolicyParamsError(`policy params have no '${key}'`);
      cur = next as Record<string, unknown>;
    }
    const isWeight = steps.at(-1) === "weights";
    if (typeof cur[last] !== "number" && !(isWeight && cur[last] === undefined)) throw new PolicyParamsError(`policy params have no number at '${key}'`);
    const v = ((cur[last] as number | undefined) ?? 0) + scale * g;
    cur[last] = last === "std" ? Math.max(MIN_STD, v) : v;
  }
  return out;
}
