/**
 * The LLM planner: the task, the source profiles and a few benchmark examples in; the plan of
 * contracts.md out, as structured output (json_schema or a forced tool call) or as plan.md text.
 * Every plan is validated (known sources, budget, operations); an invalid one is asked again
 * with the errors as feedback a bounded number of times, then reported as LlmPolicyError.
 */
import { z } from "zod";
import type { ChatOpenAI } from "@langchain/openai";
import type { SourceProfile } from "../../src/data/types.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask } from "../../src/task/spec.js";
import type { ModelConfig } from "../../src/llm/config.js";
import { invokeStructured, invokeText, LlmCallError, LlmPolicyError, type PromptMessages } from "../../src/llm/call.js";
import { taskPromptVars } from "../../src/llm/context.js";
import { renderChatPrompt, renderPrompt } from "../../src/llm/prompts.js";
import type { TrajectoryRecorder } from "../../src/llm/recorder.js";
import { DEFAULT_OPERATIONS, parsePlanMd } from "./plan-md.js";
import type { Plan } from "./plan.js";

const count = z.coerce.number().int().positive();

/** The plan as a model returns it (lenient where models vary harmlessly). */
export const LlmPlanSchema = z
  .object({
    training_data: z
      .array(
        z.object({
          dataset_id: z.string().min(1).describe("A source id from the task's list"),
          split: z.string().optional().describe("Split name, normally 'train'"),
          sample_num: count.describe("Records to take from this source"),
          reason: z.string().optional().describe("Why this source is used"),
        }),
      )
      .describe("The sources used, one entry each"),
    rejected: z
      .array(z.object({ dataset_id: z.string(), reason: z.string() }))
      .optional()
      .describe("Sources not used, with the reason"),
    workflow: z.string().min(1).describe("How the sources are processed into chat records"),
    operations: z
      .object({
        dedup_exact: z.boolean(),
        dedup_near: z.boolean(),
        near_threshold: z.number().gt(0).lte(1),
        filter_outliers: z.boolean(),
        outlier_z: z.number().positive(),
        decontaminate: z.boolean(),
        min_answer_chars: z.number().int().min(0),
        max_answer_chars: z.number().int().positive(),
      })
      .partial()
      .optional()
      .describe("Processing switches and thresholds"),
  })
  .describe("A data recipe plan");
export type LlmPlan = z.infer<typeof LlmPlanSchema>;

export interface PlanLlmOptions {
  task: LoadedTask;
  profiles: SourceProfile[];
  contract: TaskContract;
  benchmarkExamples: Record<string, unknown>[];
  config: ModelConfig;
  /** User-restricted source ids: only these are shown and allowed. */
  only?: string[];
  /** Record budget (default task.maxRecords). */
  maxRecords?: number;
  recorder?: TrajectoryRecorder;
  /** Re-asks after an invalid plan (default 2). */
  retries?: number;
  traceMetadata?: Record<string, unknown>;
  signal?: AbortSignal;
  model?: ChatOpenAI;
}

export interface PlanLlmResult {
  plan: Plan;
  /** The built-in policy's sampled decisions; an LLM plan has none. */
  decisions: unknown[];
  warnings: string[];
  /** Model calls made (1 + re-asks). */
  attempts: number;
  /** The plan as the model wrote it, in text mode. */
  planText?: string;
}

/** Scales sample_num down proportionally when the plan asks for more than the budget. */
export function fitPlanToBudget(plan: Plan, maxRecords: number): { plan: Plan; warning?: string } {
  const total = plan.training_data.reduce((s, t) => s + t.sample_num, 0);
  if (total <= maxRecords) return { plan };
  const scale = maxRecords / total;
  const training_data = plan.training_data.map((t) => ({ ...t, sample_num: Math.max(1, Math.floor(t.sample_num * scale)) }));
  return { plan: { ...plan, training_data }, warning: `the plan asked for ${total} records, more than the budget of ${maxRecords}; sample_num scaled by ${scale.toFixed(3)}` };
}

