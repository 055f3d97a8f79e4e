/** `datachef demo`: generates the built-in demo task pool (no network) and cooks one task. */
import path from "node:path";
import { DEMO_TASKS, demoTaskSpec, ensureDemoPool } from "../demo/generate.js";
import { defaultOutDir } from "../recipe/run-dir.js";
import { CliError } from "./errors.js";
import { cookCommand } from "./cook.js";
import { tasksCommand } from "./tasks.js";

export interface DemoCliOptions {
  task: string;
  out?: string;
  seed: number;
  force?: boolean;
  list?: boolean;
}

export async function demoCommand(opts: DemoCliOptions): Promise<number> {
  const dir = await ensureDemoPool();
  process.stderr.write(`demo task pool ready in ${dir}\n`);
  if (opts.list) return tasksCommand(path.join(dir, "tasks"), {});
  let spec: string;
  try {
    spec = demoTaskSpec(dir, opts.task);
  } catch (e) {
    throw new CliError(`--task: ${(e as Error).message}`);
  }
  const id = (DEMO_TASKS as Record<string, string>)[opts.task] ?? opts.task;
  // a fresh, time-stamped folder per run, so re-running the demo never replaces an earlier run
  const out = opts.out ?? defaultOutDir(id, opts.seed);
  process.stderr.write(`cooking ${spec}\n`);
  return cookCommand(spec, {
    out,
    seed: opts.seed,
    samples: 100,
    policy: "builtin",
    temperature: 1,
    sandbox: "auto",
    maxAttempts: 3,
    force: opts.force,
  });
}
