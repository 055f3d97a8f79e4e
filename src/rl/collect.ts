/**
 * The rollout collector's work, called by the thin nodes of graphs/rollout.ts:
 *   planJobs    tasks -> instances -> groups -> the rollouts not yet in the store
 *   runJob      one recipe run (bounded concurrency), stored as soon as it ends
 *   scoreGroups group statistics and advantages, written back to the store
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { RecipeContextSchema } from "../../graphs/state.js";
import type { GroupSummary, RolloutContext, RolloutJob } from "../../graphs/rollout-state.js";
import { Limiter } from "../llm/limit.js";
import { policyLabel } from "../llm/policy.js";
import { useReportWorker } from "../verify/report-html.js";
import { loadTaskSpec } from "../task/spec.js";
import { groupAdvantages } from "./advantages.js";
import { summarizeRun } from "./completion.js";
import { instancePrompt, instanceView, PreparedTaskCache, resolveTaskFiles, taskInstances } from "./instances.js";
import { runRecipe } from "./recipe-runner.js";
import { openRolloutStore, type RolloutStore } from "./store.js";
import type { RolloutRecord, TaskInstance } from "./types.js";

/** Every run of this process shares prepared tasks and open stores. */
export const preparedTasks = new PreparedTaskCache();
const stores = new Map<string, RolloutStore>();
const limiters = new Map<string, Limiter>();

export function storeAt(location: string): RolloutStore {
  const key = location === ":memory:" ? location : path.resolve(location);
  let s = stores.get(key);
  if (!s) {
    s = openRolloutStore(location);
    stores.set(key, s);
  }
  return s;
}

/** Closes the stores this process opened (CLI and tests call it at the end). */
export async function closeStores(): Promise<void> {
  for (const s of stores.values()) await s.close();
  stores.clear();
}

