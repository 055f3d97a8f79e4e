/**
 * The acceptance run of the evaluation issue over the shared tasks: `datachef eval` with N seeds
 * (policy + every baseline, downstream proxy on the label tasks), then `eval-verifier` on the
 * same tasks reusing the evaluation's single-source baselines. Prints the tables and writes a
 * summary of the figures to evals/out/eval-shared.json.
 * Run: npx tsx evals/eval-shared.ts [--seeds 8] [--out DIR] [--concurrency 2] [--policy builtin]
 *      [--no-downstream] [--no-verifier] [--policy-only]
 */
import path from "node:path";
import { runEval } from "../src/eval/eval.js";
import { PAPER_MEAN_PEARSON } from "../src/eval/downstream.js";
import { downstreamTable, evalTable, gradeTable, shortfalls } from "../src/eval/table.js";
import { runVerifierEval, writeVerifierEvalFiles } from "../src/eval/verifier-eval.js";
import { ladderTable } from "../src/cli/eval-verifier.js";
import { writeFileAtomic } from "../src/recipe/run-dir.js";
import { REPO_ROOT } from "../src/recipe/paths.js";
import { specFiles } from "./cook-shared.js";
import { SHARED_TASKS } from "./shared.js";

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const seeds = Number(opt("--seeds", "8"));
  const out = path.resolve(opt("--out", path.join("runs", `eval-shared-${seeds}`)));
  const specs = specFiles(opt("--tasks", SHARED_TASKS));
  const log = (line: string) => process.stderr.write(line + "\n");
  const t0 = Date.now();
  const r = await runEval({
    specs,
    seeds: Array.from({ length: seeds }, (_, i) => i + 1),
    out,
    policy: opt("--policy", "builtin"),
    kinds: args.includes("--policy-only") ? ["policy"] : undefined,
    concurrency: Number(opt("--concurrency", "2")),
    downstream: !args.includes("--no-downstream") && !args.includes("--policy-only"),
    log,
  });
  const evalMs = Date.now() - t0;
  console.log(evalTable(r));
  console.log("");
  console.log(gradeTable(r));
  if (r.downstream?.length) {
    console.log("\ndownstream proxy (verifier reward vs proxy accuracy):");
    console.log(downstreamTable(r));
    for (const t of r.tasks.filter((x) => x.downstream)) for (const n of t.downstream!.notes) console.log(`  ${t.task}: ${n}`);
  }
  const lost = shortfalls(r);
  if (lost.length) console.log(`\nwhere the policy does not win:\n${lost.map((l) => `  ${l}`).join("\n")}`);
  console.log(`\neval: ${r.recipes.length} recipes (${r.ran} cooked now, ${r.resumed} resumed) in ${(evalMs / 60000).toFixed(1)} min; ${out}`);

  let verifier;
  if (!args.includes("--no-verifier") && !args.includes("--policy-only")) {
    const v0 = Date.now();
    verifier = await runVerifierEval({ specs, out: path.join(out, "verifier"), from: out, seed: 1, log });
    writeVerifierEvalFiles(verifier, path.join(out, "verifier"));
    console.log("");
    console.log(ladderTable(verifier));
    const s = verifier.summary;
    console.log(`${s.seen} of ${s.ladders} ladders seen; ${s.knownBlindSpots} known blind spots; unexplained: ${s.unexplained.join(", ") || "none"} (${((Date.now() - v0) / 60000).toFixed(1)} min)`);
  }
  const summary = {
    created_at: new Date().toISOString(),
    seeds,
    out,
    eval_wall_min: +(evalMs / 60000).toFixed(2),
    recipes: r.recipes.length,
    overall: r.overall,
    tasks: r.tasks.map((t) => ({
      task: t.task,
      dvs: t.policy?.dvs,
      exec_first: t.policy?.execFirstAttempt,
      exec_repair: t.policy?.execAfterRepair,
      records: t.policy?.meanRecords,
      contamination: t.policy?.contaminationRate,
      sec_per_recipe: t.policy ? t.policy.meanWallMs / 1000 : undefined,
      single_best: t.baselines.singleSource?.best,
      single_mean: t.baselines.singleSource?.mean,
      all_sources: t.baselines.allSources?.dvs,
      random_plan: t.baselines.randomPlan?.dvs,
      normalized: t.normalizedDvs,
      beats: t.beats,
    })),
    downstream: r.downstream?.map((d) => ({ ...d, paper_mean_pearson: PAPER_MEAN_PEARSON })),
    shortfalls: lost,
    verifier: verifier && {
      summary: verifier.summary,
      ladders: verifier.tasks.flatMap((t) => t.ladders.map((l) => ({ task: t.task, ladder: l.ladder, rho: l.rho, flagged: l.flagged, blind_spot: l.blindSpot, not_applicable: l.notApplicable }))),
    },
  };
  writeFileAtomic(path.join(REPO_ROOT, "evals", "out", `eval-shared${args.includes("--policy-only") ? "-policy" : ""}.json`), JSON.stringify(summary, null, 2) + "\n");
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
