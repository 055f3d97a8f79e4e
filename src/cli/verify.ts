/** `datachef verify`: scores any chat dataset against a task with the Data Verifier. */
import { existsSync, statSync } from "node:fs";
import { loadTaskSpec } from "../task/spec.js";
import { prepareOutDir } from "../recipe/run-dir.js";
import { writeReportFiles } from "../verify/report.js";
import { scoreDataFile } from "../../agents/verifier/score-file.js";
import { CliError } from "./errors.js";
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
  const loaded = loadTaskSpec(taskPath);
  const report = await scoreDataFile({
    loaded,
    dataPath,
    ctx: recipeContext({ seed: opts.seed, samples: opts.samples }),
    progress: (message, done, total) => display.event({ type: "progress", node: "verify", message, done, total }),
  });
  display.done();
  if (opts.out) writeReportFiles(opts.out, report);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(summarizeReport(report, opts.out) + "\n");
  if (report.status !== "ok") {
    process.stderr.write(`datachef: ${failureLine(report)}\n`);
    return 1;
  }
  return 0;
}
