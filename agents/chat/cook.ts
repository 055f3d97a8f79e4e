/**
 * The chat's side of cooking: which task and settings a request means (checked against the
 * task's sources before anything runs), and what to say about the recipe graph's final state.
 */
import { loadTaskSpec } from "../../src/task/spec.js";
import type { Report } from "../../src/verify/report.js";
import type { Plan } from "../planner/plan.js";
import { runSummary } from "./answers.js";
import type { ChatRequest } from "./request.js";
import { resolveTaskRef } from "./resolve.js";

/** What a finished cook or verify left behind, for follow-up questions. */
export interface LastRun {
  kind: "cook" | "verify" | "rejected";
  task: string;
  status?: string;
  reward?: number;
  outDir?: string;
}

/** The chat settings a cook starts from (kept in the chat state). */
export interface CookSettings {
  taskPath?: string;
  only?: string[];
  maxRecords?: number;
}

export interface CookPlan {
  ok: true;
  taskId: string;
  taskPath: string;
  /** Empty = every source. */
  only: string[];
  maxRecords?: number;
  seed: number;
}

export type Outcome = { ok: false; message: string };

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 400);
}

/** The task's id and source ids, or why the spec cannot be used. */
export function specSources(taskPath: string): { id: string; sources: string[] } | { error: string } {
  try {
    const t = loadTaskSpec(taskPath);
    return { id: t.spec.id, sources: t.spec.sources.map((s) => s.id) };
  } catch (e) {
    return { error: firstLine(e) };
  }
}

/** The reply when named sources are not the task's; undefined when they all are. */
export function unknownSourcesReply(named: string[], task: { id: string; sources: string[] }): string | undefined {
  const unknown = named.filter((s) => !task.sources.includes(s));
  if (!unknown.length) return undefined;
  return `${unknown.join(", ")} ${unknown.length === 1 ? "is not a source" : "are not sources"} of ${task.id}. Its sources are: ${task.sources.join(", ")}.`;
}

/** Resolves the task and settings of a cook request. Settings carry over while the task stays the same. */
export function prepareCook(req: ChatRequest, current: CookSettings, opts: { tasksDir: string; seed: number }): CookPlan | Outcome {
  const found = resolveTaskRef(req.task, { tasksDir: opts.tasksDir, current: current.taskPath });
  if (!found.ok) return { ok: false, message: found.message };
  const spec = specSources(found.path);
  if ("error" in spec) return { ok: false, message: `I cannot use that task spec: ${spec.error}` };
  const sameTask = found.path === current.taskPath;
  const only = req.allSources ? [] : (req.sources ?? (sameTask ? current.only : undefined) ?? []);
  const bad = unknownSourcesReply(only, spec);
  if (bad) return { ok: false, message: bad };
  const maxRecords = req.maxRecords ?? (sameTask ? current.maxRecords : undefined);
  return { ok: true, taskId: spec.id, taskPath: found.path, only, ...(maxRecords ? { maxRecords } : {}), seed: req.seed ?? opts.seed };
}

/** A "set" request applied to the chat's settings: the update, and what to say. */
export function applySettings(req: ChatRequest, taskPath: string | undefined): { update: { only?: string[]; maxRecords?: number; seed?: number }; message: string } {
  const update: { only?: string[]; maxRecords?: number; seed?: number } = {};
  const said: string[] = [];
  if (req.sources?.length) {
    if (taskPath) {
      const spec = specSources(taskPath);
      if ("error" in spec) return { update: {}, message: `I cannot read the current task: ${spec.error}` };
      const bad = unknownSourcesReply(req.sources, spec);
      if (bad) return { update: {}, message: bad };
    }
    update.only = req.sources;
    said.push(`use only ${req.sources.join(", ")}`);
  } else if (req.allSources) {
    update.only = [];
    said.push("use every source");
  }
  if (req.maxRecords) {
    update.maxRecords = req.maxRecords;
    said.push(`produce at most ${req.maxRecords} records`);
  }
  if (req.seed !== undefined) {
    update.seed = req.seed;
    said.push(`use seed ${req.seed}`);
  }
  const task = taskPath?.split(/[\\/]/).pop();
  const next = task ? `Say "cook" to cook ${task} with these settings.` : `Which task? Say "cook <task spec>" to start.`;
  return { update, message: `OK: the next recipe will ${said.join(", ")}. ${next}` };
}

/** What the chat says (and keeps) once the recipe subgraph has finished. */
export function cookOutcome(final: Record<string, unknown>, taskId: string): { message: string; lastPlan?: Plan; lastRun?: LastRun } {
  const plan = final.recipePlan as Plan | undefined;
  const report = final.report as Report | undefined;
  const approval = final.approval as { action?: string; note?: string } | undefined;
  if (report) {
    const outDir = (final.outDir as string | undefined) ?? (report as { out_dir?: string }).out_dir;
    return {
      message: runSummary(report, { outDir, plan, kind: "cook" }),
      lastPlan: plan,
      lastRun: { kind: "cook", task: taskId, status: report.status, reward: report.reward, ...(outDir ? { outDir } : {}) },
    };
  }
  if (approval?.action === "reject")
    return {
      message: `Plan for ${taskId} rejected${approval.note ? ` (${approval.note})` : ""}: nothing was run or written. Change the sources ("use only a, b") or the budget, then say "cook".`,
      lastPlan: plan,
      lastRun: { kind: "rejected", task: taskId },
    };
  return { message: `The run for ${taskId} ended without a report.`, lastPlan: plan };
}
