/**
 * Task instances: a task, or a seeded random subset of its sources (the paper's augmentation).
 * An instance id names its task and sources (`mytask`, `mytask@src_a+src_b`), so a label in
 * a prompt dataset is enough for the reward server to rebuild the instance from the task specs.
 *
 * Preparing a task (staging, profiling, fingerprints) is the slow part of a run; it is done once
 * per task and process, and every instance and rollout of the task shares it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { mulberry32 } from "../../agents/planner/random.js";
import { chefPrompt } from "../../agents/coder/chef.js";
import { prepareTask, type PreparedTask } from "../recipe/prepare.js";
import { loadTaskSpec, type LoadedTask } from "../task/spec.js";
import type { ChatMessage, TaskInstance } from "./types.js";

export class InstanceError extends Error {
  override name = "InstanceError";
}

export function instanceIdOf(taskId: string, sources: readonly string[], allSources: readonly string[]): string {
  const all = sources.length === allSources.length && allSources.every((s) => sources.includes(s));
  return all ? taskId : `${taskId}@${[...sources].sort().join("+")}`;
}

export function parseInstanceId(id: string): { taskId: string; sources?: string[] } {
  const at = id.indexOf("@");
  if (at < 0) return { taskId: id.trim() };
  const sources = id
    .slice(at + 1)
    .split("+")
    .map((s) => s.trim())
    .filter(Boolean);
  return { taskId: id.slice(0, at).trim(), sources };
}

/**
 * `count` distinct random subsets of `sources` (sizes from min(2, n−1) to n−1), seeded, never the
 * whole set. Fewer when the task has too few sources for that many distinct subsets.
 */
export function sourceSubsets(sources: readonly string[], count: number, seed: number | string): string[][] {
  const n = sources.length;
  if (count <= 0 || n < 2) return [];
  const rand = mulberry32(hashSeed(`${seed}|${sources.join(",")}`));
  const lo = Math.min(2, n - 1);
  const seen = new Set<string>();
  const out: string[][] = [];
  const maxDistinct = 2 ** n - 2;
  for (let tries = 0; out.length < Math.min(count, maxDistinct) && tries < count * 50; tries++) {
    const k = lo + Math.floor(rand() * (n - lo));
    const pool = [...sources];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const pick = pool.slice(0, k).sort();
    const key = pick.join("+");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(pick);
  }
  return out;
}

function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The whole task first, then `augment` source subsets. */
export function taskInstances(loaded: LoadedTask, taskPath: string, opts: { augment?: number; seed?: number } = {}): TaskInstance[] {
  const all = loaded.spec.sources.map((s) => s.id);
  const base: TaskInstance = { instanceId: loaded.spec.id, taskId: loaded.spec.id, taskPath: path.resolve(taskPath), sources: all, augmented: false };
  const extra = sourceSubsets(all, opts.augment ?? 0, opts.seed ?? 0).map((sources) => ({
    instanceId: instanceIdOf(loaded.spec.id, sources, all),
    taskId: loaded.spec.id,
    taskPath: base.taskPath,
    sources,
    augmented: true,
  }));
  return [base, ...extra];
}

/** Task spec files: each argument is a spec file or a folder of them (sorted). */
export function resolveTaskFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) throw new InstanceError(`${a}: no such task spec file or folder`);
    if (statSync(a).isDirectory()) {
      const files = readdirSync(a)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => path.resolve(a, f));
      if (!files.length) throw new InstanceError(`${a}: the folder holds no task spec (*.json)`);
      out.push(...files);
    } else out.push(path.resolve(a));
  }
  return [...new Set(out)];
}

/** Task id -> spec file, for the specs in the given files or folders. */
export function taskRegistry(args: readonly string[]): Map<string, string> {
  const reg = new Map<string, string>();
  for (const file of resolveTaskFiles(args)) {
    const id = loadTaskSpec(file).spec.id;
    const prev = reg.get(id);
    if (prev && prev !== file) throw new InstanceError(`task id '${id}' is defined twice: ${prev} and ${file}`);
    reg.set(id, file);
  }
  return reg;
}

/** Resolves an instance id against a registry; errors say what is unknown. */
export function resolveInstance(id: string, registry: Map<string, string>): TaskInstance {
  const { taskId, sources } = parseInstanceId(id);
  const taskPath = registry.get(taskId);
  if (!taskPath) throw new InstanceError(`unknown task '${taskId}' (known: ${[...registry.keys()].join(", ") || "none"})`);
  const all = loadTaskSpec(taskPath).spec.sources.map((s) => s.id);
  const picked = sources ?? all;
  const unknown = picked.filter((s) => !all.includes(s));
  if (unknown.length) throw new InstanceError(`task '${taskId}' has no source ${unknown.map((u) => `'${u}'`).join(", ")}`);
  if (!picked.length) throw new InstanceError(`instance '${id}' names no source`);
  return { instanceId: instanceIdOf(taskId, picked, all), taskId, taskPath, sources: [...picked], augmented: picked.length < all.length };
}

export interface PreparedInstance {
  loaded: LoadedTask;
  prepared: PreparedTask;
}

export interface PrepareKeyOptions {
  ngram?: number;
  seed?: number;
  maxRecords?: number;
}

/** One prepareTask per (spec file, options) and process; concurrent callers share the promise. */
export class PreparedTaskCache {
  private readonly cache = new Map<string, Promise<PreparedInstance>>();

  get(taskPath: string, opts: PrepareKeyOptions = {}): Promise<PreparedInstance> {
    const file = path.resolve(taskPath);
    const key = JSON.stringify([file, statSync(file).mtimeMs, opts.ngram ?? 13, opts.seed ?? 0, opts.maxRecords ?? null]);
    let p = this.cache.get(key);
    if (!p) {
      p = (async () => {
        let loaded = loadTaskSpec(file);
        if (opts.maxRecords) loaded = { ...loaded, maxRecords: opts.maxRecords };
        const prepared = await prepareTask(loaded, { ngram: opts.ngram ?? 13, seed: opts.seed ?? 0 });
        return { loaded, prepared };
      })();
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }
}

/** The task as an instance sees it: only its sources, staged and profiled. */
export function instanceView(full: PreparedInstance, sources: readonly string[]): PreparedInstance {
  const keep = new Set(sources);
  if (keep.size === full.loaded.spec.sources.length) return full;
  return {
    loaded: { ...full.loaded, spec: { ...full.loaded.spec, sources: full.loaded.spec.sources.filter((s) => keep.has(s.id)) } },
    prepared: { ...full.prepared, staged: full.prepared.staged.filter((s) => keep.has(s.id)), profiles: full.prepared.profiles.filter((p) => keep.has(p.id)) },
  };
}

/** The exact prompt the end-to-end (chef) policy is sent for this instance. */
export function instancePrompt(view: PreparedInstance): ChatMessage[] {
  const p = chefPrompt({
    task: view.loaded,
    profiles: view.prepared.profiles,
    contract: view.prepared.contract,
    benchmarkExamples: view.prepared.benchmarkExamples,
    maxRecords: view.loaded.maxRecords,
  });
  return [
    ...(p.system ? [{ role: "system", content: p.system }] : []),
    { role: "user", content: p.user },
  ];
}
