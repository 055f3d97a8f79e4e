/**
 * `datachef eval-verifier <task.json...> [--from EVAL_DIR] [--out DIR] [--samples K] [--seed N]`
 * Corruption ladders per task; prints rho per ladder. Exit 0 when every ladder the verifier
 * misses is a named blind spot; 1 when some miss has no known reason.
 */
import path from "node:path";
import { formatTable } from "./tasks.js";
import { EvalConfigError } from "../eval/harness.js";
import { runVerifierEval, writeVerifierEvalFiles, type VerifierEvalResult } from "../eval/verifier-eval.js";
import { flushTracing } from "../llm/tracing.js";
import { checkTaskFile } from "./cook.js";
import { CliError } from "./errors.js";
import { ProgressDisplay } from "./progress.js";

export interface EvalVerifierCliOptions {
  from?: string;
  out?: string;
  samples: number;
  seed: number;
  concurrency: number;
  maxRecords: number;
  json?: boolean;
}

export function ladderTable(r: VerifierEvalResult): string {
  const rows = [["task", "ladder", `reward at ${r.shares.join("/")}`, "rho", "verdict"]];
  for (const t of r.tasks)
    for (const l of t.ladders)
      rows.push(
        l.applicable
          ? [t.task, l.ladder, l.rewards.map((x) => x.toFixed(2)).join(" "), l.rho === null ? "n/a" : l.rho.toFixed(3), l.flagged ? (l.blindSpot ? "NOT SEEN (known blind spot)" : "NOT SEEN (unexplained)") : "seen"]
          : [t.task, l.ladder, "-", "-", `n/a: ${l.notApplicable}`],
      );
  return formatTable(rows);
}

export async function evalVerifierCommand(specs: string[], opts: EvalVerifierCliOptions): Promise<number> {
  if (!specs.length) throw new CliError("give at least one task spec");
  for (const s of specs) checkTaskFile(s);
  const out = path.resolve(opts.out ?? path.join("runs", `eval-verifier-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`));
  const display = new ProgressDisplay(process.stderr);
  try {
    const r = await runVerifierEval({
      specs: specs.map((s) => path.resolve(s)),
      out,
      ...(opts.from ? { from: path.resolve(opts.from) } : {}),
      seed: opts.seed,
      samples: opts.samples,
      concurrency: opts.concurrency,
      maxRecords: opts.maxRecords,
      log: (line) => display.line(line, true),
    });
    display.done();
    writeVerifierEvalFiles(r, out);
    if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    else {
      const blind = r.tasks.flatMap((t) => t.ladders.filter((l) => l.flagged && l.blindSpot).map((l) => `  ${t.task}/${l.ladder}: ${l.blindSpot}`));
      const s = r.summary;
      process.stdout.write(
        [
          ladderTable(r),
          "",
          `${s.seen} of ${s.ladders} ladders seen (rho <= ${r.threshold}); ${s.knownBlindSpots} known blind spot(s); ${s.unexplained.length} unexplained${s.unexplained.length ? `: ${s.unexplained.join(", ")}` : ""}; ${s.notApplicable} not applicable`,
          ...(blind.length ? ["known blind spots:", ...blind] : []),
          `verifier-eval.json and verifier-eval.html in ${out} (${(r.wallMs / 60000).toFixed(1)} min)`,
        ].join("\n") + "\n",
      );
    }
    if (r.summary.unexplained.length) {
      process.stderr.write(`datachef: the verifier misses ${r.summary.unexplained.length} ladder(s) with no known reason: ${r.summary.unexplained.join(", ")}\n`);
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
