/** `datachef cook`: the recipe graph end to end, with progress on stderr. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { recipeGraph } from "../../graphs/recipe.js";
import { recipeContext, type RecipeContext } from "../../graphs/state.js";
import { isProgressEvent } from "../recipe/progress.js";
import { loadTaskSpec, TaskSpecError } from "../task/spec.js";
import type { Report } from "../verify/report.js";
import { CliError } from "./errors.js";
import { ProgressDisplay } from "./progress.js";
import { failureLine, summarizeReport } from "./summary.js";
import { flushTracing } from "../llm/tracing.js";

export interface CookOptions {
  out?: string;
  seed: number;
  samples: number;
  policy: string;
  temperature: number;
  sandbox: "auto" | "local" | "e2b";
  maxAttempts: number;
  maxRecords?: number;
  only?: string;
  /** Files of a recipe (and check) to start from. */
  recipe?: string;
  check?: string;
  /** The same, as text (programmatic callers). */
  recipeText?: string;
  checkText?: string;
  model?: string;
  baseUrl?: string;
  judgeModel?: string;
  policyMode?: string;
  llmCalls?: number;
  force?: boolean;
  json?: boolean;
}

export function readScript(file: string, what: string): string {
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`${what} ${file}: no such file`);
  return readFileSync(file, "utf8");
}

/** The run context, with a one-line error naming the bad option instead of a zod dump. */
function contextOrExplain(raw: Record<string, unknown>): RecipeContext {
  try {
    return recipeContext(raw);
  } catch (e) {
    const issue = (e as { issues?: { path: (string | number)[]; message: string }[] }).issues?.[0];
    if (issue) throw new CliError(`option '${issue.path.join(".")}': ${issue.message}`);
    throw e;
  }
}

export function checkTaskFile(taskPath: string): void {
  if (!existsSync(taskPath)) throw new CliError(`${taskPath}: no such task spec file`);
  try {
    loadTaskSpec(taskPath);
  } catch (e) {
    if (e instanceof TaskSpecError) throw new CliError(e.message);
    throw e;
  }
}

export async function cookTask(
  taskPath: string,
  opts: CookOptions,
  display = new ProgressDisplay(),
): Promise<{ report: Report; outDir: string }> {
  checkTaskFile(taskPath);
  for (const w of loadTaskSpec(taskPath).warnings) display.line(`warning: ${taskPath}: ${w}`, true);
  if (opts.policy !== "builtin" && !existsSync(opts.policy)) throw new CliError(`--policy ${opts.policy}: expected 'builtin' or an existing policy.json`);
  const context: RecipeContext = contextOrExplain({
    policy: opts.policy,
    seed: opts.seed,
    temperature: opts.temperature,
    sandbox: opts.sandbox,
    samples: opts.samples,
    maxAttempts: opts.maxAttempts,
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    ...(opts.judgeModel ? { judgeModel: opts.judgeModel } : {}),
    ...(opts.policyMode ? { policyMode: opts.policyMode } : {}),
    ...(opts.llmCalls !== undefined ? { llmCalls: opts.llmCalls } : {}),
  });
  const input = {
    taskPath,
    outDir: opts.out,
    maxRecords: opts.maxRecords,
    only: opts.only ? opts.only.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    force: opts.force,
    recipe: opts.recipeText ?? (opts.recipe ? readScript(opts.recipe, "--recipe") : undefined),
    check: opts.checkText ?? (opts.check ? readScript(opts.check, "--check") : undefined),
  };
  let report: Report | undefined;
  let outDir = opts.out ?? "";
  const stream = await recipeGraph.stream(input, { context, streamMode: ["updates", "custom"], recursionLimit: 50 });
  for await (const [mode, chunk] of stream as AsyncIterable<[string, any]>) {
    if (mode === "custom" && isProgressEvent(chunk)) display.event(chunk);
    if (mode === "updates") {
      for (const [node, update] of Object.entries(chunk as Record<string, any>)) {
        if (node === "load_task" && update?.outDir) outDir = update.outDir;
        if (node === "execute") {
          const a = update?.attempts?.[0];
          display.step(node, a ? `attempt ${a.n} ${a.ok ? `ok, ${a.records} records` : `failed (${a.error?.kind}: ${a.error?.message ?? ""})`}` : "");
        } else display.step(node);
        if (update?.report) report = update.report as Report;
      }
    }
  }
  display.done();
  if (!report) throw new CliError("the run ended without a report (rejected or interrupted)", 1);
  return { report, outDir };
}

export async function cookCommand(taskPath: string, opts: CookOptions): Promise<number> {
  try {
    const { report, outDir } = await cookTask(taskPath, opts, new ProgressDisplay(process.stderr, !!opts.json));
    if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else process.stdout.write(summarizeReport(report, outDir) + "\n");
    if (report.status !== "ok") {
      process.stderr.write(`datachef: ${failureLine(report)}\n`);
      return 1;
    }
    return 0;
  } finally {
    await flushTracing();
  }
}