/** Semantic checks of a plan against the task: the errors a model must fix, and harmless warnings. */
export function validatePlan(plan: Plan, allowed: string[], maxRecords: number): { plan: Plan; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  plan.training_data.forEach((t, i) => {
    if (!allowed.includes(t.dataset_id)) errors.push(`training_data[${i}].dataset_id: '${t.dataset_id}' is not a source of this task (allowed: ${allowed.join(", ")})`);
    if (seen.has(t.dataset_id)) errors.push(`training_data[${i}].dataset_id: '${t.dataset_id}' is listed more than once`);
    seen.add(t.dataset_id);
  });
  if (!plan.training_data.length) errors.push("training_data: the plan selects no source; choose at least one");
  const rejected = plan.rejected.filter((r) => {
    const ok = allowed.includes(r.dataset_id);
    if (!ok) warnings.push(`rejected: '${r.dataset_id}' is not a source of this task (ignored)`);
    return ok && !seen.has(r.dataset_id);
  });
  // every source gets a stated fate, so plan.md explains each one
  for (const id of allowed) if (!seen.has(id) && !rejected.some((r) => r.dataset_id === id)) rejected.push({ dataset_id: id, reason: "not selected by the planner (no reason given)" });
  const fitted = fitPlanToBudget({ ...plan, rejected }, maxRecords);
  if (fitted.warning) warnings.push(fitted.warning);
  return { plan: fitted.plan, errors, warnings };
}

export function planFromLlm(p: LlmPlan): Plan {
  return {
    training_data: p.training_data.map((t) => ({ dataset_id: t.dataset_id.trim(), split: t.split?.trim() || "train", sample_num: t.sample_num, reason: t.reason?.trim() ?? "" })),
    rejected: (p.rejected ?? []).map((r) => ({ dataset_id: r.dataset_id.trim(), reason: r.reason.trim() })),
    workflow: p.workflow.trim(),
    operations: { ...DEFAULT_OPERATIONS, ...Object.fromEntries(Object.entries(p.operations ?? {}).filter(([, v]) => v !== undefined && v !== null)) },
  };
}

/** The feedback block appended to a re-ask. */
export function feedbackBlock(errors: string[], previous?: string): string {
  const lines = ["", "## Your previous answer was rejected", ...errors.map((e) => `- ${e}`)];
  if (previous) lines.push("", "Your previous answer began:", "````", previous.slice(0, 1500), "````");
  lines.push("", "Answer again in full, fixing every problem above.");
  return lines.join("\n");
}

export async function planLlm(opts: PlanLlmOptions): Promise<PlanLlmResult> {
  const profiles = opts.only?.length ? opts.profiles.filter((p) => opts.only!.includes(p.id)) : opts.profiles;
  const allowed = profiles.map((p) => p.id);
  if (!allowed.length) throw new LlmPolicyError(`no source left to plan with (--only ${opts.only?.join(",")} matches none of the task's sources)`, "invalid_output", 0);
  const maxRecords = opts.maxRecords ?? opts.task.maxRecords;
  const textMode = opts.config.structuredMethod === "text";
  const base = taskPromptVars({ task: opts.task, profiles, contract: opts.contract, benchmarkExamples: opts.benchmarkExamples, maxRecords });
  const outputFormat = renderPrompt(textMode ? "planner-format-md" : "planner-format-json", base);
  const retries = opts.retries ?? 2;
  let feedback = "";
  let lastErrors: string[] = [];
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const prompt: PromptMessages = renderChatPrompt("planner", { ...base, output_format: outputFormat, feedback });
    const call = { config: opts.config, recorder: opts.recorder, agent: "planner", meta: { attempt }, traceMetadata: opts.traceMetadata, signal: opts.signal, model: opts.model };
    let plan: Plan | undefined;
    let raw = "";
    const warnings: string[] = [];
    try {
      if (textMode) {
        raw = await invokeText(prompt, call);
        const parsed = parsePlanMd(raw, { knownSources: allowed });
        if (parsed.ok && parsed.plan) {
          plan = parsed.plan;
          warnings.push(...parsed.warnings);
        } else lastErrors = parsed.errors;
      } else {
        const out = await invokeStructured(prompt, LlmPlanSchema, "data_recipe_plan", call);
        raw = out.raw;
        if (out.value) plan = planFromLlm(out.value);
        else lastErrors = [out.error ?? "the answer is not a plan"];
      }
    } catch (e) {
      // the model server failed after its own HTTP retries: re-asking would fail the same way
      const err = e instanceof LlmCallError ? e : new LlmCallError(String(e), "unknown");
      throw new LlmPolicyError(`planner model call failed (${err.kind}): ${err.message}`, err.kind, attempt);
    }
    if (plan) {
      const checked = validatePlan(plan, allowed, maxRecords);
      if (!checked.errors.length) return { plan: checked.plan, decisions: [], warnings: [...warnings, ...checked.warnings], attempts: attempt, ...(textMode ? { planText: raw } : {}) };
      lastErrors = checked.errors;
    }
    feedback = feedbackBlock(lastErrors, raw);
  }
  throw new LlmPolicyError(`the planner's plan was still invalid after ${retries + 1} attempts: ${lastErrors.join("; ")}`, "invalid_output", retries + 1);
}
