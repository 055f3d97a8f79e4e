/**
 * Test helper: a shared task (../shared/tasks) ready for the coder: contract from three
 * benchmark examples, source profiles from real rows, and a plan over the sources that map.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceProfile } from "../../../src/data/types.js";
import type { TaskContract } from "../../../src/task/contract.js";
import { inferContract } from "../../../src/task/infer-contract.js";
import { loadTaskSpec, type LoadedTask } from "../../../src/task/spec.js";
import type { Plan } from "../../planner/plan.js";
import { mapSource } from "../field-mapping.js";
import { profileFromRows, readRows } from "./profile-rows.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const SHARED = path.resolve(REPO_ROOT, "../shared");
export const hasShared = () => existsSync(path.join(SHARED, "tasks"));

export const SHARED_TASKS = ["csqa", "fpb", "gsm8k", "humaneval", "math500", "mbpp", "pubmedqa", "tatqa"];

export const DEFAULT_TEST_OPERATIONS: Plan["operations"] = {
  dedup_exact: true,
  dedup_near: true,
  near_threshold: 0.8,
  filter_outliers: true,
  outlier_z: 3,
  decontaminate: true,
  min_answer_chars: 1,
};

export interface SharedFixture {
  task: LoadedTask;
  contract: TaskContract;
  profiles: SourceProfile[];
  plan: Plan;
  /** Host JSONL path per source id. */
  files: Record<string, string>;
  benchmark: Record<string, unknown>[];
}

const lineCount = (file: string) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).length;

/**
 * `sources`: the plan's sources (default: every source whose mapping is ok and scores >= 0.6,
 * best first, at most `maxSources`); `sampleNum` records each.
 */
export function sharedFixture(name: string, opts: { sources?: string[]; sampleNum?: number; maxSources?: number; rows?: number } = {}): SharedFixture {
  const task = loadTaskSpec(path.join(SHARED, "tasks", `${name}.json`));
  const benchmark = readFileSync(task.spec.benchmark.path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const contract = inferContract(benchmark.slice(0, 3), task.spec);
  const profiles = task.spec.sources.map((s) => profileFromRows(s.id, readRows(s.path, opts.rows ?? 300), { rows: lineCount(s.path), path: s.path }));
  const files = Object.fromEntries(task.spec.sources.map((s) => [s.id, s.path]));
  const chosen = opts.sources
    ? opts.sources
    : profiles
        .map((p) => ({ id: p.id, m: mapSource(p, contract) }))
        .filter((x) => x.m.ok && x.m.score >= 0.6)
        .sort((a, b) => b.m.score - a.m.score)
        .slice(0, opts.maxSources ?? 3)
        .map((x) => x.id);
  const plan: Plan = {
    training_data: chosen.map((id) => ({ dataset_id: id, split: "train", sample_num: opts.sampleNum ?? 300, reason: "test fixture" })),
    rejected: [],
    workflow: "test fixture",
    operations: { ...DEFAULT_TEST_OPERATIONS },
  };
  return { task, contract, profiles, plan, files, benchmark };
}
