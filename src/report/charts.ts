/**
 * The report charts as Vega-Lite specs (data inline). Pure functions of report data, so they can
 * be tested without rendering; `renderChart` (vega.ts) turns them into SVG.
 */
import type { LengthSummary } from "../verify/report.js";
import { GRADE_SCORES, GRADES, type Grade } from "../verify/types.js";
import type { ChartSpec } from "./vega.js";
import { groupStats } from "../rl/advantages.js";

export const GRADE_COLORS: Record<Grade, string> = {
  invalid: "#b42318",
  format_error: "#c4320a",
  incorrect: "#b54708",
  task_mismatch: "#7a5af8",
  pass: "#027a48",
};

const BAR = "#2e90fa";
const WIDTH = 420;

function pct(n: number, total: number): string {
  return total ? `${Math.round((100 * n) / total)}%` : "";
}

/** Grade distribution of the graded samples: one bar per grade, in rubric order. */
export function gradeChart(grades: Record<Grade, number>): ChartSpec {
  const total = GRADES.reduce((s, g) => s + (grades[g] ?? 0), 0);
  const values = GRADES.map((g) => ({ grade: `${g} (${GRADE_SCORES[g]})`, key: g, n: grades[g] ?? 0, label: `${grades[g] ?? 0} · ${pct(grades[g] ?? 0, total)}` }));
  return {
    title: "Grade distribution of the graded samples",
    width: WIDTH,
    height: { step: 24 },
    data: { values },
    encoding: {
      y: { field: "grade", type: "nominal", sort: null, title: null },
      x: { field: "n", type: "quantitative", title: "samples", axis: { tickMinStep: 1 } },
    },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: {
          color: { field: "key", type: "nominal", scale: { domain: [...GRADES], range: GRADES.map((g) => GRADE_COLORS[g]) }, legend: null },
        },
      },
      { mark: { type: "text", align: "left", dx: 4, color: "#344054" }, encoding: { text: { field: "label" } } },
    ],
  } as ChartSpec;
}

/** Records per source, largest first; beyond `top` sources the rest are summed as "(other)". */
export function sourceMixChart(mix: Record<string, number>, top = 15): ChartSpec {
  const rows = Object.entries(mix).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = rows.reduce((s, [, n]) => s + n, 0);
  const shown = rows.slice(0, top);
  const rest = rows.slice(top).reduce((s, [, n]) => s + n, 0);
  if (rest) shown.push(["(other)", rest]);
  const values = shown.map(([source, n]) => ({ source, n, label: `${n} · ${pct(n, total)}` }));
  return {
    title: "Source mix (records per source)",
    width: WIDTH,
    height: { step: 24 },
    data: { values },
    encoding: {
      y: { field: "source", type: "nominal", sort: null, title: null, axis: { labelLimit: 220 } },
      x: { field: "n", type: "quantitative", title: "records" },
    },
    layer: [
      { mark: { type: "bar", color: BAR, cornerRadiusEnd: 2 } },
      { mark: { type: "text", align: "left", dx: 4, color: "#344054" }, encoding: { text: { field: "label" } } },
    ],
  } as ChartSpec;
}

/** A length histogram from the report's bins (the last bin is open-ended). */
export function lengthChart(title: string, s: LengthSummary, color = "#53b1fd"): ChartSpec {
  const { edges, counts } = s.histogram;
  const values = counts.map((n, i) => ({ from: edges[i] ?? 0, to: edges[i + 1] ?? (edges[i] ?? 0) + 1, n }));
  return {
    title,
    width: 320,
    height: 140,
    data: { values },
    mark: { type: "bar", color, binSpacing: 1 },
    encoding: {
      x: { field: "from", type: "quantitative", bin: { binned: true }, title: "characters (last bin open)" },
      x2: { field: "to" },
      y: { field: "n", type: "quantitative", title: "records" },
    },
  } as ChartSpec;
}

export interface AttemptRow {
  n: number;
  ok: boolean;
  error?: string;
  duration_ms?: number;
  records?: number;
}

/** One bar per execution attempt (its wall time), coloured by outcome, labelled with the error kind. */
export function attemptsChart(attempts: AttemptRow[]): ChartSpec {
  const values = attempts.map((a) => ({
    attempt: `#${a.n}`,
    seconds: Math.round((a.duration_ms ?? 0) / 100) / 10,
    outcome: a.ok ? "ok" : "failed",
    label: a.ok ? `ok${a.records !== undefined ? `, ${a.records} records` : ""}` : (a.error ?? "failed").split(":")[0]!.slice(0, 40),
  }));
  return {
    title: "Execution attempts (1 + repairs)",
    width: { step: 70 },
    height: 140,
    data: { values },
    encoding: {
      x: { field: "attempt", type: "nominal", sort: null, title: "attempt", axis: { labelAngle: 0 } },
      y: { field: "seconds", type: "quantitative", title: "wall time (s)" },
    },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: { color: { field: "outcome", type: "nominal", scale: { domain: ["ok", "failed"], range: ["#027a48", "#b42318"] }, title: "outcome" } },
      },
      { mark: { type: "text", dy: -6, fontSize: 10, color: "#344054" }, encoding: { text: { field: "label" } } },
    ],
  } as ChartSpec;
}

// ---- rollout store charts

