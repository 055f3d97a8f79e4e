import { sampleBernoulli, sampleGaussian, decisionLogProb, type PlannerDecision } from "../../agents/planner/decisions.js";
import { decisionRng } from "../../agents/planner/random.js";
import { applyParamUpdate, defaultParams, type PolicyParams } from "./policy-params.js";
import { batchAdvantages, grpoGradient, grpoUpdate, pairedDiff, DEFAULT_GRPO, DUAL_CLIP } from "./train.js";

const features = { relevance: 1, relevance_rel: 1, schema: 1 };

function include(seed: number, action: boolean, f: Record<string, number> = features) {
  const p = defaultParams();
  for (let s = seed; ; s++) {
    const d = sampleBernoulli("include:x", "include", p, f, 1, decisionRng(s, "include:x"));
    if (d.action === action) return d;
  }
}

describe("grpoGradient", () => {
  it("pushes a rewarded choice up and a punished one down (bias gradient sign)", () => {
    const p = defaultParams();
    const yes = include(1, true);
    const up = grpoGradient([{ decisions: [yes], advantage: 1 }], p, p, { clip: 0.2, kl: 0 });
    const down = grpoGradient([{ decisions: [yes], advantage: -1 }], p, p, { clip: 0.2, kl: 0 });
    // d log sigmoid(z) / d bias = 1 - p > 0 for action true
    expect(up.grad["include.bias"]).toBeCloseTo(1 - yes.p, 10);
    expect(down.grad["include.bias"]).toBeCloseTo(-(1 - yes.p), 10);
    expect(up.decisions).toBe(1);
  });

  it("drops the policy term when the ratio is outside the clip range in the advantage's direction", () => {
    const p = defaultParams();
    const yes = include(1, true, { relevance_rel: 1 }); // logit 0: p = 0.5
    const moved = { ...p, include: { ...p.include, bias: p.include.bias + 3 } }; // p = 0.95, ratio 1.9
    const g = grpoGradient([{ decisions: [yes], advantage: 1 }], moved, p, { clip: 0.2, kl: 0 });
    expect(g.clipped).toBe(1);
    expect(g.grad).toEqual({});
    // a negative advantage is not clipped on that side
    expect(grpoGradient([{ decisions: [yes], advantage: -1 }], moved, p, { clip: 0.2, kl: 0 }).clipped).toBe(0);
  });

  it("the KL term is zero at the reference and pulls back towards it elsewhere", () => {
    const p = defaultParams();
    const yes = include(1, true);
    expect(grpoGradient([{ decisions: [yes], advantage: 0 }], p, p, { clip: 0.2, kl: 1 }).grad["include.bias"] ?? 0).toBeCloseTo(0, 12);
    const moved = { ...p, include: { ...p.include, bias: p.include.bias + 1 } };
    // moved made 'true' likelier than the reference: the KL gradient lowers the bias again
    expect(grpoGradient([{ decisions: [yes], advantage: 0 }], moved, p, { clip: 0.2, kl: 1 }).grad["include.bias"]!).toBeLessThan(0);
  });
});

describe("grpoUpdate", () => {
  it("raises the log-probability of positively advantaged decisions and lowers the others", () => {
    const p = defaultParams();
    const good = sampleGaussian("threshold:outlier_z", "thresholds.outlier_z.mean", "thresholds.outlier_z.std", p, { length_tail: 0.5 }, 1, decisionRng(3, "t"));
    const bad = sampleGaussian("threshold:outlier_z", "thresholds.outlier_z.mean", "thresholds.outlier_z.std", p, { length_tail: 0.5 }, 1, decisionRng(4, "t"));
    const { params, stats } = grpoUpdate(
      [
        { decisions: [good], advantage: 1 },
        { decisions: [bad], advantage: -1 },
      ],
      p,
      p,
      { ...DEFAULT_GRPO, kl: 0 },
    );
    expect(decisionLogProb(good, params)).toBeGreaterThan(good.logProb);
    expect(decisionLogProb(bad, params)).toBeLessThan(bad.logProb);
    expect(stats.rollouts).toBe(2);
    expect(stats.klToRef).toBeGreaterThan(0);
    // the input params are untouched
    expect(p).toEqual(defaultParams());
  });

  it("zero advantages leave the params as they are", () => {
    const p = defaultParams();
    const { params } = grpoUpdate([{ decisions: [include(1, true)], advantage: 0 }], p, p, DEFAULT_GRPO);
    expect(params).toEqual(p);
  });
});

/** The clipped surrogate minus the KL penalty, averaged over rollouts: what grpoGradient differentiates. */
function objective(batch: { decisions: PlannerDecision[]; advantage: number }[], params: PolicyParams, ref: PolicyParams, clip: number, kl: number): number {
  let total = 0;
  for (const { decisions, advantage: A } of batch)
    for (const d of decisions) {
      const logp = decisionLogProb(d, params);
      const ratio = Math.exp(logp - d.logProb);
      const surrogate = Math.min(ratio * A, Math.min(Math.max(ratio, 1 - clip), 1 + clip) * A);
      const r = decisionLogProb(d, ref) - logp;
      total += (A < 0 ? Math.max(surrogate, DUAL_CLIP * A) : surrogate) - kl * (Math.exp(r) - r - 1);
    }
  return total / batch.length;
}

