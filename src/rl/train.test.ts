import { sampleBernoulli, sampleGaussian, decisionLogProb } from "../../agents/planner/decisions.js";
import { decisionRng } from "../../agents/planner/random.js";
import { defaultParams } from "./policy-params.js";
import { grpoGradient, grpoUpdate, DEFAULT_GRPO } from "./train.js";

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
