/**
 * Baseline plans, run through the same harness (and the same built-in coder, interpreter and
 * verifier) as the policy:
 *  - single-source: one source, all of it up to the budget, default operations;
 *  - all-sources:   every compatible source concatenated (shares by size), no dedup or filters;
 *  - random-plan:   a random non-empty subset of the compatible sources, equal shares, default
 *                   operations.
 * "Compatible" = the built-in coder can map the source onto the benchmark's format; the others
 * cannot be standardised without a model and are listed as skipped. Decontamination stays on in
 * every baseline: training on benchmark items is never an option in this product.
 */
import type { SourceProfile } from "../data/types.js";
import type { TaskContract } from "../task/contract.js";
import type { LoadedTask } from "../task/spec.js";
import type { Plan } from "../../agents/planner/plan.js";
import { allocate } from "../../agents/planner/builtin.js";
import { decisionRng } from "../../agents/planner/random.js";
import { mapSource } from "../../agents/coder/field-mapping.js";
import { DEFAULT_OPERATIONS } from "../../agents/planner/plan-md.js";
import type { Variant, VariantKind } from "./types.js";

export const VARIANT_KINDS: VariantKind[] = ["policy", "single-source", "all-sources", "random-plan"];

/** Exact dedup and decontamination: what any recipe does at the least (the planner's defaults). */
export { DEFAULT_OPERATIONS };

/** No dedup, no filters: only the benchmark leak removal that no recipe may skip. */
export const NO_FILTER_OPERATIONS: Plan["operations"] = { ...DEFAULT_OPERATIONS, dedup_exact: false };

export interface SourceFit {
  id: string;
  rows: number;
  ok: boolean;
  reason?: string;
}

/** Which sources the built-in coder can standardise to the benchmark format. */
export function sourceFits(profiles: SourceProfile[], contract: TaskContract): SourceFit[] {
  return profiles.map((p) => {
    if (p.rows <= 0) return { id: p.id, rows: 0, ok: false, reason: "no readable records" };
    try {
      const m = mapSource(p, contract);
      return m.ok ? { id: p.id, rows: p.rows, ok: true } : { id: p.id, rows: p.rows, ok: false, reason: `schema does not fit ${contract.describe}` };
    } catch (e) {
      return { id: p.id, rows: p.rows, ok: false, reason: `field mapping failed: ${(e as Error).message}` };
    }
  });
}

function splitOf(task: LoadedTask, id: string): string {
  return task.spec.sources.find((s) => s.id === id)?.split ?? "train";
}

function planOf(task: LoadedTask, picks: { id: string; n: number }[], operations: Plan["operations"], why: string, workflow: string): Plan {
  return {
    training_data: picks.filter((p) => p.n > 0).map((p) => ({ dataset_id: p.id, split: splitOf(task, p.id), sample_num: p.n, reason: why })),
    rejected: [],
    workflow,
    operations,
  };
}

export function singleSourcePlan(task: LoadedTask, fit: SourceFit, budget = task.maxRecords): Plan {
  return planOf(
    task,
    [{ id: fit.id, n: Math.min(fit.rows, budget) }],
    DEFAULT_OPERATIONS,
    "single-source baseline: this source alone",
    `Single-source baseline: every record of ${fit.id} (up to the ${budget}-record budget), standardised to the benchmark format, exact dedup and decontamination.`,
  );
}

export function allSourcesPlan(task: LoadedTask, fits: SourceFit[], budget = task.maxRecords): Plan {
  const ok = fits.filter((f) => f.ok);
  const rows = ok.map((f) => f.rows);
  const total = rows.reduce((a, b) => a + b, 0) || 1;
  const n = allocate(rows, rows.map((r) => r / total), budget, 0);
  return planOf(
    task,
    ok.map((f, i) => ({ id: f.id, n: n[i]! })),
    NO_FILTER_OPERATIONS,
    "all-sources baseline: every compatible source, shares by size",
    "All-sources baseline: every compatible source concatenated in proportion to its size (up to the budget), standardised, no dedup and no filters; decontamination only.",
  );
}

export function randomPlan(task: LoadedTask, fits: SourceFit[], seed: number, budget = task.maxRecords): Plan {
  const ok = fits.filter((f) => f.ok);
  if (!ok.length) return planOf(task, [], DEFAULT_OPERATIONS, "", "Random-plan baseline: no compatible source.");
  const rng = decisionRng(seed, "baseline:random-plan");
  const k = 1 + Math.floor(rng.uniform() * ok.length);
  // seeded Fisher-Yates, then the first k
  const order = ok.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const chosen = order.slice(0, k).sort((a, b) => a - b).map((i) => ok[i]!);
  const n = allocate(
    chosen.map((f) => f.rows),
    chosen.map(() => 1 / chosen.length),
    budget,
    0,
  );
  return planOf(
    task,
    chosen.map((f, i) => ({ id: f.id, n: n[i]! })),
    DEFAULT_OPERATIONS,
    "random-plan baseline: picked at random",
    `Random-plan baseline (seed ${seed}): ${k} of ${ok.length} compatible sources picked at random, equal shares, exact dedup and decontamination.`,
  );
}

/** The plan a baseline variant cooks (the policy plans for itself). */
export function baselinePlan(variant: Variant, task: LoadedTask, fits: SourceFit[], seed: number): Plan {
  switch (variant.kind) {
    case "single-source": {
      const fit = fits.find((f) => f.id === variant.source);
      if (!fit) throw new Error(`single-source baseline: no source '${variant.source}' in task ${task.spec.id}`);
      return singleSourcePlan(task, fit);
    }
    case "all-sources":
      return allSourcesPlan(task, fits);
    case "random-plan":
      return randomPlan(task, fits, seed);
    case "policy":
      throw new Error("the policy plans for itself");
  }
}

/**
 * The variants an evaluation cooks for one task. Deterministic baselines (single-source,
 * all-sources) still run at the policy's seeds (or the first `baselineSeeds` of them): the seed
 * also picks the verifier's samples, so the same data under the same seed gets the same score,
 * and policy and baselines are compared on common random numbers.
 */
export function variantsFor(kinds: VariantKind[], fits: SourceFit[], seeds: number[], baselineSeeds = seeds.length): Variant[] {
  const out: Variant[] = [];
  const fixed = seeds.slice(0, Math.max(1, baselineSeeds));
  for (const kind of kinds) {
    if (kind === "policy") out.push({ kind, name: "policy", seeds });
    if (kind === "single-source") for (const f of fits.filter((x) => x.ok)) out.push({ kind, name: `single:${f.id}`, source: f.id, seeds: fixed });
    if (kind === "all-sources" && fits.some((f) => f.ok)) out.push({ kind, name: "all-sources", seeds: fixed });
    if (kind === "random-plan" && fits.some((f) => f.ok)) out.push({ kind, name: "random-plan", seeds });
  }
  return out;
}

/** Sources and sizes of a plan: equal keys = the same data choice. */
export function planKey(plan: Pick<Plan, "training_data" | "operations"> | undefined): string {
  if (!plan) return "";
  return JSON.stringify({ d: plan.training_data.map((d) => [d.dataset_id, d.sample_num]), o: plan.operations });
}
