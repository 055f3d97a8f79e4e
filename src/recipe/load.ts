/** The load_task node's work: resolve the spec, choose the run folder, prepare sources. */
import { randomUUID } from "node:crypto";
import { loadTaskSpec, parseTaskSpec, type LoadedTask, type TaskSpec } from "../task/spec.js";
import { prepareTask, type PreparedTask } from "./prepare.js";
import { defaultOutDir, prepareOutDir, stagingDir } from "./run-dir.js";
import type { ProgressFn } from "./progress.js";

export interface LoadInput {
  taskPath?: string;
  task?: TaskSpec;
  outDir?: string;
  maxRecords?: number;
  force?: boolean;
}

export interface LoadOptions {
  seed: number;
  ngram: number;
  runsDir: string;
  /** Profiling is skipped when only a given script is run (datachef run). */
  profile?: boolean;
}

export interface LoadOutput {
  loaded: LoadedTask;
  prepared: PreparedTask;
  outDir: string;
  workDir: string;
  warnings: string[];
}

export function resolveTask(input: LoadInput): LoadedTask {
  let loaded: LoadedTask;
  if (input.taskPath) loaded = loadTaskSpec(input.taskPath);
  else if (input.task) loaded = parseTaskSpec(input.task, "<inline task>", process.cwd());
  else throw new Error("no task given: set taskPath (a task spec file) or task (an inline spec)");
  if (input.maxRecords) loaded = { ...loaded, maxRecords: input.maxRecords };
  return loaded;
}

export async function loadTaskForRun(input: LoadInput, opts: LoadOptions, progress: ProgressFn): Promise<LoadOutput> {
  const loaded = resolveTask(input);
  const outDir = input.outDir ?? defaultOutDir(loaded.spec.id, opts.seed, opts.runsDir);
  prepareOutDir(outDir, input.force ?? false);
  const workDir = stagingDir(outDir, randomUUID().slice(0, 8));
  const prepared = await prepareTask(loaded, { ngram: opts.ngram, seed: opts.seed, onProgress: progress, profile: opts.profile });
  return { loaded, prepared, outDir, workDir, warnings: prepared.warnings };
}
