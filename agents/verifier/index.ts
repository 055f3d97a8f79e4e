/**
 * The verifier agent: scores the run's data (gates, graded samples, reward), writes report.json
 * and report.html, and publishes the run folder.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RecipeContext } from "../../graphs/state.js";
import type { LoadedTask } from "../../src/task/spec.js";
import { benchmarkRecords, readFingerprintsFile, type PreparedTask } from "../../src/recipe/prepare.js";
import type { ProgressFn } from "../../src/recipe/progress.js";
import { publishRun } from "../../src/recipe/run-dir.js";
import { verifyDataset } from "../../src/verify/verify.js";
import { buildReport, writeReportFilesAsync, type AttemptSummary, type Report } from "../../src/verify/report.js";
import type { Plan } from "../planner/plan.js";
import type { Attempt } from "../interpreter/attempt.js";
import { llmReportExtras, policyLabel, traceMetadataFor } from "../../src/llm/policy.js";
import { traceAgent } from "../../src/llm/tracing.js";
import { judgeForRun } from "./llm-judge.js";

export interface VerifyRunInput {
  loaded: LoadedTask;
  prepared: PreparedTask;
  workDir: string;
  outDir: string;
  attempts: Attempt[];
  plan?: Plan;
  codeError?: string;
  timings: Record<string, number>;
  warnings: string[];
  /** The LLM fields (model, judgeModel, policyMode, ...) are optional: absent = environment or built-in. */
  ctx: Pick<RecipeContext, "samples" | "seed" | "ngram" | "policy"> & Partial<RecipeContext>;
  progress: ProgressFn;
}

export function attemptSummary(a: Attempt): AttemptSummary {
  return {
    n: a.n,
    ok: a.ok,
    ...(a.failedPhase ? { failedPhase: a.failedPhase } : {}),
    ...(a.error ? { error: `${a.error.kind}: ${a.error.message}` } : {}),
    ...(a.fix ? { fix: a.fix } : {}),
    records: a.records,
    durationMs: a.durationMs,
  };
}

/** Records the recipe's own decontamination removed, from the toolkit's steps.jsonl. */
export function removedByDecontamination(stepsPath: string): number {
  if (!existsSync(stepsPath)) return 0;
  let removed = 0;
  for (const line of readFileSync(stepsPath, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as { step?: string; in?: number; out?: number; removed?: number };
      if (typeof s.step === "string" && s.step.startsWith("decontaminate")) removed += s.removed ?? Math.max(0, (s.in ?? 0) - (s.out ?? 0));
    } catch {
      // a torn last line of an interrupted recipe: ignore
    }
  }
  return removed;
}

export async function verifyRun(input: VerifyRunInput, verifyStarted = Date.now()): Promise<Report> {
  const meta = traceMetadataFor(input.loaded.spec.id, input.ctx);
  return traceAgent("verifier", meta, () => verifyRunNow(input, verifyStarted), { task_id: input.loaded.spec.id });
}

async function verifyRunNow(input: VerifyRunInput, verifyStarted: number): Promise<Report> {
  const { loaded, prepared, workDir, attempts, ctx } = input;
  const last = attempts.at(-1);
  const dataPath = path.join(workDir, "data.jsonl");
  const ran = !!last?.ok;
  const failure = input.codeError ?? (last && !last.ok ? `${last.error?.kind ?? "error"}: ${last.error?.message ?? "the recipe failed"}` : undefined);

  let result;
  // an LLM judge when a judge model is configured, else the built-in rule judge
  const judge = judgeForRun({ ctx, spec: loaded.spec, workDir });
  if (existsSync(dataPath)) {
    input.progress("grading samples");
    result = await verifyDataset({
      dataPath,
      contract: prepared.verifierContract,
      // read once per task and shared by its rollouts (and by the rule judge's models)
      benchmarkRecords: await benchmarkRecords(loaded),
      fingerprints: readFingerprintsFile(prepared.fingerprintsPath),
      instruction: loaded.spec.instruction,
      samples: ctx.samples,
      seed: ctx.seed,
      onProgress: input.progress,
      ...(judge ? { judge, concurrency: judge.limiter.limit } : {}),
    });
  }
  const report = buildReport({
    task: loaded.spec.id,
    result,
    ...(ran ? {} : { status: "execution_error" as const, reason: failure ?? "the recipe did not run" }),
    attempts: attempts.map(attemptSummary),
    policy: policyLabel(ctx),
    sourcesUsed: result && Object.keys(result.sourceMix).length ? undefined : (input.plan?.training_data.map((d) => d.dataset_id) ?? []),
    removedRecords: removedByDecontamination(path.join(workDir, "steps.jsonl")),
    timings: { ...input.timings, verify: Date.now() - verifyStarted },
    warnings: [...input.warnings, ...(last?.isolation?.warnings ?? [])],
    isolation: last?.isolation,
    contract: prepared.verifierContract,
  });
  const llm = llmReportExtras({ ctx, workDir, judgeName: result?.judge });
  const full: Report = {
    ...report,
    // unparsed judge replies are left out of the mean and counted here, never scored
    ...(judge ? { verifier: { ...report.verifier, unparsed: judge.stats.unparsed, judge_errors: judge.stats.errors } } : {}),
    ...llm,
    seed: ctx.seed,
    out_dir: input.outDir,
  };
  await writeReportFilesAsync(workDir, full, { html: ctx.reportHtml !== false });
  publishRun(workDir, input.outDir);
  return full;
}
