/**
 * State and run configuration of the rollout graph. Reducers are exported pure functions so they
 * can be unit-tested on their own.
 */
import { ReducedValue, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import { RecipeContextSchema, runSettingFields, withRunSettings, type RunSettings } from "./state.js";
import { ADVANTAGE_METHODS, type GroupStats } from "../src/rl/advantages.js";
import { rolloutKey, type RolloutRecord, type TaskInstance } from "../src/rl/types.js";

/** The recipe run context plus the collection's own settings (Studio: "Configure"). */
export const RolloutContextSchema = RecipeContextSchema.extend({
  group: z.number().int().min(1).max(256).default(8).describe("Rollouts per task instance (G)"),
  augment: z.number().int().min(0).max(64).default(0).describe("Extra instances per task: seeded random subsets of its sources"),
  concurrency: z.number().int().min(1).max(64).default(2).describe("Recipe runs in flight at once"),
  advantage: z.enum(ADVANTAGE_METHODS).default("grpo").describe("grpo: (R - mean) / (std + eps); drgrpo: R - mean"),
  eps: z.number().positive().default(1e-6).describe("eps of the GRPO advantage"),
  store: z.string().default("").describe("SQLite file of the rollout store ('' = keep rollouts in state only)"),
  collection: z.string().default("").describe("Name of this collection ('' = s<seed>); groups are <collection>:<instance>"),
  keepRunsDir: z.string().default("").describe("Keep every run folder under this folder ('' = temporary, removed)"),
  maxRecordsOverride: z.number().int().positive().nullable().default(null).describe("Override every task's budget.max_records"),
  seedScope: z
    .enum(["group", "instance"])
    .default("group")
    .describe("Rollout seeds from (seed, group, index), or from (seed, instance, index): collections with the same seed then replay the same draws (common random numbers)"),
});
export type RolloutContext = z.infer<typeof RolloutContextSchema>;

export function rolloutContext(raw: unknown): RolloutContext {
  return RolloutContextSchema.parse(raw ?? {});
}

/** The collection settings people change most, as optional input fields (Studio's form); they override the context. */
export const rolloutSettingFields = {
  ...runSettingFields,
  seed: runSettingFields.seed.describe("Seed of the collection: rollout seeds derive from it (default: the run context's seed, 0)"),
  group: z.number().int().min(1).max(256).optional().describe("Rollouts per task instance, G (default: the run context's group, 8)"),
  concurrency: z.number().int().min(1).max(64).optional().describe("Recipe runs in flight at once (default: the run context's, 2)"),
  augment: z.number().int().min(0).max(64).optional().describe("Extra instances per task: seeded random subsets of its sources (default 0)"),
  store: z.string().optional().describe("SQLite file of the rollout store; a collection resumes from it (default: rollouts kept in state only)"),
};
export interface RolloutSettings extends RunSettings {
  group?: number;
  concurrency?: number;
  augment?: number;
  store?: string;
}

/** Only the settings of a state (what a Send to run_rollout carries along with its job). */
export function pickRolloutSettings(state: RolloutSettings): RolloutSettings {
  const out: RolloutSettings = {};
  for (const k of Object.keys(rolloutSettingFields) as (keyof RolloutSettings)[]) if (state[k] !== undefined && state[k] !== null && state[k] !== "") (out as Record<string, unknown>)[k] = state[k];
  return out;
}

/** What a rollout node runs with: the run context plus the input's settings. */
export function rolloutRunContext(state: RolloutSettings, config: { context?: unknown }): RolloutContext {
  const s = pickRolloutSettings(state);
  const { group, concurrency, augment, store } = s;
  return rolloutContext({ ...withRunSettings(rolloutContext(config.context), s), ...(group ? { group } : {}), ...(concurrency ? { concurrency } : {}), ...(augment !== undefined ? { augment } : {}), ...(store ? { store } : {}) });
}

/** One recipe run to do: the unit the graph fans out with Send. */
export interface RolloutJob {
  batchId: string;
  groupId: string;
  index: number;
  collection: string;
  instance: TaskInstance;
  seed: number;
}

export interface GroupSummary {
  groupId: string;
  instanceId: string;
  taskId: string;
  size: number;
  scored: number;
  failed: number;
  stats: GroupStats | null;
  flags: string[];
  complete: boolean;
}

/** Upsert by (group, index): a rollout reported twice (resume, re-score) appears once. */
export function mergeRollouts(current: RolloutRecord[], update: RolloutRecord[]): RolloutRecord[] {
  const byKey = new Map(current.map((r) => [rolloutKey(r.groupId, r.index), r]));
  for (const r of update) byKey.set(rolloutKey(r.groupId, r.index), r);
  return [...byKey.values()].sort((a, b) => (a.groupId === b.groupId ? a.index - b.index : a.groupId < b.groupId ? -1 : 1));
}

export const RolloutState = new StateSchema({
  // ---- input
  tasks: z.array(z.string()).describe("Task spec files or folders of them"),
  ...rolloutSettingFields,

  // ---- working state
  instances: z.array(z.custom<TaskInstance>()).optional(),
  jobs: z.array(z.custom<RolloutJob>()).optional(),
  batchId: z.string().optional(),
  /** Rollouts found done in the store (resumed collection). */
  alreadyDone: z.number().int().optional(),

  // ---- output
  rollouts: new ReducedValue(z.array(z.custom<RolloutRecord>()).default(() => []), {
    inputSchema: z.array(z.custom<RolloutRecord>()),
    reducer: mergeRollouts,
  }),
  groups: z.array(z.custom<GroupSummary>()).optional(),
});

export type RolloutStateValue = typeof RolloutState.State;
export type RolloutStateUpdate = typeof RolloutState.Update;
