/** `datachef train`: GRPO on the built-in policy's parameters; prints the training curve. */
import { existsSync } from "node:fs";
import { InstanceError, resolveTaskFiles } from "../rl/instances.js";
import { loadPolicyParams, PolicyParamsError } from "../rl/policy-params.js";
import { closeStores } from "../rl/collect.js";
import { trainBuiltin, type StepRecord, type TrainAdvantage } from "../rl/train.js";
import { CliError } from "./errors.js";
import { formatTable } from "./tasks.js";

export interface TrainCliOptions {
  tasks: string[];
  steps: number;
  group: number;
  out: string;
  lr: number;
  clip: number;
  kl: number;
  epochs: number;
  seed: number;
  /** Extra instances per task per step (seeded source subsets). */
  augment?: number;
  /** batch (default) | group: see batchAdvantages. */
  advantage?: TrainAdvantage;
  samples: number;
  maxRecords?: number;
  concurrency: number;
  store?: string;
  init?: string;
  commonSeeds?: boolean;
  json?: boolean;
}

export function curveTable(steps: StepRecord[]): string {
  const rows = [["step", "rollouts", "mean reward", "ok", "zero-var groups", "grad norm", "clipped", "KL to init", "wall"]];
  for (const s of steps)
    rows.push([String(s.step), String(s.rollouts), s.meanReward.toFixed(4), `${(s.okRate * 100).toFixed(0)}%`, `${s.zeroVarianceGroups}/${s.groups}`, s.update.gradNorm.toFixed(3), `${s.update.clipped}/${s.update.decisions}`, s.update.klToRef.toExponential(2), `${(s.wallMs / 1000).toFixed(0)}s`]);
  return formatTable(rows);
}

export async function trainCommand(opts: TrainCliOptions): Promise<number> {
  if (opts.steps < 1) throw new CliError(`--steps must be at least 1, got ${opts.steps}`);
  if (opts.group < 2) throw new CliError(`--group must be at least 2 (advantages compare rollouts within a group), got ${opts.group}`);
  if (opts.advantage !== undefined && opts.advantage !== "batch" && opts.advantage !== "group") throw new CliError(`--advantage must be batch or group, got ${opts.advantage}`);
  for (const [name, v] of [["--lr", opts.lr], ["--clip", opts.clip], ["--kl", opts.kl]] as const) if (!(v >= 0) || !Number.isFinite(v)) throw new CliError(`${name} must be a number >= 0, got ${v}`);
  let tasks: string[];
  try {
    tasks = resolveTaskFiles(opts.tasks);
  } catch (e) {
    if (e instanceof InstanceError) throw new CliError(e.message);
    throw e;
  }
  let init;
  if (opts.init) {
    if (!existsSync(opts.init)) throw new CliError(`--init ${opts.init}: no such policy.json`);
    try {
      init = loadPolicyParams(opts.init);
    } catch (e) {
      if (e instanceof PolicyParamsError) throw new CliError(e.message);
      throw e;
    }
  }
  let done = 0;
  // (an upper bound with augmentation: a task with few sources has fewer distinct subsets)
  const total = tasks.length * (1 + (opts.augment ?? 0)) * opts.group;
  const log = (s: string) => !opts.json && process.stderr.write(s + "\n");
  try {
    const { steps } = await trainBuiltin({
      tasks,
      steps: opts.steps,
      group: opts.group,
      out: opts.out,
      grpo: { lr: opts.lr, clip: opts.clip, kl: opts.kl, epochs: opts.epochs, ...(opts.advantage ? { advantage: opts.advantage } : {}) },
      augment: opts.augment,
      init,
      seed: opts.seed,
      samples: opts.samples,
      maxRecords: opts.maxRecords,
      concurrency: opts.concurrency,
      store: opts.store,
      commonSeeds: opts.commonSeeds,
      onRollout: (r) => log(`  rollout ${(done = (done % total) + 1)}/${total} ${r.groupId}#${r.index}: ${r.reward === null ? "failed" : r.reward.toFixed(3)}`),
      onStep: (s) => log(`step ${s.step}: mean reward ${s.meanReward.toFixed(4)} over ${s.rollouts} rollouts, grad norm ${s.update.gradNorm.toFixed(3)}, ${(s.wallMs / 1000).toFixed(0)}s`),
    });
    if (opts.json) process.stdout.write(JSON.stringify({ out: opts.out, curve: steps.map((s) => ({ step: s.step, mean_reward: s.meanReward })), steps }, null, 2) + "\n");
    else process.stdout.write(`${curveTable(steps)}\ntrained params written to ${opts.out} (use: datachef cook <task.json> --policy ${opts.out})\n`);
    return 0;
  } finally {
    await closeStores();
  }
}
