/**
 * `datachef eval-verifier` as a library call: the best single-source output of every task
 * (cooked here, resumably, or taken from an earlier evaluation's journal), corruption ladders on
 * it, Spearman rho per ladder; verifier-eval.json and verifier-eval.html.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { card, esc, page, panel } from "../report/html.js";
import { renderChart } from "../report/vega.js";
import { writeFileAtomic } from "../recipe/run-dir.js";
import { ladderChart } from "./charts.js";
import { bestSingleSource } from "./downstream.js";
import { offDomainPool } from "./eval.js";
import { EvalConfigError, policyContext, runHarness } from "./harness.js";
import { Journal } from "./journal.js";
import { LADDER_SHARES, RHO_THRESHOLD, runLadders, type TaskLadders } from "./ladders.js";
import { prepareEvalTask, type EvalTask } from "./run-recipe.js";
import type { RecipeRow } from "./types.js";

export interface VerifierEvalOptions {
  specs: string[];
  out: string;
  /** An earlier `datachef eval` folder whose single-source baselines to reuse. */
  from?: string;
  seed?: number;
  samples?: number;
  concurrency?: number;
  maxRecords?: number;
  /** Corruption shares of every ladder (default LADDER_SHARES). */
  shares?: number[];
  log?: (line: string) => void;
}

export interface VerifierEvalResult {
  version: 1;
  createdAt: string;
  judge: string;
  shares: number[];
  threshold: number;
  samples: number;
  tasks: TaskLadders[];
  summary: { ladders: number; seen: number; flagged: number; knownBlindSpots: number; unexplained: string[]; notApplicable: number };
  wallMs: number;
}

async function baselines(opts: VerifierEvalOptions): Promise<{ task: EvalTask; rows: RecipeRow[] }[]> {
  if (opts.from) {
    const file = path.join(opts.from, "journal.jsonl");
    if (!existsSync(file)) throw new EvalConfigError(`--from ${opts.from}: no journal.jsonl there (expected a datachef eval folder)`);
    const journal = new Journal(file);
    const out: { task: EvalTask; rows: RecipeRow[] }[] = [];
    for (const spec of opts.specs) {
      const task = await prepareEvalTask(spec, { seed: opts.seed ?? 0 });
      const rows = journal.all().filter((r) => r.task === task.loaded.spec.id);
      if (!rows.some((r) => r.kind === "single-source" && r.status === "ok"))
        throw new EvalConfigError(`--from ${opts.from}: no executed single-source baseline of task '${task.loaded.spec.id}' (run datachef eval with --baselines single)`);
      out.push({ task, rows });
    }
    return out;
  }
  const run = await runHarness({
    specs: opts.specs,
    seeds: [opts.seed ?? 0],
    out: path.join(opts.out, "baselines"),
    policy: "builtin",
    kinds: ["single-source"],
    concurrency: opts.concurrency ?? 2,
    samples: opts.samples ?? 100,
    ...(opts.log ? { log: opts.log } : {}),
  });
  return run.tasks;
}

export async function runVerifierEval(opts: VerifierEvalOptions): Promise<VerifierEvalResult> {
  const t0 = Date.now();
  const samples = opts.samples ?? 100;
  const seed = opts.seed ?? 0;
  const ctx = { ...policyContext("builtin", { samples }), seed };
  const tasks = await baselines(opts);
  const byTask = tasks.map((t) => ({ task: t.task.loaded.spec.id, rows: t.rows }));
  const results: TaskLadders[] = [];
  for (const { task, rows } of tasks) {
    const id = task.loaded.spec.id;
    const best = bestSingleSource(rows);
    if (!best) {
      opts.log?.(`${id}: no single-source baseline produced data; no ladders`);
      continue;
    }
    opts.log?.(`${id}: ladders on ${best.source} (reward ${best.score.toFixed(3)}, ${best.records} records)`);
    results.push(
      await runLadders({
        task,
        base: { label: best.source ?? best.variant, path: path.join(best.outDir, "data.jsonl"), reward: best.score },
        pool: offDomainPool(byTask, id),
        ctx,
        dir: path.join(opts.out, "ladders"),
        ...(opts.maxRecords ? { maxRecords: opts.maxRecords } : {}),
        ...(opts.shares ? { shares: opts.shares } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      }),
    );
  }
  const all = results.flatMap((t) => t.ladders.map((l) => ({ task: t.task, ...l })));
  const applicable = all.filter((l) => l.applicable);
  const flagged = applicable.filter((l) => l.flagged);
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    judge: results[0]?.judge ?? "builtin-rules",
    shares: opts.shares ?? LADDER_SHARES,
    threshold: RHO_THRESHOLD,
    samples,
    tasks: results,
    summary: {
      ladders: applicable.length,
      seen: applicable.length - flagged.length,
      flagged: flagged.length,
      knownBlindSpots: flagged.filter((l) => l.blindSpot).length,
      unexplained: flagged.filter((l) => !l.blindSpot).map((l) => `${l.task}/${l.ladder}`),
      notApplicable: all.length - applicable.length,
    },
    wallMs: Date.now() - t0,
  };
}

