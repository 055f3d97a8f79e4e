/**
 * The evaluation harness: N seeds of the policy and the baselines on every task, run
 * concurrently under a limit, journaled as they finish (an interrupted evaluation resumes),
 * then summarised into eval.json and eval.html.
 *
 *   tasks --prepare (once each)--> jobs (task, variant, seed) --K workers--> runRecipe
 *         --> journal.jsonl --> summary --> eval.json, eval.html [--> downstream, LangSmith]
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { recipeContext, type RecipeContext } from "../../graphs/state.js";
import { agentModel } from "../llm/policy.js";
import { writeFileAtomic } from "../recipe/run-dir.js";
import { Journal } from "./journal.js";
import { prepareEvalTask, runRecipe, type EvalTask } from "./run-recipe.js";
import { summarizeOverall, summarizeTask } from "./summary.js";
import type { EvalResult, RecipeRow, TaskEval, Variant, VariantKind } from "./types.js";
import { VARIANT_KINDS, variantsFor } from "./variants.js";

export class EvalConfigError extends Error {
  override name = "EvalConfigError";
}

export interface EvalOptions {
  specs: string[];
  seeds: number[];
  out: string;
  /** "builtin", "model" (the configured LLM policy) or a policy.json of trained built-in parameters. */
  policy: string;
  kinds?: VariantKind[];
  /** Seeds of the deterministic baselines (the first M of `seeds`; default all). */
  baselineSeeds?: number;
  concurrency?: number;
  samples?: number;
  maxAttempts?: number;
  temperature?: number;
  sandbox?: RecipeContext["sandbox"];
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Called after each finished recipe (tests use it). */
  onRecipe?: (row: RecipeRow) => void;
}

/** The settings a journal's rows depend on: a resumed evaluation must use the same ones. */
interface EvalConfig {
  policy: string;
  samples: number;
  maxAttempts: number;
  temperature: number;
  judge: string;
}

/** The run context of the policy under evaluation. */
export function policyContext(policy: string, base: Partial<RecipeContext>): RecipeContext {
  if (policy === "model") {
    const ctx = recipeContext({ ...base, policy: "builtin" });
    if (!agentModel("planner", ctx) && !agentModel("chef", ctx) && !agentModel("coder", ctx))
      throw new EvalConfigError("--policy model: no model is configured (set DATACHEF_MODEL and OPENAI_BASE_URL, see docs/llm.md)");
    return ctx;
  }
  if (policy !== "builtin" && !existsSync(policy)) throw new EvalConfigError(`--policy ${policy}: expected builtin, model, or an existing policy.json`);
  // the built-in policy stays built-in even when a model is configured for other commands
  return recipeContext({ ...base, policy, policyMode: "planner_coder", plannerModel: "builtin", coderModel: "builtin", chefModel: "builtin" });
}

function checkConfig(file: string, cfg: EvalConfig): void {
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, "utf8")) as EvalConfig;
    const diff = (Object.keys(cfg) as (keyof EvalConfig)[]).filter((k) => old[k] !== cfg[k]);
    if (diff.length)
      throw new EvalConfigError(
        `${path.dirname(file)} holds an evaluation with other settings (${diff.map((k) => `${k}: ${old[k]} there, ${cfg[k]} now`).join("; ")}); use another --out, or the same settings to resume it`,
      );
    return;
  }
  writeFileAtomic(file, JSON.stringify(cfg, null, 2) + "\n");
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export function recipeDir(out: string, task: string, variant: string, seed: number): string {
  return path.join(out, "runs", slug(task), slug(variant), `s${seed}`);
}

interface Job {
  task: EvalTask;
  variant: Variant;
  seed: number;
}

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export interface HarnessRun {
  tasks: { task: EvalTask; rows: RecipeRow[] }[];
  resumed: number;
  ran: number;
  wallMs: number;
  ctx: RecipeContext;
}

/**
 * Cooks every (task, variant, seed) not yet in the journal, K at a time. Preparing a task takes
 * a worker slot too, so preparation and cooking overlap across tasks.
 */
