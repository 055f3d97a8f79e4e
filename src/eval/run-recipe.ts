/**
 * One recipe of an evaluation, cooked by the real recipe graph. The task is prepared once
 * (staging, profiling, fingerprints) and every recipe of it resumes the graph right after that
 * point through a checkpointer's `updateState`:
 *   policy     -> state as if load_task had run   -> plan -> approve -> write_code -> execute ...
 *   baselines  -> state as if plan had run (its    -> approve -> write_code -> execute ...
 *                 fixed plan written as plan.md)
 * so baselines and policy share the coder, the interpreter (with repairs) and the verifier.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { recipeGraphBuilder } from "../../graphs/recipe.js";
import type { RecipeContext } from "../../graphs/state.js";
import { renderPlanMd } from "../../agents/planner/plan-md.js";
import type { Plan } from "../../agents/planner/plan.js";
import { isProgressEvent, type ProgressEvent } from "../recipe/progress.js";
import { prepareOutDir, stagingDir, writeFileAtomic } from "../recipe/run-dir.js";
import { prepareTask, type PreparedTask } from "../recipe/prepare.js";
import { loadTaskSpec, type LoadedTask } from "../task/spec.js";
import type { Report } from "../verify/report.js";
import { buildLeakIndex, leakCheckWith, type LeakIndex } from "./leak.js";
import { dvsScore } from "./stats.js";
import type { RecipeRow, Variant } from "./types.js";
import { baselinePlan, planKey, sourceFits, type SourceFit } from "./variants.js";

const checkpointer = new MemorySaver();
const graph = recipeGraphBuilder.compile({ checkpointer, name: "recipe" });

export interface EvalTask {
  specPath: string;
  loaded: LoadedTask;
  prepared: PreparedTask;
  leakIndex: LeakIndex;
  fits: SourceFit[];
  prepareMs: number;
}

export async function prepareEvalTask(specPath: string, opts: { seed?: number; ngram?: number; onProgress?: (m: string) => void } = {}): Promise<EvalTask> {
  const t0 = Date.now();
  const loaded = loadTaskSpec(specPath);
  const prepared = await prepareTask(loaded, { ngram: opts.ngram ?? 13, seed: opts.seed ?? 0, onProgress: (m) => opts.onProgress?.(m) });
  const leakIndex = await buildLeakIndex(loaded.spec.benchmark.path, 13);
  return { specPath, loaded, prepared, leakIndex, fits: sourceFits(prepared.profiles, prepared.contract), prepareMs: Date.now() - t0 };
}

export interface RunRecipeArgs {
  task: EvalTask;
  variant: Variant;
  seed: number;
  outDir: string;
  /** The policy's run context (baselines get the built-in coder whatever it says). */
  ctx: RecipeContext;
  onProgress?: (ev: ProgressEvent) => void;
}

/** Context for baselines: built-in planner and coder even when a model is configured; same judge. */
export function baselineContext(ctx: RecipeContext): RecipeContext {
  return { ...ctx, policy: "builtin", policyMode: "planner_coder", plannerModel: "builtin", coderModel: "builtin", chefModel: "builtin" };
}

/** Leftovers of a killed run (its hidden staging folders) are removed before a re-run. */
function clearPartials(outDir: string): void {
  if (!existsSync(outDir)) return;
  for (const name of readdirSync(outDir)) if (name.startsWith(".partial-")) rmSync(path.join(outDir, name), { recursive: true, force: true });
}

export async function runRecipe(args: RunRecipeArgs): Promise<RecipeRow> {
  const { task, variant, seed, outDir } = args;
  const { loaded, prepared } = task;
  const t0 = Date.now();
  const ctx: RecipeContext = { ...(variant.kind === "policy" ? args.ctx : baselineContext(args.ctx)), seed };
  clearPartials(outDir);
  prepareOutDir(outDir, true);
  const workDir = stagingDir(outDir, randomUUID().slice(0, 8));
  const threadId = `eval-${randomUUID()}`;
  const config = { configurable: { thread_id: threadId }, context: ctx, recursionLimit: 50 };
  const loadedState = { loaded, prepared, outDir, workDir, warnings: prepared.warnings };
  let plan: Plan | undefined;
  if (variant.kind === "policy") {
    await graph.updateState(config, loadedState, "load_task");
  } else {
    plan = baselinePlan(variant, loaded, task.fits, seed);
    const planMd = renderPlanMd(plan, { task: loaded.spec, contract: prepared.contract, profiles: prepared.profiles });
    writeFileAtomic(path.join(workDir, "plan.md"), planMd);
    await graph.updateState(config, { ...loadedState, recipePlan: plan, planMd, planDecisions: [] }, "plan");
  }
  let report: Report | undefined;
  try {
    const stream = await graph.stream(null, { ...config, streamMode: ["updates", "custom"] });
    for await (const [mode, chunk] of stream as AsyncIterable<[string, any]>) {
      if (mode === "custom" && isProgressEvent(chunk)) args.onProgress?.(chunk);
      if (mode === "updates") {
        for (const [node, update] of Object.entries(chunk as Record<string, any>)) {
          if (node === "plan" && update?.recipePlan) plan = update.recipePlan as Plan;
          if (update?.report) report = update.report as Report;
        }
      }
    }
  } finally {
    await checkpointer.deleteThread(threadId);
  }
  if (!report) throw new Error(`${loaded.spec.id} ${variant.name} seed ${seed}: the recipe graph ended without a report`);
  const dataPath = path.join(outDir, "data.jsonl");
  const leaks = report.status === "ok" && existsSync(dataPath) ? await leakCheckWith(task.leakIndex, dataPath) : { records: 0, strict: 0, substantial: 0, examples: [] };
  const detail = report.attempts_detail ?? [];
  return {
    task: loaded.spec.id,
    variant: variant.name,
    kind: variant.kind,
    ...(variant.source ? { source: variant.source } : {}),
    seed,
    status: report.status,
    reward: report.reward,
    score: dvsScore(report.status, report.reward),
    records: report.status === "ok" ? report.records : 0,
    attempts: report.attempts,
    firstAttemptOk: detail[0]?.ok ?? false,
    executed: detail.some((a) => a.ok),
    grades: report.verifier.grades,
    leaks: { strict: leaks.strict, substantial: leaks.substantial, rate: leaks.records ? leaks.substantial / leaks.records : 0 },
    verifierContaminated: report.contamination.contaminated_records,
    sources: report.sources_used,
    wallMs: Date.now() - t0,
    timings: report.timings_ms,
    outDir,
    ...(report.reason ? { reason: report.reason } : {}),
    planKey: planKey(plan),
    finishedAt: new Date().toISOString(),
  };
}
