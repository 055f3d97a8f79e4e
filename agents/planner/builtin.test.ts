import type { SourceProfile } from "../../src/data/types.js";
import { applyParamUpdate, defaultParams } from "../../src/rl/policy-params.js";
import { allocate, anchorSource, centreFeatures, planBuiltin, type PlanBuiltinOptions } from "./builtin.js";
import { decisionLogProb, decisionLogProbGrad, trajectoryLogProb } from "./decisions.js";
import { licenseClass } from "./features.js";
import type { Plan } from "./plan.js";
import { LABEL_CONTRACT, makeProfile, makeTask, stubMapper, wordProblemScenario } from "./testing.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function scenario(extra: Partial<PlanBuiltinOptions> = {}): PlanBuiltinOptions {
  const s = wordProblemScenario();
  return { task: s.task, profiles: s.profiles, contract: s.contract, mapSource: s.mapper, seed: 1, ...extra };
}

const ids = (plan: Plan) => plan.training_data.map((t) => t.dataset_id);

/** Every source is either used or rejected, exactly once, and every rejection has a reason. */
function expectAccounted(plan: Plan, sourceIds: string[]) {
  const seen = [...ids(plan), ...plan.rejected.map((r) => r.dataset_id)];
  expect(seen.sort()).toEqual([...sourceIds].sort());
  for (const r of plan.rejected) expect(r.reason.trim().length).toBeGreaterThan(10);
  for (const t of plan.training_data) expect(t.reason.trim().length).toBeGreaterThan(10);
}

