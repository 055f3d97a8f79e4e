/**
 * The benchmark, formatted the way built-in recipes format their user turns: the built-in coder
 * writes a recipe with the benchmark file as its only source (no dedup, no decontamination, all
 * rows) and it runs in the sandbox like any recipe. Its output never feeds training: it is the
 * proxy's test set, an allowed use of the benchmark (verification). The gold answer is in the
 * assistant turn, in the contract's format. LLM-written recipes may format user turns otherwise;
 * for them this is an approximation.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { writeRecipeBuiltin } from "../../../agents/coder/builtin.js";
import { executeRecipe } from "../../../agents/interpreter/execute.js";
import type { Plan } from "../../../agents/planner/plan.js";
import { profileSource } from "../../data/profile.js";
import { stageSources } from "../../data/stage.js";
import type { ChatRecord } from "../../data/chat.js";
import type { LoadedTask } from "../../task/spec.js";
import type { TaskContract } from "../../task/contract.js";
import type { SandboxChoice } from "../../sandbox/index.js";
import { readChat } from "./proxy.js";

export const BENCHMARK_SOURCE_ID = "benchmark_eval_only";

export async function formatBenchmark(args: { loaded: LoadedTask; contract: TaskContract; dir: string; seed?: number; sandbox?: SandboxChoice }): Promise<ChatRecord[]> {
  const dataPath = path.join(args.dir, "data.jsonl");
  if (existsSync(dataPath)) return readChat(dataPath);
  mkdirSync(args.dir, { recursive: true });
  const b = args.loaded.spec.benchmark;
  const asSource: LoadedTask = {
    ...args.loaded,
    spec: { ...args.loaded.spec, sources: [{ id: BENCHMARK_SOURCE_ID, path: b.path, ...(b.format ? { format: b.format } : {}), description: "the benchmark (evaluation only)" }] },
  };
  const [staged] = await stageSources(asSource, { onMalformed: "skip" });
  const profile = await profileSource({ id: BENCHMARK_SOURCE_ID, path: staged!.jsonlPath, format: "jsonl" }, { benchmarkTexts: [], seed: args.seed ?? 0 });
  const plan: Plan = {
    training_data: [{ dataset_id: BENCHMARK_SOURCE_ID, split: "test", sample_num: profile.rows, reason: "proxy test set" }],
    rejected: [],
    workflow: "The benchmark formatted like the recipes' user turns, for scoring the downstream proxy only.",
    operations: { dedup_exact: false, dedup_near: false, near_threshold: 0.85, filter_outliers: false, outlier_z: 3, decontaminate: false, min_answer_chars: 1 },
  };
  const { recipe } = writeRecipeBuiltin({ task: { ...asSource, maxRecords: Math.max(1, profile.rows) }, plan, profiles: [profile], contract: args.contract, seed: args.seed ?? 0 });
  const out = await executeRecipe({
    recipe,
    sources: [{ id: BENCHMARK_SOURCE_ID, jsonlPath: staged!.jsonlPath }],
    outDir: args.dir,
    sandbox: args.sandbox ?? "auto",
    limits: { wallMs: 300_000, cpuSeconds: 300, memoryBytes: 2048 * 1024 * 1024 },
  });
  if (!out.ok || !out.dataPath) throw new Error(`formatting the benchmark of ${args.loaded.spec.id} failed: ${out.error?.kind ?? "error"}: ${out.error?.message ?? out.recipeRun.stderr.slice(-300)}`);
  return readChat(out.dataPath);
}
