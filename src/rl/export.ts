/**
 * Exports of the rollout store for RL trainers (docs/rl.md has each trainer's expected schema):
 *   trl        JSONL: conversational prompt/completion + reward, advantage and ids
 *   verl       parquet: data_source, prompt (chat), ability, reward_model{style, ground_truth}, extra_info
 *   openrlhf   JSONL: input (chat), output, reward, label (+ advantage and ids)
 *   art        JSONL: one trajectory group per line (ART TrajectoryGroup fields)
 * and prompt datasets for online training, one row per task instance, whose label names the
 * instance for the reward server:
 *   trl-prompts (JSONL), openrlhf-prompts (JSONL), verl-prompts (parquet)
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileAtomic } from "../recipe/run-dir.js";
import type { GroupRecord, RolloutRecord, TaskInstance } from "./types.js";

export const ROLLOUT_FORMATS = ["trl", "verl", "openrlhf", "art"] as const;
export const PROMPT_FORMATS = ["trl-prompts", "openrlhf-prompts", "verl-prompts"] as const;
export const EXPORT_FORMATS = [...ROLLOUT_FORMATS, ...PROMPT_FORMATS] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** verl routes rewards by data_source; ability is free text it only logs. */
export const DATA_SOURCE_PREFIX = "datachef/";
export const ABILITY = "data_recipe";

const assistant = (content: string) => ({ role: "assistant", content });

export function trlRow(r: RolloutRecord): Record<string, unknown> {
  return {
    prompt: r.prompt,
    completion: [assistant(r.completion)],
    reward: r.reward,
    advantage: r.advantage,
    group_id: r.groupId,
    rollout_index: r.index,
    instance_id: r.instanceId,
    task_id: r.taskId,
    status: r.status,
    seed: r.seed,
    policy: r.policy,
  };
}

export function openRlhfRow(r: RolloutRecord): Record<string, unknown> {
  return {
    input: r.prompt,
    output: r.completion,
    reward: r.reward,
    label: r.instanceId,
    advantage: r.advantage,
    group_id: r.groupId,
    rollout_index: r.index,
    status: r.status,
    seed: r.seed,
  };
}

type Scalar = string | number | boolean | null;

/** ART TrajectoryGroup as JSON: the assistant turn is a Choice, so ART trains on it. */
export function artGroup(group: GroupRecord | undefined, rollouts: RolloutRecord[]): Record<string, unknown> {
  const first = rollouts[0]!;
  const meta: Record<string, Scalar> = {
    group_id: first.groupId,
    instance_id: first.instanceId,
    task_id: first.taskId,
    ...(group?.stats ? { reward_mean: group.stats.mean, reward_std: group.stats.std } : {}),
    flags: (group?.flags ?? []).join(",") || null,
  };
  return {
    trajectories: rollouts.map((r) => ({
      messages_and_choices: [...r.prompt, { finish_reason: "stop", index: 0, message: assistant(r.completion) }],
      reward: r.reward,
      metrics: {
        ...(typeof r.rewardParts.mean_score === "number" ? { mean_score: r.rewardParts.mean_score } : {}),
        ...(typeof r.rewardParts.records === "number" ? { records: r.rewardParts.records } : {}),
        ...(typeof r.rewardParts.attempts === "number" ? { attempts: r.rewardParts.attempts } : {}),
        ok: r.status === "ok" ? 1 : 0,
        ...(r.advantage !== null ? { advantage: r.advantage } : {}),
      },
      metadata: { rollout_index: r.index, seed: r.seed, status: r.status, policy: r.policy } satisfies Record<string, Scalar>,
    })),
    metadata: meta,
    exceptions: [],
  };
}

export function artGroups(rollouts: RolloutRecord[], groups: GroupRecord[]): Record<string, unknown>[] {
  const byGroup = new Map<string, RolloutRecord[]>();
  for (const r of rollouts) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
  const info = new Map(groups.map((g) => [g.groupId, g]));
  return [...byGroup.entries()].map(([id, rs]) => artGroup(info.get(id), rs.sort((a, b) => a.index - b.index)));
}

// ---------------------------------------------------------------------------------------------
// verl parquet

const str = (name: string) => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" }) as const;
const i64 = (name: string) => ({ name, type: "INT64", repetition_type: "OPTIONAL" }) as const;
const f64 = (name: string) => ({ name, type: "DOUBLE", repetition_type: "OPTIONAL" }) as const;
type Field = { name: string; kind: "string" | "int" | "double" };

function chatListSchema(name: string) {
  return [
    { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
    str("role"),
    str("content"),
  ];
}

function structSchema(name: string, fields: Field[]) {
  return [{ name, repetition_type: "OPTIONAL", num_children: fields.length }, ...fields.map((f) => (f.kind === "string" ? str(f.name) : f.kind === "int" ? i64(f.name) : f64(f.name)))];
}

function structValue(fields: Field[], v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((f) => {
      const x = v[f.name];
      if (x === null || x === undefined) return [f.name, null];
      return [f.name, f.kind === "int" ? BigInt(Math.round(Number(x))) : f.kind === "double" ? Number(x) : String(x)];
    }),
  );
}

