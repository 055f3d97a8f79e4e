/** The interpreter agent: runs the current code in a sandbox and records the attempt. */
import path from "node:path";
import type { RecipeContext } from "../../graphs/state.js";
import type { PreparedTask } from "../../src/recipe/prepare.js";
import { writeFileAtomic } from "../../src/recipe/run-dir.js";
import type { ProgressFn } from "../../src/recipe/progress.js";
import { executeRecipe } from "./execute.js";
import { tail, type Attempt } from "./attempt.js";

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
  ctx: Pick<RecipeContext, "sandbox" | "wallSeconds" | "memoryMb">;
  progress: ProgressFn;
}

export async function runAttempt(input: AttemptInput): Promise<Attempt> {
  const { n, workDir, recipe, check, ctx, progress, prepared } = input;
  // the artifacts always hold the code exactly as executed last
  writeFileAtomic(path.join(workDir, "recipe.py"), recipe);
  if (check) writeFileAtomic(path.join(workDir, "check.py"), check);
  progress(`attempt ${n}: running recipe.py${check ? " and check.py" : ""} in the sandbox`);
  const out = await executeRecipe({
    recipe,
    check,
    sources: prepared.staged.map((s) => ({ id: s.id, jsonlPath: s.jsonlPath })),
    fingerprintsPath: prepared.fingerprintsPath,
    outDir: workDir,
    sandbox: ctx.sandbox,
    limits: limitsFor(ctx),
  });
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
