/**
 * State and run configuration of the recipe graph. Reducers are exported pure functions so they
 * can be unit-tested on their own.
 */
import { ReducedValue, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import { TaskSpecSchema, type LoadedTask } from "../src/task/spec.js";
import type { PreparedTask } from "../src/recipe/prepare.js";
import type { Plan } from "../agents/planner/plan.js";
import type { Report } from "../src/verify/report.js";
import type { Attempt } from "../agents/interpreter/attempt.js";
import type { LlmCallRecord } from "../src/llm/recorder.js";
import { POLICY_MODES } from "../src/llm/policy.js";

/** Run configuration, read from the LangGraph runtime context (Studio: "Configure"). */
export const RecipeContextSchema = z.object({
  policy: z.string().default("builtin").describe("'builtin' or a policy.json of trained built-in parameters"),
  seed: z.number().int().default(0).describe("Seed of every stochastic choice; same seed, same recipe"),
  temperature: z.number().min(0).default(1).describe("Sampling temperature of the policy (0 = greedy)"),
  sandbox: z.enum(["auto", "local", "e2b"]).default("auto").describe("Where recipes run; auto = e2b when E2B_API_KEY is set"),
  samples: z.number().int().positive().default(100).describe("Records the verifier grades"),
  maxAttempts: z.number().int().min(1).max(10).default(3).describe("Executions before giving up (1 + repairs)"),
  approve: z.boolean().default(false).describe("Pause after planning for a human to approve or edit the plan"),
  ngram: z.number().int().min(5).max(50).default(13).describe("n of the contamination n-grams"),
  wallSeconds: z.number().positive().default(300).describe("Wall-time limit of one script run"),
  memoryMb: z.number().positive().default(2048).describe("Memory limit of one script run"),
  runsDir: z.string().default("runs").describe("Where runs without an explicit outDir are written"),
  reportHtml: z.boolean().default(true).describe("Write report.html next to report.json (rollouts and the reward server skip it for their temporary folders)"),
  // ---- LLM policy (additive). Empty/null/"auto" = the environment (docs/llm.md), else the built-in policy.
  policyMode: z.enum(["auto", ...POLICY_MODES]).default("auto").describe("LLM policy mode: planner_coder (two calls) or chef (plan + code in one call); auto = env DATACHEF_POLICY_MODE, else planner_coder"),
  model: z.string().default("").describe("Chat model of every LLM agent (overrides DATACHEF_MODEL); none = built-in policy"),
  baseUrl: z.string().default("").describe("OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (overrides OPENAI_BASE_URL)"),
  plannerModel: z.string().default("").describe("Planner model (overrides model)"),
  coderModel: z.string().default("").describe("Coder model (overrides model)"),
  chefModel: z.string().default("").describe("End-to-end chef model (overrides plannerModel and model)"),
  judgeModel: z.string().default("").describe("Judge model (overrides model); 'builtin' keeps the rule-based judge"),
  judgeBaseUrl: z.string().default("").describe("Endpoint of the judge model, when it differs"),
  synthesisModel: z.string().default("").describe("Model behind generate_with_llm inside recipes (overrides model)"),
  llmCalls: z.number().int().min(0).nullable().default(null).describe("Recipe-side LLM call budget (overrides the spec's budget.llm_calls)"),
  llmTokens: z.number().int().min(0).nullable().default(null).describe("Recipe-side LLM token budget (overrides the spec's budget.llm_tokens)"),
});
export type RecipeContext = z.infer<typeof RecipeContextSchema>;

/** Applies defaults to whatever context a caller (CLI, Studio, a parent graph) passed. */
export function recipeContext(raw: unknown): RecipeContext {
  return RecipeContextSchema.parse(raw ?? {});
}

/*
 * The run settings people change most, also accepted as optional *input* fields: the dev server
 * shows no form for a StateSchema graph's context, so this is what Studio renders. When set they
 * override the run context; unset (or empty) they leave it alone.
 */
export const runSettingFields = {
  seed: z.number().int().min(0).optional().describe("Seed of every stochastic choice; same seed, same recipe (default: the run context's seed, 0)"),
  samples: z.number().int().positive().optional().describe("Records the verifier grades (default: the run context's samples, 100)"),
  policy: z.string().optional().describe("'builtin' or a policy.json of trained built-in parameters (default: the run context's, builtin)"),
  model: z.string().optional().describe("Chat model of the LLM policy, e.g. gpt-4o-mini (default: DATACHEF_MODEL; none = built-in policy)"),
};
export interface RunSettings {
  seed?: number;
  samples?: number;
  policy?: string;
  model?: string;
}

/** The context with the input's run settings applied (pure; callers re-parse if they need defaults). */
export function withRunSettings<C extends RecipeContext>(ctx: C, settings: RunSettings): C {
  return {
    ...ctx,
    ...(settings.seed !== undefined && settings.seed !== null ? { seed: settings.seed } : {}),
    ...(settings.samples !== undefined && settings.samples !== null ? { samples: settings.samples } : {}),
    ...(settings.policy ? { policy: settings.policy } : {}),
    ...(settings.model ? { model: settings.model } : {}),
  };
}

/** What a recipe node runs with: the run context plus the input's run settings. */
export function recipeRunContext(state: RunSettings, config: { context?: unknown }): RecipeContext {
  return withRunSettings(recipeContext(config.context), state);
}

export function appendAttempts(current: Attempt[], update: Attempt[]): Attempt[] {
  return [...current, ...update];
}

export function mergeTimings(current: Record<string, number>, update: Record<string, number>): Record<string, number> {
  const out = { ...current };
  for (const [k, v] of Object.entries(update)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function appendTrajectory(current: LlmCallRecord[], update: LlmCallRecord[]): LlmCallRecord[] {
  return [...current, ...update];
}

export function appendWarnings(current: string[], update: string[]): string[] {
  return [...current, ...update.filter((w) => !current.includes(w))];
}

export const RecipeState = new StateSchema({
  // ---- input (what Studio's form shows)
  taskPath: z.string().optional().describe("Path of a task spec JSON file"),
  // passthrough: unknown fields reach the loader, which warns about them as it does for files
  task: TaskSpecSchema.passthrough().optional().describe("An inline task spec (instead of taskPath), as in docs/contracts.md"),
  ...runSettingFields,
  outDir: z.string().optional().describe("Run folder; default runs/<task>-<time>-s<seed>"),
  only: z.array(z.string()).optional().describe("Restrict the planner to these source ids"),
  maxRecords: z.number().int().positive().optional().describe("Override the spec's budget.max_records"),
  force: z.boolean().optional().describe("Replace an earlier run in outDir"),

  // ---- working state
  loaded: z.custom<LoadedTask>().optional(),
  prepared: z.custom<PreparedTask>().optional(),
  /** Hidden staging folder inside outDir; published into outDir when the run ends. */
  workDir: z.string().optional(),
  recipePlan: z.custom<Plan>().optional(),
  planMd: z.string().optional(),
  planDecisions: z.custom<unknown[]>().optional(),
  approval: z.custom<{ action: "approve" | "reject" | "edit"; sources?: string[]; note?: string }>().optional(),
  recipe: z.string().optional().describe("Start from this recipe.py (e.g. a hand-edited one) instead of writing one; repaired if it fails"),
  check: z.string().optional().describe("check.py to go with a given recipe"),
  /** What the coder changed for the next attempt, recorded with it. */
  fix: z.string().optional(),
  /** Set when the coder cannot produce (or repair) code: the run goes straight to verify. */
  codeError: z.string().optional(),
  /** Set when the LLM planner (or chef) gave up: the coder passes it on as codeError. */
  planError: z.string().optional(),
  /** Every policy LLM call (planner, coder, chef), in order; all calls are also in trajectory.jsonl. */
  trajectory: new ReducedValue(z.array(z.custom<LlmCallRecord>()).default(() => []), {
    inputSchema: z.array(z.custom<LlmCallRecord>()),
    reducer: appendTrajectory,
  }),
  attempts: new ReducedValue(z.array(z.custom<Attempt>()).default(() => []), {
    inputSchema: z.array(z.custom<Attempt>()),
    reducer: appendAttempts,
  }),
  timings: new ReducedValue(z.record(z.string(), z.number()).default(() => ({})), {
    inputSchema: z.record(z.string(), z.number()),
    reducer: mergeTimings,
  }),
  warnings: new ReducedValue(z.array(z.string()).default(() => []), {
    inputSchema: z.array(z.string()),
    reducer: appendWarnings,
  }),

  // ---- output
  report: z.custom<Report>().optional(),
  status: z.string().optional(),
  error: z.string().optional(),
});

export type RecipeStateValue = typeof RecipeState.State;
export type RecipeStateUpdate = typeof RecipeState.Update;
