/**
 * Runs the recipe graph for one rollout, entering it after a given node with a state the caller
 * already has. The rollout graph prepares a task once and runs G recipes on it, so each run starts
 * after load_task; the reward server scores a completion, so its runs start after approve (the
 * plan and the code come from the completion).
 *
 * It uses LangGraph's own resume mechanics: the recipe graph compiled with a private in-memory
 * checkpointer, `updateState(..., asNode)` to stand in for the skipped nodes, then `invoke(null)`.
 * The run is isolated from any graph that calls it (its own thread, no inherited checkpoint
 * namespace) but keeps the caller's callbacks, so traces still nest.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { MemorySaver } from "@langchain/langgraph";
import { recipeGraphBuilder } from "../../graphs/recipe.js";
import { recipeContext, type RecipeContext, type RecipeStateValue } from "../../graphs/state.js";
import type { Plan } from "../../agents/planner/plan.js";
import { prepareOutDir, stagingDir, writeFileAtomic } from "../recipe/run-dir.js";
import type { PreparedInstance } from "./instances.js";

const saver = new MemorySaver();
const graph = recipeGraphBuilder.compile({ checkpointer: saver, name: "recipe" });

export interface RunRecipeOptions {
  view: PreparedInstance;
  /** Run folder (replaced when it exists: a rollout that is run again starts clean). */
  outDir: string;
  context: Partial<RecipeContext>;
  /** Where the run enters the graph: after load_task (plan it) or after approve (given plan and code). */
  after?: "load_task" | "approve";
  /** With after = "approve": the plan and code to run. */
  given?: { plan: Plan; planMd: string; recipe: string; check: string };
  metadata?: Record<string, unknown>;
  callbacks?: Callbacks;
  signal?: AbortSignal;
}

export async function runRecipe(opts: RunRecipeOptions): Promise<RecipeStateValue> {
  const { view } = opts;
  const context = recipeContext(opts.context);
  prepareOutDir(opts.outDir, true);
  const workDir = stagingDir(opts.outDir, randomUUID().slice(0, 8));
  const threadId = `rollout-${randomUUID()}`;
  const config = { configurable: { thread_id: threadId } };
  const base = { loaded: view.loaded, prepared: view.prepared, outDir: opts.outDir, workDir, warnings: view.prepared.warnings };
  const after = opts.after ?? "load_task";
  const run = async () => {
    if (after === "approve") {
      if (!opts.given) throw new Error("runRecipe: after 'approve' needs the plan and code to run");
      writeFileAtomic(path.join(workDir, "plan.md"), opts.given.planMd);
      await graph.updateState(
        config,
        { ...base, recipePlan: opts.given.plan, planMd: opts.given.planMd, planDecisions: [], recipe: opts.given.recipe, check: opts.given.check, approval: { action: "approve" } },
        "approve",
      );
    } else await graph.updateState(config, base, "load_task");
    // the private checkpoint is only the entry point: no need to save every step
    return (await graph.invoke(null, { ...config, context, recursionLimit: 50, signal: opts.signal, metadata: opts.metadata, durability: "exit" })) as RecipeStateValue;
  };
  try {
    // a fresh LangChain context: only the caller's callbacks and metadata carry over
    return await AsyncLocalStorageProviderSingleton.runWithConfig({ callbacks: opts.callbacks, metadata: opts.metadata }, run, true);
  } finally {
    await saver.deleteThread(threadId);
  }
}