/** 31-bit seed of one rollout: the same (base seed, group, index) always gives the same run. */
export function rolloutSeed(base: number, groupId: string, index: number): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  const text = `${groupId}#${index}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h & 0x7fffffff;
}

export function collectionName(ctx: Pick<RolloutContext, "collection" | "seed">): string {
  return ctx.collection || `s${ctx.seed}`;
}

export const groupIdOf = (collection: string, instanceId: string): string => `${collection}:${instanceId}`;

export interface PlannedJobs {
  instances: TaskInstance[];
  jobs: RolloutJob[];
  batchId: string;
  alreadyDone: number;
}

export async function planJobs(tasks: string[], ctx: RolloutContext): Promise<PlannedJobs> {
  if (!tasks?.length) throw new Error("no tasks given: pass task spec files or folders");
  const collection = collectionName(ctx);
  const store = ctx.store ? storeAt(ctx.store) : undefined;
  const policy = policyLabel(ctx);
  const instances = resolveTaskFiles(tasks).flatMap((file) => taskInstances(loadTaskSpec(file), file, { augment: ctx.augment, seed: ctx.seed }));
  const batchId = randomUUID();
  const jobs: RolloutJob[] = [];
  let alreadyDone = 0;
  for (const instance of instances) {
    const groupId = groupIdOf(collection, instance.instanceId);
    let done = new Set<number>();
    if (store) {
      await store.putInstance(instance);
      await store.putGroup({ groupId, collection, instanceId: instance.instanceId, taskId: instance.taskId, size: ctx.group, policy, seed: ctx.seed, method: ctx.advantage, stats: null, flags: [], complete: false });
      done = new Set(await store.doneIndices(groupId));
    }
    for (let index = 0; index < ctx.group; index++) {
      if (done.has(index)) alreadyDone++;
      else jobs.push({ batchId, groupId, index, collection, instance, seed: rolloutSeed(ctx.seed, ctx.seedScope === "instance" ? instance.instanceId : groupId, index) });
    }
  }
  limiters.set(batchId, new Limiter(ctx.concurrency));
  // concurrent rollouts render their report pages on another core
  if (ctx.concurrency > 1) useReportWorker();
  return { instances, jobs, batchId, alreadyDone };
}

/** The recipe context of one rollout: the collection's settings with the rollout's own seed. */
function recipeContextFor(ctx: RolloutContext, seed: number, keepRunDir: boolean) {
  const keys = Object.keys(RecipeContextSchema.shape) as (keyof typeof RecipeContextSchema.shape)[];
  const out = Object.fromEntries(keys.map((k) => [k, ctx[k]])) as Record<string, unknown>;
  // a temporary run folder is deleted when the rollout is stored: no page for it
  return { ...out, seed, approve: false, reportHtml: keepRunDir && ctx.reportHtml };
}

export interface RunJobOptions {
  callbacks?: Callbacks;
  /** Called when the rollout is stored (progress). */
  onDone?: (r: RolloutRecord) => void;
  signal?: AbortSignal;
}

export async function runJob(job: RolloutJob, ctx: RolloutContext, opts: RunJobOptions = {}): Promise<RolloutRecord> {
  const limiter = limiters.get(job.batchId) ?? new Limiter(ctx.concurrency);
  return limiter.run(async () => {
    const started = new Date();
    const keep = ctx.keepRunsDir ? path.resolve(ctx.keepRunsDir, job.groupId.replace(/[:/\\]/g, "_"), String(job.index)) : undefined;
    const outDir = keep ?? mkdtempSync(path.join(os.tmpdir(), "datachef-rollout-"));
    const base = {
      groupId: job.groupId,
      index: job.index,
      collection: job.collection,
      instanceId: job.instance.instanceId,
      taskId: job.instance.taskId,
      seed: job.seed,
      temperature: ctx.temperature,
      startedAt: started.toISOString(),
      advantage: null,
      ...(keep ? { runDir: keep } : {}),
    };
    let record: RolloutRecord;
    let prompt: RolloutRecord["prompt"] = [];
    try {
      const full = await preparedTasks.get(job.instance.taskPath, { ngram: ctx.ngram, seed: ctx.seed, maxRecords: ctx.maxRecordsOverride ?? undefined });
      const view = instanceView(full, job.instance.sources);
      prompt = instancePrompt(view);
      const state = await runRecipe({
        view,
        outDir,
        context: recipeContextFor(ctx, job.seed, !!keep),
        metadata: { rollout_group: job.groupId, rollout_index: job.index, task_id: job.instance.taskId, instance_id: job.instance.instanceId, seed: job.seed },
        callbacks: opts.callbacks,
        signal: opts.signal,
      });
      const s = summarizeRun(state, outDir);
      const finished = new Date();
      record = { ...base, policy: s.policy, ...(s.model ? { model: s.model } : {}), prompt, trajectory: s.trajectory, completion: s.completion, reward: s.reward, rewardParts: s.rewardParts, status: s.status, timings: s.timings, finishedAt: finished.toISOString(), wallMs: finished.getTime() - started.getTime() };
    } catch (e) {
      // the collector failed, not the policy: stored as "failed" and retried on resume, never scored
      const finished = new Date();
      record = { ...base, policy: policyLabel(ctx), prompt, trajectory: { kind: "builtin", attempts: [] }, completion: "", reward: null, rewardParts: {}, status: "failed", error: (e as Error).message?.slice(0, 2000) ?? String(e), timings: {}, finishedAt: finished.toISOString(), wallMs: finished.getTime() - started.getTime() };
    } finally {
      if (!keep) rmSync(outDir, { recursive: true, force: true });
    }
    if (ctx.store) {
      const store = storeAt(ctx.store);
      if (prompt.length) await store.putInstance({ ...job.instance, prompt });
      await store.putRollout(record);
    }
    opts.onDone?.(record);
    return record;
  });
}

/** Statistics and advantages of every group of the collection; written back when there is a store. */
export async function scoreGroups(instances: TaskInstance[], collected: RolloutRecord[], ctx: RolloutContext, batchId?: string): Promise<{ groups: GroupSummary[]; rollouts: RolloutRecord[] }> {
  if (batchId) limiters.delete(batchId);
  const collection = collectionName(ctx);
  const store = ctx.store ? storeAt(ctx.store) : undefined;
  const groups: GroupSummary[] = [];
  const rollouts: RolloutRecord[] = [];
  for (const instance of instances) {
    const groupId = groupIdOf(collection, instance.instanceId);
    const rows = store ? await store.listRollouts({ groupId }) : collected.filter((r) => r.groupId === groupId);
    const scored = rows.filter((r) => r.status !== "failed" && r.reward !== null);
    const failed = rows.length - scored.length;
    const complete = scored.length >= ctx.group;
    const adv = groupAdvantages(scored.map((r) => r.reward!), ctx.advantage, ctx.eps);
    const flags: string[] = [...adv.flags, ...(complete ? [] : ["incomplete"])];
    // advantages are only meaningful against the whole group
    const advantages = new Map<number, number>(complete ? scored.map((r, i) => [r.index, adv.advantages[i]!]) : []);
    if (store) await store.setGroupResult(groupId, { stats: scored.length ? adv.stats : null, flags, method: ctx.advantage, complete, advantages });
    groups.push({ groupId, instanceId: instance.instanceId, taskId: instance.taskId, size: ctx.group, scored: scored.length, failed, stats: scored.length ? adv.stats : null, flags, complete });
    rollouts.push(...rows.map((r) => ({ ...r, advantage: advantages.get(r.index) ?? null })));
  }
  return { groups, rollouts };
}
