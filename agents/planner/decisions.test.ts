import { defaultParams, type PolicyParams } from "../../src/rl/policy-params.js";
import {
  decisionLogProb,
  decisionLogProbGrad,
  sampleBernoulli,
  sampleCategorical,
  sampleGaussian,
  trajectoryLogProb,
  type PlannerDecision,
} from "./decisions.js";
import { decisionRng, mulberry32 } from "./random.js";

function setParam(p: PolicyParams, dotted: string, value: number): void {
  const keys = dotted.split(".");
  let cur = p as unknown as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[keys.at(-1)!] = value;
}

function getParam(p: PolicyParams, dotted: string): number {
  return dotted.split(".").reduce<unknown>((c, k) => (c as Record<string, unknown>)[k], p) as number;
}

/** Central finite differences of the recorded decision's log-probability. */
function numericGrad(d: PlannerDecision, params: PolicyParams, key: string): number {
  const h = 1e-5;
  const up = structuredClone(params);
  const down = structuredClone(params);
  const v = getParam(params, key) ?? 0;
  setParam(up, key, v + h);
  setParam(down, key, v - h);
  return (decisionLogProb(d, up) - decisionLogProb(d, down)) / (2 * h);
}

describe("seeded randomness", () => {
  test("mulberry32 is deterministic and uniform-ish", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 2000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  test("decision streams depend on seed and name", () => {
    const u = (seed: number, name: string) => decisionRng(seed, name).uniform();
    expect(u(1, "x")).toBe(u(1, "x"));
    expect(u(1, "x")).not.toBe(u(2, "x"));
    expect(u(1, "x")).not.toBe(u(1, "y"));
    const normals = Array.from({ length: 4000 }, (_, i) => decisionRng(i, "n").normal());
    const mean = normals.reduce((s, x) => s + x, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((s, x) => s + (x - mean) ** 2, 0) / normals.length);
    expect(Math.abs(mean)).toBeLessThan(0.08);
    expect(sd).toBeGreaterThan(0.9);
    expect(sd).toBeLessThan(1.1);
  });
});

describe("decisions", () => {
  const params = defaultParams();
  const f = { relevance: 0.1, relevance_rel: 0.6, schema: 0.7, echo_rate: 0.2 };

  test("bernoulli: logProb matches recompute, frequency matches p, gradient matches finite differences", () => {
    const ds = Array.from({ length: 3000 }, (_, i) => sampleBernoulli("include:s", "include", params, f, 1, decisionRng(i, "include:s")));
    const p = ds[0]!.p;
    const freq = ds.filter((d) => d.action).length / ds.length;
    expect(Math.abs(freq - p)).toBeLessThan(0.03);
    for (const d of ds.slice(0, 20)) {
      expect(decisionLogProb(d, params)).toBeCloseTo(d.logProb, 12);
      expect(d.logProb).toBeCloseTo(Math.log(d.action ? p : 1 - p), 12);
    }
    const d = ds.find((x) => !x.action)!;
    const g = decisionLogProbGrad(d, params);
    for (const key of ["include.bias", "include.weights.relevance_rel", "include.weights.echo_rate"]) expect(g[key]).toBeCloseTo(numericGrad(d, params, key), 5);
    // Rejecting pushes weights of present features down.
    expect(g["include.weights.schema"]!).toBeLessThan(0);
  });

  test("temperature flattens the distribution; 0 is greedy with logProb 0", () => {
    const hot = sampleBernoulli("b", "include", params, f, 5, decisionRng(1, "b"));
    const cold = sampleBernoulli("b", "include", params, f, 0.5, decisionRng(1, "b"));
    expect(Math.abs(hot.p - 0.5)).toBeLessThan(Math.abs(cold.p - 0.5));
    const greedy = sampleBernoulli("b", "include", params, f, 0, decisionRng(1, "b"));
    expect(greedy.greedy).toBe(true);
    expect(greedy.logProb).toBe(0);
    expect(greedy.action).toBe(greedy.logit > 0);
    expect(decisionLogProbGrad(greedy, params)).toEqual({});
  });

  test("categorical: probabilities sum to 1, gradient matches finite differences, bias has none", () => {
    const options: { id: string; features: Record<string, number> }[] = [
      { id: "a", features: { relevance_rel: 1, schema: 0.9 } },
      { id: "b", features: { relevance_rel: 0.4, schema: 0.6, echo_rate: 0.5 } },
      { id: "c", features: { relevance_rel: 0.1, schema: 0.3 } },
    ];
    const d = sampleCategorical("fallback", "include", params, options, 1.5, decisionRng(3, "fallback"));
    expect(d.probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    expect(decisionLogProb(d, params)).toBeCloseTo(d.logProb, 12);
    const g = decisionLogProbGrad(d, params);
    for (const key of ["include.weights.relevance_rel", "include.weights.schema", "include.weights.echo_rate"]) expect(g[key] ?? 0).toBeCloseTo(numericGrad(d, params, key), 5);
    expect(numericGrad(d, params, "include.bias")).toBeCloseTo(0, 6);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const n = 4000;
    for (let i = 0; i < n; i++) counts[sampleCategorical("fallback", "include", params, options, 1, decisionRng(i, "fallback")).action]!++;
    const probs = sampleCategorical("fallback", "include", params, options, 1, decisionRng(0, "fallback")).probs;
    options.forEach((o, i) => expect(Math.abs(counts[o.id]! / n - probs[i]!)).toBeLessThan(0.03));
    expect(counts.a!).toBeGreaterThan(counts.c!);
  });

  test("gaussian: logProb of the raw sample, gradient for mean weights and std", () => {
    const feats = { length_tail: 0.4, reasoning: 1 };
    const d = sampleGaussian("threshold:outlier_z", "thresholds.outlier_z.mean", "thresholds.outlier_z.std", params, feats, 1.2, decisionRng(9, "t"), (x) => Math.round(x * 100) / 100);
    expect(d.action).toBeCloseTo(d.sample, 2);
    expect(decisionLogProb(d, params)).toBeCloseTo(d.logProb, 12);
    const g = decisionLogProbGrad(d, params);
    for (const key of ["thresholds.outlier_z.mean.bias", "thresholds.outlier_z.mean.weights.length_tail", "thresholds.outlier_z.std"])
      expect(g[key]).toBeCloseTo(numericGrad(d, params, key), 4);
    const greedy = sampleGaussian("t", "thresholds.outlier_z.mean", "thresholds.outlier_z.std", params, feats, 0, decisionRng(9, "t"));
    expect(greedy.sample).toBe(greedy.mean);
    expect(greedy.logProb).toBe(0);
  });

  test("relative gaussian: the head's bias is no part of the mean, so it has no gradient and no effect", () => {
    const centred = { relevance_rel: 0.3, schema: -0.1 };
    const d = sampleGaussian("mix:a", "mix.score", "mix.std", params, centred, 1, decisionRng(2, "mix:a"), undefined, true);
    const plain = sampleGaussian("mix:a", "mix.score", "mix.std", params, centred, 1, decisionRng(2, "mix:a"));
    expect(d.relative).toBe(true);
    // same draw, shifted by the bias: a softmax over such draws is unchanged
    expect(d.sample - plain.sample).toBeCloseTo(-params.mix.score.bias, 12);
    expect(decisionLogProb(d, params)).toBeCloseTo(d.logProb, 12);
    const g = decisionLogProbGrad(d, params);
    expect(g["mix.score.bias"]).toBeUndefined();
    for (const key of ["mix.score.weights.relevance_rel", "mix.score.weights.schema", "mix.std"]) expect(g[key]).toBeCloseTo(numericGrad(d, params, key), 4);
    const shifted = structuredClone(params);
    shifted.mix.score.bias += 2;
    expect(decisionLogProb(d, shifted)).toBeCloseTo(d.logProb, 12);
  });

  test("trajectory log-probability moves with the params", () => {
    const ds: PlannerDecision[] = [
      sampleBernoulli("a", "include", params, f, 1, decisionRng(1, "a")),
      sampleGaussian("m", "mix.score", "mix.std", params, f, 1, decisionRng(1, "m")),
    ];
    expect(trajectoryLogProb(ds)).toBeCloseTo(ds[0]!.logProb + ds[1]!.logProb, 12);
    expect(trajectoryLogProb(ds, params)).toBeCloseTo(trajectoryLogProb(ds), 12);
    const other = defaultParams();
    other.include.bias += 2;
    expect(trajectoryLogProb(ds, other)).not.toBeCloseTo(trajectoryLogProb(ds), 3);
    expect(() => decisionLogProb({ ...ds[0]!, head: "nope.head" } as PlannerDecision, params)).toThrow(/no 'nope\.head'/);
  });
});