describe("grpoGradient against finite differences of the objective", () => {
  it("matches for Bernoulli decisions, inside and outside the clip range, with the KL term", () => {
    const ref = defaultParams();
    const batch = [
      { decisions: [include(1, true), include(5, false, { relevance_rel: 0.8, echo_rate: 0.3 })], advantage: 1.3 },
      { decisions: [include(2, false), include(8, true, { relevance_rel: 0.9, schema: 0.5 })], advantage: -0.7 },
    ];
    // away from the reference, so the KL term and some clipping are active
    const at = applyParamUpdate(ref, { "include.bias": 0.15, "include.weights.relevance_rel": -0.1, "include.weights.schema": 0.05 });
    const { grad } = grpoGradient(batch, at, ref, { clip: 0.2, kl: 0.5 });
    const h = 1e-6;
    for (const key of ["include.bias", "include.weights.relevance_rel", "include.weights.schema", "include.weights.echo_rate"]) {
      const fd = (objective(batch, applyParamUpdate(at, { [key]: h }), ref, 0.2, 0.5) - objective(batch, applyParamUpdate(at, { [key]: -h }), ref, 0.2, 0.5)) / (2 * h);
      expect(grad[key] ?? 0).toBeCloseTo(fd, 5);
    }
  });

  it("is the objective's gradient times σ² for a Gaussian mean (the preconditioning)", () => {
    const p = defaultParams();
    const d = sampleGaussian("threshold:outlier_z", "thresholds.outlier_z.mean", "thresholds.outlier_z.std", p, { length_tail: 0.5 }, 1, decisionRng(3, "t"));
    const batch = [{ decisions: [d], advantage: 0.9 }];
    const { grad } = grpoGradient(batch, p, p, { clip: 0.2, kl: 0 });
    const h = 1e-6;
    for (const key of ["thresholds.outlier_z.mean.bias", "thresholds.outlier_z.mean.weights.length_tail"]) {
      const fd = (objective(batch, applyParamUpdate(p, { [key]: h }), p, 0.2, 0) - objective(batch, applyParamUpdate(p, { [key]: -h }), p, 0.2, 0)) / (2 * h);
      expect(grad[key]).toBeCloseTo(fd * d.std ** 2, 6);
    }
    expect(grad["thresholds.outlier_z.std"]).toBeUndefined();
  });
});

describe("batchAdvantages", () => {
  const yes = include(1, true);
  const r = (groupId: string, reward: number, advantage: number | null = 0) => ({ groupId, reward, advantage, decisions: [yes] });

  it("centres rewards per group and scales by the pooled within-group std of the batch", () => {
    const out = batchAdvantages([r("a", 1), r("a", 0.9), r("b", 0.5), r("b", 0.48)]);
    // centred: ±0.05 and ±0.01; pooled RMS sqrt((2·0.0025 + 2·0.0001) / 4)
    const pooled = Math.sqrt((2 * 0.0025 + 2 * 0.0001) / 4);
    expect(out.map((o) => o.advantage)).toEqual([0.05, -0.05, 0.01, -0.01].map((x) => expect.closeTo(x / (pooled + 1e-6), 8)));
  });

  it("drops zero-variance and incomplete groups; 'group' keeps the stored GRPO advantages", () => {
    const rows = [r("flat", 1), r("flat", 1), r("open", 0.5, null), r("open", 0.4, 0.7), r("ok", 0.9, 0.7), r("ok", 0.8, -0.7)];
    expect(batchAdvantages(rows)).toHaveLength(2);
    expect(batchAdvantages(rows, "group").map((o) => o.advantage)).toEqual([0.7, -0.7]);
    // a group whose spread is tiny (verifier noise on a saturated task) weighs little in "batch"
    const mixed = batchAdvantages([r("noise", 1), r("noise", 0.999), r("real", 0.9), r("real", 0.7)]);
    expect(Math.abs(mixed[0]!.advantage)).toBeLessThan(Math.abs(mixed[2]!.advantage) / 50);
  });
});

describe("pairedDiff", () => {
  it("compares the keys both sides hold", () => {
    const d = pairedDiff({ a: 1, b: 2, c: 3, only_a: 9 }, { a: 1.5, b: 2.5, c: 4, only_b: 0 });
    expect(d.n).toBe(3);
    expect(d.mean).toBeCloseTo((0.5 + 0.5 + 1) / 3, 12);
    expect(d.se).toBeCloseTo(Math.sqrt(((0.5 - 2 / 3) ** 2 * 2 + (1 - 2 / 3) ** 2) / 2) / Math.sqrt(3), 12);
  });
});
