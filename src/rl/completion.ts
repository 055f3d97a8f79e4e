/**
 * A finished recipe run as a rollout: the completion in the end-to-end chef format, the
 * trajectory (planner decisions or recorded model calls) and the reward with its parts.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { RecipeStateValue } from "../../graphs/state.js";
import type { PlannerDecision } from "../../agents/planner/decisions.js";
import { readTrajectory, type LlmCallRecord } from "../llm/recorder.js";
import { TRAJECTORY_FILE } from "../llm/policy.js";
import type { Report } from "../verify/report.js";
import type { RolloutRecord, RolloutTrajectory } from "./types.js";

/** plan.md, then recipe.py and check.py as labelled python blocks: what a chef model answers. */
export function chefCompletionText(planMd: string, recipe: string, check: string): string {
  const fence = (code: string) => (code.includes("```") ? "~~~~" : "```");
  const block = (name: string, code: string) => `### ${name}\n${fence(code)}python\n${code.trimEnd()}\n${fence(code)}\n`;
  return `${planMd.trimEnd()}\n\n${block("recipe.py", recipe)}\n${block("check.py", check)}`;
}

/** The reward and what it is made of, from the run's report. */
export function rewardParts(report: Report): Record<string, unknown> {
  return {
    status: report.status,
    reward: report.reward,
    mean_score: report.verifier.mean_score,
    sampled: report.verifier.sampled,
    grades: report.verifier.grades,
    records: report.records,
    attempts: report.attempts,
    sources_used: report.sources_used,
    contaminated_records: report.contamination.contaminated_records,
    ...(report.duplicate_rate !== undefined ? { duplicate_rate: report.duplicate_rate } : {}),
    ...(report.reason ? { reason: report.reason } : {}),
  };
}

function lastChefReply(calls: LlmCallRecord[]): string | undefined {
  return [...calls].reverse().find((c) => c.agent === "chef" && c.status === "ok" && c.response?.content)?.response?.content;
}

export interface RunSummary {
  completion: string;
  trajectory: RolloutTrajectory;
  reward: number;
  rewardParts: Record<string, unknown>;
  status: RolloutRecord["status"];
  policy: string;
  model?: string;
  timings: Record<string, number>;
}

/** What a rollout keeps of a finished recipe-graph run. */
export function summarizeRun(state: RecipeStateValue, outDir: string): RunSummary {
  const report = state.report;
  if (!report) throw new Error("the recipe run ended without a report");
  const file = path.join(outDir, TRAJECTORY_FILE);
  const calls = existsSync(file) ? readTrajectory(file) : (state.trajectory ?? []);
  const attempts = (state.attempts ?? []).map((a) => ({ n: a.n, ok: a.ok, ...(a.error ? { error: `${a.error.kind}: ${a.error.message}` } : {}), ...(a.fix ? { fix: a.fix } : {}) }));
  const decisions = (state.planDecisions ?? []) as PlannerDecision[];
  const llm = calls.some((c) => c.agent === "planner" || c.agent === "coder" || c.agent === "chef");
  const trajectory: RolloutTrajectory = llm
    ? { kind: "llm", calls, attempts }
    : { kind: "builtin", decisions, logProb: decisions.reduce((s, d) => s + d.logProb, 0), attempts, ...(calls.length ? { calls } : {}) };
  const completion = (llm ? lastChefReply(calls) : undefined) ?? chefCompletionText(state.planMd ?? "", state.recipe ?? "", state.check ?? "");
  const models = (report as Report & { models?: Record<string, string> }).models;
  const model = llm ? (models?.chef !== "builtin" ? models?.chef : models?.planner) : undefined;
  return {
    completion,
    trajectory,
    reward: report.reward,
    rewardParts: rewardParts(report),
    status: report.status,
    policy: report.policy,
    ...(model && model !== "builtin" ? { model } : {}),
    timings: report.timings_ms,
  };
}
