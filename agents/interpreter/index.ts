/** The interpreter agent: runs the current code in a sandbox and records the attempt. */
import path from "node:path";
import type { RecipeContext } from "../../graphs/state.js";
import type { PreparedTask } from "../../src/recipe/prepare.js";
import { writeFileAtomic } from "../../src/recipe/run-dir.js";
import type { ProgressFn } from "../../src/recipe/progress.js";
import { executeRecipe } from "./execute.js";
import { tail, type Attempt } from "./attempt.js";
import type { TaskSpec } from "../../src/task/spec.js";
import { resolveSandboxKind } from "../../src/sandbox/index.js";
import { bridgeBudgetFor, withRecipeBridge } from "../../src/llm/bridge.js";
import { agentModel, runRecorder, traceMetadataFor } from "../../src/llm/policy.js";
import { traceAgent } from "../../src/llm/tracing.js";

const traceMeta = (input: AttemptInput) => traceMetadataFor(input.taskId, input.ctx);

export function limitsFor(ctx: Pick<RecipeContext, "wallSeconds" | "memoryMb">) {
  return { wallMs: ctx.wallSeconds * 1000, cpuSeconds: Math.ceil(ctx.wallSeconds), memoryBytes: ctx.memoryMb * 1024 * 1024 };
}

export interface AttemptInput {
  /** 1-based attempt number. */
  n: number;
  workDir: string;
  recipe: string;
  check?: string;
  /** What the coder changed for this attempt. */
  fix?: string;
  prepared: Pick<PreparedTask, "staged" | "fingerprintsPath">;
  /** The LLM fields (synthesisModel, llmCalls, ...) are optional: absent = environment. */
  ctx: Pick<RecipeContext, "sandbox" | "wallSeconds" | "memoryMb"> & Partial<RecipeContext>;
  progress: ProgressFn;
  /** The task spec's budget (llm_calls, llm_tokens) for generate_with_llm inside the recipe. */
  budget?: TaskSpec["budget"];
  /** For traces and the trajectory. */
  taskId?: string;
}

export async function runAttempt(input: AttemptInput): Promise<Attempt> {
  return traceAgent("interpreter", traceMeta(input), () => runAttemptNow(input), { task_id: input.taskId, attempt: input.n });
}

async function runAttemptNow(input: AttemptInput): Promise<Attempt> {
  const { n, workDir, recipe, check, ctx, progress, prepared } = input;
  // the artifacts always hold the code exactly as executed last
  writeFileAtomic(path.join(workDir, "recipe.py"), recipe);
  if (check) writeFileAtomic(path.join(workDir, "check.py"), check);
  progress(`attempt ${n}: running recipe.py${check ? " and check.py" : ""} in the sandbox`);
  // generate_with_llm reaches the synthesis model only through a per-attempt bridge with its own budget
  const { result: out, usage: llmUsage } = await withRecipeBridge(
    {
      config: agentModel("synthesis", ctx),
      budget: bridgeBudgetFor({ budget: input.budget }, { calls: ctx.llmCalls ?? undefined, tokens: ctx.llmTokens ?? undefined }),
      recorder: runRecorder(workDir, { ...(input.taskId ? { task: input.taskId } : {}), attempt: n }),
      sandboxKind: resolveSandboxKind(ctx.sandbox),
      traceMetadata: traceMeta(input),
    },
    (bridge) =>
      executeRecipe({
        recipe,
        check,
        sources: prepared.staged.map((s) => ({ id: s.id, jsonlPath: s.jsonlPath })),
        fingerprintsPath: prepared.fingerprintsPath,
        outDir: workDir,
        sandbox: ctx.sandbox,
        limits: limitsFor(ctx),
        env: bridge.env,
        bindPaths: bridge.bindPaths,
      }),
  );
  if (llmUsage && (llmUsage.calls || llmUsage.refused)) progress(`attempt ${n}: generate_with_llm made ${llmUsage.calls} call(s) (${llmUsage.total_tokens} tokens), ${llmUsage.refused} refused by the budget`);
  const stdout = out.checkRun ? `${out.recipeRun.stdout}\n--- check.py ---\n${out.checkRun.stdout}` : out.recipeRun.stdout;
  const stderr = out.checkRun ? `${out.recipeRun.stderr}\n--- check.py ---\n${out.checkRun.stderr}` : out.recipeRun.stderr;
  const attempt: Attempt = {
    n,
    ok: out.ok,
    ...(out.failedPhase ? { failedPhase: out.failedPhase } : {}),
    ...(out.error ? { error: out.error } : {}),
    ...(input.fix && n > 1 ? { fix: input.fix } : {}),
    recipe,
    ...(check ? { check } : {}),
    records: out.records,
    durationMs: out.durationMs,
    stdoutTail: tail(stdout),
    stderrTail: tail(stderr),
    isolation: out.isolation,
  };
  const dir = path.join(workDir, "attempts", String(n));
  writeFileAtomic(path.join(dir, "recipe.py"), recipe);
  if (check) writeFileAtomic(path.join(dir, "check.py"), check);
  writeFileAtomic(path.join(dir, "stdout.txt"), stdout);
  writeFileAtomic(path.join(dir, "stderr.txt"), stderr);
  return attempt;
}
