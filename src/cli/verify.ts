/** `datachef verify`: scores any chat dataset against a task with the Data Verifier. */
import { existsSync, statSync } from "node:fs";
import { loadTaskSpec } from "../task/spec.js";
import { prepareBenchmark } from "../recipe/prepare.js";
import { prepareOutDir } from "../recipe/run-dir.js";
import { verifyDataset } from "../verify/verify.js";
import { buildReport, writeReportFiles } from "../verify/report.js";
import { CliError } from "./errors.js";
import { judgeForRun } from "../../agents/verifier/llm-judge.js";
import { recipeContext } from "../../graphs/state.js";
import { checkTaskFile } from "./cook.js";
import { ProgressDisplay } from "./progress.js";
import { failureLine, summarizeReport } from "./summary.js";

export interface VerifyCliOptions {
  out?: string;
  seed: number;
  samples: number;
  json?: boolean;
  force?: boolean;
}

export async function verifyCommand(taskPath: string, dataPath: string, opts: VerifyCliOptions): Promise<number> {
  checkTaskFile(taskPath);
  if (!existsSync(dataPath) || !statSync(dataPath).isFile()) throw new CliError(`${dataPath}: no such data file`);
  if (opts.out) prepareOutDir(opts.out, opts.force);
  const display = new ProgressDisplay(process.stderr, !!opts.json);
  const t0 = Date.now();
  const loaded = loadTaskSpec(taskPath);
  const bench = await prepareBenchmark(loaded);
  const result = await verifyDataset({
    dataPath,
    contract: bench.verifierContract,
    benchmarkRecords: bench.records,
    fingerprints: bench.fingerprints,
    instruction: loaded.spec.instruction,
    samples: opts.samples,
    seed: opts.seed,
    // a configured judge model (DATACHEF_JUDGE_MODEL / DATACHEF_MODEL) grades; else the rules
    judge: judgeForRun({ ctx: recipeContext({ seed: opts.seed }), spec: loaded.spec }),
    onProgress: (message, done, total) => display.event({ type: "progress", node: "verify", message, done, total }),
  });
  display.done();
  const report = buildReport({
    task: loaded.spec.id,
    result,
    policy: "external",
    timings: { verify: Date.now() - t0 },
    warnings: loaded.warnings,
    contract: bench.verifierContract,
  });
  if (opts.out) writeReportFiles(opts.out, report);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(summarizeReport(report, opts.out) + "\n");
  if (report.status !== "ok") {
    process.stderr.write(`datachef: ${failureLine(report)}\n`);
    return 1;
  }
  return 0;
}
