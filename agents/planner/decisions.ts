/**
 * The planner's stochastic decisions, recorded so GRPO can train on them later.
 *
 * A decision keeps everything needed to recompute its log-probability under *other* params (the
 * features it saw, the action it took, the temperature), which is what a policy-gradient update
 * needs: `decisionLogProb(d, params)` for ratios and `decisionLogProbGrad(d, params)` for
 * gradients, keyed by the dotted param path (e.g. `include.weights.relevance`).
 */
import { headValue, type LinearHead, type PolicyParams } from "../../src/rl/policy-params.js";
import type { DecisionRng } from "./random.js";

/** Dotted path of a linear head inside PolicyParams, e.g. "include" or "thresholds.outlier_z.mean". */
export type HeadPath = string;

interface DecisionBase {
  /** Unique within a plan, e.g. "include:<source id>", "op:dedup_near", "threshold:outlier_z". */
  name: string;
  head: HeadPath;
  temperature: number;
  /** Temperature 0: the most likely action was taken and logProb is 0. */
  greedy: boolean;
  /** log π(action) under the params and temperature the decision was sampled with. */
  logProb: number;
}

/** A yes/no choice with p = sigmoid(logit / T). */
export interface BernoulliDecision extends DecisionBase {
  dist: "bernoulli";
  features: Record<string, number>;
  /** Head value before temperature. */
  logit: number;
  /** P(true) at the decision's temperature. */
  p: number;
  action: boolean;
}

/** One option out of several, all scored by the same head: softmax(logit_i / T). */
export interface CategoricalDecision extends DecisionBase {
  dist: "categorical";
  options: { id: string; features: Record<string, number> }[];
  logits: number[];
  probs: number[];
  action: string;
}

/** A real value ~ N(head, (std·T)²), clipped and possibly rounded after sampling. */
export interface GaussianDecision extends DecisionBase {
  dist: "gaussian";
  /** Dotted path of the std parameter, e.g. "mix.std". */
  stdParam: string;
  features: Record<string, number>;
  mean: number;
  /** Effective std (param std × temperature). */
  std: number;
  /** The raw draw; the log-probability is of this value. */
  sample: number;
  /**
   * The mean leaves out the head's bias: the features are centred over the plan's options, so
   * only differences between options count (softmax mixing logits, whose common level has no effect).
   */
  relative?: boolean;
  /** What the plan uses (clipped / rounded). */
  action: number;
}

export type PlannerDecision = BernoulliDecision | CategoricalDecision | GaussianDecision;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(sigmoid(z)) without overflow. */
export function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

function gaussianLogPdf(x: number, mean: number, std: number): number {
  const z = (x - mean) / std;
  return -0.5 * z * z - Math.log(std) - LOG_SQRT_2PI;
}

export function sampleBernoulli(
  name: string,
  head: HeadPath,
  params: PolicyParams,
  features: Record<string, number>,
  temperature: number,
  rng: DecisionRng,
): BernoulliDecision {
  const logit = headValue(getHead(params, head), features);
  if (temperature <= 0) {
    const action = logit > 0;
    return { dist: "bernoulli", name, head, temperature: 0, greedy: true, features, logit, p: action ? 1 : 0, action, logProb: 0 };
  }
  const z = logit / temperature;
  const p = sigmoid(z);
  const action = rng.uniform() < p;
  return { dist: "bernoulli", name, head, temperature, greedy: false, features, logit, p, action, logProb: action ? logSigmoid(z) : logSigmoid(-z) };
}

export function sampleCategorical(
  name: string,
  head: HeadPath,
  params: PolicyParams,
  options: { id: string; features: Record<string, number> }[],
  temperature: number,
  rng: DecisionRng,
): CategoricalDecision {
  if (options.length === 0) throw new Error(`${name}: categorical decision needs at least one option`);
  const h = getHead(params, head);
  const logits = options.map((o) => headValue(h, o.features));
  if (temperature <= 0) {
    let best = 0;
    logits.forEach((l, i) => (l > logits[best]! ? (best = i) : 0));
    const probs = logits.map((_, i) => (i === best ? 1 : 0));
    return { dist: "categorical", name, head, temperature: 0, greedy: true, options, logits, probs, action: options[best]!.id, logProb: 0 };
  }
  const scaled = logits.map((l) => l / temperature);
  const lse = logSumExp(scaled);
  const probs = scaled.map((s) => Math.exp(s - lse));
  let u = rng.uniform();
  let idx = probs.length - 1;
  for (let i = 0; i < probs.length; i++) {
    u -= probs[i]!;
    if (u < 0) {
      idx = i;
      break;
    }
  }
  return { dist: "categorical", name, head, temperature, greedy: false, options, logits, probs, action: options[idx]!.id, logProb: scaled[idx]! - lse };
}

