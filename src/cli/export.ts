/** `datachef export`: rollouts (or prompt datasets) in a trainer's format. */
import { existsSync } from "node:fs";
import { EXPORT_FORMATS, PROMPT_FORMATS, writeExport, type ExportFormat } from "../rl/export.js";
import { instancePrompt, instanceView, InstanceError, PreparedTaskCache, resolveTaskFiles, taskInstances } from "../rl/instances.js";
import { openRolloutStore, StoreError } from "../rl/store.js";
import type { TaskInstance } from "../rl/types.js";
import { loadTaskSpec, TaskSpecError } from "../task/spec.js";
import { CliError } from "./errors.js";

export interface ExportOptions {
  format: string;
  out: string;
  store?: string;
  collection?: string;
  tasks?: string[];
  augment: number;
  seed: number;
  json?: boolean;
}

/** Instances with their policy prompt: from task specs (with augmentation), else the store's. */
export async function promptInstances(source: { tasks?: string[]; stored?: TaskInstance[]; augment?: number; seed?: number }): Promise<TaskInstance[]> {
  const cache = new PreparedTaskCache();
  const base = source.tasks?.length
    ? resolveTaskFiles(source.tasks).flatMap((f) => taskInstances(loadTaskSpec(f), f, { augment: source.augment, seed: source.seed }))
    : (source.stored ?? []);
  const out: TaskInstance[] = [];
  for (const inst of base) {
    if (inst.prompt) out.push(inst);
    else {
      if (!existsSync(inst.taskPath)) throw new CliError(`instance ${inst.instanceId}: its task spec ${inst.taskPath} is gone; pass --tasks`);
      out.push({ ...inst, prompt: instancePrompt(instanceView(await cache.get(inst.taskPath), inst.sources)) });
    }
  }
  return out;
}

export async function exportCommand(opts: ExportOptions): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new CliError(`--format ${opts.format}: expected one of ${EXPORT_FORMATS.join(", ")}`);
  const format = opts.format as ExportFormat;
  const promptFormat = (PROMPT_FORMATS as readonly string[]).includes(format);
  if (!promptFormat && !opts.store) throw new CliError(`--format ${format} exports rollouts: pass --store FILE`);
  if (promptFormat && !opts.store && !opts.tasks?.length) throw new CliError(`--format ${format} needs task instances: pass --tasks DIR (or --store FILE)`);
  if (opts.store && !existsSync(opts.store)) throw new CliError(`--store ${opts.store}: no such rollout store`);
  const store = opts.store ? openRolloutStore(opts.store) : undefined;
  try {
    let rows: number;
    if (promptFormat) {
      const instances = await promptInstances({ tasks: opts.tasks, stored: store ? await store.listInstances() : [], augment: opts.augment, seed: opts.seed });
      rows = writeExport(format, opts.out, { instances });
    } else {
      const rollouts = await store!.listRollouts({ collection: opts.collection, scored: true });
      const groups = await store!.listGroups(opts.collection);
      if (!rollouts.length) throw new CliError(`${opts.store}: no scored rollouts${opts.collection ? ` in collection ${opts.collection}` : ""}`, 1);
      rows = writeExport(format, opts.out, { rollouts, groups });
    }
    if (opts.json) process.stdout.write(JSON.stringify({ format, out: opts.out, rows }) + "\n");
    else process.stdout.write(`${rows} ${format === "art" ? "group" : promptFormat ? "instance" : "rollout"} row(s) written to ${opts.out} (${format})\n`);
    return 0;
  } catch (e) {
    if (e instanceof StoreError || e instanceof InstanceError || e instanceof TaskSpecError) throw new CliError(e.message);
    throw e;
  } finally {
    await store?.close();
  }
}
