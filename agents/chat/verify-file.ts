/**
 * "Verify my file X against this task": the Data Verifier on a user's own data, with its report
 * (report.json and report.html) written to a fresh run folder, as `datachef verify --out` does.
 */
import path from "node:path";
import { loadTaskSpec } from "../../src/task/spec.js";
import { defaultOutDir, prepareOutDir } from "../../src/recipe/run-dir.js";
import type { ProgressFn } from "../../src/recipe/progress.js";
import { writeReportFiles, type Report } from "../../src/verify/report.js";
import { scoreDataFile } from "../verifier/score-file.js";
import type { PolicyRunContext } from "../../src/llm/policy.js";

export interface VerifyFileArgs {
  taskPath: string;
  dataPath: string;
  ctx: PolicyRunContext & { samples: number; seed: number; ngram: number; runsDir: string };
  progress: ProgressFn;
  now?: Date;
}

export async function verifyFile(args: VerifyFileArgs): Promise<{ report: Report; outDir: string }> {
  const { ctx } = args;
  const loaded = loadTaskSpec(args.taskPath);
  const outDir = defaultOutDir(`verify-${loaded.spec.id}-${path.basename(args.dataPath).replace(/\.[^.]+$/, "")}`, ctx.seed, ctx.runsDir, args.now);
  prepareOutDir(outDir);
  args.progress("preparing the benchmark");
  const report = await scoreDataFile({ loaded, dataPath: args.dataPath, ctx, progress: args.progress, workDir: outDir });
  writeReportFiles(outDir, report);
  return { report, outDir };
}