export function renderVerifierEvalHtml(r: VerifierEvalResult): string {
  const points = r.tasks.flatMap((t) => t.ladders.filter((l) => l.applicable).flatMap((l) => l.shares.map((share, i) => ({ task: t.task, ladder: l.ladder, share, reward: l.rewards[i]! }))));
  let chart: string;
  try {
    chart = panel(renderChart(ladderChart(points), { id: "ladders", label: "verifier reward against corruption share" }));
  } catch (e) {
    chart = `<p class="warn">chart not rendered: ${esc((e as Error).message)}</p>`;
  }
  const rows = r.tasks
    .flatMap((t) =>
      t.ladders.map(
        (l) =>
          `<tr><td>${esc(t.task)}</td><td>${esc(l.ladder)}</td>` +
          (l.applicable
            ? `<td>${esc(l.rewards.map((x) => x.toFixed(2)).join(" "))}</td><td class="num">${l.rho === null ? "n/a" : l.rho.toFixed(3)}</td><td>${l.flagged ? `<b>not seen</b>${l.blindSpot ? `: known blind spot: ${esc(l.blindSpot)}` : ": no known reason"}` : "seen"}</td>`
            : `<td colspan="2" class="muted">not applicable</td><td class="muted">${esc(l.notApplicable ?? "")}</td>`) +
          `</tr>`,
      ),
    )
    .join("");
  const s = r.summary;
  const body =
    `<h1>Verifier validation: corruption ladders</h1>` +
    `<p class="muted">Each task's best single-source training set with a growing share of records (${esc(r.shares.join(", "))}) damaged one way at a time, graded by the verifier (${esc(r.judge)}, ${esc(r.samples)} samples, the same sample positions at every share). A verifier that sees the damage gives a falling reward: Spearman rho at most ${esc(r.threshold)}.</p>` +
    `<div class="cards">${card("ladders", String(s.ladders))}${card("seen", String(s.seen))}${card("known blind spots", String(s.knownBlindSpots))}${card("unexplained", String(s.unexplained.length))}</div>` +
    `<div class="charts">${chart}</div>` +
    `<h2>Ladders</h2><table class="grid" data-table="ladders"><thead><tr><th>task</th><th>ladder</th><th>reward at each share</th><th>rho</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<h2>Base datasets</h2><table class="grid"><thead><tr><th>task</th><th>source</th><th>records used</th><th>reward</th></tr></thead><tbody>${r.tasks.map((t) => `<tr><td>${esc(t.task)}</td><td>${esc(t.base.label)}</td><td class="num">${esc(t.base.records)}</td><td class="num">${t.base.reward.toFixed(3)}</td></tr>`).join("")}</tbody></table>`;
  return page("datachef eval-verifier", body);
}

export function writeVerifierEvalFiles(r: VerifierEvalResult, out: string): void {
  writeFileAtomic(path.join(out, "verifier-eval.html"), renderVerifierEvalHtml(r));
  writeFileAtomic(path.join(out, "verifier-eval.json"), JSON.stringify(r, null, 2) + "\n");
}
