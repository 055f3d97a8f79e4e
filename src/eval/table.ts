/** Plain-text tables of an evaluation (what `datachef eval` prints). */
import { formatTable } from "../cli/tasks.js";
import type { EvalResult } from "./types.js";

const f3 = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(3));
const pct = (x: number | undefined, d = 0) => (x === undefined ? "-" : `${(x * 100).toFixed(d)}%`);
const win = (b: boolean | undefined) => (b === undefined ? "-" : b ? "yes" : "no");

export function evalTable(r: EvalResult): string {
  const n = r.seeds.length;
  const header = [
    "task",
    `DVS@${n}`,
    "±std",
    "exec 1st/repair",
    "records",
    "contam",
    "s/recipe",
    "norm",
    "single best (src)",
    "single mean",
    "all-src",
    `random@${n}`,
    "beats all/rnd",
  ];
  const rows = r.tasks.map((t) => {
    const p = t.policy;
    const ss = t.baselines.singleSource;
    return [
      t.task,
      f3(p?.dvs),
      p ? p.dvsStd.toFixed(3) : "-",
      p ? `${pct(p.execFirstAttempt)}/${pct(p.execAfterRepair)}` : "-",
      p ? String(Math.round(p.meanRecords)) : "-",
      p ? pct(p.contaminationRate, 2) : "-",
      p ? (p.meanWallMs / 1000).toFixed(1) : "-",
      t.normalizedDvs === undefined ? "-" : t.normalizedDvs.toFixed(1),
      ss?.best ? `${ss.best.dvs.toFixed(3)} (${ss.best.source})` : "-",
      ss?.perSource.length ? ss.mean.toFixed(3) : "-",
      f3(t.baselines.allSources?.dvs),
      f3(t.baselines.randomPlan?.dvs),
      `${win(t.beats?.allSources)}/${win(t.beats?.randomPlan)}`,
    ];
  });
  const o = r.overall;
  rows.push([
    "overall",
    f3(o.policy?.dvs),
    "",
    o.policy ? `${pct(o.policy.execFirstAttempt)}/${pct(o.policy.execAfterRepair)}` : "-",
    o.policy ? String(Math.round(o.policy.meanRecords)) : "-",
    o.policy ? pct(o.policy.contaminationRate, 2) : "-",
    o.policy ? (o.policy.meanWallMs / 1000).toFixed(1) : "-",
    o.normalizedDvs === undefined ? "-" : o.normalizedDvs.toFixed(1),
    f3(o.singleSourceBest),
    "",
    f3(o.allSources),
    f3(o.randomPlan),
    o.beatsAllSources === undefined && o.beatsRandomPlan === undefined ? "-" : `${o.beatsAllSources ?? "-"}/${o.beatsRandomPlan ?? "-"} of ${o.tasks}`,
  ]);
  return formatTable([header, ...rows]);
}

export function gradeTable(r: EvalResult): string {
  const header = ["task", "invalid", "format", "incorrect", "mismatch", "pass", "statuses"];
  const rows = r.tasks
    .filter((t) => t.policy)
    .map((t) => {
      const g = t.policy!.grades;
      return [t.task, ...["invalid", "format_error", "incorrect", "task_mismatch", "pass"].map((k) => String(g[k] ?? 0)), Object.entries(t.policy!.statuses).map(([s, c]) => `${s} ${c}`).join(", ")];
    });
  return formatTable([header, ...rows]);
}

export function downstreamTable(r: EvalResult): string {
  const c = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
  const header = ["task", "datasets", "pearson", "spearman", "recipe outputs only: n / pearson / spearman", "(paper: mean pearson 0.59, per task 0.34-0.83)"];
  const rows = (r.downstream ?? []).map((d) => [d.task, String(d.datasets), c(d.pearson), c(d.spearman), `${d.recipesOnly.n} / ${c(d.recipesOnly.pearson)} / ${c(d.recipesOnly.spearman)}`, ""]);
  return formatTable([header, ...rows]);
}

/** Tasks where the policy does not beat a baseline, said plainly. */
export function shortfalls(r: EvalResult): string[] {
  const out: string[] = [];
  for (const t of r.tasks) {
    if (!t.policy || !t.beats) continue;
    const lost: string[] = [];
    const a = t.baselines.allSources;
    const b = t.baselines.randomPlan;
    if (t.beats.allSources === false && a) lost.push(`all-sources ${a.dvs.toFixed(3)}${a.dvs === t.policy.dvs ? " (tie)" : ""}`);
    if (t.beats.randomPlan === false && b) lost.push(`random-plan ${b.dvs.toFixed(3)}${b.dvs === t.policy.dvs ? " (tie)" : ""}`);
    if (lost.length) out.push(`${t.task}: policy DVS ${t.policy.dvs.toFixed(3)} does not beat ${lost.join(" and ")}`);
  }
  return out;
}
