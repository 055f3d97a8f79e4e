/**
 * "Verify my file X against this task": the Data Verifier on a user's own data, with its report
 * (report.json and report.html) written to a fresh run folder, as `datachef verify --out` does.
 */
import path from "node:path";
import { loadTaskSpec } from "../../src/task/spec.js";
import { prepareBenchmark } from "../../src/recipe/prepare.js";
import { defaultOutDir, prepareOutDir } from "../../src/recipe/run-dir.js";
import type { ProgressFn } from "../../src/recipe/progress.js";
import { verifyDataset } from "../../src/verify/verify.js";
import { buildReport, writeReportFiles, type Report } from "../../src/verify/report.js";
import { judgeForRun } from "../verifier/llm-judge.js";
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
  const t0 = Date.now();
  const loaded = loadTaskSpec(args.taskPath);
  const outDir = defaultOutDir(`verify-${loaded.spec.id}-${path.basename(args.dataPath).replace(/\.[^.]+$/, "")}`, ctx.seed, ctx.runsDir, args.now);
  prepareOutDir(outDir);
  args.progress("preparing the benchmark");
  const bench = await prepareBenchmark(loaded, ctx.ngram);
  const judge = judgeForRun({ ctx, spec: loaded.spec, workDir: outDir });
  const result = await verifyDataset({
    dataPath: args.dataPath,
    contract: bench.verifierContract,
    benchmarkRecords: bench.records,
    fingerprints: bench.fingerprints,
    instruction: loaded.spec.instruction,
    samples: ctx.samples,
    seed: ctx.seed,
    onProgress: args.progress,
    ...(judge ? { judge, concurrency: judge.limiter.limit } : {}),
  });
  const report = buildReport({
    task: loaded.spec.id,
    result,
    policy: "external",
    timings: { verify: Date.now() - t0 },
    warnings: loaded.warnings,
    contract: bench.verifierContract,
  });
  writeReportFiles(outDir, report);
  return { report, outDir };
}
