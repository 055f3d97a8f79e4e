/**
 * The built-in planner on the shared development tasks, with the real load_task work (staging,
 * profiling, benchmark fingerprints, contract inference) and the coder's real field mapping.
 * Nothing here tells the planner which source is good: the assertions check that features alone
 * lead it to the in-domain sources.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mapSource } from "../coder/field-mapping.js";
import { profileBenchmark, profileSource } from "../../src/data/profile.js";
import { recordText } from "../../src/data/text.js";
import type { SourceProfile } from "../../src/data/types.js";
import { prepareTask } from "../../src/recipe/prepare.js";
import { DEFAULT_PARAMS, headValue } from "../../src/rl/policy-params.js";
import type { TaskContract } from "../../src/task/contract.js";
import { inferContract } from "../../src/task/infer-contract.js";
import { loadTaskSpec, parseTaskSpec, type LoadedTask } from "../../src/task/spec.js";
import { planBuiltin } from "./builtin.js";
import { analyseSource } from "./features.js";
import type { Plan } from "./plan.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHARED = path.resolve(REPO, "../shared");
const d = existsSync(path.join(SHARED, "tasks")) ? describe : describe.skip;
if (!existsSync(path.join(SHARED, "tasks"))) console.warn(`SKIPPED planner shared-task tests: ${SHARED} not found`);

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const ids = (p: Plan) => p.training_data.map((t) => t.dataset_id);
const largest = (p: Plan) => [...p.training_data].sort((a, b) => b.sample_num - a.sample_num)[0]?.dataset_id;

interface Prepared {
  task: LoadedTask;
  profiles: SourceProfile[];
  contract: TaskContract;
}

d("built-in planner on the shared tasks", () => {
  let cache: string;
  const prepared: Record<string, Prepared> = {};
  const prev = process.env.DATACHEF_CACHE;

  beforeAll(async () => {
    cache = mkdtempSync(path.join(tmpdir(), "planner-shared-"));
    process.env.DATACHEF_CACHE = cache;
    for (const id of ["gsm8k", "csqa", "mbpp"]) {
      const task = loadTaskSpec(path.join(SHARED, "tasks", `${id}.json`));
      const prep = await prepareTask(task, { profileSample: 1000, overlapSample: 200 });
      prepared[id] = { task, profiles: prep.profiles, contract: prep.contract };
    }
  }, 180_000);

  afterAll(() => {
    if (prev === undefined) delete process.env.DATACHEF_CACHE;
    else process.env.DATACHEF_CACHE = prev;
    rmSync(cache, { recursive: true, force: true });
  });

  const plans = (id: string, extra: { temperature?: number } = {}) => {
    const p = prepared[id]!;
    return SEEDS.map((seed) => planBuiltin({ task: p.task, profiles: p.profiles, contract: p.contract, seed, ...extra }));
  };

  test("gsm8k: the same-schema training split leads every plan; the leaking copy of the benchmark is rejected with its figure", () => {
    const runs = plans("gsm8k");
    for (const { plan } of runs) {
      expect(largest(plan)).toBe("gsm8k_train");
      expect(ids(plan)).not.toContain("gsm8k_socratic_test");
      expect(plan.rejected.find((r) => r.dataset_id === "gsm8k_socratic_test")!.reason).toMatch(/leaks the benchmark: \d+% of sampled records/);
      // Sources whose schema cannot produce '#### <number>' never get in.
      for (const id of ["alpaca_5k", "code_alpaca_2k", "davinci_raw_outputs"]) expect(plan.rejected.find((r) => r.dataset_id === id)!.reason).toMatch(/schema does not fit/);
      const total = plan.training_data.reduce((s, t) => s + t.sample_num, 0);
      expect(total).toBeLessThanOrEqual(prepared.gsm8k!.task.maxRecords);
      // The in-domain source dominates the mix.
      expect(plan.training_data.find((t) => t.dataset_id === "gsm8k_train")!.sample_num / total).toBeGreaterThan(0.6);
    }
    const distinct = new Set(runs.map((r) => JSON.stringify([r.plan.training_data.map((t) => [t.dataset_id, t.sample_num]), r.plan.operations])));
    const sets = new Set(runs.map((r) => ids(r.plan).sort().join(",")));
    console.log(`gsm8k: ${distinct.size} distinct plans, ${sets.size} distinct source sets over 8 seeds`);
    expect(distinct.size).toBeGreaterThanOrEqual(3);
    expect(sets.size).toBeGreaterThanOrEqual(2);
  });

  test("csqa and mbpp: the in-domain training split is chosen and largest for every seed", () => {
    for (const [task, main] of [
      ["csqa", "commonsenseqa_train"],
      ["mbpp", "mbpp_train"],
    ] as const) {
      for (const { plan } of plans(task)) {
        expect(ids(plan)).toContain(main);
        expect(largest(plan)).toBe(main);
        for (const r of plan.rejected) expect(r.reason.length).toBeGreaterThan(10);
      }
    }
    // The templated copy without options cannot give a letter answer.
    const csqa = plans("csqa", { temperature: 0 })[0]!.plan;
    expect(csqa.rejected.find((r) => r.dataset_id === "t0_commonsenseqa_templated")!.reason).toMatch(/schema does not fit/);
  });

  test("commercial use drops the non-commercial sources of a real task", () => {
    const p = prepared.mbpp!;
    const task = parseTaskSpec({ ...p.task.spec, commercial: true }, "<commercial>", "/");
    for (const seed of SEEDS) {
      const { plan } = planBuiltin({ task, profiles: p.profiles, contract: p.contract, seed });
      for (const id of ["code_alpaca_2k", "new_codealpaca", "alpaca_5k"]) {
        expect(ids(plan)).not.toContain(id);
        expect(plan.rejected.find((r) => r.dataset_id === id)!.reason).toMatch(/does not permit commercial use/);
      }
      expect(ids(plan)).toContain("mbpp_train");
    }
  });

  test("raw base-model completions are downweighted by quality features when mapped as answers", async () => {
    const D = path.join(SHARED, "datasets");
    const task = parseTaskSpec(
      {
        id: "assistant",
        instruction: "Adapt a base LLM to follow everyday user instructions with helpful, complete answers.",
        benchmark: { id: "bench", path: path.join(D, "general/alpaca_5k.jsonl") },
        sources: [
          { id: "raw", path: path.join(D, "general/davinci_raw_outputs.jsonl"), license: "Apache-2.0" },
          { id: "curated", path: path.join(D, "general/self_instruct_user_oriented.jsonl"), license: "Apache-2.0" },
        ],
      },
      "<assistant>",
      "/",
    );
    const bench = await profileBenchmark(task.spec.benchmark, 3);
    const benchmarkTexts = bench.examples.map(recordText);
    const profiles = await Promise.all(task.spec.sources.map((s) => profileSource({ id: s.id, path: s.path, license: s.license }, { benchmarkTexts, sampleSize: 300 })));
    const contract = inferContract(bench.examples, task.spec);
    const raw = profiles.find((p) => p.id === "raw")!;
    // Which field is the answer is the mapper's call; force the raw completions to see the features react.
    const real = mapSource(raw, contract);
    const asCompletion = { ...real, roles: { ...real.roles, answer: "response" } };
    const clean = analyseSource(raw, { ...real, roles: { ...real.roles, answer: "target" } }, contract, task);
    const dirty = analyseSource(raw, asCompletion, contract, task);
    const defects = (f: typeof dirty.features) => f.echo_rate + f.template_leak_rate + f.repetition_rate;
    console.log(`raw completions: echo ${dirty.quality.echoAnswers}/${dirty.quality.examples}, template leaks ${dirty.quality.templateLeaks}, loops ${dirty.quality.repetitiveAnswers}`);
    expect(defects(dirty.features)).toBeGreaterThan(0.6);
    expect(defects(clean.features)).toBe(0);
    expect(headValue(DEFAULT_PARAMS.include, clean.features) - headValue(DEFAULT_PARAMS.include, dirty.features)).toBeGreaterThan(1.5);
    const mapper = (p: SourceProfile, c: TaskContract) => (p.id === "raw" ? asCompletion : mapSource(p, c));
    const used = SEEDS.filter((seed) => ids(planBuiltin({ task, profiles, contract, seed, mapSource: mapper }).plan).includes("raw")).length;
    const greedy = planBuiltin({ task, profiles, contract, seed: 1, temperature: 0, mapSource: mapper }).plan;
    console.log(`raw completions chosen in ${used}/8 seeds; greedy: ${greedy.rejected.find((r) => r.dataset_id === "raw")?.reason}`);
    expect(used).toBeLessThanOrEqual(3);
    expect(greedy.rejected.find((r) => r.dataset_id === "raw")!.reason).toMatch(/echo the input|invented 'Input:\/Output:' turns|loop on the same phrase/);
  });
});
