/** The planner agent: picks sources and operations and writes plan.md. */
import path from "node:path";
import type { RecipeContext, RecipeStateValue } from "../../graphs/state.js";
import { loadPolicyParams, type PolicyParams } from "../../src/rl/policy-params.js";
import { writeFileAtomic } from "../../src/recipe/run-dir.js";
import { LlmPolicyError } from "../../src/llm/call.js";
import type { LlmCallRecord } from "../../src/llm/recorder.js";
import { agentModel, checkLlmConfig, policyModeOf, runRecorder, traceMetadataFor } from "../../src/llm/policy.js";
import { traceAgent } from "../../src/llm/tracing.js";
import { planBuiltin } from "./builtin.js";
import { planLlm } from "./llm.js";
import { chefLlm } from "../coder/chef.js";
import { renderPlanMd } from "./plan-md.js";
import type { Plan } from "./plan.js";

export interface PlanOutput {
  recipePlan: Plan;
  planMd: string;
  planDecisions: unknown[];
  /** The chef writes the code together with the plan. */
  recipe?: string;
  check?: string;
  /** Set when the LLM planner gave up (the run then ends with this reason). */
  planError?: string;
  trajectory?: LlmCallRecord[];
  warnings?: string[];
}

/** Policy parameters named by the run context: the defaults, or a trained policy.json. */
export function policyParamsFor(ctx: RecipeContext): PolicyParams | undefined {
  return ctx.policy === "builtin" ? undefined : loadPolicyParams(ctx.policy);
}

export async function planRecipe(args: { state: RecipeStateValue; ctx: RecipeContext; only?: string[] }): Promise<PlanOutput> {
  const { state, ctx } = args;
  const loaded = state.loaded!;
  checkLlmConfig(ctx);
  const meta = traceMetadataFor(loaded.spec.id, ctx);
  return traceAgent("planner", meta, () => planWithPolicy(args), { task_id: loaded.spec.id, only: args.only });
}

async function planWithPolicy(args: { state: RecipeStateValue; ctx: RecipeContext; only?: string[] }): Promise<PlanOutput> {
  const { state, ctx } = args;
  const loaded = state.loaded!;
  const prepared = state.prepared!;
  const mdContext = { task: loaded.spec, contract: prepared.contract, profiles: prepared.profiles };
  const chef = policyModeOf(ctx) === "chef" ? agentModel("chef", ctx) : null;
  const planner = chef ? null : agentModel("planner", ctx);
  if (chef || planner) {
    const meta = traceMetadataFor(loaded.spec.id, ctx);
    const recorder = runRecorder(state.workDir!, { task: loaded.spec.id, seed: ctx.seed });
    const common = {
      task: loaded,
      profiles: prepared.profiles,
      contract: prepared.contract,
      benchmarkExamples: prepared.benchmarkExamples,
      only: args.only,
      maxRecords: loaded.maxRecords,
      recorder,
      traceMetadata: meta,
    };
    try {
      const out = chef ? await chefLlm({ ...common, config: chef }) : await planLlm({ ...common, config: planner! });
      const planMd = renderPlanMd(out.plan, mdContext);
      writeFileAtomic(path.join(state.workDir!, "plan.md"), planMd);
      return {
        recipePlan: out.plan,
        planMd,
        planDecisions: [],
        ...("recipe" in out ? { recipe: out.recipe, check: out.check } : {}),
        planError: undefined,
        trajectory: recorder.records(),
        warnings: out.warnings.map((w) => `${chef ? "chef" : "planner"}: ${w}`),
      };
    } catch (e) {
      if (!(e instanceof LlmPolicyError)) throw e;
      // A failed policy is an outcome to report (and to penalise in RL), not a crash.
      const empty: Plan = { training_data: [], rejected: [], workflow: "(no plan: the LLM planner failed)", operations: { dedup_exact: true, dedup_near: false, near_threshold: 0.85, filter_outliers: false, outlier_z: 3, decontaminate: true, min_answer_chars: 1 } };
      const planMd = `# Data recipe plan: ${loaded.spec.id}\n\nNo plan: ${e.message}\n`;
      writeFileAtomic(path.join(state.workDir!, "plan.md"), planMd);
      return { recipePlan: empty, planMd, planDecisions: [], planError: `${chef ? "chef" : "planner"} failed (${e.kind}): ${e.message}`, trajectory: recorder.records() };
    }
  }
  const { plan, decisions } = planBuiltin({
    task: loaded,
    profiles: prepared.profiles,
    contract: prepared.contract,
    seed: ctx.seed,
    temperature: ctx.temperature,
    params: policyParamsFor(ctx),
    only: args.only,
    maxRecords: loaded.maxRecords,
  });
  const planMd = renderPlanMd(plan, mdContext);
  writeFileAtomic(path.join(state.workDir!, "plan.md"), planMd);
  return { recipePlan: plan, planMd, planDecisions: decisions, planError: undefined };
}
