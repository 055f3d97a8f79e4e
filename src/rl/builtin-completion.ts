/**
 * A completion in the end-to-end chef format written by the built-in policy (planner + coder),
 * without running anything: what a collected built-in rollout stores, and handy for exercising
 * the reward server.
 */
import { planBuiltin } from "../../agents/planner/builtin.js";
import { renderPlanMd } from "../../agents/planner/plan-md.js";
import { writeRecipeBuiltin } from "../../agents/coder/builtin.js";
import type { PolicyParams } from "./policy-params.js";
import { chefCompletionText } from "./completion.js";
import type { PreparedInstance } from "./instances.js";

export function builtinCompletion(view: PreparedInstance, seed: number, opts: { temperature?: number; params?: PolicyParams } = {}): string {
  const { loaded, prepared } = view;
  const { plan } = planBuiltin({ task: loaded, profiles: prepared.profiles, contract: prepared.contract, seed, temperature: opts.temperature ?? 1, params: opts.params, maxRecords: loaded.maxRecords });
  const planMd = renderPlanMd(plan, { task: loaded.spec, contract: prepared.contract, profiles: prepared.profiles });
  const { recipe, check } = writeRecipeBuiltin({ task: loaded, plan, profiles: prepared.profiles, contract: prepared.contract, seed });
  return chefCompletionText(planMd, recipe, check);
}
