/** The records the rollout collector produces, stores and exports. */
import type { PlannerDecision } from "../../agents/planner/decisions.js";
import type { LlmCallRecord } from "../llm/recorder.js";
import type { GroupStats } from "./advantages.js";

export interface ChatMessage {
  role: string;
  content: string;
}

/** A task instance: a task, or a seeded subset of its sources (augmentation). */
export interface TaskInstance {
  /** `<task id>` for the whole task, `<task id>@<src>+<src>...` for a subset (self-describing). */
  instanceId: string;
  taskId: string;
  /** Absolute path of the task spec. */
  taskPath: string;
  /** Source ids this instance may use (all of the task's for the whole task). */
  sources: string[];
  augmented: boolean;
  /** The policy prompt for this instance (chef format), once known. */
  prompt?: ChatMessage[];
}

export interface AttemptBrief {
  n: number;
  ok: boolean;
  error?: string;
  fix?: string;
}

/** What the policy did in one rollout. */
export interface RolloutTrajectory {
  /** builtin: planner decisions with log-probs; llm: the recorded model calls. */
  kind: "builtin" | "llm";
  decisions?: PlannerDecision[];
  /** Σ log π of the decisions (builtin). */
  logProb?: number;
  calls?: LlmCallRecord[];
  attempts: AttemptBrief[];
}

/** Rollout status: the run's report status, or "failed" when the collector itself crashed. */
export type RolloutStatus = "ok" | "empty" | "format_error" | "contaminated" | "execution_error" | "failed";

export interface RolloutRecord {
  groupId: string;
  index: number;
  collection: string;
  instanceId: string;
  taskId: string;
  /** "builtin", "builtin:<policy.json>", or the model name(s). */
  policy: string;
  model?: string;
  seed: number;
  temperature: number;
  prompt: ChatMessage[];
  trajectory: RolloutTrajectory;
  /** The policy's answer in the end-to-end chef format (plan + recipe.py + check.py). */
  completion: string;
  /** null only for status "failed". */
  reward: number | null;
  rewardParts: Record<string, unknown>;
  status: RolloutStatus;
  /** Set once the group is complete. */
  advantage: number | null;
  timings: Record<string, number>;
  error?: string;
  startedAt: string;
  finishedAt: string;
  wallMs: number;
  /** Run folder, when kept. */
  runDir?: string;
}

export interface GroupRecord {
  groupId: string;
  collection: string;
  instanceId: string;
  taskId: string;
  size: number;
  policy: string;
  seed: number;
  method: string;
  /** Statistics over the scored (non-failed) rollouts, once the group is complete. */
  stats: GroupStats | null;
  flags: string[];
  complete: boolean;
}

export const rolloutKey = (groupId: string, index: number): string => `${groupId}#${index}`;
