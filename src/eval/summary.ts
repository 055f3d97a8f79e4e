/** Pure aggregation of journal rows into per-variant, per-task and overall figures. */
import { GRADES } from "../verify/types.js";
import { mean, round, std } from "./stats.js";
import type { EvalResult, RecipeRow, SingleSourceSummary, TaskEval, VariantSummary } from "./types.js";
import type { SourceFit } from "./variants.js";

function emptyGrades(): Record<string, number> {
  return Object.fromEntries(GRADES.map((g) => [g, 0]));
}

export function summarizeVariant(rows: RecipeRow[]): VariantSummary {
  const scores = rows.map((r) => r.score);
  const produced = rows.filter((r) => r.status === "ok");
  const grades = emptyGrades();
  const statuses: Record<string, number> = {};
  for (const r of rows) {
    for (const [g, n] of Object.entries(r.grades ?? {})) grades[g] = (grades[g] ?? 0) + n;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  }
  const records = produced.reduce((s, r) => s + r.records, 0);
  const leaked = produced.reduce((s, r) => s + r.leaks.substantial, 0);
  return {
    n: rows.length,
    dvs: round(mean(scores)),
    dvsStd: round(std(scores)),
    scores,
    execFirstAttempt: round(mean(rows.map((r) => (r.firstAttemptOk ? 1 : 0)))),
    execAfterRepair: round(mean(rows.map((r) => (r.executed ? 1 : 0)))),
    meanRecords: round(mean(produced.map((r) => r.records)), 1),
    contaminationRate: records ? round(leaked / records, 6) : 0,
    leakyRecipes: produced.filter((r) => r.leaks.substantial > 0).length,
    grades,
    statuses,
    meanWallMs: Math.round(mean(rows.map((r) => r.wallMs))),
    distinctPlans: new Set(rows.map((r) => r.planKey ?? "")).size,
  };
}

export function summarizeSingleSource(rows: RecipeRow[], fits: SourceFit[]): SingleSourceSummary {
  const bySource = new Map<string, RecipeRow[]>();
  for (const r of rows) {
    const src = r.source ?? r.variant.replace(/^single:/, "");
    bySource.set(src, [...(bySource.get(src) ?? []), r]);
  }
  const perSource = [...bySource]
    .map(([source, rs]) => {
      const statuses = [...new Set(rs.map((r) => r.status))];
      const produced = rs.filter((r) => r.status === "ok");
      return { source, dvs: round(mean(rs.map((r) => r.score))), status: statuses.join(","), records: Math.round(mean(produced.map((r) => r.records))), n: rs.length };
    })
    .sort((a, b) => a.source.localeCompare(b.source));
  const best = perSource.reduce<{ source: string; dvs: number } | undefined>((b, r) => (!b || r.dvs > b.dvs ? { source: r.source, dvs: r.dvs } : b), undefined);
  return {
    perSource,
    ...(best ? { best } : {}),
    mean: round(mean(perSource.map((p) => p.dvs))),
    skipped: fits.filter((f) => !f.ok).map((f) => ({ source: f.id, reason: f.reason ?? "not compatible" })),
  };
}

/** Strictly better DVS (ties are not wins). */
function beats(policy: VariantSummary | undefined, other: VariantSummary | undefined): boolean | undefined {
  if (!policy || !other) return undefined;
  return policy.dvs > other.dvs;
}

export function summarizeTask(args: { task: string; spec: string; answerKind: string; prepareMs: number; rows: RecipeRow[]; fits: SourceFit[] }): TaskEval {
  const of = (kind: RecipeRow["kind"]) => args.rows.filter((r) => r.kind === kind);
  const policyRows = of("policy");
  const policy = policyRows.length ? summarizeVariant(policyRows) : undefined;
  const singles = of("single-source");
  const singleSource = singles.length || args.fits.length ? summarizeSingleSource(singles, args.fits) : undefined;
  const allSources = of("all-sources").length ? summarizeVariant(of("all-sources")) : undefined;
  const randomPlan = of("random-plan").length ? summarizeVariant(of("random-plan")) : undefined;
  const best = singleSource?.best?.dvs;
  return {
    task: args.task,
    spec: args.spec,
    answerKind: args.answerKind,
    prepareMs: args.prepareMs,
    ...(policy ? { policy } : {}),
    baselines: { ...(singleSource ? { singleSource } : {}), ...(allSources ? { allSources } : {}), ...(randomPlan ? { randomPlan } : {}) },
    ...(policy && best && best > 0 ? { normalizedDvs: round((100 * policy.dvs) / best, 1) } : {}),
    ...(policy ? { beats: { allSources: beats(policy, allSources), randomPlan: beats(policy, randomPlan) } } : {}),
  };
}

export function summarizeOverall(tasks: TaskEval[], rows: RecipeRow[]): EvalResult["overall"] {
  const withPolicy = tasks.filter((t) => t.policy);
  const policyRows = rows.filter((r) => r.kind === "policy");
  const meanOf = (xs: (number | undefined)[]) => {
    const ok = xs.filter((x): x is number => x !== undefined);
    return ok.length ? round(mean(ok)) : undefined;
  };
  const count = (f: (t: TaskEval) => boolean | undefined) => tasks.filter((t) => f(t) === true).length;
  const out: EvalResult["overall"] = { tasks: tasks.length };
  if (withPolicy.length) {
    const p = summarizeVariant(policyRows);
    out.policy = {
      // the mean of per-task DVS, so every task weighs the same whatever its N
      dvs: meanOf(withPolicy.map((t) => t.policy!.dvs))!,
      execFirstAttempt: p.execFirstAttempt,
      execAfterRepair: p.execAfterRepair,
      meanRecords: p.meanRecords,
      contaminationRate: p.contaminationRate,
      meanWallMs: p.meanWallMs,
      grades: p.grades,
    };
  }
  const ss = meanOf(tasks.map((t) => t.baselines.singleSource?.best?.dvs));
  const all = meanOf(tasks.map((t) => t.baselines.allSources?.dvs));
  const rnd = meanOf(tasks.map((t) => t.baselines.randomPlan?.dvs));
  const norm = meanOf(tasks.map((t) => t.normalizedDvs));
  if (ss !== undefined) out.singleSourceBest = ss;
  if (all !== undefined) out.allSources = all;
  if (rnd !== undefined) out.randomPlan = rnd;
  if (norm !== undefined) out.normalizedDvs = round(norm, 1);
  // only when there was something to compare with
  if (tasks.some((t) => t.beats?.allSources !== undefined)) out.beatsAllSources = count((t) => t.beats?.allSources);
  if (tasks.some((t) => t.beats?.randomPlan !== undefined)) out.beatsRandomPlan = count((t) => t.beats?.randomPlan);
  if (out.beatsAllSources !== undefined && out.beatsRandomPlan !== undefined) out.beatsBoth = count((t) => t.beats?.allSources === true && t.beats?.randomPlan === true);
  return out;
}