describe("planBuiltin", () => {
  test("deterministic for a seed", () => {
    const a = planBuiltin(scenario({ seed: 42 }));
    const b = planBuiltin(scenario({ seed: 42 }));
    expect(b.plan).toEqual(a.plan);
    expect(b.decisions).toEqual(a.decisions);
  });

  test("stochastic across seeds: at least 3 distinct plans and 2 distinct source sets over 8 seeds", () => {
    const plans = SEEDS.map((seed) => planBuiltin(scenario({ seed })).plan);
    const distinctPlans = new Set(plans.map((p) => JSON.stringify({ d: p.training_data.map((t) => [t.dataset_id, t.sample_num]), o: p.operations })));
    const distinctSets = new Set(plans.map((p) => ids(p).sort().join(",")));
    expect(distinctPlans.size).toBeGreaterThanOrEqual(3);
    expect(distinctSets.size).toBeGreaterThanOrEqual(2);
  });

  test("prefers the in-domain source and keeps raw completions out by quality signals", () => {
    const plans = SEEDS.map((seed) => planBuiltin(scenario({ seed })).plan);
    for (const p of plans) {
      expect(ids(p)).toContain("src_a");
      const top = [...p.training_data].sort((x, y) => y.sample_num - x.sample_num)[0]!;
      expect(top.dataset_id).toBe("src_a");
      expectAccounted(p, wordProblemScenario().profiles.map((x) => x.id));
    }
    const rawUsed = plans.filter((p) => ids(p).includes("src_g")).length;
    expect(rawUsed).toBeLessThanOrEqual(1);
    const rawReason = plans.map((p) => p.rejected.find((r) => r.dataset_id === "src_g")?.reason).find(Boolean)!;
    expect(rawReason).toMatch(/invented 'Input:\/Output:' turns/);
    expect(rawReason).toMatch(/\d\/5 sampled answers/);
  });

  test("incompatible schema is rejected with the mapping's explanation", () => {
    const { plan, decisions } = planBuiltin(scenario());
    const r = plan.rejected.find((x) => x.dataset_id === "src_h")!;
    expect(r.reason).toMatch(/schema does not fit the benchmark contract/);
    expect(r.reason).toMatch(/no field holds a numeric final answer/);
    expect(decisions.some((d) => d.name === "include:src_h")).toBe(false);
  });

  test("commercial use excludes non-commercial and unknown licences", () => {
    const s = wordProblemScenario();
    s.profiles[1]!.license = undefined;
    const task = makeTask(s.profiles.map((p) => ({ id: p.id, license: p.license })), { commercial: true });
    for (const seed of SEEDS) {
      const { plan } = planBuiltin({ ...scenario({ seed }), task, profiles: s.profiles });
      for (const t of plan.training_data) expect(licenseClass(s.profiles.find((p) => p.id === t.dataset_id)!.license)).toBe("open");
      for (const id of ["src_c", "src_f", "src_h"]) expect(plan.rejected.find((r) => r.dataset_id === id)!.reason).toMatch(/licence CC-BY-NC-4\.0 does not permit commercial use/);
      expect(plan.rejected.find((r) => r.dataset_id === "src_b")!.reason).toMatch(/licence unknown/);
    }
    // The spec's licence counts when the profile lacks one.
    const bare = wordProblemScenario().profiles.map((p) => ({ ...p, license: undefined }));
    const fromSpec = planBuiltin({ ...scenario({ seed: 1 }), task: makeTask(s.profiles.map((p) => ({ id: p.id, license: p.license })), { commercial: true }), profiles: bare }).plan;
    expect(fromSpec.rejected.find((r) => r.dataset_id === "src_c")!.reason).toMatch(/CC-BY-NC-4\.0 does not permit/);
    expect(fromSpec.training_data.some((t) => t.dataset_id === "src_a")).toBe(true);
    // Without the flag the same NC source is eligible.
    expect(planBuiltin(scenario({ temperature: 0 })).plan.training_data.some((t) => t.dataset_id === "src_c")).toBe(true);
  });

  test("budget is respected and no source gives more than its rows", () => {
    for (const maxRecords of [10000, 3000, 300, 7]) {
      for (const seed of SEEDS) {
        const opts = scenario({ seed, maxRecords });
        const { plan } = planBuiltin(opts);
        const total = plan.training_data.reduce((s, t) => s + t.sample_num, 0);
        expect(total).toBeLessThanOrEqual(maxRecords);
        expect(total).toBeGreaterThan(0);
        for (const t of plan.training_data) {
          expect(Number.isInteger(t.sample_num)).toBe(true);
          expect(t.sample_num).toBeGreaterThanOrEqual(1);
          expect(t.sample_num).toBeLessThanOrEqual(opts.profiles.find((p) => p.id === t.dataset_id)!.rows);
        }
        expectAccounted(plan, opts.profiles.map((p) => p.id));
      }
    }
    // A tight budget is filled; the preferred source gets the most.
    const tight = planBuiltin(scenario({ seed: 3, maxRecords: 3000 })).plan;
    expect(tight.training_data.reduce((s, t) => s + t.sample_num, 0)).toBe(3000);
    expect([...tight.training_data].sort((x, y) => y.sample_num - x.sample_num)[0]!.dataset_id).toBe("src_a");
  });

  test("greedy mode (temperature 0) is the same plan for every seed, with zero log-probabilities", () => {
    const plans = SEEDS.map((seed) => planBuiltin(scenario({ seed, temperature: 0 })));
    for (const r of plans) {
      expect(r.plan).toEqual(plans[0]!.plan);
      for (const d of r.decisions) {
        expect(d.greedy).toBe(true);
        expect(d.logProb).toBe(0);
      }
    }
    const params = defaultParams();
    params.temperature = 0;
    expect(planBuiltin(scenario({ seed: 5, params })).plan).toEqual(plans[0]!.plan);
  });

  test("decisions carry features, actions and log-probabilities that can be recomputed", () => {
    const { decisions, plan } = planBuiltin(scenario({ seed: 7 }));
    const params = defaultParams();
    const names = decisions.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["include:src_a", "op:dedup_exact", "op:dedup_near", "op:filter_outliers", "threshold:min_answer_chars_log2"]));
    for (const d of decisions) {
      expect(Number.isFinite(d.logProb)).toBe(true);
      if (d.dist !== "gaussian") expect(d.logProb).toBeLessThanOrEqual(0); // densities may exceed 1
      expect(decisionLogProb(d, params)).toBeCloseTo(d.logProb, 10);
    }
    const nearOn = decisions.find((d) => d.name === "op:dedup_near")!;
    expect(nearOn.action).toBe(plan.operations.dedup_near);
    expect(decisions.some((d) => d.name === "threshold:near_threshold")).toBe(plan.operations.dedup_near);
    for (const t of plan.training_data) {
      const inc = decisions.find((d) => d.name === `include:${t.dataset_id}`)!;
      expect(inc.action).toBe(true);
      expect(inc.dist === "bernoulli" && inc.features.relevance_rel).toBeDefined();
    }
    if (plan.training_data.length > 1) for (const t of plan.training_data) expect(names).toContain(`mix:${t.dataset_id}`);
  });

  test("a small step along the trajectory gradient makes the sampled plan more likely (what GRPO does)", () => {
    const params = defaultParams();
    const { decisions } = planBuiltin(scenario({ seed: 4, params }));
    const grad: Record<string, number> = {};
    for (const d of decisions) for (const [k, v] of Object.entries(decisionLogProbGrad(d, params))) grad[k] = (grad[k] ?? 0) + v;
    expect(Object.keys(grad).some((k) => k.startsWith("include.weights."))).toBe(true);
    const stepped = applyParamUpdate(params, grad, 1e-3);
    expect(trajectoryLogProb(decisions, stepped)).toBeGreaterThan(trajectoryLogProb(decisions, params));
    const against = applyParamUpdate(params, grad, -1e-3);
    expect(trajectoryLogProb(decisions, against)).toBeLessThan(trajectoryLogProb(decisions, params));
  });

  test("mixing decisions only see differences between the kept sources: a common shift of the mix head changes nothing", () => {
    const params = defaultParams();
    const plans = SEEDS.map((seed) => planBuiltin(scenario({ seed, params })));
    const withMix = plans.filter((p) => p.decisions.some((d) => d.name.startsWith("mix:")));
    expect(withMix.length).toBeGreaterThan(0);
    const shifted = structuredClone(params);
    shifted.mix.score.bias += 1.5;
    for (const p of withMix) {
      const mix = p.decisions.filter((d) => d.name.startsWith("mix:"));
      expect(mix.every((d) => d.dist === "gaussian" && d.relative)).toBe(true);
      expect(trajectoryLogProb(mix, shifted)).toBeCloseTo(trajectoryLogProb(mix), 10);
    }
    // and the plans themselves are those of the shifted head (shares depend on differences only)
    expect(SEEDS.map((seed) => planBuiltin(scenario({ seed, params: shifted })).plan)).toEqual(plans.map((p) => p.plan));
  });

  test("temperature changes how often uncertain sources are taken", () => {
    const count = (temperature: number) =>
      Array.from({ length: 40 }, (_, seed) => planBuiltin(scenario({ seed, temperature })).plan).filter((p) => ids(p).includes("src_g")).length;
    expect(count(0.3)).toBeLessThan(count(3));
  });

  test("the most preferred source is always kept, even at a high temperature, and its inclusion is not a trained decision", () => {
    for (const seed of Array.from({ length: 60 }, (_, i) => i)) {
      const { plan, decisions } = planBuiltin(scenario({ seed, temperature: 4 }));
      expect(ids(plan)).toContain("src_a");
      const anchor = decisions.find((d) => d.name === "include:src_a")!;
      expect([anchor.greedy, anchor.logProb]).toEqual([true, 0]);
    }
    // the others are still sampled
    expect(planBuiltin(scenario({ seed: 1, temperature: 4 })).decisions.filter((d) => d.name.startsWith("include:") && !d.greedy).length).toBeGreaterThan(2);
  });

  test("anchorSource: highest inclusion logit, only when positive", () => {
    const params = defaultParams();
    const src = (id: string, relevance: number) => ({ profile: { id }, analysis: { features: { relevance } } });
    params.include.bias = 0;
    params.include.weights = { relevance: 1 } as never;
    expect(anchorSource([src("a", 0.2), src("b", 0.9), src("c", 0.9)], params)).toBe("b");
    params.include.bias = -5;
    expect(anchorSource([src("a", 0.2), src("b", 0.9)], params)).toBeUndefined();
  });

  test("at least one source when every inclusion is unlikely", () => {
    const params = defaultParams();
    params.include.bias = -40;
    for (const seed of SEEDS) {
      const { plan, decisions } = planBuiltin(scenario({ seed, params }));
      expect(plan.training_data).toHaveLength(1);
      expect(decisions.some((d) => d.name === "fallback_source")).toBe(true);
      expect(plan.training_data[0]!.reason).toMatch(/best remaining fit/);
    }
  });

  test("no compatible source: empty training data, every source explained", () => {
    const s = wordProblemScenario();
    const { plan, decisions } = planBuiltin({ ...scenario(), mapSource: () => ({ ok: false, score: 0, roles: {}, answerTransform: "", notes: ["no label field"] }) });
    expect(plan.training_data).toEqual([]);
    expect(decisions).toEqual([]); // nothing was chosen, so nothing to learn from
    expect(plan.operations.decontaminate).toBe(true);
    expect(plan.rejected).toHaveLength(s.profiles.length);
    expect(plan.workflow).toMatch(/No source is compatible/);
  });

  test("user selection, leaking sources and a failing mapper", () => {
    const s = wordProblemScenario();
    s.profiles[0]!.benchmarkOverlap = 0.97;
    s.profiles[1]!.benchmarkOverlap = 0.04;
    const { plan } = planBuiltin({ ...scenario({ seed: 2, temperature: 0 }), profiles: s.profiles });
    expect(plan.rejected.find((r) => r.dataset_id === "src_a")!.reason).toMatch(/leaks the benchmark: 97% of sampled records/);
    expect(ids(plan)).toContain("src_b"); // moderate overlap: decontamination handles it
    const only = planBuiltin(scenario({ only: ["src_b", "src_d"] })).plan;
    expect(ids(only).every((id) => ["src_b", "src_d"].includes(id))).toBe(true);
    expect(only.rejected.find((r) => r.dataset_id === "src_a")!.reason).toMatch(/not in the user's source selection/);
    const failing = planBuiltin({
      ...scenario(),
      mapSource: (p) => {
        if (p.id === "src_e") throw new Error("unreadable nested schema");
        return wordProblemScenario().mapper(p);
      },
    }).plan;
    expect(failing.rejected.find((r) => r.dataset_id === "src_e")!.reason).toMatch(/field mapping failed: unreadable nested schema/);
  });

  test("decisions depend on features, not on ids or order", () => {
    const base = scenario({ seed: 11, temperature: 0 });
    const renamed = base.profiles.map((p) => ({ ...p, id: `zz_${p.id}` }));
    const mapper = (p: SourceProfile) => base.mapSource!({ ...p, id: p.id.replace(/^zz_/, "") }, base.contract);
    const task = makeTask(renamed.map((p) => ({ id: p.id, license: p.license })));
    const a = planBuiltin(base).plan;
    const b = planBuiltin({ ...base, task, profiles: [...renamed].reverse(), mapSource: mapper }).plan;
    const norm = (p: Plan) => p.training_data.map((t) => [t.dataset_id.replace(/^zz_/, ""), t.sample_num]).sort();
    expect(norm(b)).toEqual(norm(a));
    expect(b.operations).toEqual(a.operations);
  });

  test("label tasks keep min_answer_chars at 1 and reject unfitting sources", () => {
    const profiles = [
      makeProfile({ id: "fin_noisy", rows: 2000, relevance: 0.15, license: "MIT", examples: [{ sentence: "Profit rose 5 %.", sentiment: "positive" }, { sentence: "Sales fell.", sentiment: "negative" }] }),
      makeProfile({ id: "table_qa", rows: 1600, relevance: 0.06, license: "CC-BY-4.0", examples: [{ question: "What was revenue?", answer: "1,452.4" }] }),
    ];
    const mapper = stubMapper({
      fin_noisy: { score: 0.9, roles: { question: "sentence", answer: "sentiment" } },
      table_qa: { ok: false, score: 0, notes: ["no field maps to the answer format (label set positive/negative/neutral)"] },
    });
    const task = makeTask(profiles.map((p) => ({ id: p.id, license: p.license })));
    for (const seed of SEEDS) {
      const { plan, decisions } = planBuiltin({ task, profiles, contract: LABEL_CONTRACT, seed, mapSource: mapper });
      expect(ids(plan)).toEqual(["fin_noisy"]);
      expect(plan.operations.min_answer_chars).toBe(1);
      expect(decisions.some((d) => d.name.startsWith("threshold:min_answer"))).toBe(false);
      expect(plan.rejected[0]!.reason).toMatch(/label set positive\/negative\/neutral/);
    }
  });
});

