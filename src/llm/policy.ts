/**
 * What the graph's agents need to pick and describe the LLM policy: the policy mode, the run's
 * recorder (trajectory.jsonl in the run folder), trace metadata, and the report's account of
 * which policy and model produced each artifact.
 */
import path from "node:path";
import { describeModel, modelConfigFor, type LlmAgent, type LlmRunContext, type ModelConfig } from "./config.js";
import { readTrajectory, TrajectoryRecorder, type LlmCallRecord } from "./recorder.js";
import type { RunTraceMetadata } from "./tracing.js";

export const POLICY_MODES = ["planner_coder", "chef"] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/**
 * The run-context fields this module reads (a subset of the recipe graph's context). Empty
 * strings, nulls and policyMode "auto" mean "not set here": the environment decides.
 */
export interface PolicyRunContext {
  /** "builtin" or a policy.json of trained built-in parameters. */
  policy?: string;
  policyMode?: PolicyMode | "auto";
  seed?: number;
  temperature?: number;
  model?: string;
  baseUrl?: string;
  plannerModel?: string;
  coderModel?: string;
  chefModel?: string;
  judgeModel?: string;
  synthesisModel?: string;
  judgeBaseUrl?: string;
  agents?: LlmRunContext["agents"];
  llmCalls?: number | null;
  llmTokens?: number | null;
}

type Env = Record<string, string | undefined>;

export const TRAJECTORY_FILE = "trajectory.jsonl";

export function policyModeOf(ctx: PolicyRunContext, env: Env = process.env): PolicyMode {
  const m = ctx.policyMode && ctx.policyMode !== "auto" ? ctx.policyMode : env.DATACHEF_POLICY_MODE?.trim();
  if (m === undefined || m === "") return "planner_coder";
  if (!(POLICY_MODES as readonly string[]).includes(m)) throw new Error(`policy mode '${m}': expected one of ${POLICY_MODES.join(", ")}`);
  return m as PolicyMode;
}

/** The model fields of a run context, as the config module reads them. */
export function llmContextOf(ctx: PolicyRunContext): LlmRunContext {
  const { model, baseUrl, temperature, plannerModel, coderModel, chefModel, judgeModel, synthesisModel, judgeBaseUrl, agents } = ctx;
  return Object.fromEntries(
    Object.entries({ model, baseUrl, temperature, plannerModel, coderModel, chefModel, judgeModel, synthesisModel, judgeBaseUrl, agents }).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  ) as LlmRunContext;
}

/** The model an agent uses in this run, or null (built-in). */
export function agentModel(agent: LlmAgent, ctx: PolicyRunContext, env: Env = process.env): ModelConfig | null {
  return modelConfigFor(agent, llmContextOf(ctx), env);
}

/**
 * Reads every agent's configuration once, so a malformed value (DATACHEF_JUDGE_CONCURRENCY=lots)
 * fails the run at its start with a clear message, not after the recipe has run.
 */
export function checkLlmConfig(ctx: PolicyRunContext, env: Env = process.env): void {
  policyModeOf(ctx, env);
  for (const a of ["planner", "coder", "chef", "judge", "synthesis"] as const) agentModel(a, ctx, env);
}

/** The recorder of a run: appends every call to <workDir>/trajectory.jsonl as it finishes. */
export function runRecorder(workDir: string, meta: Record<string, unknown> = {}): TrajectoryRecorder {
  return new TrajectoryRecorder({ file: path.join(workDir, TRAJECTORY_FILE), meta });
}

/** The built-in policy's name in reports. */
function builtinLabel(policy: string | undefined): string {
  return !policy || policy === "builtin" ? "builtin" : `builtin:${path.basename(policy)}`;
}

/** Which policy produced the plan and the code: the model name(s), else the built-in policy. */
export function policyLabel(ctx: PolicyRunContext, env: Env = process.env): string {
  const builtin = builtinLabel(ctx.policy);
  if (policyModeOf(ctx, env) === "chef") {
    const chef = agentModel("chef", ctx, env);
    if (chef) return chef.model;
  }
  const planner = agentModel("planner", ctx, env)?.model;
  const coder = agentModel("coder", ctx, env)?.model;
  if (!planner && !coder) return builtin;
  if (planner === coder) return planner!;
  return `planner=${planner ?? builtin},coder=${coder ?? builtin}`;
}

export function traceMetadataFor(taskId: string | undefined, ctx: PolicyRunContext, env: Env = process.env): RunTraceMetadata {
  const mode = policyModeOf(ctx, env);
  const model = agentModel(mode === "chef" ? "chef" : "planner", ctx, env)?.model ?? agentModel("coder", ctx, env)?.model;
  return { task_id: taskId, seed: ctx.seed, policy: policyLabel(ctx, env), policy_mode: mode, ...(model ? { model } : {}) };
}

export interface LlmReportExtras {
  policy_mode: PolicyMode;
  /** Each agent's model ("builtin" when none). */
  models: Record<LlmAgent, string>;
  /** Who produced each artifact: "llm:<model> (<agent>)", "builtin", ... */
  provenance: Record<string, string>;
  /** Calls, tokens and failures of the trajectory, per agent. */
  llm_usage?: Record<string, { calls: number; errors: number; refused: number; prompt_tokens: number; completion_tokens: number }>;
}

function usageByAgent(records: LlmCallRecord[]): LlmReportExtras["llm_usage"] {
  if (!records.length) return undefined;
  const out: NonNullable<LlmReportExtras["llm_usage"]> = {};
  for (const r of records) {
    const u = (out[r.agent] ??= { calls: 0, errors: 0, refused: 0, prompt_tokens: 0, completion_tokens: 0 });
    u.calls++;
    if (r.status === "error") u.errors++;
    if (r.status === "refused") u.refused++;
    u.prompt_tokens += r.usage?.prompt_tokens ?? 0;
    u.completion_tokens += r.usage?.completion_tokens ?? 0;
  }
  return out;
}

/**
 * The report's account of the run's policy. `given` (what the agents recorded in state) wins;
 * otherwise provenance is read off the trajectory: the last successful call of the agent that
 * writes each artifact.
 */
export function llmReportExtras(args: { ctx: PolicyRunContext; workDir?: string; judgeName?: string; given?: Record<string, string>; env?: Env }): LlmReportExtras {
  const env = args.env ?? process.env;
  const mode = policyModeOf(args.ctx, env);
  const builtin = builtinLabel(args.ctx.policy);
  const models = Object.fromEntries(
    (["planner", "coder", "chef", "judge", "synthesis"] as const).map((a) => {
      const cfg = agentModel(a, args.ctx, env);
      return [a, cfg ? describeModel(cfg) : "builtin"];
    }),
  ) as Record<LlmAgent, string>;
  const records = args.workDir ? readTrajectory(path.join(args.workDir, TRAJECTORY_FILE)) : [];
  const lastOk = (agents: string[]) => [...records].reverse().find((r) => r.status === "ok" && agents.includes(r.agent));
  const by = (r: LlmCallRecord | undefined) => (r ? `llm:${r.model ?? "?"} (${r.agent})` : builtin);
  const provenance: Record<string, string> = {
    "plan.md": by(lastOk(["planner", "chef"])),
    "recipe.py": by(lastOk(["coder", "chef"])),
    "check.py": by(lastOk(["coder", "chef"])),
    ...(args.judgeName ? { "report.json": `judge ${args.judgeName}` } : {}),
    ...args.given,
  };
  const usage = usageByAgent(records);
  return { policy_mode: mode, models, provenance, ...(usage ? { llm_usage: usage } : {}) };
}
