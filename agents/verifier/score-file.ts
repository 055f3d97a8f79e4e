/** The Data Verifier on any data file against a task: used by `datachef verify` and the chat. */
import { prepareBenchmark } from "../../src/recipe/prepare.js";
import type { ProgressFn } from "../../src/recipe/progress.js";
import type { LoadedTask } from "../../src/task/spec.js";
import { verifyDataset } from "../../src/verify/verify.js";
import { buildReport, type Report } from "../../src/verify/report.js";
import type { PolicyRunContext } from "../../src/llm/policy.js";
import { judgeForRun } from "./llm-judge.js";

export async function scoreDataFile(args: {
  loaded: LoadedTask;
  dataPath: string;
  ctx: PolicyRunContext & { samples: number; seed: number; ngram?: number };
  progress: ProgressFn;
  /** Where an LLM judge records its calls. */
  workDir?: string;
}): Promise<Report> {
  const { loaded, ctx } = args;
  const t0 = Date.now();
  const bench = await prepareBenchmark(loaded, ctx.ngram ?? 13);
  // a configured judge model grades; else the rules
  const judge = judgeForRun({ ctx, spec: loaded.spec, ...(args.workDir ? { workDir: args.workDir } : {}) });
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
  return buildReport({
    task: loaded.spec.id,
    result,
    policy: "external",
    timings: { verify: Date.now() - t0 },
    warnings: loaded.warnings,
    contract: bench.verifierContract,
  });
}