export interface VerlRow {
  data_source: string;
  prompt: { role: string; content: string }[];
  ability: string;
  reward_model: { style: string; ground_truth: string };
  extra_info: Record<string, unknown>;
}

/** Rows in verl's RL dataset layout, written as parquet with nested list/struct columns. */
export function verlParquet(rows: VerlRow[], extraFields: Field[]): Uint8Array {
  const rmFields: Field[] = [
    { name: "style", kind: "string" },
    { name: "ground_truth", kind: "string" },
  ];
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "data_source", data: rows.map((r) => r.data_source) },
      { name: "prompt", data: rows.map((r) => r.prompt.map((m) => ({ role: m.role, content: m.content }))) },
      { name: "ability", data: rows.map((r) => r.ability) },
      { name: "reward_model", data: rows.map((r) => structValue(rmFields, r.reward_model)) },
      { name: "extra_info", data: rows.map((r) => structValue(extraFields, r.extra_info)) },
    ],
    schema: [{ name: "root", num_children: 5 }, str("data_source"), ...chatListSchema("prompt"), str("ability"), ...structSchema("reward_model", rmFields), ...structSchema("extra_info", extraFields)],
  } as unknown as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buf);
}

export const VERL_ROLLOUT_EXTRA: Field[] = [
  { name: "split", kind: "string" },
  { name: "index", kind: "int" },
  { name: "group_id", kind: "string" },
  { name: "rollout_index", kind: "int" },
  { name: "instance_id", kind: "string" },
  { name: "seed", kind: "int" },
  { name: "response", kind: "string" },
  { name: "reward", kind: "double" },
  { name: "advantage", kind: "double" },
  { name: "status", kind: "string" },
];

export const VERL_PROMPT_EXTRA: Field[] = [
  { name: "split", kind: "string" },
  { name: "index", kind: "int" },
  { name: "instance_id", kind: "string" },
  { name: "task_id", kind: "string" },
];

export function verlRolloutRow(r: RolloutRecord, i: number): VerlRow {
  return {
    data_source: `${DATA_SOURCE_PREFIX}${r.taskId}`,
    prompt: r.prompt,
    ability: ABILITY,
    reward_model: { style: "rule", ground_truth: r.instanceId },
    extra_info: { split: "train", index: i, group_id: r.groupId, rollout_index: r.index, instance_id: r.instanceId, seed: r.seed, response: r.completion, reward: r.reward, advantage: r.advantage, status: r.status },
  };
}

// ---------------------------------------------------------------------------------------------
// prompt datasets

export function promptRow(format: "trl-prompts" | "openrlhf-prompts", inst: TaskInstance): Record<string, unknown> {
  if (!inst.prompt) throw new Error(`instance ${inst.instanceId} has no prompt`);
  if (format === "trl-prompts") return { prompt: inst.prompt, instance_id: inst.instanceId, task_id: inst.taskId };
  return { input: inst.prompt, label: inst.instanceId };
}

export function verlPromptRow(inst: TaskInstance, i: number): VerlRow {
  if (!inst.prompt) throw new Error(`instance ${inst.instanceId} has no prompt`);
  return {
    data_source: `${DATA_SOURCE_PREFIX}${inst.taskId}`,
    prompt: inst.prompt,
    ability: ABILITY,
    reward_model: { style: "rule", ground_truth: inst.instanceId },
    extra_info: { split: "train", index: i, instance_id: inst.instanceId, task_id: inst.taskId },
  };
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r) + "\n").join("");

/** Writes one format atomically; returns the number of rows. */
export function writeExport(format: ExportFormat, file: string, data: { rollouts?: RolloutRecord[]; groups?: GroupRecord[]; instances?: TaskInstance[] }): number {
  const rollouts = (data.rollouts ?? []).filter((r) => r.status !== "failed" && r.reward !== null);
  const instances = data.instances ?? [];
  switch (format) {
    case "trl":
      writeFileAtomic(file, jsonl(rollouts.map(trlRow)));
      return rollouts.length;
    case "openrlhf":
      writeFileAtomic(file, jsonl(rollouts.map(openRlhfRow)));
      return rollouts.length;
    case "art": {
      const groups = artGroups(rollouts, data.groups ?? []);
      writeFileAtomic(file, jsonl(groups));
      return groups.length;
    }
    case "verl":
      writeFileAtomic(file, verlParquet(rollouts.map(verlRolloutRow), VERL_ROLLOUT_EXTRA));
      return rollouts.length;
    case "trl-prompts":
    case "openrlhf-prompts":
      writeFileAtomic(file, jsonl(instances.map((i) => promptRow(format, i))));
      return instances.length;
    case "verl-prompts":
      writeFileAtomic(file, verlParquet(instances.map(verlPromptRow), VERL_PROMPT_EXTRA));
      return instances.length;
  }
}