export interface GroupRewards {
  group: string;
  task: string;
  rewards: number[];
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Sample standard deviation, as the rollout store's group statistics define it. */
function std(xs: number[]): number {
  return groupStats(xs).std;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Short axis labels for group ids ("<collection>:<instance>"): the instance alone when there is
 * one collection, else "step<k> · instance" or "collection · instance"; the full id when short
 * labels would collide.
 */
export function groupLabels(ids: string[]): Map<string, string> {
  const split = ids.map((id) => {
    const i = id.indexOf(":");
    return i < 0 ? { id, coll: "", inst: id } : { id, coll: id.slice(0, i), inst: id.slice(i + 1) };
  });
  const colls = new Set(split.map((x) => x.coll));
  const short = split.map((x) => {
    if (colls.size <= 1 || !x.coll) return x.inst;
    const step = /step[-_ ]?(\d+)/i.exec(x.coll);
    return `${step ? `step${step[1]}` : x.coll} · ${x.inst}`;
  });
  const unique = new Set(short).size === short.length;
  return new Map(split.map((x, i) => [x.id, unique ? short[i]! : x.id]));
}

/** Room for the rotated group labels, whose width vega can only estimate without a canvas. */
const GROUP_PADDING = { left: 60, right: 10, top: 5, bottom: 5 };

/** Mean reward of each group (bar) with every rollout's reward on top (points). */
export function rewardPerGroupChart(groups: GroupRewards[]): ChartSpec {
  const label = groupLabels(groups.map((g) => g.group));
  const means = groups.map((g) => ({ group: label.get(g.group)!, task: g.task, mean: round3(mean(g.rewards)), n: g.rewards.length }));
  const points = groups.flatMap((g) => g.rewards.map((r) => ({ group: label.get(g.group)!, reward: r })));
  return {
    title: "Reward per group (bar: mean; dots: rollouts)",
    padding: GROUP_PADDING,
    width: { step: Math.max(18, Math.min(48, Math.floor(640 / Math.max(1, groups.length)))) },
    height: 180,
    layer: [
      {
        data: { values: means },
        mark: { type: "bar", color: "#b2ddff" },
        encoding: {
          x: { field: "group", type: "nominal", sort: null, title: "group", axis: { labelAngle: -40, labelLimit: 240 } },
          y: { field: "mean", type: "quantitative", title: "reward" },
        },
      },
      {
        data: { values: points },
        mark: { type: "circle", size: 28, color: "#1570ef", opacity: 0.75 },
        encoding: { x: { field: "group", type: "nominal", sort: null }, y: { field: "reward", type: "quantitative" } },
      },
    ],
  } as ChartSpec;
}

/**
 * Reward spread within each group: min–max rule, mean tick, and the standard deviation in the
 * colour; zero-spread groups (no GRPO signal, trainers drop them) are red.
 */
export function spreadChart(groups: GroupRewards[]): ChartSpec {
  const label = groupLabels(groups.map((g) => g.group));
  const values = groups.map((g) => {
    const s = std(g.rewards);
    return {
      group: label.get(g.group)!,
      lo: Math.min(...g.rewards),
      hi: Math.max(...g.rewards),
      mean: round3(mean(g.rewards)),
      std: round3(s),
      signal: g.rewards.length < 2 ? "singleton" : Math.max(...g.rewards) - Math.min(...g.rewards) < 1e-9 ? "zero spread" : "spread",
    };
  });
  const color = { field: "signal", type: "nominal", scale: { domain: ["spread", "zero spread", "singleton"], range: ["#1570ef", "#b42318", "#98a2b3"] }, title: "group" };
  return {
    title: "Reward spread within groups (min–max, mean tick)",
    padding: GROUP_PADDING,
    width: { step: Math.max(18, Math.min(48, Math.floor(640 / Math.max(1, groups.length)))) },
    height: 180,
    data: { values },
    encoding: { x: { field: "group", type: "nominal", sort: null, title: "group", axis: { labelAngle: -40, labelLimit: 240 } } },
    layer: [
      { mark: { type: "rule", strokeWidth: 3 }, encoding: { y: { field: "lo", type: "quantitative", title: "reward", scale: { zero: false, padding: 8 } }, y2: { field: "hi" }, color } },
      { mark: { type: "tick", thickness: 2, size: 14 }, encoding: { y: { field: "mean", type: "quantitative" }, color } },
      { mark: { type: "text", dy: -10, fontSize: 9, color: "#475467" }, encoding: { y: { field: "hi", type: "quantitative" }, text: { field: "std", format: ".2f" } } },
    ],
  } as ChartSpec;
}

export interface TrainingPoint {
  step: number;
  mean_reward: number;
  /** Optional held-out reward at this step. */
  eval_reward?: number;
}

/** Mean reward per training step (and the held-out reward when recorded). */
export function trainingCurveChart(points: TrainingPoint[]): ChartSpec {
  const values = points.flatMap((p) => [
    { step: p.step, series: "training mean reward", reward: p.mean_reward },
    ...(p.eval_reward !== undefined ? [{ step: p.step, series: "held-out reward", reward: p.eval_reward }] : []),
  ]);
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  return {
    title: "Training curve",
    width: 420,
    height: 180,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step", axis: steps.length <= 20 ? { values: steps, format: "d" } : { format: "d", tickMinStep: 1 } },
      y: { field: "reward", type: "quantitative", title: "reward", scale: { zero: false } },
      color: { field: "series", type: "nominal", title: null, scale: { range: ["#1570ef", "#f79009"] }, legend: { orient: "bottom", labelLimit: 300 } },
    },
  } as ChartSpec;
}
