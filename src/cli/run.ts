/**
 * `datachef run`: runs a user's own recipe script under exactly the sandbox rules of a cooked
 * recipe (staged sources, toolkit, fingerprints, limits), then verifies its output.
 */
import { loadTaskForRun } from "../recipe/load.js";
import { runAttempt } from "../../agents/interpreter/index.js";
import { verifyRun } from "../../agents/verifier/index.js";
import { checkTaskFile, readScript } from "./cook.js";
import { ProgressDisplay } from "./progress.js";
import { failureLine, summarizeReport } from "./summary.js";
import type { ProgressFn } from "../recipe/progress.js";

export interface RunCliOptions {
  out: string;
  check?: string;
  seed: number;
  samples: number;
  sandbox: "auto" | "local" | "e2b";
  wall: number;
  memory: number;
  force?: boolean;
  json?: boolean;
}

export async function runCommand(taskPath: string, recipePath: string, opts: RunCliOptions): Promise<number> {
  checkTaskFile(taskPath);
  const recipe = readScript(recipePath, "recipe script");
  const check = opts.check ? readScript(opts.check, "check script") : undefined;
  const display = new ProgressDisplay(process.stderr, !!opts.json);
  const progressFor =
    (node: string): ProgressFn =>
    (message, done, total) =>
      display.event({ type: "progress", node, message, done, total });

  const timings: Record<string, number> = {};
  let t0 = Date.now();
  const ctx = { seed: opts.seed, ngram: 13, runsDir: "runs", samples: opts.samples, policy: "user-script" };
  const loaded = await loadTaskForRun({ taskPath, outDir: opts.out, force: opts.force }, { ...ctx, profile: false }, progressFor("load_task"));
  timings.load = Date.now() - t0;

  t0 = Date.now();
  const attempt = await runAttempt({
    n: 1,
    workDir: loaded.workDir,
    recipe,
    check,
    prepared: loaded.prepared,
    ctx: { sandbox: opts.sandbox, wallSeconds: opts.wall, memoryMb: opts.memory },
    progress: progressFor("execute"),
  });
  timings.execute = Date.now() - t0;
  display.step("execute", attempt.ok ? `${attempt.records} records` : `failed (${attempt.error?.kind}: ${attempt.error?.message ?? ""})`);

  const report = await verifyRun({
    loaded: loaded.loaded,
    prepared: loaded.prepared,
    workDir: loaded.workDir,
    outDir: loaded.outDir,
    attempts: [attempt],
    timings,
    warnings: loaded.warnings,
    ctx,
    progress: progressFor("verify"),
  });
  display.done();
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(summarizeReport(report, loaded.outDir) + "\n");
  if (report.status !== "ok") {
    process.stderr.write(`datachef: ${failureLine(report)}\n`);
    return 1;
  }
  return 0;
}
