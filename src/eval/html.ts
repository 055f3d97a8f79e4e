/**
 * eval.html: one self-contained page (inline CSS and SVG, no script, no URL) built with the
 * report page kit of src/report/: headline cards, reward distribution per task, policy against
 * baselines, the per-task table, downstream correlations, and every recipe.
 */
import path from "node:path";
import { card, esc, kvTable, page, panel, pct } from "../report/html.js";
import { renderChart } from "../report/vega.js";
import { downstreamChart, policyVsBaselinesChart, rewardDistributionChart } from "./charts.js";
import { shortfalls } from "./table.js";
import type { EvalResult, RecipeRow } from "./types.js";

const f3 = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(3));

function chartOrNote(build: () => string): string {
  try {
    return panel(build());
  } catch (e) {
    // a chart that cannot render must not cost the whole page
    return `<p class="warn">chart not rendered: ${esc((e as Error).message)}</p>`;
  }
}

function taskTable(r: EvalResult): string {
  const n = r.seeds.length;
  const head = ["task", `DVS@${n}`, "exec 1st / after repair", "records", "contamination", "s / recipe", "normalised", "single best", "single mean", "all-sources", `random-plan@${n}`, "beats all / random"];
  const rows = r.tasks.map((t) => {
    const p = t.policy;
    const ss = t.baselines.singleSource;
    const yes = (b: boolean | undefined) => (b === undefined ? "–" : b ? "yes" : "no");
    return [
      esc(t.task),
      p ? `${f3(p.dvs)} <span class="muted">±${p.dvsStd.toFixed(3)}</span>` : "–",
      p ? `${pct(p.execFirstAttempt, 0)} / ${pct(p.execAfterRepair, 0)}` : "–",
      p ? esc(Math.round(p.meanRecords)) : "–",
      p ? `${pct(p.contaminationRate, 2)}${p.leakyRecipes ? ` <span class="muted">(${p.leakyRecipes} recipes)</span>` : ""}` : "–",
      p ? (p.meanWallMs / 1000).toFixed(1) : "–",
      t.normalizedDvs === undefined ? "–" : t.normalizedDvs.toFixed(1),
      ss?.best ? `${f3(ss.best.dvs)} <span class="muted">${esc(ss.best.source)}</span>` : "–",
      ss?.perSource.length ? f3(ss.mean) : "–",
      f3(t.baselines.allSources?.dvs),
      f3(t.baselines.randomPlan?.dvs),
      `${yes(t.beats?.allSources)} / ${yes(t.beats?.randomPlan)}`,
    ];
  });
  return (
    `<div class="panel"><table class="grid" data-table="tasks"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((cells) => `<tr>${cells.map((c, i) => `<td${i ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`).join("") +
    `</tbody></table></div>`
  );
}

function gradesTable(r: EvalResult): string {
  const keys = ["invalid", "format_error", "incorrect", "task_mismatch", "pass"];
  return (
    `<table class="grid" data-table="grades"><thead><tr><th>task</th>${keys.map((k) => `<th>${esc(k)}</th>`).join("")}<th>statuses</th></tr></thead><tbody>` +
    r.tasks
      .filter((t) => t.policy)
      .map((t) => {
        const g = t.policy!.grades;
        const total = keys.reduce((s, k) => s + (g[k] ?? 0), 0) || 1;
        return `<tr><td>${esc(t.task)}</td>${keys.map((k) => `<td class="num">${esc(g[k] ?? 0)} <span class="muted">${pct((g[k] ?? 0) / total, 0)}</span></td>`).join("")}<td>${esc(Object.entries(t.policy!.statuses).map(([s, c]) => `${s} ${c}`).join(", "))}</td></tr>`;
      })
      .join("") +
    `</tbody></table>`
  );
}

function singleSourceTable(r: EvalResult): string {
  const rows = r.tasks.flatMap((t) => [
    ...(t.baselines.singleSource?.perSource ?? []).map((s) => `<tr><td>${esc(t.task)}</td><td>${esc(s.source)}</td><td class="num">${f3(s.dvs)}</td><td>${esc(s.status)}</td><td class="num">${esc(s.records)}</td></tr>`),
    ...(t.baselines.singleSource?.skipped ?? []).map((s) => `<tr><td>${esc(t.task)}</td><td>${esc(s.source)}</td><td class="num">–</td><td class="muted">not run: ${esc(s.reason)}</td><td></td></tr>`),
  ]);
  if (!rows.length) return `<p class="muted">No single-source baselines in this evaluation.</p>`;
  return `<details><summary>Single-source baselines, per source</summary><table class="grid" data-table="single-source"><thead><tr><th>task</th><th>source</th><th>DVS</th><th>status</th><th>records</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

function downstreamSection(r: EvalResult): string {
  const tasks = r.tasks.filter((t) => t.downstream);
  if (!tasks.length) return "";
  const notes = tasks.flatMap((t) => t.downstream!.notes.map((n) => `${t.task}: ${n}`));
  const points = tasks.flatMap((t) => t.downstream!.datasets.map((d) => ({ task: t.task, dataset: d.name, reward: d.reward, accuracy: d.accuracy })));
  const rows = tasks
    .map((t) => {
      const d = t.downstream!;
      const c = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
      return `<tr><td>${esc(t.task)}</td><td class="num">${esc(d.datasets.length)}</td><td class="num">${c(d.pearson)}</td><td class="num">${c(d.spearman)}</td><td class="num">${esc(d.recipesOnly.n)}: ${c(d.recipesOnly.pearson)} / ${c(d.recipesOnly.spearman)}</td><td class="num">${f3(d.majorityAccuracy)}</td><td class="num">${esc(d.benchmarkRecords)}</td></tr>`;
    })
    .join("");
  const detail = tasks
    .map(
      (t) =>
        `<h4>${esc(t.task)}</h4><table class="grid"><thead><tr><th>dataset</th><th>records</th><th>verifier reward</th><th>proxy accuracy</th><th>what</th></tr></thead><tbody>` +
        t.downstream!.datasets.map((d) => `<tr><td>${esc(d.name)}</td><td class="num">${esc(d.records)}</td><td class="num">${f3(d.reward)}</td><td class="num">${f3(d.accuracy)}</td><td>${esc(d.description)}</td></tr>`).join("") +
        `</tbody></table>`,
    )
    .join("");
  return (
    `<h2>Downstream proxy</h2>` +
    `<p>A CPU stand-in for fine-tuning: a hashed word and character n-gram logistic regression trained on each training set and scored on the benchmark, formatted like the recipes' user turns. ` +
    `It measures how learnable the labels are and how well the data matches the benchmark's domain, <b>not</b> what an LLM fine-tuned on the data would score. The paper reports an average Pearson r of 0.59 (0.34–0.83 per task) between its verifier and real fine-tuning.</p>` +
    `<div class="panel"><table class="grid" data-table="downstream"><thead><tr><th>task</th><th>datasets</th><th>Pearson</th><th>Spearman</th><th>recipe outputs only: n: Pearson / Spearman</th><th>majority-class accuracy</th><th>benchmark records</th></tr></thead><tbody>${rows}</tbody></table></div>` +
    (notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "") +
    `<div class="charts">${chartOrNote(() => renderChart(downstreamChart(points), { id: "downstream", label: "verifier reward against proxy accuracy" }))}</div>` +
    `<details><summary>Datasets</summary>${detail}</details>`
  );
}

