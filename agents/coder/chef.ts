/**
 * The end-to-end chef: one call returns the plan and both scripts (the paper's format, and what
 * a GRPO-trained policy produces). The reply is read by `parseChefCompletion`, the library
 * function the reward server also uses, then checked like the planner's and the coder's output.
 */
import type { ChatOpenAI } from "@langchain/openai";
import type { SourceProfile } from "../../src/data/types.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask } from "../../src/task/spec.js";
import type { ModelConfig } from "../../src/llm/config.js";
import { invokeText, LlmCallError, LlmPolicyError } from "../../src/llm/call.js";
import { taskPromptVars } from "../../src/llm/context.js";
import { codeProblems, parseChefCompletion } from "../../src/llm/parse.js";
import { renderChatPrompt, type PromptVars } from "../../src/llm/prompts.js";
import type { TrajectoryRecorder } from "../../src/llm/recorder.js";
import { toolkitReference } from "../../src/toolkit/reference.js";
import { feedbackBlock, validatePlan } from "../planner/llm.js";
import type { Plan } from "../planner/plan.js";

export interface ChefLlmOptions {
  task: LoadedTask;
  profiles: SourceProfile[];
  contract: TaskContract;
  benchmarkExamples: Record<string, unknown>[];
  config: ModelConfig;
  only?: string[];
  maxRecords?: number;
  recorder?: TrajectoryRecorder;
  /** Re-asks after an invalid completion (default 2). */
  retries?: number;
  traceMetadata?: Record<string, unknown>;
  signal?: AbortSignal;
  model?: ChatOpenAI;
}

export interface ChefResult {
  plan: Plan;
  /** The plan part of the completion, as written. */
  planText: string;
  recipe: string;
  check: string;
  /** The whole completion (what the reward server would score). */
  completion: string;
  warnings: string[];
  attempts: number;
}

/** The chef's prompt for a task: also what a rollout collector stores as the GRPO prompt. */
export function chefPrompt(opts: Pick<ChefLlmOptions, "task" | "profiles" | "contract" | "benchmarkExamples" | "maxRecords">, feedback = ""): { system: string; user: string } {
  const vars: PromptVars = {
    ...taskPromptVars({ task: opts.task, profiles: opts.profiles, contract: opts.contract, benchmarkExamples: opts.benchmarkExamples, maxRecords: opts.maxRecords }),
    toolkit: toolkitReference(),
    feedback,
  };
  return renderChatPrompt("chef", vars);
}

export async function chefLlm(opts: ChefLlmOptions): Promise<ChefResult> {
  const profiles = opts.only?.length ? opts.profiles.filter((p) => opts.only!.includes(p.id)) : opts.profiles;
  const allowed = profiles.map((p) => p.id);
  if (!allowed.length) throw new LlmPolicyError(`no source left to plan with (--only ${opts.only?.join(",")} matches none of the task's sources)`, "invalid_output", 0);
  const maxRecords = opts.maxRecords ?? opts.task.maxRecords;
  const benchmark = { path: opts.task.spec.benchmark.path, id: opts.task.spec.benchmark.id };
  const retries = opts.retries ?? 2;
  let feedback = "";
  let problems: string[] = [];
  for (let n = 1; n <= retries + 1; n++) {
    const prompt = chefPrompt({ ...opts, profiles, maxRecords }, feedback);
    let text: string;
    try {
      text = await invokeText(prompt, { config: opts.config, recorder: opts.recorder, agent: "chef", meta: { try: n }, traceMetadata: opts.traceMetadata, signal: opts.signal, model: opts.model });
    } catch (e) {
      const err = e instanceof LlmCallError ? e : new LlmCallError(String(e), "unknown");
      throw new LlmPolicyError(`chef model call failed (${err.kind}): ${err.message}`, err.kind, n);
    }
    const parsed = parseChefCompletion(text, { knownSources: allowed });
    if ("error" in parsed) problems = [parsed.error];
    else {
      const checked = validatePlan(parsed.plan, allowed, maxRecords);
      const planned = checked.plan.training_data.map((t) => t.dataset_id);
      problems = [...checked.errors, ...codeProblems(parsed.recipe, parsed.check, { sources: planned, benchmark })];
      if (!problems.length)
        return { plan: checked.plan, planText: parsed.planMd, recipe: parsed.recipe, check: parsed.check, completion: text, warnings: [...parsed.warnings, ...checked.warnings], attempts: n };
    }
    feedback = feedbackBlock(problems, text);
  }
  throw new LlmPolicyError(`the chef's completion was still invalid after ${retries + 1} attempts: ${problems.join("; ")}`, "invalid_output", retries + 1);
}
