/** The coder agent: writes recipe.py and check.py from the plan, and repairs them after a failure. */
import type { RecipeContext, RecipeStateValue } from "../../graphs/state.js";
import { LlmPolicyError } from "../../src/llm/call.js";
import type { LlmCallRecord } from "../../src/llm/recorder.js";
import { agentModel, policyModeOf, runRecorder, traceMetadataFor } from "../../src/llm/policy.js";
import { traceAgent } from "../../src/llm/tracing.js";
import { repairRecipeBuiltin, writeRecipeBuiltin } from "./builtin.js";
import { repairRecipeLlm, writeRecipeLlm } from "./llm.js";

export interface CodeOutput {
  recipe?: string;
  check?: string;
  fix?: string;
  codeError?: string;
  trajectory?: LlmCallRecord[];
  warnings?: string[];
}

export async function writeCode(args: { state: RecipeStateValue; ctx: RecipeContext }): Promise<CodeOutput> {
  const loaded = args.state.loaded!;
  const meta = traceMetadataFor(loaded.spec.id, args.ctx);
  return traceAgent("coder", meta, () => writeWithPolicy(args), { task_id: loaded.spec.id, attempt: args.state.attempts.length });
}

async function writeWithPolicy(args: { state: RecipeStateValue; ctx: RecipeContext }): Promise<CodeOutput> {
  const { state, ctx } = args;
  const loaded = state.loaded!;
  const prepared = state.prepared!;
  const last = state.attempts.at(-1);
  // the LLM planner gave up: there is nothing to code, the run ends with its reason
  if (state.planError) return { codeError: state.planError };
  // a caller may hand in its own recipe (an edited one), or the chef wrote it with the plan:
  // run it first, repair only if it fails
  if (!last && state.recipe) return { codeError: undefined };
  // in chef mode the chef's model repairs its own code
  const llm = policyModeOf(ctx) === "chef" ? (agentModel("chef", ctx) ?? agentModel("coder", ctx)) : agentModel("coder", ctx);
  if (llm) {
    const recorder = runRecorder(state.workDir!, { task: loaded.spec.id, seed: ctx.seed, attempt: state.attempts.length + 1 });
    const common = {
      task: loaded,
      plan: state.recipePlan!,
      ...(state.planMd ? { planMd: state.planMd } : {}),
      profiles: prepared.profiles,
      contract: prepared.contract,
      benchmarkExamples: prepared.benchmarkExamples,
      config: llm,
      recorder,
      traceMetadata: traceMetadataFor(loaded.spec.id, ctx),
    };
    try {
      if (!last || last.ok) {
        const out = await writeRecipeLlm(common);
        return { recipe: out.recipe, check: out.check, fix: undefined, codeError: undefined, trajectory: recorder.records(), warnings: out.warnings.map((w) => `coder: ${w}`) };
      }
      const out = await repairRecipeLlm({ ...common, recipe: state.recipe!, check: state.check ?? "", error: last.error!, failedPhase: last.failedPhase, attempt: last.n });
      return { recipe: out.recipe, check: out.check, fix: out.fix, codeError: undefined, trajectory: recorder.records(), warnings: out.warnings.map((w) => `coder: ${w}`) };
    } catch (e) {
      if (!(e instanceof LlmPolicyError)) throw e;
      // a failed policy is an outcome to report (and to penalise in RL), not a crash
      return { codeError: `coder failed (${e.kind}): ${e.message}`, trajectory: recorder.records() };
    }
  }
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
