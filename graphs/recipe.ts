/**
 * The recipe graph: task spec in, verified recipe out.
 *
 *   START -> load_task -> plan -> approve -> write_code -> execute --ok--> verify -> END
 *                          ^         |          ^    |        |                ^
 *                          +--edit---+          |    |        | error,         |
 *                                    |          +----|--------+ attempts < max |
 *                               reject -> END        +-- no code / attempts exhausted
 *
 * approve only pauses (interrupt) when the run context asks for approval.
 */
import { rmSync } from "node:fs";
import { END, START, StateGraph, interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { RecipeContextSchema, RecipeState, recipeRunContext, type RecipeStateValue, type RecipeStateUpdate } from "./state.js";
import { loadTaskForRun } from "../src/recipe/load.js";
import { planRecipe } from "../agents/planner/index.js";
import { writeCode } from "../agents/coder/index.js";
import { runAttempt } from "../agents/interpreter/index.js";
import { verifyRun } from "../agents/verifier/index.js";
import { progressWriter } from "../src/recipe/progress.js";
import { APPROVAL_ANSWERS, normalizeApproval } from "../src/recipe/approval.js";

type Config = LangGraphRunnableConfig;

async function loadTask(state: RecipeStateValue, config: Config): Promise<RecipeStateUpdate> {
  const ctx = recipeRunContext(state, config);
  const t0 = Date.now();
  const out = await loadTaskForRun(state, ctx, progressWriter(config, "load_task"));
  return { ...out, timings: { load: Date.now() - t0 } };
}

async function plan(state: RecipeStateValue, config: Config): Promise<RecipeStateUpdate> {
  const ctx = recipeRunContext(state, config);
  const t0 = Date.now();
  const only = state.approval?.action === "edit" ? state.approval.sources : state.only;
  const out = await planRecipe({ state, ctx, only });
  return { ...out, approval: undefined, timings: { plan: Date.now() - t0 } };
}

function approve(state: RecipeStateValue, config: Config): RecipeStateUpdate {
  const ctx = recipeRunContext(state, config);
  if (!ctx.approve) return { approval: { action: "approve" } };
  // plain words ("approve", "use only a, b") work too; an answer that cannot be read rejects
  const answer = normalizeApproval(interrupt({ kind: "approve_plan", planMd: state.planMd, plan: state.recipePlan, answers: APPROVAL_ANSWERS }));
  // a rejected run publishes nothing: drop its staging folder
  if (answer.action === "reject" && state.workDir) rmSync(state.workDir, { recursive: true, force: true });
  return { approval: answer };
}

function afterApprove(state: RecipeStateValue): "write_code" | "plan" | typeof END {
  if (state.approval?.action === "reject") return END;
  if (state.approval?.action === "edit") return "plan";
  return "write_code";
}

async function writeCodeNode(state: RecipeStateValue, config: Config): Promise<RecipeStateUpdate> {
  const ctx = recipeRunContext(state, config);
  const t0 = Date.now();
  const out = await writeCode({ state, ctx });
  return { ...out, timings: { code: Date.now() - t0 } };
}

function afterWriteCode(state: RecipeStateValue): "execute" | "verify" {
  return state.codeError ? "verify" : "execute";
}

async function execute(state: RecipeStateValue, config: Config): Promise<RecipeStateUpdate> {
  const ctx = recipeRunContext(state, config);
  const t0 = Date.now();
  const attempt = await runAttempt({
    n: state.attempts.length + 1,
    workDir: state.workDir!,
    recipe: state.recipe!,
    check: state.check,
    fix: state.fix,
    prepared: state.prepared!,
    ctx,
    progress: progressWriter(config, "execute"),
    budget: state.loaded!.spec.budget,
    taskId: state.loaded!.spec.id,
  });
  return { attempts: [attempt], timings: { execute: Date.now() - t0 } };
}

function afterExecute(state: RecipeStateValue, config: Config): "verify" | "write_code" {
  const ctx = recipeRunContext(state, config);
  const last = state.attempts.at(-1);
  if (last?.ok) return "verify";
  return state.attempts.length < ctx.maxAttempts ? "write_code" : "verify";
}

async function verify(state: RecipeStateValue, config: Config): Promise<RecipeStateUpdate> {
  const ctx = recipeRunContext(state, config);
  const t0 = Date.now();
  const report = await verifyRun(
    {
      loaded: state.loaded!,
      prepared: state.prepared!,
      workDir: state.workDir!,
      outDir: state.outDir!,
      attempts: state.attempts,
      plan: state.recipePlan,
      codeError: state.codeError,
      timings: state.timings,
      warnings: state.warnings,
      ctx,
      progress: progressWriter(config, "verify"),
    },
    t0,
  );
  return { report, status: report.status, timings: { verify: Date.now() - t0 } };
}

export const recipeGraphBuilder = new StateGraph(RecipeState, RecipeContextSchema)
  .addNode("load_task", loadTask)
  .addNode("plan", plan)
  .addNode("approve", approve)
  .addNode("write_code", writeCodeNode)
  .addNode("execute", execute)
  .addNode("verify", verify)
  .addEdge(START, "load_task")
  .addEdge("load_task", "plan")
  .addEdge("plan", "approve")
  .addConditionalEdges("approve", afterApprove, ["write_code", "plan", END])
  .addConditionalEdges("write_code", afterWriteCode, ["execute", "verify"])
  .addConditionalEdges("execute", afterExecute, ["verify", "write_code"])
  .addEdge("verify", END);

/** Compiled without a checkpointer: the LangGraph server and the CLI bring their own. */
export const recipeGraph = recipeGraphBuilder.compile({ name: "recipe" });
