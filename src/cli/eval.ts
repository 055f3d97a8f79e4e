/**
 * `datachef eval <task.json...> --seeds N [--policy builtin|model|policy.json] [--out DIR]
 *  [--concurrency K] [--downstream] [--baselines LIST] [--json]`
 * Exit 0 when every recipe was cooked (whatever its score); 1 when the harness failed on some.
 */
import { InvalidArgumentError, type Command } from "commander";
import path from "node:path";
import { EvalConfigError } from "../eval/harness.js";
import { runEval } from "../eval/eval.js";
import { downstreamTable, evalTable, gradeTable, shortfalls } from "../eval/table.js";
import type { VariantKind } from "../eval/types.js";
import { flushTracing } from "../llm/tracing.js";
import { checkTaskFile } from "./cook.js";
import { CliError } from "./errors.js";
import { ProgressDisplay } from "./progress.js";
import { evalVerifierCommand, type EvalVerifierCliOptions } from "./eval-verifier.js";

export interface EvalCliOptions {
  seeds: number;
  seed: number;
  policy: string;
  out?: string;
  concurrency: number;
  samples: number;
  maxAttempts: number;
  temperature: number;
  sandbox: "auto" | "local" | "e2b";
  baselines: VariantKind[];
  baselineSeeds?: number;
  downstream?: boolean;
  json?: boolean;
}

const BASELINES: Record<string, VariantKind> = { single: "single-source", "single-source": "single-source", all: "all-sources", "all-sources": "all-sources", random: "random-plan", "random-plan": "random-plan" };

export function parseBaselines(value: string): VariantKind[] {
  if (value === "none" || value === "") return [];
  const out: VariantKind[] = [];
  for (const part of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const k = BASELINES[part];
    if (!k) throw new InvalidArgumentError(`--baselines: unknown baseline '${part}' (expected single, all, random, or none)`);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

export function defaultEvalDir(now = new Date()): string {
  return path.resolve("runs", `eval-${now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`);
}

export async function evalCommand(specs: string[], opts: EvalCliOptions): Promise<number> {
  if (!specs.length) throw new CliError("give at least one task spec");
  for (const s of specs) checkTaskFile(s);
  if (opts.seeds < 1) throw new CliError("--seeds must be at least 1");
  if (opts.concurrency < 1) throw new CliError("--concurrency must be at least 1");
  const out = path.resolve(opts.out ?? defaultEvalDir());
  const display = new ProgressDisplay(process.stderr);
  const seeds = Array.from({ length: opts.seeds }, (_, i) => opts.seed + i);
  try {
    const result = await runEval({
      specs: specs.map((s) => path.resolve(s)),
      seeds,
      out,
      policy: opts.policy,
      kinds: ["policy", ...opts.baselines],
      ...(opts.baselineSeeds ? { baselineSeeds: opts.baselineSeeds } : {}),
      concurrency: opts.concurrency,
      samples: opts.samples,
      maxAttempts: opts.maxAttempts,
      temperature: opts.temperature,
      sandbox: opts.sandbox,
      downstream: !!opts.downstream,
      log: (line) => display.line(line, true),
    });
    display.done();
    if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    else {
      const lines = [evalTable(result), "", gradeTable(result)];
      if (result.downstream?.length) lines.push("", "downstream proxy (verifier reward vs proxy accuracy):", downstreamTable(result));
      const lost = shortfalls(result);
      if (lost.length) lines.push("", "where the policy does not win:", ...lost.map((l) => `  ${l}`));
      lines.push("", `${result.recipes.length} recipes (${result.ran} cooked now, ${result.resumed} resumed from the journal) in ${(result.wallMs / 60000).toFixed(1)} min`, `eval.json and eval.html in ${out}`);
      process.stdout.write(lines.join("\n") + "\n");
    }
    const failed = result.recipes.filter((r) => r.status === "harness_error");
    if (failed.length) {
      process.stderr.write(`datachef: ${failed.length} recipe(s) could not be evaluated (first: ${failed[0]!.task} ${failed[0]!.variant} s${failed[0]!.seed}: ${failed[0]!.reason}); re-run to retry them\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof EvalConfigError) throw new CliError(e.message);
    throw e;
  } finally {
    await flushTracing();
  }
}

/** Registers `eval` and `eval-verifier` (kept here so main.ts needs one line). */
export function registerEvalCommands(program: Command, setCode: (c: number) => void, intArg: (name: string) => (v: string) => number): void {
  program
    .command("eval")
    .description("evaluate a policy: DVS@N, executability, contamination and baselines over task specs; writes eval.json and eval.html")
    .argument("<task.json...>", "task spec files")
    .option("--seeds <n>", "recipes per task (DVS@N)", intArg("--seeds"), 8)
    .option("--seed <n>", "first seed (seeds are seed..seed+N-1)", intArg("--seed"), 1)
    .option("--policy <p>", "builtin | model (the configured LLM policy) | a policy.json of trained built-in parameters", "builtin")
    .option("--out <dir>", "evaluation folder; re-running into it resumes (default runs/eval-<time>)")
    .option("--concurrency <k>", "recipes cooked at once", intArg("--concurrency"), 2)
    .option("--baselines <list>", "single,all,random (or none)", parseBaselines, parseBaselines("single,all,random"))
    .option("--baseline-seeds <m>", "seeds of the deterministic baselines (the first M; default all N)", intArg("--baseline-seeds"))
    .option("--downstream", "add the CPU downstream proxy on label tasks (verifier reward vs proxy accuracy)")
    .option("--samples <k>", "records the verifier grades per recipe", intArg("--samples"), 100)
    .option("--max-attempts <n>", "executions per recipe (1 + repairs)", intArg("--max-attempts"), 3)
    .option("--temperature <t>", "policy sampling temperature", parseFloat, 1)
    .option("--sandbox <kind>", "where recipes run: auto | local | e2b", "auto")
    .option("--json", "print eval.json on stdout")
    .action(async (specs: string[], opts: EvalCliOptions) => setCode(await evalCommand(specs, opts)));

  program
    .command("eval-verifier")
    .description("validate the verifier with corruption ladders on each task's best single-source data; Spearman rho per ladder")
    .argument("<task.json...>", "task spec files (two or more for the off-domain ladder)")
    .option("--from <dir>", "reuse the single-source baselines of an earlier `datachef eval` folder")
    .option("--out <dir>", "output folder (default runs/eval-verifier-<time>)")
    .option("--samples <k>", "records the verifier grades per rung", intArg("--samples"), 100)
    .option("--seed <n>", "seed of baselines, corruption and sampling", intArg("--seed"), 1)
    .option("--concurrency <k>", "baseline recipes cooked at once", intArg("--concurrency"), 2)
    .option("--max-records <n>", "records of the base dataset the ladders use", intArg("--max-records"), 2000)
    .option("--json", "print verifier-eval.json on stdout")
    .action(async (specs: string[], opts: EvalVerifierCliOptions) => setCode(await evalVerifierCommand(specs, opts)));
}
