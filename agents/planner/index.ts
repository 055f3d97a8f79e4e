/** The planner agent: picks sources and operations and writes plan.md. */
import path from "node:path";
import type { RecipeContext, RecipeStateValue } from "../../graphs/state.js";
import { loadPolicyParams, type PolicyParams } from "../../src/rl/policy-params.js";
import { writeFileAtomic } from "../../src/recipe/run-dir.js";
import { planBuiltin } from "./builtin.js";
import { renderPlanMd } from "./plan-md.js";
import type { Plan } from "./plan.js";

export interface PlanOutput {
  recipePlan: Plan;
  planMd: string;
  planDecisions: unknown[];
}

/** Policy parameters named by the run context: the defaults, or a trained policy.json. */
export function policyParamsFor(ctx: RecipeContext): PolicyParams | undefined {
  return ctx.policy === "builtin" ? undefined : loadPolicyParams(ctx.policy);
}

export async function planRecipe(args: { state: RecipeStateValue; ctx: RecipeContext; only?: string[] }): Promise<PlanOutput> {
  const { state, ctx } = args;
  const loaded = state.loaded!;
  const prepared = state.prepared!;
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
  const planMd = renderPlanMd(plan, { task: loaded.spec, contract: prepared.contract, profiles: prepared.profiles });
  writeFileAtomic(path.join(state.workDir!, "plan.md"), planMd);
  return { recipePlan: plan, planMd, planDecisions: decisions };
}
