/**
 * The LLM coder: the plan, the planned sources' profiles and the toolkit reference in; recipe.py
 * and check.py out (exactly two fenced python blocks). Repairs get the failed code, the error
 * classification and the tails of the traceback and stderr. Replies are parsed and checked as
 * text (known sources, no benchmark access, output written); an invalid reply is asked again
 * with the problems as feedback a bounded number of times, then reported as LlmPolicyError.
 */
import type { ChatOpenAI } from "@langchain/openai";
import type { SourceProfile } from "../../src/data/types.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask } from "../../src/task/spec.js";
import type { ModelConfig } from "../../src/llm/config.js";
import { invokeText, LlmCallError, LlmPolicyError, type PromptMessages } from "../../src/llm/call.js";
import { taskPromptVars } from "../../src/llm/context.js";
import { codeProblems, parseCoderReply } from "../../src/llm/parse.js";
import { renderChatPrompt, type PromptVars } from "../../src/llm/prompts.js";
import type { TrajectoryRecorder } from "../../src/llm/recorder.js";
import { toolkitReference } from "../../src/toolkit/reference.js";
import type { ClassifiedError } from "../interpreter/classify.js";
import { renderPlanMd } from "../planner/plan-md.js";
import { feedbackBlock } from "../planner/llm.js";
import type { Plan } from "../planner/plan.js";

export interface CoderLlmBase {
  task: LoadedTask;
  plan: Plan;
  /** plan.md as shown to the user (default: rendered from `plan`). */
  planMd?: string;
  profiles: SourceProfile[];
  contract: TaskContract;
  benchmarkExamples: Record<string, unknown>[];
  config: ModelConfig;
  recorder?: TrajectoryRecorder;
  /** Re-asks after an invalid reply (default 2). */
  retries?: number;
  traceMetadata?: Record<string, unknown>;
  signal?: AbortSignal;
  model?: ChatOpenAI;
}

export interface WrittenRecipeLlm {
  recipe: string;
  check: string;
  fix?: string;
  warnings: string[];
  attempts: number;
}

export interface RepairLlmArgs extends CoderLlmBase {
  recipe: string;
  check: string;
  error: ClassifiedError;
  failedPhase?: "recipe" | "check";
  /** The number of the attempt that failed (1-based). */
  attempt: number;
}

function baseVars(args: CoderLlmBase): PromptVars {
  const planned = new Set(args.plan.training_data.map((t) => t.dataset_id));
  // the coder needs the schemas of the planned sources only
  const profiles = args.profiles.filter((p) => planned.has(p.id));
  return {
    ...taskPromptVars({ task: args.task, profiles, contract: args.contract, benchmarkExamples: args.benchmarkExamples }, { examplesPerSource: 2, maxString: 400 }),
    plan: args.planMd ?? renderPlanMd(args.plan),
    toolkit: toolkitReference(),
  };
}

async function askForCode(
  args: CoderLlmBase,
  template: "coder" | "repair",
  vars: PromptVars,
  agent: string,
  meta: Record<string, unknown>,
): Promise<WrittenRecipeLlm> {
  const retries = args.retries ?? 2;
  const sources = args.plan.training_data.map((t) => t.dataset_id);
  const benchmark = { path: args.task.spec.benchmark.path, id: args.task.spec.benchmark.id };
  let feedback = "";
  let problems: string[] = [];
  for (let n = 1; n <= retries + 1; n++) {
    const prompt: PromptMessages = renderChatPrompt(template, { ...vars, feedback });
    let text: string;
    try {
      text = await invokeText(prompt, { config: args.config, recorder: args.recorder, agent, meta: { ...meta, try: n }, traceMetadata: args.traceMetadata, signal: args.signal, model: args.model });
    } catch (e) {
      const err = e instanceof LlmCallError ? e : new LlmCallError(String(e), "unknown");
      throw new LlmPolicyError(`${template === "repair" ? "repair" : "coder"} model call failed (${err.kind}): ${err.message}`, err.kind, n);
    }
    const reply = parseCoderReply(text);
    if ("error" in reply) problems = [reply.error];
    else {
      problems = codeProblems(reply.recipe, reply.check, { sources, benchmark });
      if (!problems.length) return { recipe: reply.recipe, check: reply.check, ...(reply.fix ? { fix: reply.fix } : {}), warnings: reply.warnings, attempts: n };
    }
    feedback = feedbackBlock(problems, text);
  }
  throw new LlmPolicyError(`the ${template === "repair" ? "repaired" : "written"} code was still invalid after ${retries + 1} attempts: ${problems.join("; ")}`, "invalid_output", retries + 1);
}

export async function writeRecipeLlm(args: CoderLlmBase): Promise<WrittenRecipeLlm> {
  return askForCode(args, "coder", baseVars(args), args.config.agent === "chef" ? "chef" : "coder", { phase: "write" });
}

export async function repairRecipeLlm(args: RepairLlmArgs): Promise<WrittenRecipeLlm & { fix: string }> {
  const vars: PromptVars = {
    ...baseVars(args),
    attempt: args.attempt,
    failed_phase: args.failedPhase === "check" ? "check.py" : "recipe.py",
    error_kind: args.error.kind,
    error_message: args.error.message || "(no message)",
    traceback_tail: args.error.tracebackTail || "(no traceback)",
    stderr_tail: args.error.stderrTail || "(empty)",
    recipe: args.recipe.trimEnd(),
    check: args.check.trimEnd() || "# (no check.py)",
  };
  const out = await askForCode(args, "repair", vars, args.config.agent === "chef" ? "chef" : "coder", { phase: "repair", failed_attempt: args.attempt, error_kind: args.error.kind });
  return { ...out, fix: out.fix ?? `LLM repair of ${args.error.kind}: ${args.error.message}`.slice(0, 300) };
}