export function sampleGaussian(
  name: string,
  head: HeadPath,
  stdParam: string,
  params: PolicyParams,
  features: Record<string, number>,
  temperature: number,
  rng: DecisionRng,
  shape: (x: number) => number = (x) => x,
  relative = false,
): GaussianDecision {
  const mean = gaussianMean(getHead(params, head), features, relative);
  const baseStd = getNumber(params, stdParam);
  const rel = relative ? { relative: true } : {};
  if (temperature <= 0)
    return { dist: "gaussian", name, head, stdParam, temperature: 0, greedy: true, features, mean, std: 0, sample: mean, action: shape(mean), logProb: 0, ...rel };
  const std = baseStd * temperature;
  const sample = mean + std * rng.normal();
  return { dist: "gaussian", name, head, stdParam, temperature, greedy: false, features, mean, std, sample, action: shape(sample), logProb: gaussianLogPdf(sample, mean, std), ...rel };
}

function gaussianMean(h: LinearHead, features: Record<string, number>, relative = false): number {
  return headValue(h, features) - (relative ? h.bias : 0);
}

/** log π(action) of a recorded decision under `params` (same temperature unless given). */
export function decisionLogProb(d: PlannerDecision, params: PolicyParams, temperature = d.temperature): number {
  if (d.dist === "bernoulli") {
    const logit = headValue(getHead(params, d.head), d.features);
    if (temperature <= 0) return (logit > 0) === d.action ? 0 : -Infinity;
    return d.action ? logSigmoid(logit / temperature) : logSigmoid(-logit / temperature);
  }
  if (d.dist === "categorical") {
    const h = getHead(params, d.head);
    const logits = d.options.map((o) => headValue(h, o.features));
    const idx = d.options.findIndex((o) => o.id === d.action);
    if (temperature <= 0) return logits.every((l) => l <= logits[idx]!) ? 0 : -Infinity;
    const scaled = logits.map((l) => l / temperature);
    return scaled[idx]! - logSumExp(scaled);
  }
  const mean = gaussianMean(getHead(params, d.head), d.features, d.relative);
  if (temperature <= 0) return d.sample === mean ? 0 : -Infinity;
  return gaussianLogPdf(d.sample, mean, getNumber(params, d.stdParam) * temperature);
}

/** Sum of log-probabilities of a trajectory of decisions. */
export function trajectoryLogProb(decisions: PlannerDecision[], params?: PolicyParams): number {
  return decisions.reduce((s, d) => s + (params ? decisionLogProb(d, params) : d.logProb), 0);
}

/**
 * ∂ log π(action) / ∂ param for every param the decision depends on, keyed by dotted path
 * (`<head>.bias`, `<head>.weights.<feature>`, `<stdParam>`). Greedy decisions have no gradient.
 */
export function decisionLogProbGrad(d: PlannerDecision, params: PolicyParams): Record<string, number> {
  const T = d.temperature;
  const grad: Record<string, number> = {};
  if (T <= 0) return grad;
  const add = (key: string, v: number) => {
    if (v !== 0) grad[key] = (grad[key] ?? 0) + v;
  };
  const h = getHead(params, d.head);
  const addHead = (dLogit: number, features: Record<string, number>) => {
    for (const name of Object.keys(features)) add(`${d.head}.weights.${name}`, dLogit * features[name]!);
  };
  if (d.dist === "bernoulli") {
    const p = sigmoid(headValue(h, d.features) / T);
    const dLogit = ((d.action ? 1 : 0) - p) / T;
    add(`${d.head}.bias`, dLogit);
    addHead(dLogit, d.features);
    return grad;
  }
  if (d.dist === "categorical") {
    // The shared bias cancels in the softmax; weights move towards the chosen option's features.
    const scaled = d.options.map((o) => headValue(h, o.features) / T);
    const lse = logSumExp(scaled);
    d.options.forEach((o, i) => {
      const coef = ((o.id === d.action ? 1 : 0) - Math.exp(scaled[i]! - lse)) / T;
      addHead(coef, o.features);
    });
    return grad;
  }
  const mean = gaussianMean(h, d.features, d.relative);
  const std = getNumber(params, d.stdParam) * T;
  const dMean = (d.sample - mean) / (std * std);
  if (!d.relative) add(`${d.head}.bias`, dMean);
  addHead(dMean, d.features);
  add(d.stdParam, T * (-1 / std + (d.sample - mean) ** 2 / std ** 3));
  return grad;
}

function resolve(params: PolicyParams, dotted: string): unknown {
  let cur: unknown = params;
  for (const key of dotted.split(".")) {
    if (!cur || typeof cur !== "object" || !(key in cur)) throw new Error(`policy params have no '${dotted}'`);
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function getHead(params: PolicyParams, dotted: HeadPath): LinearHead {
  const h = resolve(params, dotted) as LinearHead;
  if (typeof h?.bias !== "number" || typeof h.weights !== "object") throw new Error(`policy params '${dotted}' is not a linear head`);
  return h;
}

export function getNumber(params: PolicyParams, dotted: string): number {
  const v = resolve(params, dotted);
  if (typeof v !== "number") throw new Error(`policy params '${dotted}' is not a number`);
  return v;
}
