/** The coder agent: writes recipe.py and check.py from the plan, and repairs them after a failure. */
import type { RecipeContext, RecipeStateValue } from "../../graphs/state.js";
import { repairRecipeBuiltin, writeRecipeBuiltin } from "./builtin.js";

export interface CodeOutput {
  recipe?: string;
  check?: string;
  fix?: string;
  codeError?: string;
}

export async function writeCode(args: { state: RecipeStateValue; ctx: RecipeContext }): Promise<CodeOutput> {
  const { state, ctx } = args;
  const loaded = state.loaded!;
  const prepared = state.prepared!;
  const last = state.attempts.at(-1);
  if (!last || last.ok) {
    const { recipe, check } = writeRecipeBuiltin({
      task: loaded,
      plan: state.recipePlan!,
      profiles: prepared.profiles,
      contract: prepared.contract,
      seed: ctx.seed,
    });
    return { recipe, check, fix: undefined, codeError: undefined };
  }
  const repaired = repairRecipeBuiltin({
    recipe: state.recipe!,
    check: state.check ?? "",
    error: last.error!,
    profiles: prepared.profiles,
    contract: prepared.contract,
    plan: state.recipePlan!,
    attempt: last.n,
  });
  if (!repaired) return { codeError: `no repair found for ${last.error?.kind ?? "the failure"}: ${last.error?.message ?? ""}` };
  return { recipe: repaired.recipe, check: repaired.check, fix: repaired.fix, codeError: undefined };
}