function recipeRow(x: RecipeRow, out: string): string {
  const rel = path.relative(out, path.join(x.outDir, "report.html"));
  return (
    `<tr><td>${esc(x.task)}</td><td>${esc(x.variant)}</td><td class="num">${esc(x.seed)}</td><td>${esc(x.status)}</td><td class="num">${f3(x.score)}</td>` +
    `<td class="num">${esc(x.records)}</td><td class="num">${esc(x.attempts)}</td><td class="num">${esc(x.leaks.substantial)}</td><td class="num">${(x.wallMs / 1000).toFixed(1)}</td>` +
    `<td>${x.status === "harness_error" ? esc(x.reason ?? "") : `<code>${esc(rel)}</code>`}</td></tr>`
  );
}

export function renderEvalHtml(r: EvalResult, outDir: string): string {
  const o = r.overall;
  const n = r.seeds.length;
  const cards = [
    card(`policy DVS@${n}`, f3(o.policy?.dvs), "dvs"),
    ...(o.normalizedDvs !== undefined ? [card("normalised (single-source best = 100)", o.normalizedDvs.toFixed(1), "normalized")] : []),
    ...(o.policy ? [card("executable, first attempt", pct(o.policy.execFirstAttempt, 0)), card("executable after repair", pct(o.policy.execAfterRepair, 0))] : []),
    ...(o.beatsAllSources !== undefined ? [card("beats all-sources", `${o.beatsAllSources}/${o.tasks}`)] : []),
    ...(o.beatsRandomPlan !== undefined ? [card("beats random-plan", `${o.beatsRandomPlan}/${o.tasks}`)] : []),
  ].join("");
  const lost = shortfalls(r);
  const facts = kvTable([
    ["policy", esc(r.policy)],
    ["seeds", esc(r.seeds.join(", "))],
    ["samples graded per recipe", esc(r.samples)],
    ["attempts per recipe", esc(r.maxAttempts)],
    ["recipes", `${esc(r.recipes.length)} (${esc(r.ran)} cooked in this run, ${esc(r.resumed)} taken from the journal)`],
    ["wall time", `${(r.wallMs / 60000).toFixed(1)} min at concurrency ${esc(r.concurrency)}`],
    ["created", esc(r.createdAt)],
    ...(r.langsmith ? [["LangSmith", "error" in r.langsmith ? `not logged: ${esc(r.langsmith.error)}` : `experiments ${esc(r.langsmith.experiments.join(", "))} on dataset ${esc(r.langsmith.dataset)} (${esc(r.langsmith.runs)} runs)`] as [string, string]] : []),
  ]);
  const body =
    `<h1>Evaluation: ${esc(r.policy)} policy on ${esc(r.tasks.length)} task(s)</h1>` +
    `<p class="muted">DVS@N is the mean verifier score over N sampled recipes, failed recipes counting 0. Baselines run through the same harness: each compatible source alone, every compatible source concatenated without filters, and random source choices with default operations.</p>` +
    `<div class="cards">${cards}</div>` +
    (lost.length ? `<div class="warn"><b>Where the policy does not win:</b><ul class="notes">${lost.map((l) => `<li>${esc(l)}</li>`).join("")}</ul></div>` : "") +
    `<h2>Charts</h2><div class="charts">` +
    chartOrNote(() => renderChart(policyVsBaselinesChart(r), { id: "policy-vs-baselines", label: "DVS per task, policy against baselines" })) +
    chartOrNote(() => renderChart(rewardDistributionChart(r), { id: "reward-distribution", label: "reward distribution per task" })) +
    `</div>` +
    `<h2>Per task</h2>${taskTable(r)}${singleSourceTable(r)}` +
    `<h2>Grades of the policy's graded samples</h2>${gradesTable(r)}` +
    downstreamSection(r) +
    `<h2>Run</h2>${facts}` +
    `<h2>Recipes</h2><details><summary>${esc(r.recipes.length)} recipes</summary><table class="grid" data-table="recipes"><thead><tr><th>task</th><th>variant</th><th>seed</th><th>status</th><th>score</th><th>records</th><th>attempts</th><th>leaked</th><th>s</th><th>report</th></tr></thead><tbody>` +
    r.recipes.map((x) => recipeRow(x, outDir)).join("") +
    `</tbody></table></details>`;
  return page(`datachef eval: ${r.policy}`, body);
}
