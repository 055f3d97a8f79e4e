/**
 * Spread of the built-in policy across seeds (rollout groups need it): cooks one task with N
 * seeds and reports distinct plans, rewards and their variance.
 * Run: npx tsx evals/spread.ts [task.json] [--seeds 8]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cookTask } from "../src/cli/cook.js";
import { ProgressDisplay } from "../src/cli/progress.js";
import { SHARED_TASKS } from "./shared.js";

export interface SpreadResult {
  task: string;
  seeds: number[];
  rewards: number[];
  plans: string[];
  distinctPlans: number;
  mean: number;
  variance: number;
}

/** The part of plan.md that states the choice: sources, sizes and operations. */
export function planKey(planMd: string): string {
  const json = [...planMd.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const data = JSON.parse(json[0] ?? "[]") as { dataset_id: string; sample_num: number }[];
  return JSON.stringify({ data: data.map((d) => [d.dataset_id, d.sample_num]), ops: json[1] ? JSON.parse(json[1]) : null });
}

export async function spread(spec: string, seeds: number[], root = mkdtempSync(path.join(os.tmpdir(), "datachef-spread-"))): Promise<SpreadResult> {
  const rewards: number[] = [];
  const plans: string[] = [];
  let task = "";
  for (const seed of seeds) {
    const out = path.join(root, `seed-${seed}`);
    const { report } = await cookTask(spec, { out, seed, samples: 100, policy: "builtin", temperature: 1, sandbox: "auto", maxAttempts: 3, force: true }, new ProgressDisplay(process.stderr, true));
    task = report.task;
    rewards.push(report.reward);
    plans.push(planKey(readFileSync(path.join(out, "plan.md"), "utf8")));
  }
  const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
  const variance = rewards.reduce((a, b) => a + (b - mean) ** 2, 0) / rewards.length;
  return { task, seeds, rewards, plans, distinctPlans: new Set(plans).size, mean, variance };
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const spec = args.find((a) => a.endsWith(".json")) ?? path.join(SHARED_TASKS, "gsm8k.json");
  const i = args.indexOf("--seeds");
  const n = i >= 0 ? Number(args[i + 1]) : 8;
  const r = await spread(spec, Array.from({ length: n }, (_, k) => k + 1));
  console.log(`task ${r.task}: ${r.distinctPlans} distinct plans over ${n} seeds`);
  console.log(`rewards ${r.rewards.map((x) => x.toFixed(3)).join(" ")}`);
  console.log(`mean ${r.mean.toFixed(4)}  std ${Math.sqrt(r.variance).toFixed(4)}  variance ${r.variance.toExponential(3)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
