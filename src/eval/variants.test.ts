import type { LoadedTask } from "../task/spec.js";
import { allSourcesPlan, planKey, randomPlan, singleSourcePlan, variantsFor, type SourceFit } from "./variants.js";

const task = { spec: { id: "t", sources: [{ id: "a" }, { id: "b", split: "dev" }, { id: "c" }, { id: "x" }] }, maxRecords: 1000 } as unknown as LoadedTask;
const fits: SourceFit[] = [
  { id: "a", rows: 800, ok: true },
  { id: "b", rows: 400, ok: true },
  { id: "c", rows: 50, ok: true },
  { id: "x", rows: 900, ok: false, reason: "schema does not fit" },
];

test("single-source: the whole source up to the budget, exact dedup and decontamination", () => {
  const p = singleSourcePlan(task, fits[0]!);
  expect(p.training_data).toEqual([expect.objectContaining({ dataset_id: "a", sample_num: 800, split: "train" })]);
  expect(p.operations).toMatchObject({ dedup_exact: true, decontaminate: true, filter_outliers: false, dedup_near: false });
  expect(singleSourcePlan(task, { id: "b", rows: 5000, ok: true }).training_data[0]).toMatchObject({ sample_num: 1000, split: "dev" });
});

test("all-sources: every compatible source by size, no dedup, no filters, still decontaminated", () => {
  const p = allSourcesPlan(task, fits);
  expect(p.training_data.map((d) => d.dataset_id)).toEqual(["a", "b", "c"]);
  expect(p.training_data.reduce((s, d) => s + d.sample_num, 0)).toBe(1000);
  const n = Object.fromEntries(p.training_data.map((d) => [d.dataset_id, d.sample_num]));
  expect(n.a).toBeGreaterThan(n.b!);
  expect(n.b).toBeGreaterThan(n.c!);
  expect(p.operations).toMatchObject({ dedup_exact: false, dedup_near: false, filter_outliers: false, decontaminate: true });
});

test("random-plan: seeded, varies across seeds, only compatible sources", () => {
  expect(planKey(randomPlan(task, fits, 3))).toBe(planKey(randomPlan(task, fits, 3)));
  const keys = new Set(Array.from({ length: 12 }, (_, s) => planKey(randomPlan(task, fits, s))));
  expect(keys.size).toBeGreaterThan(2);
  for (let s = 0; s < 12; s++) {
    const p = randomPlan(task, fits, s);
    expect(p.training_data.length).toBeGreaterThanOrEqual(1);
    expect(p.training_data.every((d) => d.dataset_id !== "x")).toBe(true);
  }
  expect(randomPlan(task, [fits[3]!], 1).training_data).toEqual([]);
});

test("variants: baselines at the policy's seeds (or the first M), incompatible sources skipped", () => {
  const v = variantsFor(["policy", "single-source", "all-sources", "random-plan"], fits, [1, 2, 3]);
  expect(v.map((x) => x.name)).toEqual(["policy", "single:a", "single:b", "single:c", "all-sources", "random-plan"]);
  expect(v.every((x) => x.seeds.length === 3)).toBe(true);
  const capped = variantsFor(["policy", "single-source", "random-plan"], fits, [1, 2, 3], 1);
  expect(capped.find((x) => x.name === "single:a")!.seeds).toEqual([1]);
  expect(capped.find((x) => x.name === "random-plan")!.seeds).toEqual([1, 2, 3]);
  expect(variantsFor(["all-sources", "random-plan"], [fits[3]!], [1])).toEqual([]);
});