export async function runHarness(opts: EvalOptions): Promise<HarnessRun> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const kinds = opts.kinds ?? VARIANT_KINDS;
  const ctx = policyContext(opts.policy, {
    samples: opts.samples ?? 100,
    maxAttempts: opts.maxAttempts ?? 3,
    temperature: opts.temperature ?? 1,
    sandbox: opts.sandbox ?? "auto",
  });
  mkdirSync(opts.out, { recursive: true });
  checkConfig(path.join(opts.out, "eval.config.json"), {
    policy: opts.policy,
    samples: ctx.samples,
    maxAttempts: ctx.maxAttempts,
    temperature: ctx.temperature,
    judge: agentModel("judge", ctx)?.model ?? "builtin-rules",
  });
  const journal = new Journal(path.join(opts.out, "journal.jsonl"));
  if (journal.size) log(`resuming: ${journal.size} recipe(s) already in ${journal.file}${journal.torn ? ` (${journal.torn} torn line(s) ignored)` : ""}`);

  const pendingSpecs = [...opts.specs];
  const queue: Job[] = [];
  const byTask = new Map<string, { task: EvalTask; rows: RecipeRow[] }>();
  let total = 0;
  let done = 0;
  let resumed = 0;
  let ran = 0;

  const prepareNext = async (): Promise<void> => {
    const spec = pendingSpecs.shift();
    if (!spec) return;
    const task = await prepareEvalTask(spec, { seed: opts.seeds[0] ?? 0 });
    const id = task.loaded.spec.id;
    if (byTask.has(id)) throw new EvalConfigError(`two task specs share the id '${id}' (${byTask.get(id)!.task.specPath} and ${spec})`);
    const entry = { task, rows: [] as RecipeRow[] };
    byTask.set(id, entry);
    const variants = variantsFor(kinds, task.fits, opts.seeds, opts.baselineSeeds);
    let skipped = 0;
    for (const v of variants)
      for (const seed of v.seeds) {
        total++;
        const old = journal.get(id, v.name, seed);
        if (old) {
          entry.rows.push(old);
          skipped++;
          done++;
        } else queue.push({ task, variant: v, seed });
      }
    resumed += skipped;
    const compatible = task.fits.filter((f) => f.ok).length;
    log(`prepared ${id} in ${fmtDuration(task.prepareMs)}: ${compatible}/${task.fits.length} sources fit the benchmark format; ${variants.reduce((s, v) => s + v.seeds.length, 0)} recipes${skipped ? ` (${skipped} already done)` : ""}`);
  };

  const preparing = new Set<Promise<void>>();
  const worker = async (): Promise<void> => {
    for (;;) {
      const job = queue.shift();
      if (!job) {
        if (pendingSpecs.length) {
          const p = prepareNext();
          preparing.add(p);
          try {
            await p;
          } finally {
            preparing.delete(p);
          }
          continue;
        }
        // another worker is preparing a task: its recipes are coming
        if (preparing.size) {
          await Promise.race(preparing).catch(() => {});
          continue;
        }
        return;
      }
      const { task, variant, seed } = job;
      const id = task.loaded.spec.id;
      let row: RecipeRow;
      try {
        row = await runRecipe({ task, variant, seed, outDir: recipeDir(opts.out, id, variant.name, seed), ctx });
        journal.add(row);
      } catch (e) {
        // a harness failure is not a recipe outcome: not journaled, so a re-run retries it
        const msg = (e as Error).message.split("\n")[0]!;
        row = failedRow(id, variant, seed, msg, recipeDir(opts.out, id, variant.name, seed));
        log(`error: ${id} ${variant.name} s${seed}: ${msg}`);
      }
      ran++;
      done++;
      byTask.get(id)!.rows.push(row);
      opts.onRecipe?.(row);
      const counted = pendingSpecs.length ? `${done}/${total}+` : `${done}/${total}`;
      log(
        `[${counted} ${fmtDuration(Date.now() - t0)}] ${id} ${variant.name} s${seed}: ${row.status} ${row.score.toFixed(3)}, ${row.records} records, ${row.attempts} attempt(s) (${(row.wallMs / 1000).toFixed(1)}s)`,
      );
    }
  };

  const k = Math.max(1, opts.concurrency ?? 2);
  await Promise.all(Array.from({ length: k }, worker));
  const tasks = opts.specs.map((s) => [...byTask.values()].find((t) => t.task.specPath === s)!).filter(Boolean);
  return { tasks, resumed, ran, wallMs: Date.now() - t0, ctx };
}

function failedRow(task: string, variant: Variant, seed: number, reason: string, outDir: string): RecipeRow {
  return {
    task,
    variant: variant.name,
    kind: variant.kind,
    ...(variant.source ? { source: variant.source } : {}),
    seed,
    status: "harness_error",
    reward: 0,
    score: 0,
    records: 0,
    attempts: 0,
    firstAttemptOk: false,
    executed: false,
    grades: {},
    leaks: { strict: 0, substantial: 0, rate: 0 },
    verifierContaminated: 0,
    sources: [],
    wallMs: 0,
    timings: {},
    outDir,
    reason,
    finishedAt: new Date().toISOString(),
  };
}

/** Summaries of a finished harness run (no files written). */
export function summarizeHarness(run: HarnessRun, opts: Pick<EvalOptions, "policy" | "seeds" | "concurrency">): EvalResult {
  const tasks: TaskEval[] = run.tasks.map(({ task, rows }) =>
    summarizeTask({
      task: task.loaded.spec.id,
      spec: task.specPath,
      answerKind: task.prepared.verifierContract.answer.kind,
      prepareMs: task.prepareMs,
      rows,
      fits: task.fits,
    }),
  );
  const rows = run.tasks.flatMap((t) => t.rows);
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    policy: opts.policy,
    seeds: opts.seeds,
    samples: run.ctx.samples,
    maxAttempts: run.ctx.maxAttempts,
    concurrency: Math.max(1, opts.concurrency ?? 2),
    wallMs: run.wallMs,
    resumed: run.resumed,
    ran: run.ran,
    tasks,
    overall: summarizeOverall(tasks, rows),
    recipes: rows,
  };
}