test("centreFeatures subtracts each feature's mean over the rows, a missing feature counting 0", () => {
  const c = centreFeatures([{ a: 1, b: 2 }, { a: 3 }]);
  expect(c).toEqual([{ a: -1, b: 1 }, { a: 1, b: -1 }]);
  expect(centreFeatures([{ a: 0.4 }])).toEqual([{ a: 0 }]);
});

test("exploded sources are allocated by items, not rows", () => {
  const examples = [0, 1, 2].map((i) => ({ table: `revenue ${i}`, questions: [{ question: "What was revenue?", answer: `${i} million` }] }));
  const p = makeProfile({ id: "tables", rows: 100, relevance: 0.3, license: "MIT", examples });
  p.fields = [...p.fields.filter((f) => f.path !== "questions"), { path: "questions", types: { array: 3 }, presence: 1, meanItems: 6 }];
  const mapper = stubMapper({ tables: { score: 0.95, explode: "questions", roles: { question: "questions[].question", context: ["table"], answer: "questions[].answer" } } });
  const task = makeTask([{ id: "tables", license: "MIT" }]);
  const { plan } = planBuiltin({ task, profiles: [p], contract: { ...LABEL_CONTRACT, answer: { kind: "free_text" } }, mapSource: mapper, seed: 1 });
  expect(plan.training_data).toEqual([expect.objectContaining({ dataset_id: "tables", sample_num: 600 })]);
  expect(plan.training_data[0]!.reason).toMatch(/600 of 600 items/);
});

describe("allocate", () => {
  test("water-fills the budget, capped by rows", () => {
    expect(allocate([100, 100], [0.5, 0.5], 50)).toEqual([25, 25]);
    expect(allocate([10, 1000], [0.5, 0.5], 100)).toEqual([10, 90]); // two primaries fill the budget
    expect(allocate([1000, 10], [0.9, 0.1], 100)).toEqual([90, 10]);
    expect(allocate([1000, 500], [0.8, 0.2], 10000)).toEqual([1000, 250]); // an auxiliary keeps its ratio
    expect(allocate([1000, 300, 5000], [0.45, 0.45, 0.1], 10000)).toEqual([1000, 300, 144]); // 10% of the final mix
    expect(allocate([1000, 500], [0.8, 0.2], 10000, 0.2)).toEqual([1000, 500]); // both primary at ratio 0.2
    expect(allocate([5, 5], [0.5, 0.5], 0)).toEqual([0, 0]);
    const out = allocate([300, 300, 300], [0.4, 0.35, 0.25], 101);
    expect(out.reduce((a, b) => a + b, 0)).toBe(101);
  });
});
